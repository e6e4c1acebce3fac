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
	size, err := sizeOf(x)
	if err != nil {
		return nil, graph.DType{}, err
	}
	out := op.shape.Clone()
	known, free := 1, -1
	for i, d := range out {
		switch {
		case d == -1 && free < 0:
			free = i
		case d <= 0:
			return nil, graph.DType{}, fmt.Errorf("cannot reshape to %v: sizes must be positive, with at most one -1", op.shape)
		default:
			if known, err = checkedMul(known, d); err != nil {
				return nil, graph.DType{}, fmt.Errorf("cannot reshape %d elements to %v: %v", size, op.shape, err)
			}
		}
	}
	if free >= 0 {
		if size%known != 0 {
			return nil, graph.DType{}, fmt.Errorf("cannot reshape %d elements to %v", size, op.shape)
		}
		out[free] = size / known
	}
	if n, err := sizeOf(out); err != nil || n != size {
		return nil, graph.DType{}, fmt.Errorf("cannot reshape %d elements to %v", size, op.shape)
	}
	return out, in[0].DType(), nil
}

func (*reshapeOp) Forward(out *graph.Value, in []*graph.Value) { graph.CopyValue(out, in[0]) }

func (*reshapeOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return Reshape(dy, n.Inputs()[0].Shape()...)
}
