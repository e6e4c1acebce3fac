package train_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/layers"
	"graft/losses"
	"graft/ops"
	"graft/train"
)

// mlp returns a 2-16-3 network on g with its parameters created, and rows
// rows of inputs for it.
func mlp(t *testing.T, g *graph.Graph, rows int) (activations.Func, *tensor.Dense) {
	t.Helper()
	m := layers.NewModel(3)
	net := layers.Sequential{m.Dense(16, activations.ReLU), m.Dense(3, nil)}
	data := make([]float64, rows*2)
	for i := range data {
		data[i] = math.Sin(float64(i)*0.7) * 2
	}
	x, err := graph.NewTensor(tensor.Float64, data, rows, 2)
	if err != nil {
		t.Fatal(err)
	}
	return net.Apply, x
}

// Predict at batch sizes 1, 7 and 64 gives, row for row and bit for bit,
// what programs compiled by hand for those batch sizes (and for the last
// partial batch) give.
func TestPredictMatchesSeparateCompilesBitForBit(t *testing.T) {
	g := graph.New()
	forward, x := mlp(t, g, 64)
	model := train.NewModel(g, forward, nil)
	xs := x.Float64s()
	for _, batch := range []int{1, 7, 64} {
		got, err := model.Predict(x, batch)
		if err != nil {
			t.Fatal(err)
		}
		if s := graph.Shape(got.Shape()); !s.Equal(graph.Shape{64, 3}) {
			t.Fatalf("batch %d: predictions of shape %v, want (64, 3)", batch, s)
		}
		progs := map[int]*graph.Program{}
		inputs := map[int]*graph.Node{}
		for start := 0; start < 64; start += batch {
			rows := min(batch, 64-start)
			if progs[rows] == nil {
				inputs[rows] = g.Input("by hand", tensor.Float64, rows, 2)
				p, err := graph.Compile(forward(inputs[rows]))
				if err != nil {
					t.Fatal(err)
				}
				progs[rows] = p
			}
			in := tensor.New(tensor.WithShape(rows, 2), tensor.WithBacking(append([]float64(nil), xs[start*2:(start+rows)*2]...)))
			out, err := progs[rows].Run(graph.Feeds{inputs[rows]: in})
			if err != nil {
				t.Fatal(err)
			}
			want := out[0].Float64s()
			for i, w := range want {
				if g := got.Float64s()[start*3+i]; math.Float64bits(g) != math.Float64bits(w) {
					t.Fatalf("batch %d, row %d: Predict gives %v, a separate compile %v", batch, start+i/3, g, w)
				}
			}
		}
	}
}

// A shape met before costs no build and no compile: the graph gains no
// node and the cache counts a hit.
func TestModelCompilesEachShapeOnce(t *testing.T) {
	g := graph.New()
	forward, x := mlp(t, g, 10)
	model := train.NewModel(g, forward, nil)
	if _, err := model.Predict(x, 4); err != nil { // batches of 4, 4 and 2
		t.Fatal(err)
	}
	nodes := len(g.Nodes())
	if s := model.CacheStats(); s.Compiles != 2 || s.Programs != 2 {
		t.Fatalf("after one Predict: %+v, want 2 compiles (4 rows and 2)", s)
	}
	for range 3 {
		if _, err := model.Predict(x, 4); err != nil {
			t.Fatal(err)
		}
	}
	if s := model.CacheStats(); s.Compiles != 2 || s.Hits != 6 {
		t.Errorf("after three more: %+v, want still 2 compiles and 6 hits", s)
	}
	if len(g.Nodes()) != nodes {
		t.Errorf("repeating a shape added %d nodes to the graph", len(g.Nodes())-nodes)
	}
	if _, err := model.Predict(x, 5); err != nil { // a new size: one compile
		t.Fatal(err)
	}
	if s := model.CacheStats(); s.Compiles != 3 {
		t.Errorf("a new batch size: %+v, want 3 compiles", s)
	}
}

// The cache keeps at most its size, dropping the least recently used.
func TestModelCacheIsBoundedLeastRecentlyUsed(t *testing.T) {
	g := graph.New()
	forward, x := mlp(t, g, 12)
	model := train.NewModel(g, forward, nil)
	model.SetCacheSize(2)
	for _, b := range []int{12, 6, 12, 4} { // 12 is used again, so 6 goes when 4 comes
		if _, err := model.Predict(x, b); err != nil {
			t.Fatal(err)
		}
	}
	s := model.CacheStats()
	if s.Programs != 2 || s.Size != 2 || s.Compiles != 3 || s.Evictions != 1 {
		t.Fatalf("%+v, want 2 programs of 2, 3 compiles, 1 eviction", s)
	}
	if _, err := model.Predict(x, 12); err != nil {
		t.Fatal(err)
	}
	if s := model.CacheStats(); s.Compiles != 3 {
		t.Errorf("12 rows was evicted instead of 6: %+v", s)
	}
	if _, err := model.Predict(x, 6); err != nil {
		t.Fatal(err)
	}
	if s := model.CacheStats(); s.Compiles != 4 || s.Evictions != 2 {
		t.Errorf("6 rows again: %+v, want a fourth compile and a second eviction", s)
	}
	model.SetCacheSize(0)
	if s := model.CacheStats(); s.Programs != 1 || s.Size != 1 {
		t.Errorf("SetCacheSize(0): %+v, want a cache of 1", s)
	}
}

// Predict builds in inference mode: dropout keeps every unit, so two
// Predicts agree, while Fit's steps are built in training mode.
func TestPredictBuildsInInferenceMode(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	drop, dense := m.Dropout(0.5), m.Dense(2, nil)
	var modes []bool
	forward := func(x *graph.Node) *graph.Node {
		modes = append(modes, x.Graph().Training())
		return dense.Apply(drop.Apply(x))
	}
	x, y := lineData(8)
	model := train.NewModel(g, forward, func(p, t *graph.Node) *graph.Node { return mse(ops1(p), t) })
	a, err := model.Predict(x, 8)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := model.Predict(x, 8)
	if _, err := model.Fit(sgd{0.01}, x, y, train.Config{Epochs: 1, BatchSize: 8}); err != nil {
		t.Fatal(err)
	}
	if len(modes) != 2 || modes[0] || !modes[1] {
		t.Errorf("forward built in training mode %v; want a prediction (false) then a step (true)", modes)
	}
	for i := range a.Float64s() {
		if a.Float64s()[i] != b.Float64s()[i] {
			t.Fatal("two Predicts differ: dropout dropped at inference")
		}
	}
	if g.Training() {
		t.Error("the graph is left in training mode")
	}
}

// ops1 keeps the first column of a (batch, 2) prediction, as a (batch, 1).
func ops1(p *graph.Node) *graph.Node { return sliceColumn(p) }

// Evaluate averages the loss over the rows, weighting a partial last batch
// by its rows, and reports each meter.
func TestEvaluateWeightsThePartialBatch(t *testing.T) {
	g := graph.New()
	model, w, b := linearWithParams(g)
	w.Value().Float64s()[0], b.Value().Float64s()[0] = 2, 0 // predicts 2x; the target is 2x + 1
	x, y := lineData(5)
	scores, err := train.NewModel(g, model, mse).Evaluate(x, y, 2, train.MeanAbsoluteError())
	if err != nil {
		t.Fatal(err)
	}
	// Every row is off by exactly 1: the loss and the MAE are 1 whatever
	// the batching, and the batches of 2, 2 and 1 must say so.
	if math.Abs(scores["loss"]-1) > 1e-12 || math.Abs(scores["mae"]-1) > 1e-12 {
		t.Errorf("scores %v, want loss 1 and mae 1", scores)
	}
}

func TestModelRejectsBadArguments(t *testing.T) {
	g := graph.New()
	forward, x := mlp(t, g, 4)
	y := tensor.New(tensor.WithShape(3, 3), tensor.Of(tensor.Float64))
	for _, tc := range []struct {
		name string
		run  func() error
		want string
	}{
		{"nil model", func() error { var m *train.Model; _, err := m.Predict(x, 1); return err }, "graft: Predict: the Model is nil"},
		{"nil forward", func() error { _, err := train.NewModel(g, nil, nil).Predict(x, 1); return err }, "forward is nil"},
		{"nil x", func() error { _, err := train.NewModel(g, forward, nil).Predict(nil, 1); return err }, "graft: Predict: x is nil"},
		{"negative batch", func() error { _, err := train.NewModel(g, forward, nil).Predict(x, -1); return err }, "batch size -1"},
		{"no loss", func() error { _, err := train.NewModel(g, forward, nil).Evaluate(x, y, 1); return err }, "graft: Evaluate: the loss function is nil"},
		{"row mismatch", func() error {
			_, err := train.NewModel(g, forward, losses.MeanSquaredError).Evaluate(x, y, 1)
			return err
		}, "x has 4 examples"},
		{"a model that sums the batch", func() error {
			_, err := train.NewModel(g, func(n *graph.Node) *graph.Node { return sumAll(forward(n)) }, nil).Predict(x, 2)
			return err
		}, "Predict needs one prediction per row"},
	} {
		if err := tc.run(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func sliceColumn(p *graph.Node) *graph.Node { return ops.Slice(p, 1, 0, 1) }

func sumAll(p *graph.Node) *graph.Node { return ops.Sum(p) }
