package ops

import (
	"fmt"

	"graft/graph"
)

// Reshape returns x with a new shape of the same size; one axis may be -1,
// meaning whatever size makes the total match.
func Reshape(x *graph.Node, shape ...int) *graph.Node {
	return graph.Apply(&reshapeOp{shape: append(graph.Shape{}, shape...)}, x)
}

type reshapeOp struct{ shape graph.Shape }

func (*reshapeOp) Name() string { return "Reshape" }

func (op *reshapeOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	out := op.shape.Clone()
	known, free := 1, -1
	for i, d := range out {
		switch {
		case d == -1 && free < 0:
			free = i
		case d <= 0:
			return nil, graph.DType{}, fmt.Errorf("cannot reshape to %v: sizes must be positive, with at most one -1", op.shape)
		default:
			known *= d
		}
	}
	if free >= 0 && known > 0 && x.Size()%known == 0 {
		out[free] = x.Size() / known
	}
	if out.Size() != x.Size() || (free >= 0 && out[free] == -1) {
		return nil, graph.DType{}, fmt.Errorf("cannot reshape %d elements to %v", x.Size(), op.shape)
	}
	return out, in[0].DType(), nil
}

func (*reshapeOp) Forward(out *graph.Value, in []*graph.Value) { copyValue(out, in[0]) }

func (*reshapeOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return Reshape(dy, n.Inputs()[0].Shape()...)
}
