package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
	"graft/layers"
	"graft/losses"
	"graft/optim"
	"graft/train"
)

// The task's numbers: the test set's size, the target test MSE, the MSE of
// always predicting the mean answer 1, and the error under which one
// answer counts as right (Hochreiter and Schmidhuber's criterion).
const (
	testN     = 1000
	targetMSE = 0.01
	baseline  = 1.0 / 6
	tolerance = 0.04
)

// summary is the --json line. A number that is not finite is null.
type summary struct {
	Cell          string      `json:"cell"`
	Length        int         `json:"length"`
	Hidden        int         `json:"hidden"`
	Params        int         `json:"params"`
	Epochs        int         `json:"epochs"`
	Steps         int         `json:"steps"`
	TestMSE       jsonFloat   `json:"test_mse"`
	TestAccuracy  float64     `json:"test_accuracy"` // the share of test answers within 0.04
	BaselineMSE   float64     `json:"baseline_mse"`
	TargetMSE     float64     `json:"target_mse"`
	Reached       bool        `json:"reached"`
	ReachedEpoch  int         `json:"reached_epoch,omitempty"` // the first epoch under the target
	EpochLoss     []jsonFloat `json:"epoch_loss"`
	EpochTestMSE  []jsonFloat `json:"epoch_test_mse"`
	EpochSeconds  []float64   `json:"epoch_seconds"`
	Seconds       float64     `json:"seconds"`
	TrainExamples int         `json:"train_sequences"`
}

// jsonFloat is a float64 that JSON writes as null when it is NaN or
// infinite, which JSON numbers cannot hold.
type jsonFloat float64

// MarshalJSON writes f as a JSON number, or null when it is not finite.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if !finite(float64(f)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// addingData returns n sequences of the adding problem, (n, length, 2),
// and their answers, (n, 1), drawn from rng.
func addingData(n, length int, rng *rand.Rand) (x, y *tensor.Dense) {
	xs, ys := make([]float32, n*length*2), make([]float32, n)
	half := length / 2
	for i := range n {
		seq := xs[i*length*2 : (i+1)*length*2]
		for t := range length {
			seq[2*t] = float32(rng.Float64())
		}
		first, second := rng.IntN(half), half+rng.IntN(length-half)
		seq[2*first+1], seq[2*second+1] = 1, 1
		ys[i] = seq[2*first] + seq[2*second]
	}
	return tensor.New(tensor.WithShape(n, length, 2), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

// network is the recurrent layer read at its final state, then a linear
// Dense layer to one number.
type network struct {
	final func(x *graph.Node) *graph.Node // the recurrent layer's final h
	head  *layers.Dense
}

func newNetwork(m *layers.Model, cell string, hidden int) network {
	n := network{head: m.Dense(1, nil, layers.WithName("head"))}
	if cell == "gru" {
		gru := m.GRU(hidden)
		n.final = func(x *graph.Node) *graph.Node { _, h := gru.Sequence(x, nil); return h }
	} else {
		lstm := m.LSTM(hidden)
		n.final = func(x *graph.Node) *graph.Node { _, s := lstm.Sequence(x, layers.LSTMState{}); return s.H }
	}
	return n
}

// Apply predicts the answers of x, (batch, length, 2), as (batch, 1).
func (n network) Apply(x *graph.Node) *graph.Node { return n.head.Apply(n.final(x)) }

// trainAdding is the whole example: the data, the model, its training epoch
// by epoch with a test pass after each, the report and the checkpoint.
func trainAdding(o options, stdout io.Writer) error {
	start := time.Now()
	trainX, trainY := addingData(o.trainN, o.length, rand.New(rand.NewPCG(o.seed, 1)))
	testX, testY := addingData(testN, o.length, rand.New(rand.NewPCG(o.seed, 2)))
	g := graph.New()
	model := layers.NewModel(o.seed)
	net := newNetwork(model, o.cell, o.hidden)
	// The test program is built first, so that the parameters exist before
	// --load fills them.
	test, err := newTester(g, net, testX, testY)
	if err != nil {
		return err
	}
	if o.load != "" {
		if err := checkpoint.Load(o.load, model.Params()); err != nil {
			return fmt.Errorf("--load: %w", err)
		}
	}
	s := summary{Cell: o.cell, Length: o.length, Hidden: o.hidden, Params: model.NumParams(), Epochs: o.epochs,
		BaselineMSE: baseline, TargetMSE: targetMSE, TrainExamples: o.trainN}
	if !o.json {
		fmt.Fprintf(stdout, "adding problem: %d training and %d test sequences of %d steps; predicting 1 scores MSE %.3f, the target is %g\n",
			o.trainN, testN, o.length, baseline, targetMSE)
		fmt.Fprintf(stdout, "%s of hidden size %d, %d parameters; Adam, learning rate %g, batch %d\n", o.cell, o.hidden, s.Params, o.lr, o.batchSize)
	}
	opt := optim.NewAdam(o.lr)
	for epoch := 1; epoch <= o.epochs; epoch++ {
		began := time.Now()
		// One call of Fit per epoch, so that the test pass can run between
		// epochs; its own seed gives each epoch a shuffle of its own.
		h, err := train.Fit(g, net.Apply, losses.MeanSquaredError, opt, trainX, trainY, train.Config{
			Epochs: 1, BatchSize: o.batchSize, Seed: o.seed ^ uint64(epoch)*0x9e3779b97f4a7c15,
		})
		if err != nil {
			return err
		}
		seconds := time.Since(began).Seconds()
		mse, accuracy, err := test()
		if err != nil {
			return err
		}
		s.Steps += h.Steps
		s.EpochLoss = append(s.EpochLoss, jsonFloat(h.Loss[0]))
		s.EpochTestMSE = append(s.EpochTestMSE, jsonFloat(mse))
		s.EpochSeconds = append(s.EpochSeconds, seconds)
		s.TestMSE, s.TestAccuracy = jsonFloat(mse), accuracy
		if mse < targetMSE && s.ReachedEpoch == 0 {
			s.ReachedEpoch = epoch
		}
		if !o.json {
			fmt.Fprintf(stdout, "epoch %*d/%d  loss %.5f  test MSE %.5f  test answers within %.2f %6.2f%%  %.2fs\n",
				len(fmt.Sprint(o.epochs)), epoch, o.epochs, h.Loss[0], mse, tolerance, 100*accuracy, seconds)
		}
		if !finite(h.Loss[0]) || !finite(mse) {
			s.Epochs = epoch // training diverged: no point in going on
			break
		}
	}
	if o.epochs == 0 {
		mse, accuracy, err := test()
		if err != nil {
			return err
		}
		s.TestMSE, s.TestAccuracy = jsonFloat(mse), accuracy
	}
	s.Reached = float64(s.TestMSE) < targetMSE
	s.Seconds = time.Since(start).Seconds()
	if err := report(stdout, s, o.json); err != nil {
		return err
	}
	if !finite(float64(s.TestMSE)) {
		return fmt.Errorf("the test MSE is %v: training diverged (a smaller --lr may help); the model was not saved", float64(s.TestMSE))
	}
	if o.save != "" {
		if err := checkpoint.Save(o.save, model.Params()); err != nil {
			return fmt.Errorf("--save: %w", err)
		}
	}
	return nil
}

// newTester compiles the network and its loss on the test sequences and
// returns a function that scores them: the MSE and the share of answers
// within tolerance.
func newTester(g *graph.Graph, net network, x, y *tensor.Dense) (func() (mse, accuracy float64, err error), error) {
	xIn, yIn := g.Input("test_x", x.Dtype(), x.Shape()...), g.Input("test_y", y.Dtype(), y.Shape()...)
	pred := net.Apply(xIn)
	prog, err := graph.Compile(losses.MeanSquaredError(pred, yIn), pred)
	if err != nil {
		return nil, err
	}
	want := graph.Float64s(y)
	return func() (float64, float64, error) {
		out, err := prog.Run(graph.Feeds{xIn: x, yIn: y})
		if err != nil {
			return 0, 0, err
		}
		right := 0
		for i, p := range graph.Float64s(out[1]) {
			if math.Abs(p-want[i]) < tolerance {
				right++
			}
		}
		return graph.Float64s(out[0])[0], float64(right) / float64(len(want)), nil
	}, nil
}

// report prints the outcome, or the --json line.
func report(w io.Writer, s summary, asJSON bool) error {
	if asJSON {
		line, err := json.Marshal(s)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(line))
		return err
	}
	verdict := fmt.Sprintf("target MSE %g reached", targetMSE)
	switch {
	case !s.Reached:
		verdict = fmt.Sprintf("target MSE %g NOT reached (more --epochs may help)", targetMSE)
	case s.ReachedEpoch > 0:
		verdict += fmt.Sprintf(" at epoch %d", s.ReachedEpoch)
	}
	_, err := fmt.Fprintf(w, "\ntest MSE %.5f (predicting 1: %.3f), %.1f%% of answers within %.2f; %s; %d steps in %.1fs\n",
		float64(s.TestMSE), baseline, 100*s.TestAccuracy, tolerance, verdict, s.Steps, s.Seconds)
	return err
}
