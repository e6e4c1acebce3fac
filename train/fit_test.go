package train_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
	"graft/train"
)

// sgd is a plain gradient-descent step, so these tests need no optimizer
// package.
type sgd struct{ lr float64 }

func (o sgd) Step(params []*graph.Node, grads []*tensor.Dense) error {
	for i, p := range params {
		w, g := p.Value().Float64s(), grads[i].Float64s()
		for j := range w {
			w[j] -= o.lr * g[j]
		}
	}
	return nil
}

// linear returns a model y = x·w + b with its parameters in g.
func linear(g *graph.Graph) func(x *graph.Node) *graph.Node {
	model, _, _ := linearWithParams(g)
	return model
}

func linearWithParams(g *graph.Graph) (model func(x *graph.Node) *graph.Node, w, b *graph.Node) {
	w = g.Param("w", tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0})))
	b = g.Param("b", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})))
	return func(x *graph.Node) *graph.Node { return ops.Add(ops.MatMul(x, w), b) }, w, b
}

func mse(pred, target *graph.Node) *graph.Node { return ops.Mean(ops.Square(ops.Sub(pred, target))) }

// lineData is y = 2x + 1 at x = 0, 0.1, ..., (n-1)/10.
func lineData(n int) (*tensor.Dense, *tensor.Dense) {
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i] = float64(i) / 10
		ys[i] = 2*xs[i] + 1
	}
	return tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

func TestFitLearnsALineWithAPartialLastBatch(t *testing.T) {
	g := graph.New()
	model, w, b := linearWithParams(g)
	x, y := lineData(10)
	h, err := train.Fit(g, model, mse, sgd{lr: 0.1}, x, y, train.Config{Epochs: 400, BatchSize: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if h.Steps != 400*3 { // batches of 4, 4 and 2
		t.Errorf("steps = %d, want 1200", h.Steps)
	}
	if len(h.Loss) != 400 || h.Loss[399] > 1e-6 || h.Loss[0] < h.Loss[399] {
		t.Errorf("loss went from %g to %g over %d epochs; want it below 1e-6", h.Loss[0], h.Loss[len(h.Loss)-1], len(h.Loss))
	}
	if got := w.Value().Float64s()[0]; math.Abs(got-2) > 1e-3 {
		t.Errorf("w = %g, want 2", got)
	}
	if got := b.Value().Float64s()[0]; math.Abs(got-1) > 1e-3 {
		t.Errorf("b = %g, want 1", got)
	}
}

func TestFitIsDeterministicForASeed(t *testing.T) {
	run := func(seed uint64) []float64 {
		g := graph.New()
		x, y := lineData(9)
		h, err := train.Fit(g, linear(g), mse, sgd{lr: 0.05}, x, y, train.Config{Epochs: 5, BatchSize: 2, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return h.Loss
	}
	a, b, c := run(7), run(7), run(8)
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("epoch %d: loss %v then %v with the same seed", i, a[i], b[i])
		}
	}
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Error("seeds 7 and 8 gave the same losses; the shuffle ignores the seed")
	}
}

func TestFitReportsAccuracyAndProgress(t *testing.T) {
	g := graph.New()
	x := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{-2, -1, 1, 2}))
	y := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0, 0, 1, 1}))
	var out bytes.Buffer
	h, err := train.Fit(g, linear(g), mse, sgd{lr: 0.1}, x, y,
		train.Config{Epochs: 3, BatchSize: 4, Metric: train.BinaryAccuracy(0.5), Progress: &out, ProgressMode: train.ProgressLines})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "Epoch 1/3 - loss: ") || !strings.Contains(lines[2], "accuracy: ") {
		t.Errorf("progress = %q", out.String())
	}
	if len(h.Accuracy) != 3 {
		t.Fatalf("accuracy history %v, want 3 epochs", h.Accuracy)
	}
	// One full-batch step from w = b = 0 with lr 0.1: dL/dw = -2·mean(x·y) =
	// -1.5 and dL/db = -2·mean(y) = -1, so w = 0.15, b = 0.1 and the epoch-2
	// predictions are -0.2, -0.05, 0.25, 0.4: two right (the zeros) out of 4.
	// Epoch 1 predicted 0 everywhere: the two zero targets are right too.
	if h.Accuracy[0] != 0.5 || h.Accuracy[1] != 0.5 {
		t.Errorf("accuracy %v, want 0.5 in epochs 1 and 2", h.Accuracy)
	}
}

func TestFitRejectsBadConfig(t *testing.T) {
	x, y := lineData(4)
	short, _ := lineData(3)
	cases := []struct {
		name string
		x, y *tensor.Dense
		cfg  train.Config
		want string
	}{
		{"no epochs", x, y, train.Config{Epochs: 0, BatchSize: 1}, "Epochs is 0"},
		{"no batch", x, y, train.Config{Epochs: 1, BatchSize: 0}, "BatchSize is 0"},
		{"row mismatch", x, short, train.Config{Epochs: 1, BatchSize: 1}, "x has 4 examples"},
		{"nil data", nil, y, train.Config{Epochs: 1, BatchSize: 1}, "must not be nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			_, err := train.Fit(g, linear(g), mse, sgd{lr: 0.1}, c.x, c.y, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestFitReportsAModelBuildError(t *testing.T) {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{1, 2, 3})))
	x, y := lineData(4)
	_, err := train.Fit(g, func(x *graph.Node) *graph.Node { return ops.MatMul(x, w) }, mse, sgd{lr: 0.1}, x, y,
		train.Config{Epochs: 1, BatchSize: 2})
	if err == nil || !strings.Contains(err.Error(), "MatMul") || !strings.Contains(err.Error(), "fit_test.go:") {
		t.Errorf("error %v, want the MatMul shape error with this file's line", err)
	}
}

func TestMetricsCountByHand(t *testing.T) {
	pred := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{0.9, 0.4, 0.6, 0.1}))
	target := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{1, 1, 0, 0}))
	if c, n := train.BinaryAccuracy(0.5)(pred, target); c != 2 || n != 4 {
		t.Errorf("binary accuracy %d/%d, want 2/4", c, n)
	}
	logits := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{1, 5, 2, 0, 0, 9, 7, 1, 1}))
	labels := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 0, 0}))
	if c, n := train.SparseCategoricalAccuracy(logits, labels); c != 2 || n != 3 {
		t.Errorf("categorical accuracy %d/%d, want 2/3", c, n)
	}
}

// By default progress goes only to a terminal: a log or a pipe stays clean.
func TestFitIsQuietOnANonTerminalByDefault(t *testing.T) {
	g := graph.New()
	x, y := lineData(4)
	var out bytes.Buffer
	if _, err := train.Fit(g, linear(g), mse, sgd{lr: 0.1}, x, y, train.Config{Epochs: 2, BatchSize: 4, Progress: &out}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("Fit wrote %q to a buffer in ProgressAuto mode; want nothing", out.String())
	}
}
