package ops

import (
	"math"

	"graft/graph"
)

// Sum adds up x over the given axes (every axis when none are given) and
// drops them from the shape.
func Sum(x *graph.Node, axes ...int) *graph.Node { return reduce(x, sumReduction(), axes, false) }

// SumKeepDims is Sum that keeps each reduced axis with size 1, so the
// result broadcasts against x.
func SumKeepDims(x *graph.Node, axes ...int) *graph.Node {
	return reduce(x, sumReduction(), axes, true)
}

// Max takes the largest element of x over the given axes (every axis when
// none are given) and drops them from the shape. Where several elements tie
// for the largest, the gradient is split evenly among them, as in JAX.
func Max(x *graph.Node, axes ...int) *graph.Node { return reduce(x, maxReduction(), axes, false) }

// MaxKeepDims is Max that keeps each reduced axis with size 1.
func MaxKeepDims(x *graph.Node, axes ...int) *graph.Node {
	return reduce(x, maxReduction(), axes, true)
}

// Min takes the smallest element of x over the given axes (every axis when
// none are given) and drops them from the shape: PyTorch's amin, and
// -Max(-x) in one op. A NaN wins, as in NumPy's min and PyTorch's amin.
// Where several elements tie for the smallest, the gradient is split evenly
// among them, as Max does and as in JAX and PyTorch's amin.
func Min(x *graph.Node, axes ...int) *graph.Node { return reduce(x, minReduction(), axes, false) }

// MinKeepDims is Min that keeps each reduced axis with size 1.
func MinKeepDims(x *graph.Node, axes ...int) *graph.Node {
	return reduce(x, minReduction(), axes, true)
}

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
	return Mul(reduce(x, sumReduction(), axes, keep), ScalarLike(x, 1/float64(count)))
}

// reduction is one row of the reductions: everything that tells one
// reduction from another. A new reduction (a product, a minimum) is one
// row and one generic fold.
type reduction struct {
	name     string
	identity float64 // the value out starts from
	// fold32 and fold64 are the float32 and float64 instantiations of the
	// reduction's fold.
	fold32 fold[float32]
	fold64 fold[float64]
	// grad returns the gradient with respect to the reduced x, given the
	// op's node and dyKept, its upstream gradient reshaped to keep the
	// reduced axes as 1.
	grad func(op *reduceOp, n, dyKept *graph.Node) *graph.Node
}

// fold folds one run of n elements of x, from offset ox with stride sx, into
// out from offset oo with stride so. With so == 0 the whole run folds into
// out[oo]. A fold takes a run, not an element, so that its loop is written
// out with no function call per element.
type fold[T graph.Float] func(out []T, oo, so int, x []T, ox, sx, n int)

// The reductions, one row each. The rows are functions, not variables, so
// that any gradient rule may use any reduction without an initialization
// cycle.
func sumReduction() reduction {
	return reduction{name: "Sum", identity: 0, fold32: sumFold[float32], fold64: sumFold[float64], grad: sumGrad}
}

func maxReduction() reduction {
	return reduction{name: "Max", identity: math.Inf(-1), fold32: maxFold[float32], fold64: maxFold[float64], grad: extremumGrad}
}

func minReduction() reduction {
	return reduction{name: "Min", identity: math.Inf(1), fold32: minFold[float32], fold64: minFold[float64], grad: extremumGrad}
}

// sumFold adds a run that folds into one element in float64, so that long
// float32 sums keep their precision.
func sumFold[T graph.Float](out []T, oo, so int, x []T, ox, sx, n int) {
	if so == 0 {
		acc := float64(out[oo])
		for i := 0; i < n; i++ {
			acc += float64(x[ox])
			ox += sx
		}
		out[oo] = T(acc)
		return
	}
	for i := 0; i < n; i++ {
		out[oo] += x[ox]
		oo += so
		ox += sx
	}
}

// maxFold keeps the larger element. Go's max lets NaN win, as NumPy's max
// and PyTorch's amax do.
func maxFold[T graph.Float](out []T, oo, so int, x []T, ox, sx, n int) {
	for i := 0; i < n; i++ {
		out[oo] = max(out[oo], x[ox])
		oo += so
		ox += sx
	}
}

// minFold keeps the smaller element; Go's min, too, lets NaN win.
func minFold[T graph.Float](out []T, oo, so int, x []T, ox, sx, n int) {
	for i := 0; i < n; i++ {
		out[oo] = min(out[oo], x[ox])
		oo += so
		ox += sx
	}
}

func sumGrad(op *reduceOp, n, dyKept *graph.Node) *graph.Node {
	return BroadcastTo(dyKept, n.Inputs()[0].Shape()...)
}

// extremumGrad is the gradient of Max and of Min: the elements equal to the
// result (the winners) share dy evenly.
func extremumGrad(op *reduceOp, n, dyKept *graph.Node) *graph.Node {
	x := n.Inputs()[0]
	winners := Equal(x, withKeptAxes(n, op.keptShape))
	share := Div(dyKept, SumKeepDims(winners, op.axes...))
	return Mul(winners, share)
}

func reduce(x *graph.Node, r reduction, axes []int, keep bool) *graph.Node {
	return graph.Apply(&reduceOp{reduction: r, axes: append([]int{}, axes...), keep: keep}, x)
}

type reduceOp struct {
	reduction
	axes      []int
	keep      bool
	keptShape graph.Shape // the result's shape with reduced axes kept as 1
	plan      stridedPlan // over x: operand 0 is the result, 1 is x
}

func (op *reduceOp) Name() string { return op.name }

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
	forEachDType(op, out, in, reduceKernel[float32], reduceKernel[float64])
}

func (op *reduceOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return op.grad(op, n, withKeptAxes(dy, op.keptShape))
}

// withKeptAxes reshapes a reduction's result (or its gradient) to the shape
// with the reduced axes kept, unless it already has it.
func withKeptAxes(n *graph.Node, kept graph.Shape) *graph.Node {
	if n.Shape().Equal(kept) {
		return n
	}
	return Reshape(n, kept...)
}

// reduceKernel folds x into out along the plan, one run at a time.
func reduceKernel[T graph.Float](op *reduceOp, out []T, in []*graph.Value) {
	p, x, fold := &op.plan, floats[T](in[0]), ofDType[fold[T]](op.fold32, op.fold64)
	for i := range out {
		out[i] = T(op.identity)
	}
	so, sx := p.innerStride[0], p.innerStride[1]
	for r := 0; r < p.runs; r++ {
		fold(out, p.offset(0, r), so, x, p.offset(1, r), sx, p.inner)
	}
}
