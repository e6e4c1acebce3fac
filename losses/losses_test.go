package losses_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/losses"
	"graft/ops"
)

// Every builder fits the Func type a training loop takes.
var _ = []losses.Func{
	losses.MeanSquaredError,
	losses.MeanAbsoluteError,
	losses.BinaryCrossEntropy,
	losses.BinaryCrossEntropyWithLogits,
	losses.SoftmaxCrossEntropy,
	losses.NegativeLogLikelihood,
	losses.SoftTargetCrossEntropy,
	losses.KLDivergence,
	losses.KLDivergenceLogTarget,
}

var dtypes = []graph.DType{tensor.Float32, tensor.Float64}

func huber(delta float64) losses.Func {
	return func(p, t *graph.Node) *graph.Node { return losses.Huber(p, t, delta) }
}

func smoothL1(beta float64) losses.Func {
	return func(p, t *graph.Node) *graph.Node { return losses.SmoothL1(p, t, beta) }
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

func TestLossesMatchHandComputedValues(t *testing.T) {
	ln := math.Log
	tests := []struct {
		name          string
		loss          losses.Func
		predShape     []int
		pred          []float64
		targetShape   []int // nil: the prediction's shape
		target        []float64
		want          float64
		looseFloat64  bool // the value involves clipping at Epsilon, known to ~1e-9
		wantFormulaAs string
	}{
		{name: "MSE", loss: losses.MeanSquaredError, predShape: []int{2, 2},
			pred: []float64{1, 2, 3, 4}, target: []float64{1, 0, 3, 1},
			want: 3.25, wantFormulaAs: "(0 + 2² + 0 + 3²)/4 = 13/4"},
		{name: "MAE", loss: losses.MeanAbsoluteError, predShape: []int{4},
			pred: []float64{1, 2, 3, 4}, target: []float64{1, 0, 3, 1},
			want: 1.25, wantFormulaAs: "(0 + 2 + 0 + 3)/4"},
		{name: "BCE", loss: losses.BinaryCrossEntropy, predShape: []int{4, 1},
			pred: []float64{0.5, 0.8, 0.1, 0.25}, target: []float64{1, 1, 0, 0},
			want:          -(ln(0.5) + ln(0.8) + ln(0.9) + ln(0.75)) / 4,
			wantFormulaAs: "-(ln p₀ + ln p₁ + ln(1-p₂) + ln(1-p₃))/4"},
		{name: "BCE clips at epsilon", loss: losses.BinaryCrossEntropy, predShape: []int{2},
			pred: []float64{0, 1}, target: []float64{1, 0},
			want: -ln(1e-7), looseFloat64: true, wantFormulaAs: "each term -ln(1e-7), not +Inf"},
		{name: "BCE with logits", loss: losses.BinaryCrossEntropyWithLogits, predShape: []int{3},
			pred: []float64{0, 2, -3}, target: []float64{1, 0, 1},
			want:          (ln(2) + ln(1+math.Exp(2)) + ln(1+math.Exp(3))) / 3,
			wantFormulaAs: "(-ln σ(0) - ln(1-σ(2)) - ln σ(-3))/3"},
		{name: "BCE with logits ±1000", loss: losses.BinaryCrossEntropyWithLogits, predShape: []int{4},
			pred: []float64{1000, -1000, 1000, -1000}, target: []float64{1, 0, 0, 1},
			want: 500, wantFormulaAs: "(0 + 0 + 1000 + 1000)/4"},
		{name: "Huber delta 1", loss: huber(1), predShape: []int{4},
			pred: []float64{0, 0, 0, 0}, target: []float64{0.5, -2, 1, 3},
			want: 1.15625, wantFormulaAs: "(0.5²/2 + (2-0.5) + 1²/2 + (3-0.5))/4 = 4.625/4"},
		{name: "Huber delta 2", loss: huber(2), predShape: []int{4},
			pred: []float64{0, 0, 0, 0}, target: []float64{0.5, -2, 1, 3},
			want: 1.65625, wantFormulaAs: "(0.125 + 2²/2 + 0.5 + 2·(3-1))/4 = 6.625/4"},
		{name: "smooth L1 beta 1", loss: smoothL1(1), predShape: []int{4},
			pred: []float64{0, 0, 0, 0}, target: []float64{0.5, -2, 1, 3},
			want: 1.15625, wantFormulaAs: "Huber's with delta 1: (0.5²/2 + (2-0.5) + 1²/2 + (3-0.5))/4"},
		{name: "smooth L1 beta 2", loss: smoothL1(2), predShape: []int{4},
			pred: []float64{0, 0, 0, 0}, target: []float64{0.5, -2, 1, 3},
			want: 0.828125, wantFormulaAs: "(0.5²/4 + 2²/4 + 1²/4 + (3-1))/4 = 3.3125/4, Huber's with delta 2 over 2"},
		{name: "smooth L1 beta 0 is L1", loss: smoothL1(0), predShape: []int{4},
			pred: []float64{0, 0, 0, 0}, target: []float64{0.5, -2, 1, 3},
			want: 1.625, wantFormulaAs: "(0.5 + 2 + 1 + 3)/4"},
		{name: "softmax CE", loss: losses.SoftmaxCrossEntropy, predShape: []int{2, 3},
			pred: []float64{1, 2, 3, 1, 1, 1}, targetShape: []int{2}, target: []float64{2, 0},
			want:          (ln(math.Exp(1)+math.Exp(2)+math.Exp(3)) - 3 + ln(3)) / 2,
			wantFormulaAs: "(logsumexp(1,2,3) - 3 + ln 3)/2"},
		{name: "softmax CE with logits ±1000", loss: losses.SoftmaxCrossEntropy, predShape: []int{2, 2},
			pred: []float64{1000, 0, 0, -1000}, targetShape: []int{2}, target: []float64{0, 1},
			want: 500, wantFormulaAs: "(ln(1+e⁻¹⁰⁰⁰) + 1000)/2"},
	}
	for _, tc := range tests {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", tc.name, dt), func(t *testing.T) {
				targetShape := tc.targetShape
				if targetShape == nil {
					targetShape = tc.predShape
				}
				g := graph.New()
				pred := g.Const("pred", graftest.Tensor(dt, tc.pred, tc.predShape...))
				target := g.Const("target", graftest.Tensor(dt, tc.target, targetShape...))
				loss := tc.loss(pred, target)
				if loss.Shape().Rank() != 0 {
					t.Fatalf("loss has shape %v, want a scalar ()", loss.Shape())
				}
				want, tol := tc.want, graftest.Tolerance(dt)
				switch {
				case tc.looseFloat64 && dt == tensor.Float64:
					tol = 1e-8
				case tc.looseFloat64 && dt == tensor.Float32:
					// float32(1-1e-7) is 1-2⁻²³, so the second term is
					// -ln(2⁻²³) rather than -ln(1e-7).
					want, tol = (-math.Log(float64(float32(1e-7)))+23*math.Ln2)/2, 1e-6
				}
				got := graftest.Eval(t, nil, loss)[0][0]
				if !near(got, want, tol) {
					t.Errorf("got %.12g, want %.12g = %s", got, want, tc.wantFormulaAs)
				}
			})
		}
	}
}

func TestLossGradientsMatchCentralDifferences(t *testing.T) {
	tests := []struct {
		name            string
		loss            losses.Func
		predShape       []int
		pred            []float64
		targetShape     []int
		target          []float64
		checkTarget     bool
		avoidsKinksNote string
	}{
		{name: "MSE", loss: losses.MeanSquaredError, predShape: []int{2, 3},
			pred: []float64{0.3, -1.2, 2.5, 0.7, 0.1, -0.4}, target: []float64{1, 0, 2, -1, 0.5, 0.2}, checkTarget: true},
		{name: "MAE", loss: losses.MeanAbsoluteError, predShape: []int{2, 3},
			pred: []float64{0.3, -1.2, 2.5, 0.7, 0.1, -0.4}, target: []float64{1, 0, 2, -1, 0.5, 0.2}, checkTarget: true,
			avoidsKinksNote: "no prediction equals its target"},
		{name: "BCE", loss: losses.BinaryCrossEntropy, predShape: []int{5},
			pred: []float64{0.1, 0.35, 0.5, 0.72, 0.95}, target: []float64{1, 0, 1, 0, 0.3}, checkTarget: true,
			avoidsKinksNote: "every p is well inside [1e-7, 1-1e-7]"},
		{name: "BCE with logits", loss: losses.BinaryCrossEntropyWithLogits, predShape: []int{6},
			pred: []float64{-4, -0.5, 0, 0.25, 3, 9}, target: []float64{1, 0, 1, 0, 1, 0.2}, checkTarget: true,
			avoidsKinksNote: "z = 0 is included: the kinks of max and |z| cancel there"},
		{name: "Huber", loss: huber(1), predShape: []int{6},
			pred: []float64{0.1, -0.3, 2.5, -3, 0.6, 1.9}, target: []float64{0, 0.2, 0, 0, 0.1, -0.4}, checkTarget: true,
			avoidsKinksNote: "no error is 0 or exactly delta"},
		{name: "softmax CE", loss: losses.SoftmaxCrossEntropy, predShape: []int{3, 4},
			pred:        []float64{0.2, -1, 3, 0.5, 1, 1, 1, 1, -2, 0.3, 0.1, 4},
			targetShape: []int{3}, target: []float64{2, 0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			targetShape := tc.targetShape
			if targetShape == nil {
				targetShape = tc.predShape
			}
			g := graph.New()
			pred := g.Param("pred", graftest.Tensor(tensor.Float64, tc.pred, tc.predShape...))
			target := g.Param("target", graftest.Tensor(tensor.Float64, tc.target, targetShape...))
			loss := tc.loss(pred, target)
			xs := []*graph.Node{pred}
			if tc.checkTarget {
				xs = append(xs, target)
			}
			if err := autodiff.CheckGrad(loss, xs, nil, autodiff.DefaultTolerance); err != nil {
				t.Error(err)
			}
		})
	}
}

// At logits of ±1000 the loss and its gradient, (σ(z) - t)/n, are exact.
func TestBinaryCrossEntropyWithLogitsStaysFiniteForLargeLogits(t *testing.T) {
	for _, dt := range dtypes {
		t.Run(fmt.Sprint(dt), func(t *testing.T) {
			g := graph.New()
			z := g.Param("z", graftest.Tensor(dt, []float64{1000, -1000, 1000, -1000}, []int{4}...))
			y := g.Const("y", graftest.Tensor(dt, []float64{1, 0, 0, 1}, []int{4}...))
			loss := losses.BinaryCrossEntropyWithLogits(z, y)
			grads, err := autodiff.Grad(loss, z)
			if err != nil {
				t.Fatal(err)
			}
			out := graftest.Eval(t, nil, loss, grads[0])
			if out[0][0] != 500 {
				t.Errorf("loss = %v, want 500 = (0 + 0 + 1000 + 1000)/4", out[0][0])
			}
			want := []float64{0, 0, 0.25, -0.25} // (σ(z) - t)/4
			for i := range want {
				if out[1][i] != want[i] {
					t.Errorf("dloss/dz = %v, want %v", out[1], want)
					break
				}
			}
		})
	}
}

// Far on the right side of the boundary the loss is tiny but not 0: for
// z = -40, t = 0 and for z = 40, t = 1 it is log1p(e⁻⁴⁰) = e⁻⁴⁰ to 18
// digits, which log(1 + e⁻⁴⁰), or 40 + log1p(e⁻⁴⁰) - 40, rounds to 0.
func TestBinaryCrossEntropyWithLogitsKeepsTinyLossesAccurate(t *testing.T) {
	g := graph.New()
	z := g.Const("z", graftest.Tensor(tensor.Float64, []float64{-40, 40}, []int{2}...))
	y := g.Const("y", graftest.Tensor(tensor.Float64, []float64{0, 1}, []int{2}...))
	got := graftest.Eval(t, nil, losses.BinaryCrossEntropyWithLogits(z, y))[0][0]
	if want := math.Exp(-40); math.Abs(got-want) > 1e-15*want {
		t.Errorf("loss = %v, want %v = (e⁻⁴⁰ + e⁻⁴⁰)/2", got, want)
	}
}

// Where BinaryCrossEntropy clips p, no gradient flows, as in Keras.
func TestBinaryCrossEntropyGradientIsZeroWhereClipped(t *testing.T) {
	g := graph.New()
	p := g.Param("p", graftest.Tensor(tensor.Float64, []float64{0, 1, 0.5}, []int{3}...))
	y := g.Const("y", graftest.Tensor(tensor.Float64, []float64{1, 0, 1}, []int{3}...))
	loss := losses.BinaryCrossEntropy(p, y)
	grads, err := autodiff.Grad(loss, p)
	if err != nil {
		t.Fatal(err)
	}
	got := graftest.Eval(t, nil, grads[0])[0]
	want := []float64{0, 0, -1 / (3 * 0.5)} // d(-ln p/3)/dp at 0.5
	for i := range want {
		if !near(got[i], want[i], 1e-12) {
			t.Fatalf("dloss/dp = %v, want %v", got, want)
		}
	}
}

// A float label that names no class is a Run error, as an int64 one is,
// naming the loss, the label and the line that built it.
func TestSoftmaxCrossEntropyRejectsFloatLabelsThatNameNoClass(t *testing.T) {
	for _, labels := range [][]float64{{3, 0}, {0.5, 1}, {-1, 0}, {0, math.NaN()}, {math.Inf(1), 0}} {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%v/%v", labels, dt), func(t *testing.T) {
				g := graph.New()
				z := g.Const("z", graftest.Tensor(dt, []float64{1, 2, 3, 1, 1, 1}, []int{2, 3}...))
				y := g.Input("y", dt, 2)
				loss, line := losses.SoftmaxCrossEntropy(z, y), graftest.CallerLine()
				prog, err := graph.Compile(loss)
				if err != nil {
					t.Fatal(err)
				}
				_, err = prog.Run(graph.Feeds{y: graftest.Tensor(dt, labels, 2)})
				for _, want := range []string{"SoftmaxCrossEntropy", "names no class", fmt.Sprintf("losses_test.go:%d", line)} {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Fatalf("labels %v: got %v, want an error containing %q", labels, err, want)
					}
				}
			})
		}
	}
}

func TestLossesRejectMismatchedOperandsAtBuildTime(t *testing.T) {
	f32, f64, i64 := tensor.Float32, tensor.Float64, graph.Int64
	tests := []struct {
		name  string
		build func(g *graph.Graph) (*graph.Node, int)
		op    string
		want  []string
	}{
		{"MSE (4, 1) against (4,)", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("pred", f64, 4, 1), g.Input("y", f64, 4)
			return losses.MeanSquaredError(p, y), graftest.CallerLine()
		}, "MeanSquaredError", []string{"pred (4, 1) float64", "y (4,) float64", "does not broadcast"}},
		{"MAE against a scalar", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("pred", f64, 3), g.Input("y", f64)
			return losses.MeanAbsoluteError(p, y), graftest.CallerLine()
		}, "MeanAbsoluteError", []string{"pred (3,) float64", "y () float64", "shapes differ"}},
		{"BCE float32 against float64", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("p", f32, 2), g.Input("y", f64, 2)
			return losses.BinaryCrossEntropy(p, y), graftest.CallerLine()
		}, "BinaryCrossEntropy", []string{"p (2,) float32", "y (2,) float64", "never converts"}},
		{"BCE with logits transposed", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("z", f64, 2, 3), g.Input("y", f64, 3, 2)
			return losses.BinaryCrossEntropyWithLogits(p, y), graftest.CallerLine()
		}, "BinaryCrossEntropyWithLogits", []string{"z (2, 3) float64", "y (3, 2) float64"}},
		{"Huber delta 0", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("p", f64, 2), g.Input("y", f64, 2)
			return losses.Huber(p, y, 0), graftest.CallerLine()
		}, "Huber", []string{"delta is 0; it must be positive"}},
		{"Huber delta NaN", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("p", f64, 2), g.Input("y", f64, 2)
			return losses.Huber(p, y, math.NaN()), graftest.CallerLine()
		}, "Huber", []string{"delta is NaN"}},
		{"Huber delta +Inf", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("p", f64, 2), g.Input("y", f64, 2)
			return losses.Huber(p, y, math.Inf(1)), graftest.CallerLine()
		}, "Huber", []string{"delta is +Inf"}},
		{"softmax CE with rank-1 logits", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4), g.Input("y", f64, 4)
			return losses.SoftmaxCrossEntropy(z, y), graftest.CallerLine()
		}, "SoftmaxCrossEntropy", []string{"z (4,) float64", "logits must have shape (batch, classes)"}},
		{"softmax CE with (batch, 1) labels", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", f64, 4, 1)
			return losses.SoftmaxCrossEntropy(z, y), graftest.CallerLine()
		}, "SoftmaxCrossEntropy", []string{"y (4, 1) float64", "labels must have shape (4,)"}},
		{"softmax CE with too few labels", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", f64, 3)
			return losses.SoftmaxCrossEntropy(z, y), graftest.CallerLine()
		}, "SoftmaxCrossEntropy", []string{"y (3,) float64", "labels must have shape (4,)"}},
		{"softmax CE with float32 labels", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", f32, 4)
			return losses.SoftmaxCrossEntropy(z, y), graftest.CallerLine()
		}, "SoftmaxCrossEntropy", []string{"labels are float32", "logits' dtype"}},
		{"softmax CE with int64 (batch, 1) labels", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", i64, 4, 1)
			return losses.SoftmaxCrossEntropy(z, y), graftest.CallerLine()
		}, "SoftmaxCrossEntropy", []string{"y (4, 1) int64", "labels must have shape (4,)"}},
		{"NLL with float labels", func(g *graph.Graph) (*graph.Node, int) {
			lp, y := g.Input("lp", f64, 4, 3), g.Input("y", f64, 4)
			return losses.NegativeLogLikelihood(lp, y), graftest.CallerLine()
		}, "NegativeLogLikelihood", []string{"y (4,) float64", "NegativeLogLikelihood takes int64 class ids of shape (4,)"}},
		{"NLL with rank-1 log-probabilities", func(g *graph.Graph) (*graph.Node, int) {
			lp, y := g.Input("lp", f64, 3), g.Input("y", i64, 3)
			return losses.NegativeLogLikelihood(lp, y), graftest.CallerLine()
		}, "NegativeLogLikelihood", []string{"lp (3,) float64", "log-probabilities must have shape (batch, classes)"}},
		{"NLL with too many labels", func(g *graph.Graph) (*graph.Node, int) {
			lp, y := g.Input("lp", f64, 4, 3), g.Input("y", i64, 5)
			return losses.NegativeLogLikelihood(lp, y), graftest.CallerLine()
		}, "NegativeLogLikelihood", []string{"y (5,) int64", "labels must have shape (4,): one class id per row of the log-probabilities"}},
		{"CE with float class ids", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", f64, 4)
			return losses.CrossEntropy(z, y, losses.CrossEntropyOptions{}), graftest.CallerLine()
		}, "CrossEntropy", []string{"y (4,) float64", "CrossEntropy takes int64 class ids of shape (4,) or probabilities of shape (4, 3) in the logits' dtype"}},
		{"CE with probabilities of another shape", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("p", f64, 4, 2)
			return losses.CrossEntropy(z, y, losses.CrossEntropyOptions{}), graftest.CallerLine()
		}, "CrossEntropy", []string{"p (4, 2) float64", "probabilities of shape (4, 3)"}},
		{"CE with float32 probabilities", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("p", f32, 4, 3)
			return losses.CrossEntropy(z, y, losses.CrossEntropyOptions{}), graftest.CallerLine()
		}, "CrossEntropy", []string{"logits are float64 and the target is float32"}},
		{"CE with a weight too few", func(g *graph.Graph) (*graph.Node, int) {
			z, y, w := g.Input("z", f64, 4, 3), g.Input("y", i64, 4), g.Input("w", f64, 2)
			return losses.CrossEntropy(z, y, losses.CrossEntropyOptions{Weights: w}), graftest.CallerLine()
		}, "CrossEntropy", []string{"w (2,) float64", "the weights must have shape (3,) and the logits' dtype float64"}},
		{"CE with float32 weights", func(g *graph.Graph) (*graph.Node, int) {
			z, y, w := g.Input("z", f64, 4, 3), g.Input("y", i64, 4), g.Input("w", f32, 3)
			return losses.CrossEntropy(z, y, losses.CrossEntropyOptions{Weights: w}), graftest.CallerLine()
		}, "CrossEntropy", []string{"w (3,) float32", "the weights must have shape (3,)"}},
		{"CE with label smoothing 1.5", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", i64, 4)
			return losses.CrossEntropy(z, y, losses.CrossEntropyOptions{LabelSmoothing: 1.5}), graftest.CallerLine()
		}, "CrossEntropy", []string{"LabelSmoothing is 1.5; it must be in [0, 1]"}},
		{"CE with label smoothing NaN", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", i64, 4)
			return losses.CrossEntropy(z, y, losses.CrossEntropyOptions{LabelSmoothing: math.NaN()}), graftest.CallerLine()
		}, "CrossEntropy", []string{"LabelSmoothing is NaN"}},
		{"soft-target CE with int64 labels", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", i64, 4)
			return losses.SoftTargetCrossEntropy(z, y), graftest.CallerLine()
		}, "SoftTargetCrossEntropy", []string{"the target is int64; SoftTargetCrossEntropy takes probabilities of shape (4, 3)", "use SoftmaxCrossEntropy"}},
		{"soft-target CE with class ids as floats", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 4, 3), g.Input("y", f64, 4)
			return losses.SoftTargetCrossEntropy(z, y), graftest.CallerLine()
		}, "SoftTargetCrossEntropy", []string{"y (4,) float64", "takes probabilities of shape (4, 3)"}},
		{"KL with transposed target", func(g *graph.Graph) (*graph.Node, int) {
			lp, y := g.Input("lp", f64, 2, 3), g.Input("t", f64, 3, 2)
			return losses.KLDivergence(lp, y), graftest.CallerLine()
		}, "KLDivergence", []string{"lp (2, 3) float64", "t (3, 2) float64", "does not broadcast"}},
		{"KL log target float32 against float64", func(g *graph.Graph) (*graph.Node, int) {
			lp, y := g.Input("lp", f32, 2, 3), g.Input("lt", f64, 2, 3)
			return losses.KLDivergenceLogTarget(lp, y), graftest.CallerLine()
		}, "KLDivergenceLogTarget", []string{"never converts"}},
		{"smooth L1 (4, 1) against (4,)", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("p", f64, 4, 1), g.Input("y", f64, 4)
			return losses.SmoothL1(p, y, 1), graftest.CallerLine()
		}, "SmoothL1", []string{"p (4, 1) float64", "y (4,) float64", "does not broadcast"}},
		{"smooth L1 beta -1", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("p", f64, 2), g.Input("y", f64, 2)
			return losses.SmoothL1(p, y, -1), graftest.CallerLine()
		}, "SmoothL1", []string{"beta is -1; it must be finite and at least 0"}},
		{"smooth L1 beta NaN", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("p", f64, 2), g.Input("y", f64, 2)
			return losses.SmoothL1(p, y, math.NaN()), graftest.CallerLine()
		}, "SmoothL1", []string{"beta is NaN"}},
		{"smooth L1 beta +Inf", func(g *graph.Graph) (*graph.Node, int) {
			p, y := g.Input("p", f64, 2), g.Input("y", f64, 2)
			return losses.SmoothL1(p, y, math.Inf(1)), graftest.CallerLine()
		}, "SmoothL1", []string{"beta is +Inf"}},
		{"pos-weighted BCE, target of another shape", func(g *graph.Graph) (*graph.Node, int) {
			z, y, pw := g.Input("z", f64, 2, 3), g.Input("y", f64, 3, 2), g.Input("pw", f64, 3)
			return losses.BinaryCrossEntropyWithLogitsPosWeight(z, y, pw), graftest.CallerLine()
		}, "BinaryCrossEntropyWithLogitsPosWeight", []string{"z (2, 3) float64", "y (3, 2) float64", "shapes differ"}},
		{"pos-weighted BCE, a weight per row", func(g *graph.Graph) (*graph.Node, int) {
			z, y, pw := g.Input("z", f64, 2, 3), g.Input("y", f64, 2, 3), g.Input("pw", f64, 2)
			return losses.BinaryCrossEntropyWithLogitsPosWeight(z, y, pw), graftest.CallerLine()
		}, "BinaryCrossEntropyWithLogitsPosWeight", []string{"pw (2,) float64", "pos_weight has shape (2,), which does not broadcast to the prediction's (2, 3) without enlarging it"}},
		{"pos-weighted BCE, a weight of higher rank", func(g *graph.Graph) (*graph.Node, int) {
			z, y, pw := g.Input("z", f64, 3), g.Input("y", f64, 3), g.Input("pw", f64, 1, 3)
			return losses.BinaryCrossEntropyWithLogitsPosWeight(z, y, pw), graftest.CallerLine()
		}, "BinaryCrossEntropyWithLogitsPosWeight", []string{"pos_weight has shape (1, 3)"}},
		{"pos-weighted BCE, a float32 weight", func(g *graph.Graph) (*graph.Node, int) {
			z, y, pw := g.Input("z", f64, 3), g.Input("y", f64, 3), g.Input("pw", f32)
			return losses.BinaryCrossEntropyWithLogitsPosWeight(z, y, pw), graftest.CallerLine()
		}, "BinaryCrossEntropyWithLogitsPosWeight", []string{"pos_weight is float32 and the prediction float64"}},
		{"pos-weighted BCE, a nil weight", func(g *graph.Graph) (*graph.Node, int) {
			z, y := g.Input("z", f64, 3), g.Input("y", f64, 3)
			return losses.BinaryCrossEntropyWithLogitsPosWeight(z, y, nil), graftest.CallerLine()
		}, "BinaryCrossEntropyWithLogitsPosWeight", []string{"input 2 is nil"}},
		{"MSE with a nil target", func(g *graph.Graph) (*graph.Node, int) {
			return losses.MeanSquaredError(g.Input("p", f64, 2), nil), graftest.CallerLine()
		}, "MeanSquaredError", []string{"input 1 is nil"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graph.New()
			loss, at := tc.build(g)
			_, err := graph.Compile(loss)
			if err == nil {
				t.Fatal("Compile succeeded, want a build error")
			}
			var be *graph.BuildError
			if !errors.As(err, &be) || be.Op != tc.op {
				t.Fatalf("error %q is not a build error of %s", err, tc.op)
			}
			want := append([]string{"graft: " + tc.op + "(", fmt.Sprintf("losses_test.go:%d", at)}, tc.want...)
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// SoftmaxCrossEntropy compares labels with a constant row of class indices
// made through graph.NewTensor in the logits' dtype: 0, 1, ..., classes-1.
func TestSoftmaxCrossEntropyClassIndicesAreARowInTheLogitsDType(t *testing.T) {
	for _, dt := range dtypes {
		g := graph.New()
		losses.SoftmaxCrossEntropy(g.Input("z", dt, 2, 4), g.Input("y", dt, 2))
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		var ids *graph.Node
		for _, n := range g.Nodes() {
			if n.Kind() == graph.Constant && n.Name() == "class ids" {
				ids = n
			}
		}
		if ids == nil {
			t.Fatalf("%v: no class ids constant in the graph", dt)
		}
		if got := graph.Float64s(ids.Value()); ids.DType() != dt || fmt.Sprint(got) != "[0 1 2 3]" || !ids.Shape().Equal(graph.Shape{4}) {
			t.Errorf("%v: class ids are %v %v %v, want (4,) %v [0 1 2 3]", dt, ids.Shape(), ids.DType(), got, dt)
		}
	}
}

// builtCase is a loss built on a graph in a given dtype, with the value it
// must have: the form of test for the losses whose operands are more than a
// prediction and a target of one shape (int64 labels, weights).
type builtCase struct {
	name    string
	build   func(g *graph.Graph, dt graph.DType) *graph.Node
	want    float64
	formula string
}

// checkBuiltCases runs each case in float32 and float64.
func checkBuiltCases(t *testing.T, cases []builtCase) {
	t.Helper()
	for _, tc := range cases {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", tc.name, dt), func(t *testing.T) {
				g := graph.New()
				loss := tc.build(g, dt)
				if err := g.Err(); err != nil {
					t.Fatal(err)
				}
				if loss.Shape().Rank() != 0 || loss.DType() != dt {
					t.Fatalf("loss is %v, want a scalar () %v", loss, dt)
				}
				got := graftest.Eval(t, nil, loss)[0][0]
				if !near(got, tc.want, graftest.Tolerance(dt)) {
					t.Errorf("got %.12g, want %.12g = %s", got, tc.want, tc.formula)
				}
			})
		}
	}
}

// constant adds a constant of dtype dt and the given shape.
func constant(g *graph.Graph, dt graph.DType, shape []int, values ...float64) *graph.Node {
	return g.Const("c", graftest.Tensor(dt, values, shape...))
}

// labels adds int64 class ids as a constant.
func labels(g *graph.Graph, ids ...float64) *graph.Node {
	return g.Const("labels", graftest.Tensor(graph.Int64, ids, len(ids)))
}

// param adds a float64 parameter, a point to check derivatives at.
func param(g *graph.Graph, name string, shape []int, values ...float64) *graph.Node {
	return g.Param(name, graftest.Tensor(tensor.Float64, values, shape...))
}

// derivativeCase is a loss of float64 parameters, whose first and second
// derivatives with respect to them autodiff.CheckDerivatives checks.
type derivativeCase struct {
	name  string
	build func(g *graph.Graph) (loss *graph.Node, wrt []*graph.Node)
	note  string // why the point is away from kinks, if there are any
}

func checkDerivativeCases(t *testing.T, cases []derivativeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := graph.New()
			loss, wrt := tc.build(g)
			if err := autodiff.CheckDerivatives(loss, wrt, nil, autodiff.DefaultTolerance); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPosWeightedBinaryCrossEntropyMatchesHandComputedValues(t *testing.T) {
	ln := math.Log
	sp := func(x float64) float64 { return ln(1 + math.Exp(x)) } // softplus
	z := []float64{0, 2, -3, 1}
	y := []float64{1, 0, 1, 0.5}
	build := func(pw []int, w ...float64) func(g *graph.Graph, dt graph.DType) *graph.Node {
		return func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.BinaryCrossEntropyWithLogitsPosWeight(constant(g, dt, []int{2, 2}, z...), constant(g, dt, []int{2, 2}, y...), constant(g, dt, pw, w...))
		}
	}
	checkBuiltCases(t, []builtCase{
		{name: "pos_weight 1 is BinaryCrossEntropyWithLogits", build: build(nil, 1),
			want:    (ln(2) + sp(2) + sp(3) + 0.5*sp(-1) + 0.5*sp(1)) / 4,
			formula: "(-ln σ(0) - ln(1-σ(2)) - ln σ(-3) + ½·softplus(-1) + ½·softplus(1))/4"},
		{name: "one pos_weight", build: build(nil, 3),
			want:    (3*ln(2) + sp(2) + 3*sp(3) + 1.5*sp(-1) + 0.5*sp(1)) / 4,
			formula: "the positive terms times 3"},
		{name: "a pos_weight per column", build: build([]int{2}, 3, 0.5),
			want:    (3*ln(2) + sp(2) + 3*sp(3) + 0.25*sp(-1) + 0.5*sp(1)) / 4,
			formula: "column 0's positive terms times 3, column 1's times ½"},
		{name: "logits ±1000 and ±40", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			z := constant(g, dt, []int{4}, 1000, -1000, 40, -40)
			return losses.BinaryCrossEntropyWithLogitsPosWeight(z, constant(g, dt, []int{4}, 0, 1, 1, 0), ops.Scalar(g, 2, dt))
		}, want: (1000 + 2*1000 + 2*math.Exp(-40) + math.Exp(-40)) / 4, formula: "(1000 + 2·1000 + 2·e⁻⁴⁰ + e⁻⁴⁰)/4"},
	})
}

// Far on the right side of the boundary, e⁻⁴⁰ keeps its digits, where
// PyTorch's (1-t)·z + (1+(p-1)·t)·softplus(-z) gives 0 for z = -40, t = 0.
func TestPosWeightedBinaryCrossEntropyKeepsTinyLossesAccurate(t *testing.T) {
	g := graph.New()
	z := constant(g, tensor.Float64, []int{2}, -40, 40)
	y := constant(g, tensor.Float64, []int{2}, 0, 1)
	got := graftest.Eval(t, nil, losses.BinaryCrossEntropyWithLogitsPosWeight(z, y, ops.Scalar(g, 3, tensor.Float64)))[0][0]
	if want := 2 * math.Exp(-40); math.Abs(got-want) > 1e-15*want {
		t.Errorf("loss = %v, want %v = (e⁻⁴⁰ + 3·e⁻⁴⁰)/2", got, want)
	}
}

func TestElementwiseLossDerivativesOfBothOrdersMatchCentralDifferences(t *testing.T) {
	pred := []float64{0.1, -0.3, 2.5, -3, 0.6, 1.9}
	target := []float64{0, 0.2, 0, 0, 0.1, -0.4}
	smooth := func(beta float64) func(g *graph.Graph) (*graph.Node, []*graph.Node) {
		return func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			p, y := param(g, "p", []int{2, 3}, pred...), param(g, "y", []int{2, 3}, target...)
			return losses.SmoothL1(p, y, beta), []*graph.Node{p, y}
		}
	}
	const awayFromKinks = "no error is 0 or exactly beta"
	checkDerivativeCases(t, []derivativeCase{
		{name: "SmoothL1 beta 0", build: smooth(0), note: awayFromKinks},
		{name: "SmoothL1 beta 0.7", build: smooth(0.7), note: awayFromKinks},
		{name: "SmoothL1 beta 2", build: smooth(2), note: awayFromKinks},
		{name: "BinaryCrossEntropyWithLogitsPosWeight, one weight", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			z := param(g, "z", []int{2, 3}, -4, -0.5, 0, 0.25, 3, 9)
			y := param(g, "y", []int{2, 3}, 1, 0, 1, 0, 1, 0.2)
			pw := param(g, "pos_weight", nil, 2.5)
			return losses.BinaryCrossEntropyWithLogitsPosWeight(z, y, pw), []*graph.Node{z, y, pw}
		}, note: "smooth everywhere, z = 0 included: softplus has no kink"},
		{name: "BinaryCrossEntropyWithLogitsPosWeight, a weight per column", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			z := param(g, "z", []int{2, 3}, -4, -0.5, 0, 0.25, 3, 9)
			y := param(g, "y", []int{2, 3}, 1, 0, 1, 0, 1, 0.2)
			pw := param(g, "pos_weight", []int{3}, 0.5, 2, 4)
			return losses.BinaryCrossEntropyWithLogitsPosWeight(z, y, pw), []*graph.Node{z, y, pw}
		}},
	})
}
