package train_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/layers"
	"graft/losses"
	"graft/optim"
	"graft/train"
)

// XOR with its four rows as validation data: the validation loss and
// accuracy are recorded every epoch, computed in inference mode, and end
// where the training ones do.
func TestFitValidatesXOR(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(7)
	net := layers.Sequential{m.Dense(8, activations.Tanh), m.Dense(1, activations.Sigmoid)}
	x := f64s([]int{4, 2}, 0, 0, 0, 1, 1, 0, 1, 1)
	y := f64s([]int{4, 1}, 0, 1, 1, 0)
	model := train.NewModel(g, net.Apply, losses.BinaryCrossEntropy)
	h, err := model.Fit(optim.NewAdam(0.05), x, y, train.Config{
		Epochs: 300, BatchSize: 4, Metric: train.BinaryAccuracy(0.5), ValidationX: x, ValidationY: y,
	})
	if err != nil {
		t.Fatal(err)
	}
	vl, va := h.Metrics["val_loss"], h.Metrics["val_accuracy"]
	if len(vl) != 300 || len(va) != 300 {
		t.Fatalf("%d validation losses and %d accuracies, want 300", len(vl), len(va))
	}
	if va[299] != 1 || vl[299] > 0.05 || vl[299] > vl[0] {
		t.Errorf("validation went from loss %v to %v, accuracy %v; want all four right", vl[0], vl[299], va[299])
	}
	// Validation runs after the epoch's step, on the same rows and the same
	// (deterministic) model, so it is the loss the next epoch starts from.
	if math.Abs(vl[298]-h.Loss[299]) > 1e-12 {
		t.Errorf("val_loss of epoch 299 %v, loss of epoch 300 %v: want the same", vl[298], h.Loss[299])
	}
	scores, err := model.Evaluate(x, y, 0, train.Counted("accuracy", train.BinaryAccuracy(0.5)))
	if err != nil || scores["loss"] != vl[299] || scores["accuracy"] != 1 {
		t.Errorf("Evaluate after Fit: %v (%v), want the last validation's %v", scores, err, vl[299])
	}
}

// spiral returns n points of two interleaved spirals, class 0 and 1, in a
// seeded random order.
func spiral(n int, seed uint64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	xs, ys := make([]float64, 0, 2*n), make([]float64, 0, n)
	for _, i := range rng.Perm(n) {
		class := i % 2
		r := float64(i/2)/float64(n/2)*2 + 0.2
		a := r*2.5 + math.Pi*float64(class)
		xs = append(xs, r*math.Cos(a)+rng.NormFloat64()*0.05, r*math.Sin(a)+rng.NormFloat64()*0.05)
		ys = append(ys, float64(class))
	}
	return tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

// Two spirals with a quarter held out: the network learns to classify the
// held-out points, which it never trains on, and EarlyStopping keeps the
// best epoch.
func TestFitValidatesASpiralSplit(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	net := layers.Sequential{m.Dense(32, activations.Tanh), m.Dense(32, activations.Tanh), m.Dense(1, nil)}
	x, y := spiral(240, 3)
	stop := &train.EarlyStopping{Monitor: "val_loss", Patience: 20, RestoreBest: true}
	model := train.NewModel(g, net.Apply, losses.BinaryCrossEntropyWithLogits)
	h, err := model.Fit(optim.NewAdam(0.01), x, y, train.Config{
		Epochs: 300, BatchSize: 32, Seed: 1, Metric: train.BinaryAccuracy(0), ValidationSplit: 0.25,
		Callbacks: []train.Callback{stop},
	})
	if err != nil {
		t.Fatal(err)
	}
	best := h.Metrics["val_loss"][stop.BestEpoch-1]
	if acc := h.Metrics["val_accuracy"][stop.BestEpoch-1]; acc < 0.9 {
		t.Errorf("held-out accuracy %v at the best epoch %d (of %d), want at least 0.9", acc, stop.BestEpoch, h.Epochs)
	}
	// The restored weights are the best epoch's: evaluating the held-out
	// quarter (rows 180 to 239) again gives its loss.
	vx := f64s([]int{60, 2}, x.Float64s()[360:]...)
	vy := f64s([]int{60, 1}, y.Float64s()[180:]...)
	scores, err := model.Evaluate(vx, vy, 32)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(scores["loss"]-best) > 1e-12 {
		t.Errorf("the restored model's held-out loss %v, the best epoch's %v", scores["loss"], best)
	}
	if h.Steps != h.Epochs*train.StepsPerEpoch(180, 32) {
		t.Errorf("%d steps in %d epochs of 180 rows", h.Steps, h.Epochs)
	}
}
