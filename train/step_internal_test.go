package train

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/data"
	"graft/graph"
	"graft/layers"
	"graft/losses"
	"graft/optim"
)

// A steady-state training step (gather the next batch's rows on the
// prefetching goroutine, run, count the meters, clip, step Adam) and a
// cache lookup of a shape seen before allocate nothing.
func TestSteadyStateStepAllocatesNothing(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	net := layers.Sequential{m.Dense(8, activations.ReLU), m.Dense(1, activations.Sigmoid)}
	const n = 20
	xs, ys := make([]float32, n*3), make([]float32, n)
	for i := range xs {
		xs[i] = float32(i%7) / 7
	}
	for i := range ys {
		ys[i] = float32(i % 2)
	}
	x := tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(xs))
	y := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
	model := NewModel(g, net.Apply, losses.BinaryCrossEntropy)
	p, err := model.program(forTrain, x, y, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	opt := optim.NewAdam(0.01)
	meters := []Meter{Counted("accuracy", BinaryAccuracy(0.5)), MeanAbsoluteError(), F1(0.5), Precision(0.5)}
	rows := []int{3, 1, 4, 1, 5, 9, 2, 6}
	pre := newPrefetcher(x, y)
	defer pre.stop()
	b, next := p.buffer(0), p.buffer(1)
	if _, err := p.step(b, opt, meters, 0.5); err != nil { // makes Adam's slots
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(20, func() {
		pre.gather(next, rows)
		if _, err := p.step(b, opt, meters, 0.5); err != nil {
			t.Fatal(err)
		}
		pre.wait()
		b, next = next, b
		if _, err := model.program(forTrain, x, y, 8, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a steady-state step allocates %v times; want 0", allocs)
	}
}

// Gathering the next batch during the current step changes no number:
// Fit with its prefetching goroutine and Fit gathering serially end with
// the same weights, bit for bit, over epochs with a partial last batch.
func TestPrefetchingGivesTheSerialNumbers(t *testing.T) {
	run := func(serial bool) []float64 {
		g := graph.New()
		m := layers.NewModel(2)
		net := layers.Sequential{m.Dense(4, activations.Tanh), m.Dense(1, nil)}
		xs, ys := make([]float64, 23*2), make([]float64, 23)
		for i := range xs {
			xs[i] = float64(i%5) - 2
		}
		for i := range ys {
			ys[i] = float64(i % 3)
		}
		x := tensor.New(tensor.WithShape(23, 2), tensor.WithBacking(xs))
		y := tensor.New(tensor.WithShape(23, 1), tensor.WithBacking(ys))
		model := NewModel(g, net.Apply, losses.MeanSquaredError)
		model.serial = serial
		if _, err := model.Fit(optim.NewAdam(0.01), x, y, Config{Epochs: 3, BatchSize: 5, Seed: 4}); err != nil {
			t.Fatal(err)
		}
		var w []float64
		for _, p := range m.Params() {
			w = append(w, p.Value().Float64s()...)
		}
		return w
	}
	a, b := run(false), run(true)
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("weight %d: %v prefetching, %v serially", i, a[i], b[i])
		}
	}
}

// FitDataset's steady-state step allocates nothing either: reading the
// batch through the Dataset, finding the program, the step itself.
func TestSteadyStateDatasetStepAllocatesNothing(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	net := layers.Sequential{m.Dense(8, activations.ReLU), m.Dense(1, activations.Sigmoid)}
	const n = 20
	xs, ys := make([]float32, n*3), make([]float32, n)
	for i := range xs {
		xs[i] = float32(i%7) / 7
	}
	for i := range ys {
		ys[i] = float32(i % 2)
	}
	all, err := data.FromTensors(tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys)))
	if err != nil {
		t.Fatal(err)
	}
	part, _, err := data.Split(all, 0.3, 1) // a Subset: rows through an index
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range []data.Dataset{all, part} {
		model := NewModel(g, net.Apply, losses.BinaryCrossEntropy)
		src, err := sourceOf("test", ds, true)
		if err != nil {
			t.Fatal(err)
		}
		p, err := model.program(forTrain, src.x, src.y, 8, nil)
		if err != nil {
			t.Fatal(err)
		}
		opt := optim.NewAdam(0.01)
		meters := []Meter{Counted("accuracy", BinaryAccuracy(0.5)), MeanAbsoluteError()}
		rows := []int{3, 1, 4, 1, 5, 9, 2, 6}
		b := p.buffer(0)
		if _, err := p.step(b, opt, meters, 0.5); err != nil { // makes Adam's slots
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if err := src.gather(b, rows); err != nil {
				t.Fatal(err)
			}
			if _, err := p.step(b, opt, meters, 0.5); err != nil {
				t.Fatal(err)
			}
			if _, err := model.program(forTrain, src.x, src.y, 8, nil); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%T: a steady-state dataset step allocates %v times; want 0", ds, allocs)
		}
	}
}
