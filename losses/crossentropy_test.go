package losses_test

import (
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

// Logits of two rows whose log-softmax is easy to write: row 0 is
// (ln 1, ln 3), so softmax (1/4, 3/4); row 1 is (0, 0), softmax (1/2, 1/2).
var twoRows = []float64{0, math.Log(3), 0, 0}

func TestClassLossesMatchHandComputedValues(t *testing.T) {
	ln := math.Log
	lse := ln(math.Exp(1) + math.Exp(2) + math.Exp(3))
	weights := func(g *graph.Graph, dt graph.DType) *graph.Node { return constant(g, dt, []int{2}, 2, 1) }
	checkBuiltCases(t, []builtCase{
		{name: "SoftmaxCrossEntropy, int64 labels", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.SoftmaxCrossEntropy(constant(g, dt, []int{2, 3}, 1, 2, 3, 1, 1, 1), labels(g, 2, 0))
		}, want: (lse - 3 + ln(3)) / 2, formula: "(logsumexp(1,2,3) - 3 + ln 3)/2, as with float labels"},
		{name: "SoftmaxCrossEntropy, int64 labels, logits ±1000", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.SoftmaxCrossEntropy(constant(g, dt, []int{2, 2}, 1000, 0, 0, -1000), labels(g, 0, 1))
		}, want: 500, formula: "(ln(1+e⁻¹⁰⁰⁰) + 1000)/2"},
		{name: "NegativeLogLikelihood", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.NegativeLogLikelihood(constant(g, dt, []int{2, 3}, -1, -2, -3, -0.5, -1.5, -4), labels(g, 2, 0))
		}, want: 1.75, formula: "(3 + 0.5)/2"},
		{name: "NegativeLogLikelihood, -Inf off the labels", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			inf := math.Inf(-1)
			return losses.NegativeLogLikelihood(constant(g, dt, []int{2, 3}, inf, -0.1, inf, -0.5, inf, -1), labels(g, 1, 0))
		}, want: 0.3, formula: "(0.1 + 0.5)/2: the -Inf entries are not picked and make no NaN"},
		{name: "CrossEntropy, ids", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.CrossEntropy(constant(g, dt, []int{2, 2}, twoRows...), labels(g, 1, 0), losses.CrossEntropyOptions{})
		}, want: (-ln(0.75) + ln(2)) / 2, formula: "(-ln 3/4 + ln 2)/2"},
		{name: "CrossEntropy, ids, label smoothing", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.CrossEntropy(constant(g, dt, []int{2, 2}, twoRows...), labels(g, 1, 0), losses.CrossEntropyOptions{LabelSmoothing: 0.2})
		}, want: 0.8*(-ln(0.75)+ln(2))/2 + 0.1*(ln(4)-ln(0.75)+2*ln(2))/2,
			formula: "0.8·(-ln 3/4 + ln 2)/2 + (0.2/2)·(ln 4 - ln 3/4 + ln 2 + ln 2)/2"},
		{name: "CrossEntropy, ids, weights", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.CrossEntropy(constant(g, dt, []int{2, 2}, twoRows...), labels(g, 1, 0), losses.CrossEntropyOptions{Weights: weights(g, dt)})
		}, want: (-ln(0.75) + 2*ln(2)) / 3, formula: "(w₁·(-ln 3/4) + w₀·ln 2)/(w₁ + w₀) with w = (2, 1): divided by the targets' weights"},
		{name: "CrossEntropy, ids, weights and label smoothing", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			opts := losses.CrossEntropyOptions{Weights: weights(g, dt), LabelSmoothing: 0.2}
			return losses.CrossEntropy(constant(g, dt, []int{2, 2}, twoRows...), labels(g, 1, 0), opts)
		}, want: 0.8*(-ln(0.75)+2*ln(2))/3 + 0.1*(2*ln(4)-ln(0.75)+2*ln(2)+ln(2))/3,
			formula: "0.8·(-ln 3/4 + 2 ln 2)/3 + 0.1·(2 ln 4 - ln 3/4 + 2 ln 2 + ln 2)/3: both terms over Σ w[yᵢ] = 3"},
		{name: "CrossEntropy, ids, label smoothing 1", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.CrossEntropy(constant(g, dt, []int{2, 2}, twoRows...), labels(g, 1, 0), losses.CrossEntropyOptions{LabelSmoothing: 1})
		}, want: (ln(4) - ln(0.75) + 2*ln(2)) / 4, formula: "the uniform target alone: (ln 4 - ln 3/4 + 2 ln 2)/(2·2)"},
		{name: "CrossEntropy, probabilities", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			probs := constant(g, dt, []int{2, 2}, 0.5, 0.5, 1, 0)
			return losses.CrossEntropy(constant(g, dt, []int{2, 2}, twoRows...), probs, losses.CrossEntropyOptions{})
		}, want: (0.5*ln(4) - 0.5*ln(0.75) + ln(2)) / 2, formula: "(½ ln 4 - ½ ln 3/4 + ln 2)/2"},
		{name: "CrossEntropy, probabilities, weights and label smoothing", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			probs := constant(g, dt, []int{2, 2}, 0.5, 0.5, 1, 0)
			opts := losses.CrossEntropyOptions{Weights: weights(g, dt), LabelSmoothing: 0.2}
			return losses.CrossEntropy(constant(g, dt, []int{2, 2}, twoRows...), probs, opts)
		}, want: (2*0.5*ln(4) - 0.5*ln(0.75) + 2*0.9*ln(2) + 0.1*ln(2)) / 2,
			formula: "t' = 0.8·t + 0.1 = ((½, ½), (0.9, 0.1)); Σ w·t'·(-lp)/2, over the batch, not the weights"},
		{name: "SoftTargetCrossEntropy", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			probs := constant(g, dt, []int{2, 2}, 0.25, 0.75, 0.5, 0.5)
			return losses.SoftTargetCrossEntropy(constant(g, dt, []int{2, 2}, twoRows...), probs)
		}, want: (0.25*ln(4) - 0.75*ln(0.75) + ln(2)) / 2, formula: "(¼ ln 4 - ¾ ln 3/4 + ln 2)/2"},
		{name: "SoftTargetCrossEntropy of one-hot rows", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			probs := constant(g, dt, []int{2, 3}, 0, 0, 1, 1, 0, 0)
			return losses.SoftTargetCrossEntropy(constant(g, dt, []int{2, 3}, 1, 2, 3, 1, 1, 1), probs)
		}, want: (lse - 3 + ln(3)) / 2, formula: "SoftmaxCrossEntropy's value for labels (2, 0)"},
	})
}

func TestClassLossDerivativesOfBothOrdersMatchCentralDifferences(t *testing.T) {
	logits := []float64{0.2, -1, 3, 0.5, 1, 1.1, 0.9, 1, -2, 0.3, 0.1, 4}
	probs := []float64{0.1, 0.2, 0.3, 0.4, 0.25, 0.25, 0.25, 0.25, 0, 0, 0.5, 0.5}
	checkDerivativeCases(t, []derivativeCase{
		{name: "SoftmaxCrossEntropy, int64 labels", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			z := param(g, "z", []int{3, 4}, logits...)
			return losses.SoftmaxCrossEntropy(z, labels(g, 2, 0, 1)), []*graph.Node{z}
		}},
		{name: "NegativeLogLikelihood", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			lp := param(g, "lp", []int{3, 4}, logits...) // NLL reads any numbers as log-probabilities
			return losses.NegativeLogLikelihood(lp, labels(g, 2, 0, 3)), []*graph.Node{lp}
		}},
		{name: "CrossEntropy, ids, weights and label smoothing", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			z, w := param(g, "z", []int{3, 4}, logits...), param(g, "w", []int{4}, 0.5, 2, 1.25, 0.75)
			opts := losses.CrossEntropyOptions{Weights: w, LabelSmoothing: 0.1}
			return losses.CrossEntropy(z, labels(g, 2, 0, 2), opts), []*graph.Node{z, w}
		}},
		{name: "CrossEntropy, probabilities, weights and label smoothing", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			z, w := param(g, "z", []int{3, 4}, logits...), param(g, "w", []int{4}, 0.5, 2, 1.25, 0.75)
			p := param(g, "p", []int{3, 4}, probs...)
			opts := losses.CrossEntropyOptions{Weights: w, LabelSmoothing: 0.1}
			return losses.CrossEntropy(z, p, opts), []*graph.Node{z, w, p}
		}},
		{name: "SoftTargetCrossEntropy", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			z, p := param(g, "z", []int{3, 4}, logits...), param(g, "p", []int{3, 4}, probs...)
			return losses.SoftTargetCrossEntropy(z, p), []*graph.Node{z, p}
		}},
	})
}

// A label out of range is the loss's run error, found before any step
// computes, naming the loss and the line that built it.
func TestClassIDsOutOfRangeAreRunErrorsNamingTheLoss(t *testing.T) {
	build := []struct {
		loss  string
		build func(z, y *graph.Node) (*graph.Node, int)
	}{
		{"SoftmaxCrossEntropy", func(z, y *graph.Node) (*graph.Node, int) {
			return losses.SoftmaxCrossEntropy(z, y), graftest.CallerLine()
		}},
		{"NegativeLogLikelihood", func(z, y *graph.Node) (*graph.Node, int) {
			return losses.NegativeLogLikelihood(z, y), graftest.CallerLine()
		}},
		{"CrossEntropy", func(z, y *graph.Node) (*graph.Node, int) {
			opts := losses.CrossEntropyOptions{Weights: ops.OnesLike(ops.Sum(z, 0)), LabelSmoothing: 0.1}
			return losses.CrossEntropy(z, y, opts), graftest.CallerLine()
		}},
	}
	for _, b := range build {
		for _, bad := range []struct {
			ids  []float64
			want string
		}{
			{[]float64{0, 3}, "label 3 (row 1) names no class: a class id is from 0 to 2"},
			{[]float64{-1, 0}, "label -1 (row 0) names no class"},
		} {
			t.Run(fmt.Sprintf("%s/%v", b.loss, bad.ids), func(t *testing.T) {
				g := graph.New()
				z := g.Input("z", tensor.Float64, 2, 3)
				y := g.Input("y", graph.Int64, 2)
				loss, line := b.build(z, y)
				prog, err := graph.Compile(loss)
				if err != nil {
					t.Fatal(err)
				}
				feeds := graph.Feeds{z: graftest.Tensor(tensor.Float64, []float64{1, 2, 3, 4, 5, 6}, 2, 3), y: graftest.Tensor(graph.Int64, bad.ids, 2)}
				_, err = prog.Run(feeds)
				if err == nil {
					t.Fatalf("Run succeeded with labels %v for 3 classes", bad.ids)
				}
				for _, w := range []string{fmt.Sprintf("graft: Run: %s built at losses/crossentropy_test.go:%d", b.loss, line), bad.want} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				feeds[y] = graftest.Tensor(graph.Int64, []float64{0, 2}, 2)
				if _, err := prog.Run(feeds); err != nil {
					t.Errorf("after a bad batch, a good one: %v", err)
				}
			})
		}
	}
}

// A training step's loss and gradient, with int64 labels fed each run,
// allocate nothing once compiled: the label check included.
func TestClassLossesRunWithoutAllocating(t *testing.T) {
	g := graph.New()
	z := g.Param("z", graftest.Tensor(tensor.Float32, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, 3))
	y := g.Input("y", graph.Int64, 4)
	w := g.Param("w", graftest.Tensor(tensor.Float32, []float64{1, 2, 0.5}, 3))
	lp := ops.LogSoftmax(z, 1)
	total := ops.Add(ops.Add(
		losses.CrossEntropy(z, y, losses.CrossEntropyOptions{Weights: w, LabelSmoothing: 0.1}),
		losses.SoftmaxCrossEntropy(z, y)),
		losses.NegativeLogLikelihood(lp, y))
	grads, err := autodiff.Grad(total, z, w)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := graph.Compile(append([]*graph.Node{total}, grads...)...)
	if err != nil {
		t.Fatal(err)
	}
	feeds := graph.Feeds{y: graftest.Tensor(graph.Int64, []float64{2, 0, 1, 2}, 4)}
	if _, err := prog.Run(feeds); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = prog.Run(feeds) }); n != 0 {
		t.Errorf("Run allocates %v times per call, want 0", n)
	}
}
