package ops_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
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
// result with want, to graftest.Tolerance of the dtype. The result has the
// inputs' dtype, or is int64 (indices).
func checkOpCases(t *testing.T, cases []opCase) {
	t.Helper()
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, c.args...)
				y := c.build(xs...)
				got := graftest.Results(t, feeds, y)[0]
				if want := y.DType(); got.DType != dt && !(graph.IsInteger(want) && got.DType == want) {
					t.Fatalf("dtype %v, want %v", got.DType, dt)
				}
				if !got.Shape.Equal(c.shape) {
					t.Fatalf("shape %v, want %v", got.Shape, graph.Shape(c.shape))
				}
				tol := graftest.Tolerance(dt)
				graftest.AssertClose(t, "value", got.Data, c.want, tol, tol)
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
		feeds[xs[i]] = graftest.Tensor(dt, a.data, a.shape...)
	}
	return xs, feeds
}

// gradientsOf returns the values of the gradients of the scalar y with
// respect to xs, and fails the test if one has not its x's shape. It lives
// here, not in graftest, so that graftest imports graph alone and an
// in-package test of graph or autodiff may still use it.
func gradientsOf(t *testing.T, feeds graph.Feeds, y *graph.Node, xs ...*graph.Node) [][]float64 {
	t.Helper()
	grads, err := autodiff.Grad(y, xs...)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	res := graftest.Results(t, feeds, grads...)
	out := make([][]float64, len(res))
	for i, r := range res {
		if !r.Shape.Equal(xs[i].Shape()) {
			t.Fatalf("gradient %d has shape %v, its x has %v", i, r.Shape, xs[i].Shape())
		}
		out[i] = r.Data
	}
	return out
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
	return g.Const("c", graftest.Tensor(dt, data, shape...))
}
