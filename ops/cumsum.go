package ops

import "graft/graph"

// Cumsum returns the inclusive cumulative sum of x along axis, as
// torch.cumsum(x, axis) and numpy.cumsum(x, axis) compute it:
//
//	y[..., i, ...] = x[..., 0, ...] + x[..., 1, ...] + ... + x[..., i, ...]
//
// The result has x's shape and dtype. x must have at least one axis (a
// scalar has none to run along; PyTorch returns it unchanged). Each running
// sum is kept in float64 whatever the dtype, as PyTorch's CPU kernel keeps
// float32 sums in double, so a long float32 axis loses no more than its
// final rounding. The gradient is the cumulative sum of dy taken from the
// far end of the axis back (dx[i] = Σ_{j≥i} dy[j]), the same op reading the
// axis backwards, whose own gradient is Cumsum again.
func Cumsum(x *graph.Node, axis int) *graph.Node {
	return graph.Apply(&cumsumOp{alongAxis: alongAxis{axis: axis}}, x)
}

type cumsumOp struct {
	alongAxis
	reverse bool // sum from the last element of the axis back to the first
}

func (op *cumsumOp) Name() string {
	if op.reverse {
		return "ReverseCumsum"
	}
	return "Cumsum"
}

func (op *cumsumOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	if err := op.split(x); err != nil {
		return nil, graph.DType{}, err
	}
	return x, in[0].DType(), nil
}

func (op *cumsumOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, cumsumKernel[float32], cumsumKernel[float64])
}

// cumsumBlock is how many running sums of neighbouring slices the kernel
// keeps at once, on the stack: along an outer axis it then reads x row by
// row rather than one column at a time.
const cumsumBlock = 64

func cumsumKernel[T graph.Float](op *cumsumOp, out []T, in []*graph.Value) {
	x := floats[T](in[0])
	first, step := 0, op.inner // offsets of the rows of one slice along the axis
	if op.reverse {
		first, step = (op.length-1)*op.inner, -op.inner
	}
	if op.inner == 1 { // the last axis: one contiguous run per slice
		for o := 0; o < op.outer; o++ {
			at, sum := o*op.length+first, 0.0
			for k := 0; k < op.length; k++ {
				sum += float64(x[at])
				out[at] = T(sum)
				at += step
			}
		}
		return
	}
	var sums [cumsumBlock]float64
	for o := 0; o < op.outer; o++ {
		for j := 0; j < op.inner; j += cumsumBlock {
			acc := sums[:min(cumsumBlock, op.inner-j)]
			clear(acc)
			at := o*op.length*op.inner + j + first
			for k := 0; k < op.length; k++ {
				src, dst := x[at:at+len(acc)], out[at:at+len(acc)]
				for t, v := range src {
					acc[t] += float64(v)
					dst[t] = T(acc[t])
				}
				at += step
			}
		}
	}
}

// Grad: y is linear in x with y = L·x along the axis, L the lower-triangular
// matrix of ones, so dx = Lᵀ·dy, the cumulative sum run the other way.
func (op *cumsumOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return graph.Apply(&cumsumOp{alongAxis: alongAxis{axis: op.axis}, reverse: !op.reverse}, dy)
}
