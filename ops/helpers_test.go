package ops_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
)

// The helpers shared by the ops tests: build a graph of inputs, run it, and
// compare what comes out with hand-derived numbers, in both dtypes.

// bothDTypes lists the dtypes every forward case runs in.
var bothDTypes = []graph.DType{tensor.Float64, tensor.Float32}

// inputArg is one input of a test graph: its shape and its values, row-major.
type inputArg struct {
	shape []int
	data  []float64
}

// arg builds an inputArg from values and a shape (no shape: a scalar).
func arg(data []float64, shape ...int) inputArg { return inputArg{shape: shape, data: data} }

// opCase is one forward test: inputs, the graph built on them, and the
// expected shape and values of the result.
type opCase struct {
	name  string
	args  []inputArg
	build func(x ...*graph.Node) *graph.Node
	shape []int
	want  []float64
}

// checkOpCases runs every case in float64 and in float32 and compares the
// result with want, to a tolerance that suits the dtype. The result has the
// inputs' dtype, or is int64 (indices).
func checkOpCases(t *testing.T, cases []opCase) {
	t.Helper()
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, c.args...)
				y := c.build(xs...)
				got := evaluate(t, feeds, y)[0]
				if want := y.DType(); got.dtype != dt && !(graph.IsInteger(want) && got.dtype == want) {
					t.Fatalf("dtype %v, want %v", got.dtype, dt)
				}
				if !got.shape.Equal(c.shape) {
					t.Fatalf("shape %v, want %v", got.shape, graph.Shape(c.shape))
				}
				assertNear(t, got.data, c.want, toleranceOf(dt))
			})
		}
	}
}

// inputsOf adds one input per arg to g, named x0, x1 ..., and returns them
// with feeds holding the args' values in dtype dt.
func inputsOf(g *graph.Graph, dt graph.DType, args ...inputArg) ([]*graph.Node, graph.Feeds) {
	xs := make([]*graph.Node, len(args))
	feeds := graph.Feeds{}
	for i, a := range args {
		xs[i] = g.Input(fmt.Sprintf("x%d", i), dt, a.shape...)
		feeds[xs[i]] = denseOf(dt, a.data, a.shape...)
	}
	return xs, feeds
}

// denseOf returns a tensor of dtype dt holding a copy of data.
func denseOf(dt graph.DType, data []float64, shape ...int) *tensor.Dense {
	t, err := graph.NewTensor(dt, data, shape...)
	if err != nil {
		panic(err) // the test itself is wrong
	}
	return t
}

// result is a copy of one output of a run, widened to float64.
type result struct {
	shape graph.Shape
	dtype graph.DType
	data  []float64
}

// evaluate compiles outputs, runs them once on feeds and returns copies of
// the results. Any error fails the test.
func evaluate(t *testing.T, feeds graph.Feeds, outputs ...*graph.Node) []result {
	t.Helper()
	prog, err := graph.Compile(outputs...)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	outs, err := prog.Run(feeds)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	res := make([]result, len(outs))
	for i, o := range outs {
		res[i] = result{shape: graph.Shape(o.Shape()).Clone(), dtype: o.Dtype(), data: graph.Float64s(o)}
	}
	return res
}

// gradientsOf returns the values of the gradients of the scalar y with
// respect to xs.
func gradientsOf(t *testing.T, feeds graph.Feeds, y *graph.Node, xs ...*graph.Node) [][]float64 {
	t.Helper()
	grads, err := autodiff.Grad(y, xs...)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	res := evaluate(t, feeds, grads...)
	out := make([][]float64, len(res))
	for i, r := range res {
		if !r.shape.Equal(xs[i].Shape()) {
			t.Fatalf("gradient %d has shape %v, its x has %v", i, r.shape, xs[i].Shape())
		}
		out[i] = r.data
	}
	return out
}

// toleranceOf is the relative tolerance (absolute below 1) of a dtype: the
// inputs of a float32 case are themselves rounded to float32.
func toleranceOf(dt graph.DType) float64 {
	if dt == tensor.Float32 {
		return 2e-6
	}
	return 1e-13
}

// assertNear checks got against want element by element:
// |got - want| <= tol·max(1, |want|). Infinities must match exactly and NaN
// is never near anything.
func assertNear(t *testing.T, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values %v, want %d values %v", len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if math.IsInf(w, 0) {
			if g != w {
				t.Errorf("[%d] = %v, want %v", i, g, w)
			}
			continue
		}
		if !(math.Abs(g-w) <= tol*max(1, math.Abs(w))) {
			t.Errorf("[%d] = %.17g, want %.17g (all: %v)", i, g, w, got)
		}
	}
}

// assertExact checks that got is want bit for bit.
func assertExact(t *testing.T, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Errorf("[%d] = %.17g, want exactly %.17g", i, got[i], want[i])
		}
	}
}

// assertFinite checks that no value is NaN or infinite.
func assertFinite(t *testing.T, what string, vs []float64) {
	t.Helper()
	for i, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s[%d] = %v, want a finite number", what, i, v)
		}
	}
}

// seq returns the n values from, from+1, ...
func seq(from float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = from + float64(i)
	}
	return out
}

// unaryBuild and binaryBuild adapt an op builder to opCase.build.
func unaryBuild(f func(x *graph.Node) *graph.Node) func(x ...*graph.Node) *graph.Node {
	return func(x ...*graph.Node) *graph.Node { return f(x[0]) }
}

func binaryBuild(f func(a, b *graph.Node) *graph.Node) func(x ...*graph.Node) *graph.Node {
	return func(x ...*graph.Node) *graph.Node { return f(x[0], x[1]) }
}

// gradNode returns the node of the gradient of the scalar y with respect to x.
func gradNode(t *testing.T, y, x *graph.Node) *graph.Node {
	t.Helper()
	grads, err := autodiff.Grad(y, x)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	return grads[0]
}

// constOf adds a constant of dtype dt holding data.
func constOf(g *graph.Graph, dt graph.DType, data []float64, shape ...int) *graph.Node {
	return g.Const("c", denseOf(dt, data, shape...))
}
