package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

func TestBinaryOpsComputeElementwise(t *testing.T) {
	a := arg([]float64{1, -2, 3, 0.5}, 2, 2)
	b := arg([]float64{2, 4, -1, 0.25}, 2, 2)
	checkOpCases(t, []opCase{
		{"Add", []inputArg{a, b}, binaryBuild(ops.Add), []int{2, 2}, []float64{3, 2, 2, 0.75}},
		{"Sub", []inputArg{a, b}, binaryBuild(ops.Sub), []int{2, 2}, []float64{-1, -6, 4, 0.25}},
		{"Mul", []inputArg{a, b}, binaryBuild(ops.Mul), []int{2, 2}, []float64{2, -8, -3, 0.125}},
		{"Div", []inputArg{a, b}, binaryBuild(ops.Div), []int{2, 2}, []float64{0.5, -0.5, -3, 2}},
		{"Maximum", []inputArg{a, b}, binaryBuild(ops.Maximum), []int{2, 2}, []float64{2, 4, 3, 0.5}},
		{"Minimum", []inputArg{a, b}, binaryBuild(ops.Minimum), []int{2, 2}, []float64{1, -2, -1, 0.25}},
		{"Pow", []inputArg{
			arg([]float64{2, 9, 4, 0, -2, -2}, 2, 3),
			arg([]float64{3, 0.5, -1, 2, 2, 3}, 2, 3),
		}, binaryBuild(ops.Pow), []int{2, 3}, []float64{8, 3, 0.25, 0, 4, -8}},
		{"Div by zero follows IEEE 754", []inputArg{
			arg([]float64{1, -1}, 2), arg([]float64{0, 0}, 2),
		}, binaryBuild(ops.Div), []int{2}, []float64{math.Inf(1), math.Inf(-1)}},
	})
}

func TestBinaryOpsBroadcastLikeNumPy(t *testing.T) {
	m22 := arg([]float64{1, 2, 3, 4}, 2, 2)
	checkOpCases(t, []opCase{
		{"Add (3,1)+(1,4)", []inputArg{
			arg([]float64{1, 2, 3}, 3, 1), arg([]float64{10, 20, 30, 40}, 1, 4),
		}, binaryBuild(ops.Add), []int{3, 4}, []float64{11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43}},
		{"Sub (2,3)-(3,)", []inputArg{
			arg(graftest.Integers(6, 1), 2, 3), arg([]float64{10, 20, 30}, 3),
		}, binaryBuild(ops.Sub), []int{2, 3}, []float64{-9, -18, -27, -6, -15, -24}},
		{"Sub (3,)-(2,3)", []inputArg{
			arg([]float64{10, 20, 30}, 3), arg(graftest.Integers(6, 1), 2, 3),
		}, binaryBuild(ops.Sub), []int{2, 3}, []float64{9, 18, 27, 6, 15, 24}},
		{"Add (1,)+(2,3)", []inputArg{
			arg([]float64{5}, 1), arg(graftest.Integers(6, 1), 2, 3),
		}, binaryBuild(ops.Add), []int{2, 3}, []float64{6, 7, 8, 9, 10, 11}},
		{"Mul scalar*matrix", []inputArg{arg([]float64{2}), m22}, binaryBuild(ops.Mul), []int{2, 2}, []float64{2, 4, 6, 8}},
		{"Sub matrix-scalar", []inputArg{m22, arg([]float64{1})}, binaryBuild(ops.Sub), []int{2, 2}, []float64{0, 1, 2, 3}},
		{"Div scalar/matrix", []inputArg{
			arg([]float64{1}), arg([]float64{1, 2, 4, 8}, 2, 2),
		}, binaryBuild(ops.Div), []int{2, 2}, []float64{1, 0.5, 0.25, 0.125}},
		{"Div matrix/scalar", []inputArg{
			arg([]float64{1, 2, 4, 8}, 2, 2), arg([]float64{4}),
		}, binaryBuild(ops.Div), []int{2, 2}, []float64{0.25, 0.5, 1, 2}},
		{"Mul (2,1,3)*(4,1)", []inputArg{
			arg(graftest.Integers(6, 1), 2, 1, 3), arg([]float64{1, 2, 3, 4}, 4, 1),
		}, binaryBuild(ops.Mul), []int{2, 4, 3}, []float64{
			1, 2, 3, 2, 4, 6, 3, 6, 9, 4, 8, 12,
			4, 5, 6, 8, 10, 12, 12, 15, 18, 16, 20, 24,
		}},
		{"Maximum (2,3) with scalar 0", []inputArg{
			arg([]float64{-1, 2, -3, 4, 0, -0.5}, 2, 3), arg([]float64{0}),
		}, binaryBuild(ops.Maximum), []int{2, 3}, []float64{0, 2, 0, 4, 0, 0}},
		{"Minimum (3,1) with (1,3)", []inputArg{
			arg([]float64{1, 2, 3}, 3, 1), arg([]float64{3, 2, 1}, 1, 3),
		}, binaryBuild(ops.Minimum), []int{3, 3}, []float64{1, 1, 1, 2, 2, 1, 3, 2, 1}},
		{"Pow matrix^scalar", []inputArg{
			arg([]float64{1, -2, 3, 0.5}, 2, 2), arg([]float64{2}),
		}, binaryBuild(ops.Pow), []int{2, 2}, []float64{1, 4, 9, 0.25}},
		{"Pow scalar^vector", []inputArg{
			arg([]float64{2}), arg([]float64{0, -1, 10}, 3),
		}, binaryBuild(ops.Pow), []int{3}, []float64{1, 0.5, 1024}},
	})
}

func TestDivGradientIsReciprocalAndMinusQuotientOverDivisor(t *testing.T) {
	for _, dt := range bothDTypes {
		tol := graftest.Tolerance(dt)
		g := graph.New()
		xs, feeds := inputsOf(g, dt, arg([]float64{1, 2}, 2), arg([]float64{2, 4}, 2))
		grads := gradientsOf(t, feeds, ops.Sum(ops.Div(xs[0], xs[1])), xs...)
		// d(a/b)/da = 1/b, d(a/b)/db = -a/b².
		graftest.AssertClose(t, "grads[0]", grads[0], []float64{0.5, 0.25}, tol, tol)
		graftest.AssertClose(t, "grads[1]", grads[1], []float64{-0.25, -0.125}, tol, tol)
	}
}

func TestBroadcastOperandGradientSumsOverStretchedAxes(t *testing.T) {
	for _, dt := range bothDTypes {
		tol := graftest.Tolerance(dt)
		g := graph.New()
		xs, feeds := inputsOf(g, dt, arg([]float64{1, 2, 3}, 3, 1), arg([]float64{10, 20, 30, 40}, 1, 4))
		grads := gradientsOf(t, feeds, ops.Sum(ops.Mul(xs[0], xs[1])), xs...)
		// y = Σ_ij a_i b_j: dy/da_i = Σ_j b_j, dy/db_j = Σ_i a_i.
		graftest.AssertClose(t, "grads[0]", grads[0], []float64{100, 100, 100}, tol, tol)
		graftest.AssertClose(t, "grads[1]", grads[1], []float64{6, 6, 6, 6}, tol, tol)
	}
}

func TestPowGradientWrtExponentIsZeroAtZeroBase(t *testing.T) {
	for _, dt := range bothDTypes {
		tol := graftest.Tolerance(dt)
		g := graph.New()
		xs, feeds := inputsOf(g, dt, arg([]float64{0, 0, 2}, 3), arg([]float64{2, 0.5, 3}, 3))
		base, exp := xs[0], xs[1]
		y := ops.Sum(ops.Pow(base, exp))
		grads := gradientsOf(t, feeds, y, base, exp)
		// d(a^b)/da = b·a^(b-1): 0 at 0², +Inf at 0^0.5 (a true infinity), 12 at 2³.
		graftest.AssertClose(t, "grads[0]", grads[0], []float64{0, math.Inf(1), 12}, tol, tol)
		// d(a^b)/db = a^b·ln a, taken as 0 where a = 0.
		graftest.AssertClose(t, "grads[1]", grads[1], []float64{0, 0, 8 * math.Ln2}, tol, tol)

		// The second derivative, a^b·(ln a)², is 0 there too, not NaN.
		first := gradNode(t, y, exp)
		second := gradientsOf(t, feeds, ops.Sum(first), exp)[0]
		graftest.AssertClose(t, "second", second, []float64{0, 0, 8 * math.Ln2 * math.Ln2}, tol, tol)
	}
}

func TestMaximumAndMinimumSplitTheGradientAtTies(t *testing.T) {
	cases := []struct {
		name   string
		op     func(a, b *graph.Node) *graph.Node
		da, db []float64
	}{
		{"Maximum", ops.Maximum, []float64{0.5, 0, 1}, []float64{0.5, 1, 0}},
		{"Minimum", ops.Minimum, []float64{0.5, 1, 0}, []float64{0.5, 0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			xs, feeds := inputsOf(g, tensor.Float64, arg([]float64{1, 2, 3}, 3), arg([]float64{1, 5, 0}, 3))
			grads := gradientsOf(t, feeds, ops.Sum(c.op(xs[0], xs[1])), xs...)
			graftest.AssertExact(t, "grads[0]", grads[0], c.da)
			graftest.AssertExact(t, "grads[1]", grads[1], c.db)
		})
	}
}

// At 0⁰ the gradient of Pow with respect to the base is 0 (a^0 is the
// constant 1), as in PyTorch and JAX, and the second derivative has no NaN.
func TestPowGradientAtZeroToTheZero(t *testing.T) {
	g := graph.New()
	a := g.Param("a", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 0, 2})))
	b := g.Param("b", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 2, 0})))
	y := ops.Sum(ops.Pow(a, b))
	dA := gradNode(t, y, a)
	d2A := gradNode(t, ops.Sum(dA), a)
	got := graftest.Eval(t, nil, dA, d2A)
	graftest.AssertExact(t, "d/da", got[0], []float64{0, 0, 0})   // d/da: 0·a^-1 → 0; 2·0 = 0; 0·2^-1 → 0
	graftest.AssertExact(t, "d²/da²", got[1], []float64{0, 2, 0}) // d²/da²: 0; 2·1·0^0 = 2; 0
}
