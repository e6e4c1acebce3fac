package ops_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// gradArg is one float64 input of a gradient check: its shape and either
// given values or a range to draw them from.
type gradArg struct {
	shape  []int
	lo, hi float64   // values are drawn uniformly from [lo, hi) ...
	data   []float64 // ... unless given here
	fixed  bool      // fed, but not differentiated (a condition)
	ints   bool      // fed as graph.Int64 indices (and so fixed)
}

func uniform(lo, hi float64, shape ...int) gradArg { return gradArg{shape: shape, lo: lo, hi: hi} }
func given(data []float64, shape ...int) gradArg   { return gradArg{shape: shape, data: data} }
func condition(data []float64, shape ...int) gradArg {
	return gradArg{shape: shape, data: data, fixed: true}
}
func indices(data []float64, shape ...int) gradArg {
	return gradArg{shape: shape, data: data, fixed: true, ints: true}
}

// gradCase is one row of the gradient checks: op applied to inputs. Every
// row checks the first and the second derivatives with
// autodiff.CheckDerivatives, so a new op is one row.
type gradCase struct {
	name  string
	args  []gradArg
	build func(x ...*graph.Node) *graph.Node
	// firstOrderOnly, when set, says why the row's second derivatives are
	// not checked (an op whose gradient rule is not differentiable at the
	// points central differences need). No row of graft's own ops needs it.
	firstOrderOnly string
}

// awayFromZero are values at least 0.25 from the kinks of Abs, Sign and ReLU.
var awayFromZero = []float64{-1.3, 0.7, 2.1, -0.4, 0.25, -2.2}

// broadcastPairs are the operand shapes every binary op is checked with.
var broadcastPairs = [][2][]int{
	{{2, 3}, {2, 3}},
	{{3, 1}, {1, 4}},
	{{2, 3}, {3}},
	{{}, {2, 3}},
	{{2, 3}, {}},
	{{2, 1, 3}, {4, 1}},
}

func gradCases() []gradCase {
	var cases []gradCase
	binaries := []struct {
		name     string
		op       func(a, b *graph.Node) *graph.Node
		aLo, aHi float64
		bLo, bHi float64
	}{
		{"Add", ops.Add, -2, 2, -2, 2},
		{"Sub", ops.Sub, -2, 2, -2, 2},
		{"Mul", ops.Mul, -2, 2, -2, 2},
		{"Div", ops.Div, -2, 2, 0.5, 2},
		{"Pow", ops.Pow, 0.5, 2, -1.5, 1.5},
		{"Maximum", ops.Maximum, -1, 1, -1, 1},
		{"Minimum", ops.Minimum, -1, 1, -1, 1},
		{"Equal", ops.Equal, -1, 1, -1, 1}, // a mask: zero derivatives, away from ties
		{"NotEqual", ops.NotEqual, -1, 1, -1, 1},
		{"Less", ops.Less, -1, 1, -1, 1},
		{"LessEqual", ops.LessEqual, -1, 1, -1, 1},
		{"Greater", ops.Greater, -1, 1, -1, 1},
		{"GreaterEqual", ops.GreaterEqual, -1, 1, -1, 1},
	}
	for _, b := range binaries {
		for _, p := range broadcastPairs {
			cases = append(cases, gradCase{
				name:  fmt.Sprintf("%s %v %v", b.name, graph.Shape(p[0]), graph.Shape(p[1])),
				args:  []gradArg{uniform(b.aLo, b.aHi, p[0]...), uniform(b.bLo, b.bHi, p[1]...)},
				build: binaryBuild(b.op),
			})
		}
	}
	unaries := []struct {
		name string
		op   func(x *graph.Node) *graph.Node
		x    gradArg
	}{
		{"Neg", ops.Neg, uniform(-2, 2, 2, 3)},
		{"Exp", ops.Exp, uniform(-2, 2, 2, 3)},
		{"Log", ops.Log, uniform(0.2, 3, 2, 3)},
		{"Sqrt", ops.Sqrt, uniform(0.2, 3, 2, 3)},
		{"Square", ops.Square, uniform(-2, 2, 2, 3)},
		{"Abs", ops.Abs, given(awayFromZero, 2, 3)},
		{"Sign", ops.Sign, given(awayFromZero, 2, 3)},
		{"Sin", ops.Sin, uniform(-3, 3, 2, 3)},
		{"Cos", ops.Cos, uniform(-3, 3, 2, 3)},
		{"Tanh", ops.Tanh, uniform(-2, 2, 2, 3)},
		{"Sigmoid", ops.Sigmoid, uniform(-4, 4, 2, 3)},
		{"ReLU", ops.ReLU, given(awayFromZero, 2, 3)},
		{"Erf", ops.Erf, uniform(-2, 2, 2, 3)},
		{"Erfc", ops.Erfc, uniform(-2, 2, 2, 3)},
		{"Log1p", ops.Log1p, uniform(0.01, 4, 2, 3)},
		{"Expm1", ops.Expm1, uniform(-2, 2, 2, 3)},
		{"Softplus", ops.Softplus, given([]float64{-25, -2.3, -0.7, 0.1, 1.9, 25}, 2, 3)},
	}
	for _, u := range unaries {
		cases = append(cases, gradCase{name: u.name, args: []gradArg{u.x}, build: unaryBuild(u.op)})
	}
	one := func(f func(x *graph.Node) *graph.Node) func(x ...*graph.Node) *graph.Node { return unaryBuild(f) }
	mm := func(ta, tb bool) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.MatMulT(x[0], x[1], ta, tb) }
	}
	where := func(x ...*graph.Node) *graph.Node { return ops.Where(x[0], x[1], x[2]) }
	cases = append(cases, []gradCase{
		{name: "Where same shapes", args: []gradArg{condition([]float64{1, 0, 0, 1, 1, 0}, 2, 3), uniform(-2, 2, 2, 3), uniform(-2, 2, 2, 3)}, build: where},
		{name: "Where cond (3,1) a (3,4) b (4,)", args: []gradArg{condition([]float64{1, 0, 1}, 3, 1), uniform(-2, 2, 3, 4), uniform(-2, 2, 4)}, build: where},
		{name: "Where cond (1,3) a (2,1) b ()", args: []gradArg{condition([]float64{0, 1, 1}, 1, 3), uniform(-2, 2, 2, 1), uniform(-2, 2)}, build: where},

		{name: "MatMul (2,3)(3,4)", args: []gradArg{uniform(-1, 1, 2, 3), uniform(-1, 1, 3, 4)}, build: mm(false, false)},
		{name: "MatMul (2,2,3)(2,3,4)", args: []gradArg{uniform(-1, 1, 2, 2, 3), uniform(-1, 1, 2, 3, 4)}, build: mm(false, false)},
		{name: "MatMul (2,3)(2,3,4)", args: []gradArg{uniform(-1, 1, 2, 3), uniform(-1, 1, 2, 3, 4)}, build: mm(false, false)},
		{name: "MatMul (1,2,3)(2,3,4)", args: []gradArg{uniform(-1, 1, 1, 2, 3), uniform(-1, 1, 2, 3, 4)}, build: mm(false, false)},
		{name: "MatMul (2,2,3)(3,4)", args: []gradArg{uniform(-1, 1, 2, 2, 3), uniform(-1, 1, 3, 4)}, build: mm(false, false)},
		{name: "MatMul (2,2,3)(1,3,4)", args: []gradArg{uniform(-1, 1, 2, 2, 3), uniform(-1, 1, 1, 3, 4)}, build: mm(false, false)},
		{name: "MatMul (3,)(3,4)", args: []gradArg{uniform(-1, 1, 3), uniform(-1, 1, 3, 4)}, build: mm(false, false)},
		{name: "MatMul (2,3)(3,)", args: []gradArg{uniform(-1, 1, 2, 3), uniform(-1, 1, 3)}, build: mm(false, false)},
		{name: "MatMul (3,)(3,) dot", args: []gradArg{uniform(-1, 1, 3), uniform(-1, 1, 3)}, build: mm(false, false)},
		{name: "MatMul (2,2,3)(3,)", args: []gradArg{uniform(-1, 1, 2, 2, 3), uniform(-1, 1, 3)}, build: mm(false, false)},
		{name: "MatMul (3,)(2,3,4)", args: []gradArg{uniform(-1, 1, 3), uniform(-1, 1, 2, 3, 4)}, build: mm(false, false)},
		{name: "MatMulT NT (3,)(4,3)", args: []gradArg{uniform(-1, 1, 3), uniform(-1, 1, 4, 3)}, build: mm(false, true)},
		{name: "MatMulT TN (2,3,2)(3,)", args: []gradArg{uniform(-1, 1, 2, 3, 2), uniform(-1, 1, 3)}, build: mm(true, false)},
		{name: "MatMulT TN", args: []gradArg{uniform(-1, 1, 3, 2), uniform(-1, 1, 3, 4)}, build: mm(true, false)},
		{name: "MatMulT NT", args: []gradArg{uniform(-1, 1, 2, 3), uniform(-1, 1, 4, 3)}, build: mm(false, true)},
		{name: "MatMulT TT", args: []gradArg{uniform(-1, 1, 3, 2), uniform(-1, 1, 4, 3)}, build: mm(true, true)},
		{name: "MatMulT TN batched", args: []gradArg{uniform(-1, 1, 2, 3, 2), uniform(-1, 1, 2, 3, 4)}, build: mm(true, false)},
		{name: "MatMulT NT broadcast b", args: []gradArg{uniform(-1, 1, 2, 2, 3), uniform(-1, 1, 4, 3)}, build: mm(false, true)},
		{name: "MatMulT TT broadcast a", args: []gradArg{uniform(-1, 1, 3, 2), uniform(-1, 1, 2, 4, 3)}, build: mm(true, true)},

		{name: "Reshape", args: []gradArg{uniform(-1, 1, 2, 3)}, build: one(func(x *graph.Node) *graph.Node { return ops.Reshape(x, 3, -1) })},
		{name: "Transpose 2-D", args: []gradArg{uniform(-1, 1, 2, 3)}, build: one(func(x *graph.Node) *graph.Node { return ops.Transpose(x) })},
		{name: "Transpose 3-D (2,0,1)", args: []gradArg{uniform(-1, 1, 2, 3, 4)}, build: one(func(x *graph.Node) *graph.Node { return ops.Transpose(x, 2, 0, 1) })},
		{name: "BroadcastTo (3,) to (2,3)", args: []gradArg{uniform(-1, 1, 3)}, build: one(func(x *graph.Node) *graph.Node { return ops.BroadcastTo(x, 2, 3) })},
		{name: "BroadcastTo (2,1) to (2,3)", args: []gradArg{uniform(-1, 1, 2, 1)}, build: one(func(x *graph.Node) *graph.Node { return ops.BroadcastTo(x, 2, 3) })},
		{name: "BroadcastTo () to (2,2)", args: []gradArg{uniform(-1, 1)}, build: one(func(x *graph.Node) *graph.Node { return ops.BroadcastTo(x, 2, 2) })},
		{name: "BroadcastTo (3,1) to (2,3,2)", args: []gradArg{uniform(-1, 1, 3, 1)}, build: one(func(x *graph.Node) *graph.Node { return ops.BroadcastTo(x, 2, 3, 2) })},
		{name: "Slice axis 1 [-3:-1]", args: []gradArg{uniform(-1, 1, 3, 4)}, build: one(func(x *graph.Node) *graph.Node { return ops.Slice(x, 1, -3, -1) })},
		{name: "Slice axis 0 [1:3]", args: []gradArg{uniform(-1, 1, 3, 4)}, build: one(func(x *graph.Node) *graph.Node { return ops.Slice(x, 0, 1, 3) })},
		{name: "Pad axis 1", args: []gradArg{uniform(-1, 1, 2, 2)}, build: one(func(x *graph.Node) *graph.Node { return ops.Pad(x, 1, 1, 2) })},
		{name: "Pad axis 0", args: []gradArg{uniform(-1, 1, 2, 2)}, build: one(func(x *graph.Node) *graph.Node { return ops.Pad(x, 0, 2, 0) })},
		{name: "Concat axis 0 of three", args: []gradArg{uniform(-1, 1, 1, 2), uniform(-1, 1, 2, 2), uniform(-1, 1, 3, 2)},
			build: func(x ...*graph.Node) *graph.Node { return ops.Concat(0, x...) }},
		{name: "Concat axis 1 of three", args: []gradArg{uniform(-1, 1, 2, 1), uniform(-1, 1, 2, 2), uniform(-1, 1, 2, 3)},
			build: func(x ...*graph.Node) *graph.Node { return ops.Concat(1, x...) }},
		{name: "Concat middle axis of 3-D", args: []gradArg{uniform(-1, 1, 2, 1, 2), uniform(-1, 1, 2, 2, 2)},
			build: func(x ...*graph.Node) *graph.Node { return ops.Concat(-2, x...) }},
	}...)
	reductions := []struct {
		name string
		op   func(x *graph.Node, axes ...int) *graph.Node
	}{
		{"Sum", ops.Sum}, {"SumKeepDims", ops.SumKeepDims},
		{"Mean", ops.Mean}, {"MeanKeepDims", ops.MeanKeepDims},
		{"Max", ops.Max}, {"MaxKeepDims", ops.MaxKeepDims},
		{"Min", ops.Min}, {"MinKeepDims", ops.MinKeepDims},
	}
	for _, r := range reductions {
		for _, axes := range [][]int{{0}, {-1}, {1}, {0, 2}, {2, 1}, {}} {
			cases = append(cases, gradCase{
				name:  fmt.Sprintf("%s axes %v", r.name, axes),
				args:  []gradArg{uniform(-1, 1, 2, 3, 4)},
				build: reduceBuild(r.op, axes...),
			})
		}
	}
	for _, s := range []struct {
		name string
		op   func(x *graph.Node, axis int) *graph.Node
	}{{"Softmax", ops.Softmax}, {"LogSoftmax", ops.LogSoftmax}} {
		cases = append(cases,
			gradCase{name: s.name + " axis 0", args: []gradArg{uniform(-2, 2, 3, 4)}, build: softmaxBuild(s.op, 0)},
			gradCase{name: s.name + " axis 1", args: []gradArg{uniform(-2, 2, 3, 4)}, build: softmaxBuild(s.op, 1)},
			gradCase{name: s.name + " middle axis of 3-D", args: []gradArg{uniform(-2, 2, 2, 3, 2)}, build: softmaxBuild(s.op, 1)},
		)
	}
	cases = append(cases, gradCase{name: "layer: Tanh(x·w + b)", args: []gradArg{uniform(-1, 1, 4, 3), uniform(-1, 1, 3, 2), uniform(-1, 1, 2)},
		build: func(x ...*graph.Node) *graph.Node { return ops.Tanh(ops.Add(ops.MatMul(x[0], x[1]), x[2])) }})
	for _, n := range []struct {
		name  string
		shape []int
		axes  []int
	}{
		{"batch norm over (N, C)", []int{4, 3}, []int{0}},
		{"batch norm over (N, C, H, W)", []int{2, 2, 2, 3}, []int{0, 2, 3}},
		{"layer norm over the last axis", []int{3, 4}, []int{-1}},
	} {
		cases = append(cases, gradCase{name: "composition: Normalize with Moments, " + n.name, args: []gradArg{uniform(-2, 2, n.shape...)},
			build: func(x ...*graph.Node) *graph.Node {
				mean, variance := ops.Moments(x[0], n.axes...)
				return ops.Normalize(x[0], mean, variance, 1e-5)
			}})
	}
	cases = append(cases, convGradCases()...)
	cases = append(cases, gatherGradCases()...)
	cases = append(cases, cumsumGradCases()...)
	cases = append(cases, einsumGradCases()...)
	cases = append(cases, maskGradCases()...)
	for row, c := range poolGradCases() {
		data := poolValues(graph.Shape(c.shape).Size())
		for i := range data { // rows differ by a shift that keeps the values distinct
			data[i] += 0.01 * float64(row%7)
		}
		cases = append(cases, gradCase{name: c.name, args: []gradArg{given(data, c.shape...)}, build: unaryBuild(c.build)})
	}
	return cases
}

// gradCheckWeights returns the fixed, non-uniform weights of an output of the
// given shape: the check reduces Σ w ⊙ op(x), which a wrong routing of the
// gradient (a transpose, a wrong broadcast axis) cannot pass.
func gradCheckWeights(g *graph.Graph, shape graph.Shape) *graph.Node {
	w := make([]float64, shape.Size())
	for i := range w {
		w[i] = float64((i*7)%5) - 1.5 // -1.5, 2.5, 1.5, 0.5, -0.5, ...
	}
	return constOf(g, tensor.Float64, w, shape...)
}

// buildGradCase adds the row's inputs to a new graph, with values drawn from
// a generator seeded by the row's index, and returns the weighted sum of the
// op's output, the inputs to differentiate with respect to, and the feeds.
func buildGradCase(row int, c gradCase) (y *graph.Node, xs []*graph.Node, feeds graph.Feeds) {
	g := graph.New()
	rng := rand.New(rand.NewPCG(2, uint64(row)))
	feeds = graph.Feeds{}
	nodes := make([]*graph.Node, len(c.args))
	for i, a := range c.args {
		data := a.data
		if data == nil {
			data = make([]float64, graph.Shape(a.shape).Size())
			for j := range data {
				data[j] = a.lo + (a.hi-a.lo)*rng.Float64()
			}
		}
		dt := tensor.Float64
		if a.ints {
			dt = graph.Int64
		}
		nodes[i] = g.Input(fmt.Sprintf("x%d", i), dt, a.shape...)
		t, err := graph.NewTensor(dt, data, a.shape...)
		if err != nil {
			panic(err) // the row itself is wrong
		}
		feeds[nodes[i]] = t
		if !a.fixed {
			xs = append(xs, nodes[i])
		}
	}
	out := c.build(nodes...)
	return ops.Sum(ops.Mul(out, gradCheckWeights(g, out.Shape()))), xs, feeds
}

func TestGradientsAgreeWithCentralDifferences(t *testing.T) {
	for row, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			y, xs, feeds := buildGradCase(row, c)
			check := autodiff.CheckDerivatives
			if c.firstOrderOnly != "" {
				t.Logf("second derivatives not checked: %s", c.firstOrderOnly)
				check = autodiff.CheckGrad
			}
			if err := check(y, xs, feeds, autodiff.DefaultTolerance); err != nil {
				t.Error(err)
			}
		})
	}
}
