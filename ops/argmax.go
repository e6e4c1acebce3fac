package ops

import (
	"graft/graph"
)

// ArgMax returns the index of the largest element of x along axis (which may
// be negative), and drops that axis from the shape, as PyTorch's
// argmax(x, dim) does.
//
// The indices are graph.Int64, as PyTorch's are (ops.Cast makes floats of
// them, ops.Take and ops.OneHot use them as they are). Where several elements tie
// for the largest, the first index wins, and a NaN counts as larger than
// anything, so the first NaN wins: both as in NumPy's argmax and PyTorch's
// argmax. Unlike PyTorch, the axis must be given (there is no flattened
// argmax: Reshape(x, -1) first) and a scalar has no axis to take it along.
//
// An index is piecewise constant in x, so ArgMax has no gradient, by design,
// as in PyTorch: nothing flows back to x through it.
func ArgMax(x *graph.Node, axis int) *graph.Node {
	return graph.Apply(&argOp{alongAxis: alongAxis{axis: axis}}, x)
}

// ArgMaxKeepDims is ArgMax that keeps the axis with size 1 (PyTorch's
// keepdim=True), so the result broadcasts against x.
func ArgMaxKeepDims(x *graph.Node, axis int) *graph.Node {
	return graph.Apply(&argOp{alongAxis: alongAxis{axis: axis}, keep: true}, x)
}

// ArgMin returns the index of the smallest element of x along axis, as
// PyTorch's argmin(x, dim) does, with ArgMax's rules:
// int64 indices, the first index among ties, the first NaN winning, no
// gradient.
func ArgMin(x *graph.Node, axis int) *graph.Node {
	return graph.Apply(&argOp{alongAxis: alongAxis{axis: axis}, min: true}, x)
}

// ArgMinKeepDims is ArgMin that keeps the axis with size 1.
func ArgMinKeepDims(x *graph.Node, axis int) *graph.Node {
	return graph.Apply(&argOp{alongAxis: alongAxis{axis: axis}, min: true, keep: true}, x)
}

type argOp struct {
	alongAxis
	min, keep bool
}

// Name is ArgMax or ArgMin, with or without KeepDims, as the reductions
// name theirs.
func (op *argOp) Name() string {
	if op.min {
		return "ArgMin"
	}
	return "ArgMax"
}

func (op *argOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	if err := op.split(x); err != nil {
		return nil, graph.DType{}, err
	}
	out := x.Clone()
	if op.keep {
		out[op.axis] = 1
	} else {
		out = append(out[:op.axis], out[op.axis+1:]...)
	}
	return out, graph.Int64, nil
}

func (op *argOp) Forward(out *graph.Value, in []*graph.Value) {
	if x := in[0]; x.F32 != nil {
		argKernel(op, out.I64, x.F32)
	} else {
		argKernel(op, out.I64, x.F64)
	}
}

// Grad is nil: an index does not change under a small change of x.
func (*argOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

// argKernel writes, for each slice along the axis, the index of its first
// winner. A NaN (v != v) ends the scan: it wins, and only the first one does.
func argKernel[T graph.Float](op *argOp, out []int64, x []T) {
	for o := 0; o < op.outer; o++ {
		for j := 0; j < op.inner; j++ {
			at := o*op.length*op.inner + j
			best, winner := x[at], 0
			for k := 1; k < op.length && best == best; k++ {
				at += op.inner
				v := x[at]
				if v != v || (op.min && v < best) || (!op.min && v > best) {
					best, winner = v, k
				}
			}
			out[o*op.inner+j] = int64(winner)
		}
	}
}
