package train_test

import (
	"bytes"
	"math"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/losses"
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
	if c, n, err := train.BinaryAccuracy(0.5)(pred, target); c != 2 || n != 4 || err != nil {
		t.Errorf("binary accuracy %d/%d (%v), want 2/4", c, n, err)
	}
	logits := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{1, 5, 2, 0, 0, 9, 7, 1, 1}))
	labels := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 0, 0}))
	if c, n, err := train.SparseCategoricalAccuracy(logits, labels); c != 2 || n != 3 || err != nil {
		t.Errorf("categorical accuracy %d/%d (%v), want 2/3", c, n, err)
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

func TestFitRejectsEmptyData(t *testing.T) {
	g := graph.New()
	x := tensor.New(tensor.WithShape(0, 1), tensor.Of(tensor.Float64))
	y := tensor.New(tensor.WithShape(0, 1), tensor.Of(tensor.Float64))
	_, err := train.Fit(g, linear(g), mse, sgd{lr: 0.1}, x, y, train.Config{Epochs: 1, BatchSize: 1})
	if err == nil || !strings.Contains(err.Error(), "holds no examples") {
		t.Errorf("Fit error %v, want it to say there are no examples", err)
	}
}

// ParamsOf walks a graph with a build error (an op given a nil input)
// without panicking, and still finds the parameters it can reach.
func TestParamsOfToleratesANilInput(t *testing.T) {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})))
	y := ops.Add(ops.Mul(w, nil), w)
	if got := train.ParamsOf(y); len(got) != 1 || got[0] != w {
		t.Errorf("ParamsOf = %v, want [w]", got)
	}
}

func TestFitRejectsNilArgumentsWithoutPanicking(t *testing.T) {
	x, y := lineData(4)
	cfg := train.Config{Epochs: 1, BatchSize: 2}
	g := graph.New()
	for _, tc := range []struct {
		name    string
		g       *graph.Graph
		forward activations.Func
		loss    losses.Func
		opt     train.Optimizer
		want    string
	}{
		{"nil graph", nil, linear(g), mse, sgd{lr: 0.1}, "graft: Fit: the graph is nil"},
		{"nil forward", g, nil, mse, sgd{lr: 0.1}, "graft: Fit: the model function forward is nil"},
		{"nil loss", g, linear(g), nil, sgd{lr: 0.1}, "graft: Fit: the loss function is nil"},
		{"nil optimizer", g, linear(g), mse, nil, "graft: Fit: the optimizer is nil"},
	} {
		if _, err := train.Fit(tc.g, tc.forward, tc.loss, tc.opt, x, y, cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Fit error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestFitRejectsAModelOrLossThatReturnsNilOrAForeignNode(t *testing.T) {
	x, y := lineData(4)
	cfg := train.Config{Epochs: 1, BatchSize: 2}
	other := graph.New().Input("elsewhere", tensor.Float64, 2, 1)
	for _, tc := range []struct {
		name    string
		forward func(g *graph.Graph) activations.Func
		loss    losses.Func
		want    string
	}{
		{"forward returns nil", func(*graph.Graph) activations.Func {
			return func(*graph.Node) *graph.Node { return nil }
		}, mse, "graft: Fit: the model function forward returned nil"},
		{"forward returns a node of another graph", func(*graph.Graph) activations.Func {
			return func(*graph.Node) *graph.Node { return other }
		}, mse, "the model function forward returned elsewhere (2, 1) float64, a node of another graph"},
		{"loss returns nil", func(g *graph.Graph) activations.Func { return linear(g) }, func(p, t *graph.Node) *graph.Node { return nil },
			"graft: Fit: the loss function returned nil"},
	} {
		g := graph.New()
		if _, err := train.Fit(g, tc.forward(g), tc.loss, sgd{lr: 0.1}, x, y, cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Fit error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// A metric that cannot compare the predictions with the targets is an
// error, never a panic or a wrong accuracy.
func TestMetricsRejectShapesTheyCannotCompare(t *testing.T) {
	f64 := func(shape []int, data ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	}
	// A (batch, 1) sigmoid output that is right every time: argmax over one
	// column is always class 0, which once reported 0.50.
	sigmoid := f64([]int{4, 1}, 0.9, 0.1, 0.8, 0.2)
	labels := f64([]int{4}, 1, 0, 1, 0)
	softmax := f64([]int{4, 2}, 0.1, 0.9, 0.9, 0.1, 0.2, 0.8, 0.8, 0.2)
	view, err := f64([]int{4, 2}, 1, 0, 1, 0, 1, 0, 1, 0).Slice(nil, tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	binary, sparse := train.BinaryAccuracy(0.5), train.SparseCategoricalAccuracy
	for _, tc := range []struct {
		name         string
		metric       train.Metric
		pred, target *tensor.Dense
		want         string
	}{
		{"binary accuracy of a softmax output", binary, softmax, labels,
			"graft: BinaryAccuracy: pred has shape (4, 2) and target (4,); it compares them element by element"},
		{"binary accuracy with fewer targets", binary, sigmoid, f64([]int{2}, 1, 0), "pred has shape (4, 1) and target (2,)"},
		{"sparse accuracy of a sigmoid output", sparse, sigmoid, labels,
			"graft: SparseCategoricalAccuracy: pred has shape (4, 1), one score per row, not one per class; count a single probability or logit with BinaryAccuracy"},
		{"sparse accuracy of a vector", sparse, labels, labels, "pred has shape (4,); it needs (batch, classes)"},
		{"sparse accuracy with one-hot targets", sparse, softmax, softmax, "target has shape (4, 2); for pred (4, 2) it needs (4,)"},
		{"sparse accuracy with a label past the last class", sparse, softmax, f64([]int{4}, 1, 0, 2, 0),
			"target[2] is 2; a class index is a whole number from 0 to 1"},
		{"sparse accuracy with a fractional label", sparse, softmax, f64([]int{4}, 1, 0.5, 1, 0), "target[1] is 0.5"},
		{"nil prediction", binary, nil, labels, "graft: BinaryAccuracy: pred is nil"},
		{"int targets", sparse, softmax, tensor.New(tensor.WithShape(4), tensor.WithBacking([]int{1, 0, 1, 0})), "target is int"},
		{"a view", binary, view.(*tensor.Dense), labels, "pred is a non-contiguous view"},
		{"a zero tensor", sparse, &tensor.Dense{}, labels, "pred is no dtype; graft computes in float32 and float64"},
	} {
		c, n, err := tc.metric(tc.pred, tc.target)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %d/%d, error %v; want an error containing %q", tc.name, c, n, err, tc.want)
		}
	}
}

// The shapes the metrics accept: one probability per row against targets as
// a vector or a column, and class scores against a vector or a column of
// class indices.
func TestMetricsAcceptAVectorOrAColumnOfTargets(t *testing.T) {
	f64 := func(shape []int, data ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	}
	sigmoid := f64([]int{4, 1}, 0.9, 0.1, 0.8, 0.2)
	scores := f64([]int{4, 2}, 0.1, 0.9, 0.9, 0.1, 0.2, 0.8, 0.8, 0.2)
	for _, tc := range []struct {
		name         string
		metric       train.Metric
		pred, target *tensor.Dense
	}{
		{"binary, vector targets", train.BinaryAccuracy(0.5), sigmoid, f64([]int{4}, 1, 0, 1, 0)},
		{"binary, column targets", train.BinaryAccuracy(0.5), sigmoid, f64([]int{4, 1}, 1, 0, 1, 0)},
		{"sparse, vector targets", train.SparseCategoricalAccuracy, scores, f64([]int{4}, 1, 0, 1, 0)},
		{"sparse, column targets", train.SparseCategoricalAccuracy, scores, f64([]int{4, 1}, 1, 0, 1, 0)},
	} {
		if c, n, err := tc.metric(tc.pred, tc.target); c != 4 || n != 4 || err != nil {
			t.Errorf("%s: %d/%d (%v), want 4/4", tc.name, c, n, err)
		}
	}
}

// Fit runs the metric before the optimizer step, so a metric that rejects
// the model's output stops Fit with its error and no parameter has moved.
func TestFitStopsOnAMetricErrorBeforeTheFirstStep(t *testing.T) {
	g := graph.New()
	model, w, b := linearWithParams(g)
	x, y := lineData(4)
	h, err := train.Fit(g, model, mse, sgd{lr: 0.1}, x, y,
		train.Config{Epochs: 2, BatchSize: 2, Metric: train.SparseCategoricalAccuracy})
	if err == nil || !strings.Contains(err.Error(), "graft: SparseCategoricalAccuracy: pred has shape (2, 1)") {
		t.Fatalf("Fit error %v, want SparseCategoricalAccuracy's shape error", err)
	}
	if h.Steps != 0 || w.Value().Float64s()[0] != 0 || b.Value().Float64s()[0] != 0 {
		t.Errorf("after the error: %d steps, w = %v, b = %v; want no step taken", h.Steps, w.Value().Float64s(), b.Value().Float64s())
	}
}

// Fits on separate graphs with separate optimizers share nothing and may run
// in parallel, as the package documentation says; under -race this proves
// it. Each learns its line as it would alone.
func TestFitsOnSeparateGraphsRunInParallel(t *testing.T) {
	const fits = 3
	var wg sync.WaitGroup
	results := make([]float64, fits)
	errs := make([]error, fits)
	for i := range fits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := graph.New()
			model, w, _ := linearWithParams(g)
			x, y := lineData(10)
			_, errs[i] = train.Fit(g, model, mse, sgd{lr: 0.1}, x, y, train.Config{Epochs: 50, BatchSize: 4, Seed: 1})
			results[i] = w.Value().Float64s()[0]
		}()
	}
	wg.Wait()
	for i := range fits {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if results[i] != results[0] {
			t.Errorf("fit %d ended with w = %v, fit 0 with %v; want the same bits", i, results[i], results[0])
		}
	}
}
