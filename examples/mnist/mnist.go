package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/layers"
	"graft/losses"
	"graft/optim"
	"graft/train"
)

// testBatch is how many test images one run of the test program scores:
// large enough that the matrix products run at full speed, small enough
// that the activations stay a few megabytes.
const testBatch = 1000

// summary is the --json line: the run, its final test score, and one entry
// per epoch in the epoch_ lists. A number that is not finite is null.
type summary struct {
	Model              string      `json:"model"`
	DType              string      `json:"dtype"`
	Data               string      `json:"data"`
	TrainImages        int         `json:"train_images"`
	TestImages         int         `json:"test_images"`
	Params             int         `json:"params"`
	Epochs             int         `json:"epochs"`
	Steps              int         `json:"steps"`
	TestAccuracy       float64     `json:"test_accuracy"`
	TestLoss           jsonFloat   `json:"test_loss"`
	EpochTrainLoss     []jsonFloat `json:"epoch_train_loss"`
	EpochTrainAccuracy []float64   `json:"epoch_train_accuracy"`
	EpochTestLoss      []jsonFloat `json:"epoch_test_loss"`
	EpochTestAccuracy  []float64   `json:"epoch_test_accuracy"`
	EpochSeconds       []float64   `json:"epoch_seconds"` // training only, the test pass not included
	Seconds            float64     `json:"seconds"`       // the whole run, reading the data included
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

// trainMNIST is the whole example: read the data, build the model, train
// it epoch by epoch with a test pass after each, report, write the files.
func trainMNIST(o options, stdout io.Writer) error {
	start := time.Now()
	dt := tensor.Float32
	if o.dtype == "float64" {
		dt = tensor.Float64
	}
	dir, err := locateData(o.data)
	if err != nil {
		return err
	}
	trainSet, testSet, err := loadMNIST(dir, o.limit, dt)
	if err != nil {
		return err
	}
	g := graph.New()
	model := layers.NewModel(o.seed)
	net, err := models[o.model](model, trainSet.height, trainSet.width)
	if err != nil {
		return fmt.Errorf("--model %s: %w", o.model, err)
	}
	// One Model serves every epoch: its training steps (one per batch size)
	// and its test programs are built and compiled on first use and then
	// taken from its cache, so the graph stops growing after the first
	// epoch.
	trainer := train.NewModel(g, net.Apply, losses.SoftmaxCrossEntropy)
	opt := optim.NewAdam(o.lr)
	state, err := newTrainingState(g, model, net, opt, dt, trainSet.height*trainSet.width)
	if err != nil {
		return err
	}
	if o.load != "" {
		if err := state.load(o.load); err != nil {
			return fmt.Errorf("--load: %w", err)
		}
	}
	test := func() (loss, accuracy float64, err error) {
		scores, err := trainer.Evaluate(testSet.images, testSet.labels, testBatch, train.Counted("accuracy", digitAccuracy))
		return scores["loss"], scores["accuracy"], err
	}
	s := summary{Model: o.model, DType: o.dtype, Data: dir, TrainImages: trainSet.len(), TestImages: testSet.len(), Params: model.NumParams(), Epochs: o.epochs}
	if !o.json {
		fmt.Fprintf(stdout, "MNIST from %s: %d training and %d test images of %dx%d pixels\n", dir, s.TrainImages, s.TestImages, trainSet.height, trainSet.width)
		fmt.Fprintf(stdout, "model %s, %d parameters, %s; Adam, learning rate %g times %g per epoch, batch %d\n", o.model, s.Params, o.dtype, o.lr, o.lrDecay, o.batchSize)
	}
	// A run resumed from a training state goes on with the epoch after the
	// saved one: its learning rate and its shuffle are those the
	// uninterrupted run would have used.
	done, last := state.Epoch, state.Epoch+o.epochs
	for epoch := done + 1; epoch <= last; epoch++ {
		began := time.Now()
		opt.SetLearningRate(o.lr * math.Pow(o.lrDecay, float64(epoch-1)))
		// Every epoch is one call of Fit, so that the test pass can run
		// between epochs; its own seed gives it a shuffle of its own. (A
		// train.Schedule counts the steps of one Fit call, so the decay
		// stays here, once per epoch.)
		h, err := trainer.Fit(opt, trainSet.images, trainSet.labels, train.Config{
			Epochs: 1, BatchSize: o.batchSize, Seed: epochSeed(o.seed, epoch), Metric: train.SparseCategoricalAccuracy,
		})
		if err != nil {
			return err
		}
		seconds := time.Since(began).Seconds()
		loss, accuracy, err := test()
		if err != nil {
			return err
		}
		s.Steps += h.Steps
		state.Epoch, state.Step = epoch, state.Step+h.Steps
		s.EpochTrainLoss = append(s.EpochTrainLoss, jsonFloat(h.Loss[0]))
		s.EpochTrainAccuracy = append(s.EpochTrainAccuracy, h.Accuracy[0])
		s.EpochTestLoss = append(s.EpochTestLoss, jsonFloat(loss))
		s.EpochTestAccuracy = append(s.EpochTestAccuracy, accuracy)
		s.EpochSeconds = append(s.EpochSeconds, seconds)
		if !o.json {
			fmt.Fprintf(stdout, "epoch %*d/%d  loss %.4f  accuracy %6.2f%%  test loss %.4f  test accuracy %6.2f%%  %.2fs\n",
				len(fmt.Sprint(last)), epoch, last, h.Loss[0], 100*h.Accuracy[0], loss, 100*accuracy, seconds)
		}
		if !finite(h.Loss[0]) || !finite(loss) {
			s.Epochs = epoch - done // training diverged: no point in going on
			break
		}
	}
	if o.epochs == 0 {
		loss, accuracy, err := test()
		if err != nil {
			return err
		}
		s.TestLoss, s.TestAccuracy = jsonFloat(loss), accuracy
	} else {
		s.TestLoss, s.TestAccuracy = s.EpochTestLoss[len(s.EpochTestLoss)-1], s.EpochTestAccuracy[len(s.EpochTestAccuracy)-1]
	}
	s.Seconds = time.Since(start).Seconds()
	if err := report(stdout, s, o.json); err != nil {
		return err
	}
	return writeOutputs(o, state, model.Lookup("conv1/W"), s)
}

// epochSeed is the shuffle seed of one epoch, distinct for every epoch of
// a run and reproducible from the run's seed.
func epochSeed(seed uint64, epoch int) uint64 {
	return seed ^ uint64(epoch)*0x9e3779b97f4a7c15
}

// digitAccuracy is the test pass's metric: the share of images whose
// largest logit is at their digit, where a row with a NaN or infinite logit
// is never right (countCorrect).
func digitAccuracy(pred, target *tensor.Dense) (correct, total int, err error) {
	labels, ok := target.Data().([]int64)
	if !ok || len(pred.Shape()) != 2 || pred.Shape()[1] != classes {
		return 0, 0, fmt.Errorf("the test pass scores %v logits of shape %v against %v labels; want (n, %d) and int64", pred.Dtype(), pred.Shape(), target.Dtype(), classes)
	}
	return countCorrect(graph.Float64s(pred), labels), len(labels), nil
}

// countCorrect counts the rows of logits (rows × classes) whose largest
// entry is at the row's label. A row with a NaN or infinite logit is never
// right.
func countCorrect[L int64 | float64](logits []float64, labels []L) int {
	correct := 0
	for r, label := range labels {
		row := logits[r*classes : (r+1)*classes]
		best := 0
		for c, v := range row {
			if !finite(v) {
				best = -1
				break
			}
			if v > row[best] {
				best = c
			}
		}
		if L(best) == label {
			correct++
		}
	}
	return correct
}

// report prints the final line, or the --json line.
func report(w io.Writer, s summary, asJSON bool) error {
	if asJSON {
		line, err := json.Marshal(s)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(line))
		return err
	}
	var perEpoch float64
	for _, t := range s.EpochSeconds {
		perEpoch += t / float64(len(s.EpochSeconds))
	}
	_, err := fmt.Fprintf(w, "test accuracy %.2f%%, test loss %.4f after %s (%s, %.2fs per epoch), %.1fs in all\n",
		100*s.TestAccuracy, float64(s.TestLoss), count(s.Epochs, "epoch"), count(s.Steps, "step"), perEpoch, s.Seconds)
	return err
}

// count writes n and the noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// writeOutputs writes the checkpoint, the plot and the filter grid the
// flags ask for. Each is tried whatever happened to the others, and their
// errors are reported together. A model whose loss is not finite is not
// saved (it would replace a good checkpoint with NaNs); that is an error
// too.
func writeOutputs(o options, saved *trainingState, filters *graph.Node, s summary) error {
	var errs []error
	diverged := !finite(float64(s.TestLoss))
	for _, l := range s.EpochTrainLoss {
		diverged = diverged || !finite(float64(l))
	}
	switch {
	case diverged:
		err := errors.New("the loss is NaN or infinite: training diverged (a smaller --lr may help)")
		if o.save != "" {
			err = fmt.Errorf("%w; the model was not saved", err)
		}
		errs = append(errs, err)
	case o.save != "":
		if err := saved.save(o.save); err != nil {
			errs = append(errs, fmt.Errorf("--save: %w", err))
		}
	}
	if o.plot != "" {
		if err := plotCurves(o.plot, s); err != nil {
			errs = append(errs, fmt.Errorf("--plot: %w", err))
		}
	}
	if o.filters != "" {
		if err := writeFilters(o.filters, filters); err != nil {
			errs = append(errs, fmt.Errorf("--filters: %w", err))
		}
	}
	return errors.Join(errs...)
}
