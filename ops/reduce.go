package ops

import (
	"math"

	"graft/graph"
)

// Sum adds up x over the given axes (every axis when none are given) and
// drops them from the shape.
func Sum(x *graph.Node, axes ...int) *graph.Node { return reduce(x, sumReduce, axes, false) }

// SumKeepDims is Sum that keeps each reduced axis with size 1, so the
// result broadcasts against x.
func SumKeepDims(x *graph.Node, axes ...int) *graph.Node { return reduce(x, sumReduce, axes, true) }

// Max takes the largest element of x over the given axes (every axis when
// none are given) and drops them from the shape. Where several elements tie
// for the largest, the gradient is split evenly among them, as in JAX.
func Max(x *graph.Node, axes ...int) *graph.Node { return reduce(x, maxReduce, axes, false) }

// MaxKeepDims is Max that keeps each reduced axis with size 1.
func MaxKeepDims(x *graph.Node, axes ...int) *graph.Node { return reduce(x, maxReduce, axes, true) }

// Mean averages x over the given axes (every axis when none are given) and
// drops them from the shape.
func Mean(x *graph.Node, axes ...int) *graph.Node { return mean(x, axes, false) }

// MeanKeepDims is Mean that keeps each reduced axis with size 1.
func MeanKeepDims(x *graph.Node, axes ...int) *graph.Node { return mean(x, axes, true) }

func mean(x *graph.Node, axes []int, keep bool) *graph.Node {
	if bad := rejectUnreadable("Mean", x); bad != nil {
		return bad
	}
	norm, err := normAxes(axes, len(x.Shape()))
	if err != nil {
		return graph.Reject("Mean", err, x)
	}
	count := 1
	for _, a := range norm {
		count *= x.Shape()[a]
	}
	return Mul(reduce(x, sumReduce, axes, keep), ScalarLike(x, 1/float64(count)))
}

type reduceKind int

const (
	sumReduce reduceKind = iota
	maxReduce
)

func reduce(x *graph.Node, kind reduceKind, axes []int, keep bool) *graph.Node {
	return graph.Apply(&reduceOp{kind: kind, axes: append([]int{}, axes...), keep: keep}, x)
}

type reduceOp struct {
	kind      reduceKind
	axes      []int
	keep      bool
	keptShape graph.Shape // the result's shape with reduced axes kept as 1
	plan      stridedPlan // over x: operand 0 is the result, 1 is x
}

func (op *reduceOp) Name() string {
	if op.kind == maxReduce {
		return "Max"
	}
	return "Sum"
}

func (op *reduceOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	axes, err := normAxes(op.axes, len(x))
	if err != nil {
		return nil, graph.DType{}, err
	}
	op.axes = axes
	op.keptShape = x.Clone()
	for _, a := range axes {
		op.keptShape[a] = 1
	}
	outStrides := broadcastStrides(op.keptShape, x)
	op.plan = newStridedPlan(x, outStrides, x.Strides())
	if op.keep {
		return op.keptShape, in[0].DType(), nil
	}
	var out graph.Shape
	for d, n := range op.keptShape {
		if !contains(axes, d) {
			out = append(out, n)
		}
	}
	return out, in[0].DType(), nil
}

func contains(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

func (op *reduceOp) Forward(out *graph.Value, in []*graph.Value) {
	if out.F32 != nil {
		reduceKernel(&op.plan, op.kind, out.F32, in[0].F32)
	} else {
		reduceKernel(&op.plan, op.kind, out.F64, in[0].F64)
	}
}

func (op *reduceOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	x := n.Inputs()[0]
	dyKept := keptShape(dy, op.keptShape)
	if op.kind == sumReduce {
		return BroadcastTo(dyKept, x.Shape()...)
	}
	winners := Equal(x, keptShape(n, op.keptShape))
	share := Div(dyKept, SumKeepDims(winners, op.axes...))
	return Mul(winners, share)
}

// keptShape reshapes a reduction's result (or its gradient) to the shape
// with the reduced axes kept, unless it already has it.
func keptShape(n *graph.Node, kept graph.Shape) *graph.Node {
	if n.Shape().Equal(kept) {
		return n
	}
	return Reshape(n, kept...)
}

// reduceKernel folds x into out along the plan. Go's max lets NaN win, as
// NumPy's max and PyTorch's amax do. A run along which out does
// not move (out's stride 0) folds into one element, summed in float64 so that
// long float32 sums keep their precision.
func reduceKernel[T graph.Float](p *stridedPlan, kind reduceKind, out, x []T) {
	if kind == sumReduce {
		clear(out)
	} else {
		for i := range out {
			out[i] = T(math.Inf(-1))
		}
	}
	so, sx := p.innerStride[0], p.innerStride[1]
	for r := 0; r < p.runs; r++ {
		oo, ox := p.offset(0, r), p.offset(1, r)
		if so == 0 {
			out[oo] = foldRun(kind, out[oo], x, ox, sx, p.inner)
			continue
		}
		for i := 0; i < p.inner; i++ {
			if kind == sumReduce {
				out[oo] += x[ox]
			} else {
				out[oo] = max(out[oo], x[ox])
			}
			oo += so
			ox += sx
		}
	}
}

func foldRun[T graph.Float](kind reduceKind, acc T, x []T, off, stride, n int) T {
	if kind == sumReduce {
		s := float64(acc)
		for i := 0; i < n; i++ {
			s += float64(x[off])
			off += stride
		}
		return T(s)
	}
	for i := 0; i < n; i++ {
		acc = max(acc, x[off])
		off += stride
	}
	return acc
}
