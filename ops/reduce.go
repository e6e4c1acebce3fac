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
	// fold4x32 and fold4x64, when not nil, fold four runs into four
	// different elements at once, each exactly as fold would (see fold4).
	fold4x32 fold4[float32]
	fold4x64 fold4[float64]
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

// fold4 folds four contiguous runs of n elements of x, from the offsets ox,
// each into its own element of out at the offsets oo. It gives the bits of
// four calls of the fold with so == 0 and sx == 1, one run after another:
// each element still sees its run in order. What it buys is four
// independent chains of additions instead of one, which the processor
// overlaps: one chain waits for each addition to finish before it starts
// the next. A bias's gradient, a Sum over N, H and W of (N, C, H, W), is
// such a reduction, its runs the planes of consecutive channels.
type fold4[T graph.Float] func(out []T, oo [4]int, x []T, ox [4]int, n int)

// The reductions, one row each. The rows are functions, not variables, so
// that any gradient rule may use any reduction without an initialization
// cycle.
func sumReduction() reduction {
	return reduction{name: "Sum", identity: 0, fold32: sumFold[float32], fold64: sumFold[float64],
		fold4x32: sumFold4[float32], fold4x64: sumFold4[float64], grad: sumGrad}
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
	if so == 1 && sx == 1 { // a run of columns: the same sums without bounds checks
		o, xs := out[oo:oo+n], x[ox:ox+n]
		for i := range o {
			o[i] += xs[i]
		}
		return
	}
	for i := 0; i < n; i++ {
		out[oo] += x[ox]
		oo += so
		ox += sx
	}
}

// sumFold4 is sumFold's so == 0 loop over four runs at once.
func sumFold4[T graph.Float](out []T, oo [4]int, x []T, ox [4]int, n int) {
	x0, x1, x2, x3 := x[ox[0]:ox[0]+n], x[ox[1]:ox[1]+n], x[ox[2]:ox[2]+n], x[ox[3]:ox[3]+n]
	a0, a1, a2, a3 := float64(out[oo[0]]), float64(out[oo[1]]), float64(out[oo[2]]), float64(out[oo[3]])
	for i := range x0 {
		a0 += float64(x0[i])
		a1 += float64(x1[i])
		a2 += float64(x2[i])
		a3 += float64(x3[i])
	}
	out[oo[0]], out[oo[1]], out[oo[2]], out[oo[3]] = T(a0), T(a1), T(a2), T(a3)
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
	// lanes, when not 0, is the size of the plan's innermost outer axis,
	// along which consecutive runs fold into different elements of the
	// result: Infer sets it when the reduction has a fold4 and the runs
	// are contiguous in x and each folds into one element.
	lanes int
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
	op.lanes = 0
	if p := &op.plan; op.fold4x32 != nil && len(p.outerDims) > 0 && p.innerStride[0] == 0 && p.innerStride[1] == 1 &&
		p.outerStrides[0][len(p.outerDims)-1] != 0 {
		op.lanes = p.outerDims[len(p.outerDims)-1]
	}
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
	if op.lanes > 0 {
		fold4 := ofDType[fold4[T]](op.fold4x32, op.fold4x64)
		for r := 0; r < p.runs; {
			if r%op.lanes+4 > op.lanes { // fewer than four runs left along the axis
				fold(out, p.offset(0, r), so, x, p.offset(1, r), sx, p.inner)
				r++
				continue
			}
			fold4(out, [4]int{p.offset(0, r), p.offset(0, r+1), p.offset(0, r+2), p.offset(0, r+3)},
				x, [4]int{p.offset(1, r), p.offset(1, r+1), p.offset(1, r+2), p.offset(1, r+3)}, p.inner)
			r += 4
		}
		return
	}
	for r := 0; r < p.runs; r++ {
		fold(out, p.offset(0, r), so, x, p.offset(1, r), sx, p.inner)
	}
}
