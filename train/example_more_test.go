package train_test

import (
	"bytes"
	"fmt"
	"strings"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/optim"
	"graft/train"
)

// ProgressLines writes one line per epoch wherever Progress goes (a log
// file, a pipe); ProgressAuto shows a live bar on a terminal and nothing
// elsewhere.
func ExampleProgressMode() {
	g := graph.New()
	x, y := lineData(10)
	var log bytes.Buffer
	train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 2, BatchSize: 4, NoShuffle: true,
		Progress: &log, ProgressMode: train.ProgressLines})
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		fmt.Println(line[:strings.Index(line, " in ")]) // drop the time each epoch took
	}
	// Output:
	// Epoch 1/2 - loss: 2.7315 - 3 steps
	// Epoch 2/2 - loss: 0.4411 - 3 steps
}

// A History maps every metric to its value per epoch.
func ExampleHistory() {
	g := graph.New()
	x, y := lineData(10)
	h, _ := train.Fit(g, linear(g), mse, optim.NewSGD(0.1), x, y, train.Config{Epochs: 4, BatchSize: 5, Metric: train.BinaryAccuracy(1.5)})
	fmt.Println(h.Names, h.Epochs, "epochs", h.Steps, "steps", len(h.Metrics["loss"]), "losses")
	// Output: [loss accuracy lr] 4 epochs 8 steps 4 losses
}

// A Model serves a training loop and a server alike: its cache holds a
// program per batch size it met.
func ExampleModel() {
	g := graph.New()
	model := train.NewModel(g, linear(g), mse)
	x, y := lineData(10)
	model.Fit(optim.NewSGD(0.1), x, y, train.Config{Epochs: 1, BatchSize: 4}) // steps of 4 and 2 rows
	model.Predict(x, 0)                                                       // one batch of 10
	one := tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0.5}))
	model.Predict(one, 0) // one row
	fmt.Println(model.CacheStats().Programs, "programs")
	// Output: 4 programs
}

// CacheStats is what the cache holds and did.
func ExampleCacheStats() {
	g := graph.New()
	model := train.NewModel(g, linear(g), nil)
	fmt.Printf("%+v\n", model.CacheStats())
	// Output: {Programs:0 Size:8 Compiles:0 Hits:0 Evictions:0}
}

// onBegin checks the run before the first step.
type onBegin struct{}

func (onBegin) OnTrainBegin(s *train.State) error {
	if s.StepsPerEpoch > 2 {
		return fmt.Errorf("%d steps an epoch; this callback wants at most 2", s.StepsPerEpoch)
	}
	return nil
}
func (onBegin) OnEpochEnd(*train.State) error { return nil }

// A TrainBeginner that fails stops Fit before any step.
func ExampleTrainBeginner() {
	g := graph.New()
	x, y := lineData(10)
	h, err := train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 1, BatchSize: 2, Callbacks: []train.Callback{onBegin{}}})
	fmt.Println(h.Steps, err)
	// Output: 0 5 steps an epoch; this callback wants at most 2
}

// A Metric counts right predictions in a batch; this one counts
// predictions within 0.1 of their target.
func ExampleMetric() {
	var within train.Metric = func(pred, target *tensor.Dense) (int, int, error) {
		p, t := graph.Float64s(pred), graph.Float64s(target)
		right := 0
		for i := range p {
			if d := p[i] - t[i]; d < 0.1 && d > -0.1 {
				right++
			}
		}
		return right, len(p), nil
	}
	fmt.Println(within(column(1, 2.05, 3.5), column(1, 2, 3)))
	// Output: 2 3 <nil>
}

// Any optimizer of package optim is a train.Optimizer; one of one's own
// needs only Step (and SetLearningRate for a Schedule).
func ExampleOptimizer() {
	var opt train.Optimizer = optim.NewAdam(0.01)
	_, schedulable := opt.(interface{ SetLearningRate(float64) })
	fmt.Println(schedulable)
	// Output: true
}
