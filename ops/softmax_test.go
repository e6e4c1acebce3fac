package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// Logits chosen so that exp(x) are small integers: softmax is then a ratio
// of integers and log-softmax a difference of logs.
//
// logits2D = [[0, ln2, ln5], [ln3, ln2, 0]]: exp = [[1, 2, 5], [3, 2, 1]].
// logits3D[i][j][k] with exp = [[[1, 2], [3, 2]], [[4, 1], [1, 9]]].
var (
	logits2D = []float64{0, math.Ln2, math.Log(5), math.Log(3), math.Ln2, 0}
	logits3D = []float64{0, math.Ln2, math.Log(3), math.Ln2, math.Log(4), 0, 0, math.Log(9)}
)

func softmaxBuild(f func(x *graph.Node, axis int) *graph.Node, axis int) func(x ...*graph.Node) *graph.Node {
	return func(x ...*graph.Node) *graph.Node { return f(x[0], axis) }
}

func TestSoftmaxNormalisesAlongAnAxis(t *testing.T) {
	m, x3 := arg(logits2D, 2, 3), arg(logits3D, 2, 2, 2)
	rows := []float64{1.0 / 8, 2.0 / 8, 5.0 / 8, 3.0 / 6, 2.0 / 6, 1.0 / 6}
	cols := []float64{1.0 / 4, 1.0 / 2, 5.0 / 6, 3.0 / 4, 1.0 / 2, 1.0 / 6}
	// Along axis 1 of the 3-D logits the pairs are (1, 3), (2, 2), (4, 1), (1, 9).
	middle := []float64{1.0 / 4, 1.0 / 2, 3.0 / 4, 1.0 / 2, 4.0 / 5, 1.0 / 10, 1.0 / 5, 9.0 / 10}
	checkOpCases(t, []opCase{
		{"axis 1", []inputArg{m}, softmaxBuild(ops.Softmax, 1), []int{2, 3}, rows},
		{"axis -1", []inputArg{m}, softmaxBuild(ops.Softmax, -1), []int{2, 3}, rows},
		{"axis 0", []inputArg{m}, softmaxBuild(ops.Softmax, 0), []int{2, 3}, cols},
		{"middle axis of 3-D", []inputArg{x3}, softmaxBuild(ops.Softmax, 1), []int{2, 2, 2}, middle},
		{"axis -2 of 3-D", []inputArg{x3}, softmaxBuild(ops.Softmax, -2), []int{2, 2, 2}, middle},
		{"vector", []inputArg{arg([]float64{math.Log(3), 0}, 2)}, softmaxBuild(ops.Softmax, 0), []int{2}, []float64{0.75, 0.25}},
	})
}

func TestLogSoftmaxIsLogOfSoftmax(t *testing.T) {
	m, x3 := arg(logits2D, 2, 3), arg(logits3D, 2, 2, 2)
	ln2, ln3, ln4, ln5 := math.Ln2, math.Log(3), math.Log(4), math.Log(5)
	ln6, ln8, ln9, ln10 := math.Log(6), 3*ln2, math.Log(9), math.Log(10)
	rows := []float64{-ln8, ln2 - ln8, ln5 - ln8, ln3 - ln6, ln2 - ln6, -ln6}
	cols := []float64{-ln4, -ln2, ln5 - ln6, ln3 - ln4, -ln2, -ln6}
	middle := []float64{-ln4, -ln2, ln3 - ln4, -ln2, ln4 - ln5, -ln10, -ln5, ln9 - ln10}
	checkOpCases(t, []opCase{
		{"axis 1", []inputArg{m}, softmaxBuild(ops.LogSoftmax, 1), []int{2, 3}, rows},
		{"axis 0", []inputArg{m}, softmaxBuild(ops.LogSoftmax, 0), []int{2, 3}, cols},
		{"middle axis of 3-D", []inputArg{x3}, softmaxBuild(ops.LogSoftmax, 1), []int{2, 2, 2}, middle},
	})
}

func TestSoftmaxOfHugeLogitsIsExactAndFinite(t *testing.T) {
	cases := []struct {
		name string
		op   func(x *graph.Node, axis int) *graph.Node
		want []float64
	}{
		// exp(-1000) underflows to 0 after the max is subtracted, so the
		// sum is exactly 1.
		{"Softmax", ops.Softmax, []float64{1, 0, 0}},
		{"LogSoftmax", ops.LogSoftmax, []float64{0, -1000, -2000}},
	}
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, arg([]float64{1000, 0, -1000}, 3))
				y := c.op(xs[0], 0)
				got := graftest.Eval(t, feeds, y)[0]
				assertFinite(t, "value", got)
				graftest.AssertExact(t, "got", got, c.want)
				w := constOf(g, dt, []float64{1, 2, 3}, 3)
				grad := gradientsOf(t, feeds, ops.Sum(ops.Mul(y, w)), xs[0])[0]
				assertFinite(t, "gradient", grad)
			})
		}
	}
}

func TestSoftmaxGradientMatchesTheJacobian(t *testing.T) {
	// For p = softmax(x) and y = Σ w_i p_i: dy/dx_j = p_j (w_j - Σ_i w_i p_i).
	// With p = (1/8, 2/8, 5/8) and w = (1, 0, 0): Σ w p = 1/8, so
	// dy/dx = (1/8·7/8, 2/8·(-1/8), 5/8·(-1/8)).
	// For log-softmax, y = Σ w_i log p_i: dy/dx_j = w_j - p_j Σ_i w_i,
	// which with w = (1, 0, 0) is (7/8, -2/8, -5/8).
	for _, dt := range bothDTypes {
		tol := graftest.Tolerance(dt)
		g := graph.New()
		xs, feeds := inputsOf(g, dt, arg(logits2D[:3], 3))
		w := constOf(g, dt, []float64{1, 0, 0}, 3)
		soft := gradientsOf(t, feeds, ops.Sum(ops.Mul(ops.Softmax(xs[0], 0), w)), xs[0])[0]
		graftest.AssertClose(t, "soft", soft, []float64{7.0 / 64, -2.0 / 64, -5.0 / 64}, tol, tol)
		logSoft := gradientsOf(t, feeds, ops.Sum(ops.Mul(ops.LogSoftmax(xs[0], 0), w)), xs[0])[0]
		graftest.AssertClose(t, "logSoft", logSoft, []float64{7.0 / 8, -2.0 / 8, -5.0 / 8}, tol, tol)
	}
}

// At logits near 1000 LogSoftmax keeps the digits of log Σ: it computes
// (x - max) - log Σ exp(x - max), where x - max is exact, and never
// x - (max + log Σ), which rounds log Σ to the ulp of 1000 (1.1e-13).
// With x = (1000, 1001, 1002): log Σ exp(x - max) = log(1 + e⁻¹ + e⁻²) =
// 0.40760596444438030448..., so the results are -2.4076..., -1.4076... and
// -0.4076... to the last digit.
func TestLogSoftmaxKeepsItsDigitsAtLogitsNear1000(t *testing.T) {
	want := []float64{-2.4076059644443803045, -1.4076059644443803045, -0.40760596444438030448}
	for _, dt := range bothDTypes {
		g := graph.New()
		xs, feeds := inputsOf(g, dt, arg([]float64{1000, 1001, 1002}, 3))
		got := graftest.Eval(t, feeds, ops.LogSoftmax(xs[0], 0))[0]
		tol := 2e-16 // one ulp of 2.4 in float64
		if dt == tensor.Float32 {
			tol = graftest.Tolerance(dt)
		}
		graftest.AssertClose(t, "got", got, want, tol, tol)
	}
}
