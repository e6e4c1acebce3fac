package ops

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Full adds a constant of the given dtype and shape with every element v.
// A dtype other than float32 and float64, an axis smaller than 1, or more
// than 2^26 elements is a build error that Compile reports: the constant is
// allocated at once, while the graph is built. For a larger fill use
// BroadcastTo(Scalar(g, v, dt), shape...), whose buffer Compile allocates.
func Full(g *graph.Graph, v float64, dt graph.DType, shape ...int) *graph.Node {
	if g == nil {
		return graph.Reject("Full", errors.New("the graph is nil"))
	}
	if err := graph.CheckDType(dt); err != nil {
		return graph.Reject("Full", err, Scalar(g, v, tensor.Float64))
	}
	for _, d := range shape {
		if d < 1 {
			err := fmt.Errorf("shape %v has an axis of size %d: every axis must be at least 1", graph.Shape(shape), d)
			return graph.Reject("Full", err, Scalar(g, v, dt))
		}
	}
	size, err := sizeOf(shape)
	if err == nil && size > maxFullElements {
		err = fmt.Errorf("shape %v has %d elements, more than the %d a constant may hold; use ops.BroadcastTo(ops.Scalar(g, v, dt), shape...)",
			graph.Shape(shape), size, maxFullElements)
	}
	if err != nil {
		return graph.Reject("Full", err, Scalar(g, v, dt))
	}
	data := make([]float64, size)
	for i := range data {
		data[i] = v
	}
	t, err := graph.NewTensor(dt, data, shape...)
	if err != nil { // not reached: dtype and shape are checked above
		return graph.Reject("Full", err, Scalar(g, v, dt))
	}
	name := fmt.Sprint(v)
	if len(shape) > 0 {
		name = fmt.Sprintf("full(%v)", v)
	}
	return g.Const(name, t)
}

// Scalar adds a scalar constant (shape ()) of dtype dt. It broadcasts
// against any shape.
func Scalar(g *graph.Graph, v float64, dt graph.DType) *graph.Node {
	return Full(g, v, dt)
}

// ScalarLike adds a scalar constant with x's dtype, in x's graph.
func ScalarLike(x *graph.Node, v float64) *graph.Node {
	if bad := rejectUnreadable("ScalarLike", x); bad != nil {
		return bad
	}
	return Scalar(x.Graph(), v, x.DType())
}

// ZerosLike adds a constant of zeros with x's shape and dtype.
func ZerosLike(x *graph.Node) *graph.Node {
	if bad := rejectUnreadable("ZerosLike", x); bad != nil {
		return bad
	}
	return Full(x.Graph(), 0, x.DType(), x.Shape()...)
}

// OnesLike adds a constant of ones with x's shape and dtype.
func OnesLike(x *graph.Node) *graph.Node {
	if bad := rejectUnreadable("OnesLike", x); bad != nil {
		return bad
	}
	return Full(x.Graph(), 1, x.DType(), x.Shape()...)
}
