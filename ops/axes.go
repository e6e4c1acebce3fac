package ops

import (
	"errors"
	"fmt"

	"graft/graph"
)

// normAxis turns a possibly negative axis into an index into a shape of the
// given rank.
func normAxis(axis, rank int) (int, error) {
	if axis < -rank || axis >= rank {
		return 0, fmt.Errorf("axis %d is out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

// alongAxis is the view of a tensor that an op working along one axis
// walks (softmax, cumsum, argmax): outer runs of length elements, inner
// apart, around axis.
type alongAxis struct {
	axis   int
	outer  int // product of the axes before axis
	length int // size of axis
	inner  int // product of the axes after axis
}

// split normalizes a.axis for a tensor of shape x and works out the view.
func (a *alongAxis) split(x graph.Shape) error {
	axis, err := normAxis(a.axis, len(x))
	if err != nil {
		return err
	}
	a.axis = axis
	a.outer, a.length, a.inner = graph.Shape(x[:axis]).Size(), x[axis], graph.Shape(x[axis+1:]).Size()
	return nil
}

// normAxes normalises a list of axes; no axes means every axis. It rejects
// repeats.
func normAxes(axes []int, rank int) ([]int, error) {
	if len(axes) == 0 {
		all := make([]int, rank)
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	seen := make([]bool, rank)
	out := make([]int, len(axes))
	for i, a := range axes {
		n, err := normAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, fmt.Errorf("axis %d is given twice", a)
		}
		seen[n] = true
		out[i] = n
	}
	return out, nil
}

// rejectUnreadable returns a failed node for a builder called name when x
// cannot be read before graph.Apply sees it: nil, or a zero graph.Node that
// belongs to no graph. Builders that look at x's shape, dtype or graph
// first (ScalarLike, Mean ...) call it; the others leave the check to Apply.
// It returns nil when x is usable.
func rejectUnreadable(name string, x *graph.Node) *graph.Node {
	switch {
	case x == nil:
		return graph.Reject(name, nil, x)
	case x.Graph() == nil:
		return graph.Reject(name, errors.New("input 0 belongs to no graph (a zero graph.Node?); build nodes with a *graph.Graph"), x)
	}
	return nil
}
