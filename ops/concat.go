package ops

import (
	"fmt"

	"graft/graph"
)

// Concat joins xs along axis; every other axis must agree.
func Concat(axis int, xs ...*graph.Node) *graph.Node {
	return graph.Apply(&concatOp{axis: axis}, xs...)
}

type concatOp struct {
	axis    int
	starts  []int // where each input begins along axis
	offsets []int // the element offset of each input's block in the output
	plans   []stridedPlan
}

func (*concatOp) Name() string { return "Concat" }

func (op *concatOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	first := in[0].Shape()
	axis, err := normAxis(op.axis, len(first))
	if err != nil {
		return nil, graph.DType{}, err
	}
	op.axis = axis
	out := first.Clone()
	out[axis] = 0
	for i, n := range in {
		s := n.Shape()
		if n.DType() != in[0].DType() {
			return nil, graph.DType{}, fmt.Errorf("input %d has dtype %v, input 0 has %v", i, n.DType(), in[0].DType())
		}
		if len(s) != len(first) {
			return nil, graph.DType{}, fmt.Errorf("input %d has rank %d, input 0 has rank %d", i, len(s), len(first))
		}
		for d := range s {
			if d != axis && s[d] != first[d] {
				return nil, graph.DType{}, fmt.Errorf("input %d has shape %v, which differs from input 0's %v off axis %d", i, s, first, op.axis)
			}
		}
		op.starts = append(op.starts, out[axis])
		if out[axis], err = checkedAdd(out[axis], s[axis]); err != nil {
			return nil, graph.DType{}, fmt.Errorf("axis %d of the result is too long: %v", op.axis, err)
		}
	}
	if _, err := sizeOf(out); err != nil {
		return nil, graph.DType{}, err
	}
	outStrides := out.Strides()
	for i, n := range in {
		op.offsets = append(op.offsets, op.starts[i]*outStrides[axis])
		op.plans = append(op.plans, newStridedPlan(n.Shape(), outStrides, n.Shape().Strides()))
	}
	return out, in[0].DType(), nil
}

func (op *concatOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, concatKernel[float32], concatKernel[float64])
}

func concatKernel[T graph.Float](op *concatOp, out []T, in []*graph.Value) {
	for i, v := range in {
		stridedCopy(&op.plans[i], out, op.offsets[i], floats[T](v), 0)
	}
}

func (op *concatOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	size := n.Inputs()[i].Shape()[op.axis]
	return Slice(dy, op.axis, op.starts[i], op.starts[i]+size)
}
