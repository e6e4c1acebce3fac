package train_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/data"
	"graft/graph"
	"graft/layers"
	"graft/losses"
	"graft/optim"
	"graft/train"
)

// flaky is a Dataset of the user's, not a *data.Tensors: it reads rows
// from an in-memory dataset and fails its call number failAt (from 1; 0
// never fails).
type flaky struct {
	*data.Tensors
	calls, failAt int
}

var errDiskGone = errors.New("the disk went away")

func (f *flaky) Batch(rows []int, x, y *tensor.Dense) error {
	f.calls++
	if f.calls == f.failAt {
		return errDiskGone
	}
	return f.Tensors.Batch(rows, x, y)
}

func mustTensors(t *testing.T, x, y *tensor.Dense) *data.Tensors {
	t.Helper()
	d, err := data.FromTensors(x, y)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// regression returns 23 rows of two inputs and one target, and a fresh
// two-layer model for them.
func regression() (x, y *tensor.Dense, g *graph.Graph, m *layers.Model, net layers.Sequential) {
	xs, ys := make([]float64, 23*2), make([]float64, 23)
	for i := range xs {
		xs[i] = float64(i%5) - 2 + float64(i)/50
	}
	for i := range ys {
		ys[i] = float64(i%3) - 1
	}
	g = graph.New()
	m = layers.NewModel(2)
	net = layers.Sequential{m.Dense(4, activations.Tanh), m.Dense(1, nil)}
	return f64s([]int{23, 2}, xs...), f64s([]int{23, 1}, ys...), g, m, net
}

func sameBits(t *testing.T, what string, a, b []float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d numbers and %d", what, len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("%s %d: %v and %v", what, i, a[i], b[i])
		}
	}
}

// FitDataset visits the rows Fit does for the same Seed, so on the same
// data it ends with the same weights and History, bit for bit: with a
// shuffle and a partial last batch, with a validation split, and with
// validation data given as a Dataset rather than as tensors.
func TestFitDatasetGivesFitsNumbers(t *testing.T) {
	vx, vy := f64s([]int{3, 2}, 0.5, -1, 1, 2, -2, 0), f64s([]int{3, 1}, 1, 0, -1)
	cases := []struct {
		name         string
		tensor, data train.Config
	}{
		{"shuffled", train.Config{Epochs: 3, BatchSize: 5, Seed: 4}, train.Config{}},
		{"in order", train.Config{Epochs: 2, BatchSize: 7, NoShuffle: true}, train.Config{}},
		{"validation split", train.Config{Epochs: 3, BatchSize: 4, Seed: 9, ValidationSplit: 0.25, Metrics: []train.Meter{train.MeanAbsoluteError()}}, train.Config{}},
		{"validation data", train.Config{Epochs: 3, BatchSize: 6, Seed: 2, ValidationX: vx, ValidationY: vy, ValidationBatchSize: 2},
			train.Config{Epochs: 3, BatchSize: 6, Seed: 2, ValidationData: &flaky{Tensors: mustTensors(t, vx, vy)}, ValidationBatchSize: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := func(dataset bool) ([]float64, train.History) {
				x, y, g, m, net := regression()
				model := train.NewModel(g, net.Apply, losses.MeanSquaredError)
				var h train.History
				var err error
				if dataset {
					cfg := c.data
					if cfg.Epochs == 0 {
						cfg = c.tensor
					}
					h, err = model.FitDataset(optim.NewAdam(0.01), &flaky{Tensors: mustTensors(t, x, y)}, cfg)
				} else {
					h, err = model.Fit(optim.NewAdam(0.01), x, y, c.tensor)
				}
				if err != nil {
					t.Fatal(err)
				}
				var w []float64
				for _, p := range m.Params() {
					w = append(w, p.Value().Float64s()...)
				}
				return w, h
			}
			wt, ht := run(false)
			wd, hd := run(true)
			sameBits(t, "weight", wt, wd)
			if len(ht.Metrics) != len(hd.Metrics) || ht.Steps != hd.Steps {
				t.Fatalf("History of Fit %v (%d steps), of FitDataset %v (%d steps)", ht.Metrics, ht.Steps, hd.Metrics, hd.Steps)
			}
			for name, v := range ht.Metrics {
				sameBits(t, name, v, hd.Metrics[name])
			}
		})
	}
}

// PredictDataset and EvaluateDataset give the tensor forms' numbers, with
// a partial last batch.
func TestPredictAndEvaluateDatasetGiveTheTensorNumbers(t *testing.T) {
	x, y, g, _, net := regression()
	model := train.NewModel(g, net.Apply, losses.MeanSquaredError)
	ds := &flaky{Tensors: mustTensors(t, x, y)}
	want, err := model.Predict(x, 5)
	if err != nil {
		t.Fatal(err)
	}
	got, err := model.PredictDataset(ds, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !graph.Shape(got.Shape()).Equal(graph.Shape(want.Shape())) {
		t.Fatalf("PredictDataset shape %v, Predict %v", got.Shape(), want.Shape())
	}
	sameBits(t, "prediction", want.Float64s(), got.Float64s())
	inputsOnly := mustTensors(t, x, nil) // Predict needs no targets
	if got, err = model.PredictDataset(inputsOnly, 0); err != nil {
		t.Fatal(err)
	}
	sameBits(t, "prediction of inputs only", want.Float64s(), got.Float64s())

	ws, err := model.Evaluate(x, y, 4, train.MeanAbsoluteError())
	if err != nil {
		t.Fatal(err)
	}
	gs, err := model.EvaluateDataset(ds, 4, train.MeanAbsoluteError())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"loss", "mae"} {
		if math.Float64bits(ws[name]) != math.Float64bits(gs[name]) {
			t.Errorf("%s: Evaluate %v, EvaluateDataset %v", name, ws[name], gs[name])
		}
	}
}

// An error from the dataset's Batch stops FitDataset with that error, after
// the steps whose batches were read, and stops PredictDataset and
// EvaluateDataset too.
func TestDatasetBatchErrorStopsFit(t *testing.T) {
	for _, failAt := range []int{1, 3, 6} { // 5 steps an epoch: the 6th read is epoch 2's first
		x, y, g, _, net := regression()
		model := train.NewModel(g, net.Apply, losses.MeanSquaredError)
		h, err := model.FitDataset(optim.NewSGD(0.1), &flaky{Tensors: mustTensors(t, x, y), failAt: failAt}, train.Config{Epochs: 3, BatchSize: 5})
		if !errors.Is(err, errDiskGone) {
			t.Fatalf("failing read %d: error %v, want %v", failAt, err, errDiskGone)
		}
		if h.Steps != failAt-1 {
			t.Errorf("failing read %d: %d steps taken, want %d", failAt, h.Steps, failAt-1)
		}
	}
	x, y, g, _, net := regression()
	model := train.NewModel(g, net.Apply, losses.MeanSquaredError)
	if _, err := model.PredictDataset(&flaky{Tensors: mustTensors(t, x, y), failAt: 2}, 10); !errors.Is(err, errDiskGone) {
		t.Errorf("PredictDataset: %v, want %v", err, errDiskGone)
	}
	if _, err := model.EvaluateDataset(&flaky{Tensors: mustTensors(t, x, y), failAt: 1}, 10); !errors.Is(err, errDiskGone) {
		t.Errorf("EvaluateDataset: %v, want %v", err, errDiskGone)
	}
	bad := &flaky{Tensors: mustTensors(t, x, y), failAt: 2}
	_, err := model.Fit(optim.NewSGD(0.1), x, y, train.Config{Epochs: 1, BatchSize: 5, ValidationData: bad})
	if !errors.Is(err, errDiskGone) {
		t.Errorf("Fit with failing ValidationData: %v, want %v", err, errDiskGone)
	}
}

// A dataset the call cannot use is an error naming the call.
func TestDatasetFormsRejectBadInput(t *testing.T) {
	x, y, g, _, net := regression()
	model := train.NewModel(g, net.Apply, losses.MeanSquaredError)
	ds := mustTensors(t, x, y)
	inputsOnly := mustTensors(t, x, nil)
	otherRows := mustTensors(t, f64s([]int{2, 3}, 1, 2, 3, 4, 5, 6), f64s([]int{2, 1}, 1, 2))
	fit := func(d data.Dataset, cfg train.Config) error {
		_, err := model.FitDataset(optim.NewSGD(0.1), d, cfg)
		return err
	}
	cfg := train.Config{Epochs: 1, BatchSize: 4}
	withVal := func(c train.Config) train.Config { c.ValidationData = ds; return c }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"nil dataset", fit(nil, cfg), "graft: FitDataset: the dataset is nil"},
		{"no targets", fit(inputsOnly, cfg), "graft: FitDataset: the dataset has no targets"},
		{"no epochs", fit(ds, train.Config{BatchSize: 4}), "graft: Fit: Epochs is 0"},
		{"no batch size", fit(ds, train.Config{Epochs: 1}), "graft: Fit: BatchSize is 0"},
		{"nil optimizer", func() error { _, err := model.FitDataset(nil, ds, cfg); return err }(), "graft: FitDataset: the optimizer is nil"},
		{"validation data and split", fit(ds, func() train.Config { c := withVal(cfg); c.ValidationSplit = 0.5; return c }()), "give one of ValidationData"},
		{"validation data and tensors", fit(ds, func() train.Config { c := withVal(cfg); c.ValidationX, c.ValidationY = x, y; return c }()), "give one of ValidationData"},
		{"validation data without targets", fit(ds, func() train.Config { c := cfg; c.ValidationData = inputsOnly; return c }()), "graft: Fit: ValidationData: the dataset has no targets"},
		{"validation rows of another shape", fit(ds, func() train.Config { c := cfg; c.ValidationData = otherRows; return c }()), "validation rows are float64 (3,), training rows float64 (2,)"},
		{"predict nil", func() error { _, err := model.PredictDataset(nil, 0); return err }(), "graft: PredictDataset: the dataset is nil"},
		{"predict batch size", func() error { _, err := model.PredictDataset(ds, -1); return err }(), "graft: PredictDataset: batch size -1"},
		{"evaluate without targets", func() error { _, err := model.EvaluateDataset(inputsOnly, 0); return err }(), "graft: EvaluateDataset: the dataset has no targets"},
		{"evaluate batch size", func() error { _, err := model.EvaluateDataset(ds, -2); return err }(), "graft: EvaluateDataset: batch size -2"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}
