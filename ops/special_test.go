package ops_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// specialEval applies f to the float64 or float32 vector xs and returns the
// result widened to float64.
func specialEval(t testing.TB, f func(*graph.Node) *graph.Node, dt graph.DType, xs ...float64) []float64 {
	t.Helper()
	g := graph.New()
	x := g.Input("x", dt, len(xs))
	return specialRun(t, x, f(x), dt, xs...)
}

// specialRun computes y, a node of x's graph, with x fed xs.
func specialRun(t testing.TB, x, y *graph.Node, dt graph.DType, xs ...float64) []float64 {
	t.Helper()
	return graftest.Eval(t, graph.Feeds{x: graftest.Tensor(dt, xs, len(xs))}, y)[0]
}

func TestSpecialFunctionValues(t *testing.T) {
	// References in 30-digit arithmetic (mpmath), rounded to float64.
	for _, tc := range []struct {
		name    string
		f       func(*graph.Node) *graph.Node
		x, want float64
	}{
		{"Erf", ops.Erf, 0.5, 0.52049987781304654},
		{"Erf", ops.Erf, -0.5, -0.52049987781304654},
		{"Erf", ops.Erf, 0, 0},
		{"Erfc", ops.Erfc, 3, 2.2090496998585441e-5},
		{"Erfc", ops.Erfc, -1.5, 1.9661051464753107},
		{"Erfc keeps its relative accuracy where 1 - erf is 0", ops.Erfc, 10, 2.0884875837625448e-45},
		{"Log1p", ops.Log1p, 3, 1.3862943611198906},
		{"Log1p keeps the digits of a tiny x", ops.Log1p, 1e-10, 9.9999999995e-11},
		{"Expm1", ops.Expm1, -2, -0.86466471676338731},
		{"Expm1 keeps the digits of a tiny x", ops.Expm1, 1e-10, 1.00000000005e-10},
		{"Softplus", ops.Softplus, 0, math.Ln2},
		{"Softplus", ops.Softplus, -30, 9.3576229688397368e-14},
		{"Softplus", ops.Softplus, 1000, 1000},
		{"Softplus", ops.Softplus, -1000, 0},
		{"Softplus", ops.Softplus, 1e4, 1e4},
	} {
		for _, dt := range bothDTypes {
			want := tc.want
			tol := 1e-15 * math.Abs(want)
			if dt == tensor.Float32 {
				want = float64(float32(want)) // float32 results are the float64 ones rounded once
				tol = 0
				if tc.x != float64(float32(tc.x)) {
					// x itself is rounded first: allow f'(x)·|x|·2⁻²⁴.
					tol = 1e-7 * math.Abs(tc.x)
				}
			}
			got := specialEval(t, tc.f, dt, tc.x)[0]
			if math.Abs(got-want) > tol {
				t.Errorf("%s (%v) at %v = %.17g, want %.17g", tc.name, dt, tc.x, got, want)
			}
		}
	}
}

func TestSoftplusGradientIsFiniteForLargeInputs(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, 4)
		grads, err := autodiff.Grad(ops.Sum(ops.Softplus(x)), x)
		if err != nil {
			t.Fatal(err)
		}
		got := specialRun(t, x, grads[0], dt, -1e4, -1000, 1000, 1e4)
		want := []float64{0, 0, 1, 1}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%v: softplus' = %v, want %v", dt, got, want)
				break
			}
		}
	}
}

func ExampleErf() {
	fmt.Println(specialExampleEval(ops.Erf, 0, 0.5, 3))
	// Output: [0 0.5205 1]
}

func ExampleErfc() {
	fmt.Println(specialExampleEval(ops.Erfc, 0, 3, 10))
	// Output: [1 2.209e-05 2.088e-45]
}

func ExampleLog1p() {
	fmt.Println(specialExampleEval(ops.Log1p, 1e-10, 1, math.E-1))
	// Output: [1e-10 0.6931 1]
}

func ExampleExpm1() {
	fmt.Println(specialExampleEval(ops.Expm1, 1e-10, 1, -50))
	// Output: [1e-10 1.718 -1]
}

func ExampleSoftplus() {
	fmt.Println(specialExampleEval(ops.Softplus, -1000, 0, 1000))
	// Output: [0 0.6931 1000]
}

// specialExampleEval computes f at xs in float64 and rounds to 4 digits.
func specialExampleEval(f func(*graph.Node) *graph.Node, xs ...float64) []string {
	g := graph.New()
	x := g.Input("x", tensor.Float64, len(xs))
	prog, err := graph.Compile(f(x))
	if err != nil {
		panic(err)
	}
	out, err := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(xs))})
	if err != nil {
		panic(err)
	}
	var s []string
	for _, v := range out[0].Float64s() {
		s = append(s, fmt.Sprintf("%.4g", v))
	}
	return s
}
