package train_test

import (
	"fmt"
	"os"
	"path/filepath"

	"graft/checkpoint"
	"graft/graph"
	"graft/optim"
	"graft/train"
)

// Fit with a validation split, early stopping that keeps the best epoch,
// the best checkpoint on disk, a schedule and clipping: the loop that used
// to be written by hand.
func ExampleConfig() {
	g := graph.New()
	model := train.NewModel(g, linear(g), mse)
	x, y := lineData(40)
	dir, _ := os.MkdirTemp("", "graft-example")
	defer os.RemoveAll(dir)
	sched, _ := train.CosineWithWarmup(0.05, 20, 400, 0.001) // 4 steps an epoch
	stop := &train.EarlyStopping{Patience: 10, RestoreBest: true}
	best := &train.BestCheckpoint{Path: filepath.Join(dir, "best.safetensors")}
	h, err := model.Fit(optim.NewSGD(0.1), x, y, train.Config{
		Epochs: 100, BatchSize: 8, Seed: 1, ValidationSplit: 0.2,
		Metrics:   []train.Meter{train.MeanAbsoluteError()},
		Callbacks: []train.Callback{stop, best},
		Schedule:  sched, ClipNorm: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Names)
	fmt.Println("saved the best epoch:", best.SavedEpoch == stop.BestEpoch)
	vl, _ := h.Last("val_loss")
	fmt.Println("validation loss below 1e-4:", vl < 1e-4)
	// Output:
	// [loss mae val_loss val_mae lr]
	// saved the best epoch: true
	// validation loss below 1e-4: true
}

// EarlyStopping ends training when the monitored metric stops improving.
func ExampleEarlyStopping() {
	g := graph.New()
	x, y := lineData(10)
	stop := &train.EarlyStopping{Monitor: "loss", Patience: 3, MinDelta: 1e-3}
	h, _ := train.Fit(g, linear(g), mse, optim.NewSGD(0.1), x, y, train.Config{Epochs: 1000, BatchSize: 10, Callbacks: []train.Callback{stop}})
	fmt.Println("stopped early:", stop.StoppedEpoch > 0 && h.Epochs == stop.StoppedEpoch && h.Epochs < 1000)
	// Output: stopped early: true
}

// ReduceOnPlateau lowers the learning rate of any optim optimizer when the
// metric stalls.
func ExampleReduceOnPlateau() {
	opt := optim.NewAdam(0.01)
	r := &train.ReduceOnPlateau{Monitor: "val_loss", Factor: 0.5, Patience: 1}
	h := &train.History{Names: []string{"val_loss"}, Metrics: map[string][]float64{}}
	s := &train.State{History: h, Optimizer: opt}
	for epoch, l := range []float64{1, 1, 1} { // stalls from epoch 2 on
		s.Epoch = epoch + 1
		h.Metrics["val_loss"] = append(h.Metrics["val_loss"], l)
		r.OnEpochEnd(s)
		fmt.Println(opt.LearningRate())
	}
	// Output:
	// 0.01
	// 0.005
	// 0.0025
}

// BestCheckpoint saves the weights of the best epoch; checkpoint.Load
// brings them back.
func ExampleBestCheckpoint() {
	g := graph.New()
	model, w, b := linearWithParams(g)
	x, y := lineData(10)
	dir, _ := os.MkdirTemp("", "graft-example")
	defer os.RemoveAll(dir)
	best := &train.BestCheckpoint{Path: filepath.Join(dir, "best.safetensors"), Monitor: "loss"}
	train.Fit(g, model, mse, optim.NewSGD(0.1), x, y, train.Config{Epochs: 50, BatchSize: 10, Callbacks: []train.Callback{best}})
	err := checkpoint.Load(best.Path, []*graph.Node{w, b})
	fmt.Println("saved epoch", best.SavedEpoch, err)
	// Output: saved epoch 50 <nil>
}

// CSVLogger writes a row per epoch.
func ExampleCSVLogger() {
	g := graph.New()
	x, y := lineData(4)
	log := &train.CSVLogger{W: os.Stdout}
	train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 2, BatchSize: 4, Callbacks: []train.Callback{log}})
	// Output:
	// epoch,loss
	// 1,1.74
	// 2,1.11573976
}

// JSONLinesLogger writes a JSON object per epoch.
func ExampleJSONLinesLogger() {
	g := graph.New()
	x, y := lineData(4)
	log := &train.JSONLinesLogger{W: os.Stdout}
	train.Fit(g, linear(g), mse, optim.NewSGD(0.1), x, y, train.Config{Epochs: 2, BatchSize: 4, Callbacks: []train.Callback{log}})
	// Output:
	// {"epoch":1,"loss":1.74,"lr":0.1}
	// {"epoch":2,"loss":1.11573976,"lr":0.1}
}

// printEpochs is a Callback of one method; it could also stop training
// with s.Stop = true.
type printEpochs struct{}

func (printEpochs) OnEpochEnd(s *train.State) error {
	l, _ := s.History.Last("loss")
	fmt.Printf("epoch %d of %d: loss %.3f\n", s.Epoch, s.Epochs, l)
	return nil
}

// A Callback is anything with OnEpochEnd.
func ExampleCallback() {
	g := graph.New()
	x, y := lineData(4)
	train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 2, BatchSize: 4, Callbacks: []train.Callback{printEpochs{}}})
	// Output:
	// epoch 1 of 2: loss 1.740
	// epoch 2 of 2: loss 1.116
}

// countSteps is told of every step as a BatchEnder.
type countSteps struct{ n int }

func (c *countSteps) OnBatchEnd(s *train.State) error { c.n++; return nil }
func (c *countSteps) OnEpochEnd(s *train.State) error { return nil }

// A Callback that is also a BatchEnder is told of every step; TrainBeginner
// and TrainEnder work the same way for the start and the end.
func ExampleBatchEnder() {
	g := graph.New()
	x, y := lineData(10)
	c := &countSteps{}
	train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 2, BatchSize: 4, Callbacks: []train.Callback{c}})
	fmt.Println(c.n, "steps")
	// Output: 6 steps
}

// timing is told of the start and the end of training.
type timing struct{ events []string }

func (t *timing) OnTrainBegin(s *train.State) error {
	t.events = append(t.events, fmt.Sprintf("begin: %d epochs of %d steps", s.Epochs, s.StepsPerEpoch))
	return nil
}
func (t *timing) OnEpochEnd(s *train.State) error { return nil }
func (t *timing) OnTrainEnd(s *train.State) error {
	t.events = append(t.events, fmt.Sprintf("end after epoch %d, %d steps", s.Epoch, s.History.Steps))
	return nil
}

// TrainBeginner and TrainEnder tell a Callback when Fit starts and ends;
// the State says where training is.
func ExampleTrainEnder() {
	g := graph.New()
	x, y := lineData(10)
	t := &timing{}
	train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 3, BatchSize: 4, Callbacks: []train.Callback{t}})
	fmt.Println(t.events)
	// Output: [begin: 3 epochs of 3 steps end after epoch 3, 9 steps]
}

// State.Stop ends training after the epoch; State.Weights are what
// EarlyStopping restores and BestCheckpoint saves.
func ExampleState() {
	g := graph.New()
	x, y := lineData(10)
	h, _ := train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 100, BatchSize: 10,
		Callbacks: []train.Callback{stopAt(2)}})
	fmt.Println(h.Epochs, "epochs")
	// Output: 2 epochs
}
