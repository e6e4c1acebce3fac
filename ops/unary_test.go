package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

func TestUnaryOpsComputeElementwise(t *testing.T) {
	ln2, ln3 := math.Ln2, math.Log(3)
	unary := func(name string, f func(*graph.Node) *graph.Node, x, want []float64) opCase {
		return opCase{name, []inputArg{arg(x, 2, 2)}, unaryBuild(f), []int{2, 2}, want}
	}
	checkOpCases(t, []opCase{
		unary("Neg", ops.Neg, []float64{1, -2, 0, 0.5}, []float64{-1, 2, 0, -0.5}),
		unary("Exp", ops.Exp, []float64{0, ln2, -2 * ln2, 1}, []float64{1, 2, 0.25, math.E}),
		unary("Log", ops.Log, []float64{1, math.E, 0.5, 4}, []float64{0, 1, -ln2, 2 * ln2}),
		unary("Sqrt", ops.Sqrt, []float64{0, 4, 2.25, 2}, []float64{0, 2, 1.5, math.Sqrt2}),
		unary("Square", ops.Square, []float64{-3, 0.5, 0, 1.5}, []float64{9, 0.25, 0, 2.25}),
		unary("Abs", ops.Abs, []float64{-1.5, 0, 2, -0.25}, []float64{1.5, 0, 2, 0.25}),
		unary("Sign", ops.Sign, []float64{-3, 0, 2.5, -0.001}, []float64{-1, 0, 1, -1}),
		unary("Sin", ops.Sin, []float64{0, math.Pi / 6, math.Pi / 2, -math.Pi / 2}, []float64{0, 0.5, 1, -1}),
		unary("Cos", ops.Cos, []float64{0, math.Pi / 3, math.Pi, math.Pi / 2}, []float64{1, 0.5, -1, 0}),
		// tanh(ln a) = (a - 1/a)/(a + 1/a): 0.6 at a = 2, 0.8 at a = 3.
		unary("Tanh", ops.Tanh, []float64{0, ln2, -ln3, ln3}, []float64{0, 0.6, -0.8, 0.8}),
		// sigmoid(ln a) = a/(a + 1).
		unary("Sigmoid", ops.Sigmoid, []float64{0, ln3, -ln3, math.Log(9)}, []float64{0.5, 0.75, 0.25, 0.9}),
		unary("ReLU", ops.ReLU, []float64{-1, 0, 2, 0.5}, []float64{0, 0, 2, 0.5}),
		{"Exp of a scalar", []inputArg{arg([]float64{ln2})}, unaryBuild(ops.Exp), []int{}, []float64{2}},
	})
}

func TestSigmoidSaturatesWithoutOverflowAndKeepsAFiniteGradient(t *testing.T) {
	for _, dt := range bothDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			xs, feeds := inputsOf(g, dt, arg([]float64{1000, -1000}, 2))
			y := ops.Sigmoid(xs[0])
			graftest.AssertExact(t, "value", graftest.Eval(t, feeds, y)[0], []float64{1, 0})
			grad := gradientsOf(t, feeds, ops.Sum(y), xs[0])[0]
			assertFinite(t, "gradient", grad)
			graftest.AssertExact(t, "grad", grad, []float64{0, 0}) // σ(1-σ) underflows to 0 at both ends
		})
	}
}

func TestKinkGradientsFollowTheDocumentedChoice(t *testing.T) {
	x := []float64{-2, 0, 3}
	cases := []struct {
		name string
		op   func(*graph.Node) *graph.Node
		want []float64
	}{
		{"Abs is 0 at 0", ops.Abs, []float64{-1, 0, 1}},
		{"ReLU is 0 at 0", ops.ReLU, []float64{0, 0, 1}},
		{"Sign is 0 everywhere", ops.Sign, []float64{0, 0, 0}},
	}
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, arg(x, 3))
				graftest.AssertExact(t, "gradient", gradientsOf(t, feeds, ops.Sum(c.op(xs[0])), xs[0])[0], c.want)
			})
		}
	}
}

func TestNaNPassesThrough(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name  string
		build func(x *graph.Node) *graph.Node
	}{
		{"ReLU", ops.ReLU},
		{"Sign", ops.Sign},
		{"Abs", ops.Abs},
		{"Exp", ops.Exp},
		{"Maximum", func(x *graph.Node) *graph.Node { return ops.Maximum(x, ops.ScalarLike(x, 0)) }},
		{"Minimum", func(x *graph.Node) *graph.Node { return ops.Minimum(x, ops.ScalarLike(x, 0)) }},
		{"Max", func(x *graph.Node) *graph.Node { return ops.Max(x) }},
	}
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, arg([]float64{1, nan, -1}, 3))
				got := graftest.Eval(t, feeds, c.build(xs[0]))[0]
				if !math.IsNaN(got[min(1, len(got)-1)]) {
					t.Errorf("%s of NaN gives %v, want NaN", c.name, got)
				}
			})
		}
	}
}

func TestFloat32UnaryOpsRoundTheFloat64Result(t *testing.T) {
	// float32 elements are computed in float64 and rounded once, so the
	// result is exactly float32(f(float64(x))).
	xs := []float64{0.1, 0.7, 1.3, 2.9}
	cases := []struct {
		name string
		op   func(*graph.Node) *graph.Node
		f    func(float64) float64
	}{
		{"Exp", ops.Exp, math.Exp},
		{"Log", ops.Log, math.Log},
		{"Sqrt", ops.Sqrt, math.Sqrt},
		{"Sin", ops.Sin, math.Sin},
		{"Tanh", ops.Tanh, math.Tanh},
	}
	for _, c := range cases {
		g := graph.New()
		in, feeds := inputsOf(g, tensor.Float32, arg(xs, 4))
		got := graftest.Eval(t, feeds, c.op(in[0]))[0]
		want := make([]float64, len(xs))
		for i, v := range xs {
			want[i] = float64(float32(c.f(float64(float32(v)))))
		}
		graftest.AssertExact(t, "got", got, want)
	}
}
