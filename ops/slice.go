package ops

import (
	"fmt"

	"graft/graph"
)

// Slice returns the elements of x from start (inclusive) to end (exclusive)
// along axis, like x[..., start:end, ...] in NumPy. Negative start and end
// count from the end of the axis.
func Slice(x *graph.Node, axis, start, end int) *graph.Node {
	return graph.Apply(&sliceOp{axis: axis, start: start, end: end}, x)
}

type sliceOp struct {
	axis, start, end int
	offset           int // elements skipped before the first one copied
	plan             stridedPlan
}

func (*sliceOp) Name() string { return "Slice" }

func (op *sliceOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	axis, err := normAxis(op.axis, len(x))
	if err != nil {
		return nil, graph.DType{}, err
	}
	start, end := op.start, op.end
	if start < 0 {
		start += x[axis]
	}
	if end < 0 {
		end += x[axis]
	}
	if start < 0 || end > x[axis] || start >= end {
		return nil, graph.DType{}, fmt.Errorf("range [%d:%d] is empty or outside axis %d of size %d", op.start, op.end, op.axis, x[axis])
	}
	op.axis, op.start, op.end = axis, start, end
	out := x.Clone()
	out[axis] = end - start
	op.offset = start * x.Strides()[axis]
	op.plan = newStridedPlan(out, out.Strides(), x.Strides())
	return out, in[0].DType(), nil
}

func (op *sliceOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, sliceKernel[float32], sliceKernel[float64])
}

func sliceKernel[T graph.Float](op *sliceOp, out []T, in []*graph.Value) {
	stridedCopy(&op.plan, out, 0, floats[T](in[0]), op.offset)
}

func (op *sliceOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	size := n.Inputs()[0].Shape()[op.axis]
	return Pad(dy, op.axis, op.start, size-op.end)
}

// Pad surrounds x with zeros along axis: before zeros ahead of it and after
// zeros behind it. It is the gradient of Slice.
func Pad(x *graph.Node, axis, before, after int) *graph.Node {
	return graph.Apply(&padOp{axis: axis, before: before, after: after}, x)
}

type padOp struct {
	axis, before, after int
	offset              int
	plan                stridedPlan
}

func (*padOp) Name() string { return "Pad" }

func (op *padOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	axis, err := normAxis(op.axis, len(x))
	if err != nil {
		return nil, graph.DType{}, err
	}
	if op.before < 0 || op.after < 0 {
		return nil, graph.DType{}, fmt.Errorf("padding %d and %d must not be negative", op.before, op.after)
	}
	op.axis = axis
	out := x.Clone()
	pad, err := checkedAdd(op.before, op.after)
	if err == nil {
		out[axis], err = checkedAdd(out[axis], pad)
	}
	if err == nil {
		_, err = sizeOf(out)
	}
	if err != nil {
		return nil, graph.DType{}, fmt.Errorf("padding %d and %d make axis %d too long: %v", op.before, op.after, op.axis, err)
	}
	op.offset = op.before * out.Strides()[axis]
	op.plan = newStridedPlan(x, out.Strides(), x.Strides())
	return out, in[0].DType(), nil
}

func (op *padOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, padKernel[float32], padKernel[float64])
}

func padKernel[T graph.Float](op *padOp, out []T, in []*graph.Value) {
	clear(out)
	stridedCopy(&op.plan, out, op.offset, floats[T](in[0]), 0)
}

func (op *padOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	size := n.Inputs()[0].Shape()[op.axis]
	return Slice(dy, op.axis, op.before, op.before+size)
}
