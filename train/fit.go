package train

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/data"
	"graft/graph"
	"graft/losses"
	"graft/optim"
)

// Optimizer updates parameters in place from their gradients. Every
// optimizer in package optim satisfies it.
type Optimizer interface {
	Step(params []*graph.Node, grads []*tensor.Dense) error
}

// Metric counts how many of a batch's predictions are right. It returns an
// error, and Fit stops with it, when pred and target cannot be compared (a
// shape that does not fit the metric, say), rather than a wrong count.
type Metric func(pred, target *tensor.Dense) (correct, total int, err error)

// Config says how Fit trains.
type Config struct {
	Epochs    int    // passes over the data; at least 1
	BatchSize int    // rows per step; the last batch of an epoch may be smaller
	Seed      uint64 // seeds the shuffle: the same seed visits rows in the same order
	NoShuffle bool   // visit rows in their stored order
	Metric    Metric // reported as accuracy; nil reports none
	// Metrics are measured on every training batch as it is trained, and
	// on the validation rows after each epoch, each under its Name in the
	// History (the validation one with "val_" before it).
	Metrics []Meter
	// Progress receives a line per epoch every LogEvery epochs (0 means
	// every epoch) and after the last one, and on a terminal a live bar
	// within the epoch, as ProgressMode says; nil or io.Discard is quiet.
	Progress     io.Writer
	ProgressMode ProgressMode
	LogEvery     int
	// Params are the parameters to train; nil trains every parameter the
	// loss depends on.
	Params []*graph.Node

	// ValidationX and ValidationY are evaluated, in inference mode, after
	// every epoch: their loss is "val_loss" in the History, and the
	// Metric's and Metrics' values are "val_accuracy" and "val_" + Name.
	ValidationX, ValidationY *tensor.Dense
	// ValidationData is validation data as a data.Dataset, evaluated and
	// recorded as ValidationX and ValidationY are; give one or the other.
	ValidationData data.Dataset
	// ValidationSplit, from 0 up to 1, holds out that share of the rows of
	// x and y as validation data instead: the last ones, before any
	// shuffle, as Keras' validation_split does. It cannot be combined with
	// ValidationX or ValidationData.
	ValidationSplit float64
	// ValidationBatchSize is the batch size of validation; 0 means
	// BatchSize.
	ValidationBatchSize int

	// Callbacks are told of every epoch's end (and, if they implement
	// TrainBeginner, BatchEnder or TrainEnder, of those moments), in order.
	Callbacks []Callback
	// Schedule, if not nil, sets the optimizer's learning rate before each
	// step; the optimizer needs SetLearningRate (every one in optim has it).
	Schedule Schedule
	// ClipNorm, if above 0, scales each step's gradients so that their
	// global norm is at most ClipNorm (optim.ClipGlobalNorm) before the
	// optimizer sees them.
	ClipNorm float64
}

// Fit trains the model forward on inputs x and targets y (their first axis
// indexes examples) with the loss and optimizer given. x and y are float32,
// float64 or graph.Int64 (class ids for losses.SoftmaxCrossEntropy, say).
// It is
// NewModel(g, forward, loss).Fit(opt, x, y, cfg); keep a Model of your own
// to Fit more than once, Predict or Evaluate without building the same
// programs again.
func Fit(g *graph.Graph, forward activations.Func, loss losses.Func, opt Optimizer, x, y *tensor.Dense, cfg Config) (History, error) {
	if err := checkArgs(g, forward, loss, opt); err != nil {
		return History{}, err
	}
	return NewModel(g, forward, loss).Fit(opt, x, y, cfg)
}

// Fit trains m on inputs x and targets y (their first axis indexes
// examples) with the optimizer given, as cfg says, and returns the History
// of every epoch. The training step of each batch size (the full one, and
// a smaller last batch's) comes from m's program cache, built on first use
// in training mode (graph.SetTraining): dropout drops and batch norm
// normalizes with, and updates, the batch's statistics. The graph's mode is
// restored afterwards. Validation, in inference mode, uses m's evaluation
// programs, which Evaluate shares.
//
// Each step copies its rows into the program's batch, runs the program,
// adds the predictions to the metrics, clips the gradients if asked and
// steps the optimizer, so a metric that rejects the predictions stops Fit
// before that step moves a parameter. A steady-state step allocates
// nothing. After each epoch Fit validates, records the History and calls
// the callbacks; one that sets State.Stop ends training after that epoch,
// and one that returns an error ends it with that error. See the package
// documentation for what may run alongside Fit.
func (m *Model) Fit(opt Optimizer, x, y *tensor.Dense, cfg Config) (History, error) {
	if err := m.check("Fit", true); err != nil {
		return History{}, err
	}
	if opt == nil {
		return History{}, errors.New("graft: Fit: the optimizer is nil")
	}
	n, err := checkData(x, y, cfg)
	if err != nil {
		return History{}, err
	}
	return m.fit(opt, &source{x: x, y: y}, n, cfg)
}

// fit is Fit on the first n rows of src (the rest, if any, are the
// validation split's).
func (m *Model) fit(opt Optimizer, src *source, n int, cfg Config) (History, error) {
	val, vlo, vhi, n, err := validationOf(src, n, cfg)
	if err != nil {
		return History{}, err
	}
	lr, err := checkSchedule(opt, cfg)
	if err != nil {
		return History{}, err
	}
	full := min(cfg.BatchSize, n)
	var steps [2]*program // the full batch's and the last batch's
	for i, size := range []int{full, n % full} {
		if size == 0 {
			continue
		}
		if steps[i], err = m.program(forTrain, src.x, src.y, size, cfg.Params); err != nil {
			return History{}, err
		}
	}
	meters := append([]Meter(nil), cfg.Metrics...)
	if cfg.Metric != nil {
		meters = append([]Meter{Counted("accuracy", cfg.Metric)}, meters...)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	h := History{Metrics: map[string][]float64{}}
	s := &State{Epochs: cfg.Epochs, StepsPerEpoch: (n + full - 1) / full, History: &h, Optimizer: opt, Weights: weightsOf(m.graph)}
	line := newProgress(cfg.Progress, cfg.ProgressMode)
	defer line.done()
	// A dataset is read serially: a Dataset of the user's need not be
	// safe to read from two goroutines.
	serial := m.serial || src.ds != nil
	var pre *prefetcher
	if !serial {
		pre = newPrefetcher(src.x, src.y)
		defer pre.stop()
	}
	if err := callBegin(cfg.Callbacks, s); err != nil {
		return h, err
	}
	for epoch := 1; epoch <= cfg.Epochs && !s.Stop; epoch++ {
		s.Epoch = epoch
		if !cfg.NoShuffle {
			rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for _, mt := range meters {
			mt.Reset()
		}
		line.begin(s.StepsPerEpoch)
		// While step k runs on one batch buffer, rows of step k+1 are
		// gathered into the other.
		batchOf := func(k int) (*program, *batch, []int) {
			rows := order[k*full : min((k+1)*full, n)]
			p := steps[0]
			if len(rows) != full {
				p = steps[1]
			}
			return p, p.buffer(k % 2), rows
		}
		_, b0, rows0 := batchOf(0)
		if err := src.gather(b0, rows0); err != nil {
			return h, err
		}
		var lossSum float64
		for k := 0; k < s.StepsPerEpoch; k++ {
			p, b, rows := batchOf(k)
			if serial && k > 0 {
				if err := src.gather(b, rows); err != nil {
					return h, err
				}
			}
			prefetch := k+1 < s.StepsPerEpoch && !serial
			if prefetch {
				_, next, nextRows := batchOf(k + 1)
				pre.gather(next, nextRows)
			}
			if cfg.Schedule != nil {
				lr.SetLearningRate(cfg.Schedule(h.Steps))
			}
			l, err := p.step(b, opt, meters, cfg.ClipNorm)
			if prefetch {
				pre.wait()
			}
			if err != nil {
				return h, err
			}
			h.Steps++
			lossSum += l * float64(len(rows))
			line.step(l)
			if err := callBatch(cfg.Callbacks, s); err != nil {
				return h, err
			}
		}
		h.record("loss", lossSum/float64(n))
		for _, mt := range meters {
			h.record(mt.Name(), mt.Value())
		}
		if val != nil {
			vl, err := m.evaluate(val, vlo, vhi, orDefault(cfg.ValidationBatchSize, cfg.BatchSize), meters)
			if err != nil {
				return h, err
			}
			h.record("val_loss", vl)
			for _, mt := range meters {
				h.record("val_"+mt.Name(), mt.Value())
			}
		}
		if lr != nil {
			h.record("lr", lr.LearningRate())
		}
		h.Loss = h.Metrics["loss"]
		h.Accuracy = h.Metrics["accuracy"]
		h.Epochs = epoch
		if cfg.LogEvery <= 1 || epoch%cfg.LogEvery == 0 || epoch == cfg.Epochs {
			line.epoch(epoch, cfg.Epochs, &h)
		}
		if err := callEpochEnd(cfg.Callbacks, s); err != nil {
			return h, err
		}
	}
	return h, callEnd(cfg.Callbacks, s)
}

// learningRater is an optimizer whose learning rate a schedule can set.
type learningRater interface {
	LearningRate() float64
	SetLearningRate(lr float64)
}

// checkSchedule returns opt as a learningRater when it is one, and an error
// when cfg asks for a schedule it cannot follow or a bad clipping norm.
func checkSchedule(opt Optimizer, cfg Config) (learningRater, error) {
	lr, _ := opt.(learningRater)
	switch {
	case cfg.Schedule != nil && lr == nil:
		return nil, fmt.Errorf("graft: Fit: the optimizer %T has no SetLearningRate, so Config.Schedule cannot set its learning rate", opt)
	case cfg.ClipNorm < 0 || math.IsNaN(cfg.ClipNorm) || math.IsInf(cfg.ClipNorm, 0):
		return nil, fmt.Errorf("graft: Fit: ClipNorm is %v; it must be positive and finite, or 0 for no clipping", cfg.ClipNorm)
	}
	return lr, nil
}

// validationOf returns the validation data (nil for none) as rows [lo, hi)
// of val, and the number of training rows, which a validation split takes
// from the end of the n rows of src.
func validationOf(src *source, n int, cfg Config) (val *source, lo, hi, train int, err error) {
	split := cfg.ValidationSplit
	vx, vy, vd := cfg.ValidationX, cfg.ValidationY, cfg.ValidationData
	switch {
	case !(split >= 0 && split < 1):
		return nil, 0, 0, 0, fmt.Errorf("graft: Fit: ValidationSplit is %v; it must be at least 0 and below 1", split)
	case vd != nil && (split > 0 || vx != nil || vy != nil):
		return nil, 0, 0, 0, errTwoValidations
	case split > 0 && (vx != nil || vy != nil):
		return nil, 0, 0, 0, errors.New("graft: Fit: give ValidationSplit or ValidationX and ValidationY, not both")
	case cfg.ValidationBatchSize < 0:
		return nil, 0, 0, 0, fmt.Errorf("graft: Fit: ValidationBatchSize is %d; it must be at least 1, or 0 for BatchSize", cfg.ValidationBatchSize)
	case split > 0:
		train := int(float64(n) * (1 - split)) // Keras' split point
		if train < 1 || train == n {
			return nil, 0, 0, 0, fmt.Errorf("graft: Fit: ValidationSplit %v of %d rows leaves %d to train on and %d to validate; each needs at least one", split, n, train, n-train)
		}
		return src, train, n, train, nil
	case vd != nil:
		if val, err = sourceOf("Fit: ValidationData", vd, true); err != nil {
			return nil, 0, 0, 0, err
		}
	case vx == nil && vy == nil:
		return nil, 0, 0, n, nil
	case vx == nil || vy == nil:
		return nil, 0, 0, 0, errors.New("graft: Fit: ValidationX and ValidationY go together; one of them is nil")
	default:
		if _, err := checkRows("Fit: validation", vx, vy, 0); err != nil {
			return nil, 0, 0, 0, err
		}
		val = &source{x: vx, y: vy}
	}
	if err := sameRows(src, val); err != nil {
		return nil, 0, 0, 0, err
	}
	if val.ds != nil {
		return val, 0, val.ds.Len(), n, nil
	}
	return val, 0, val.x.Shape()[0], n, nil
}

// checkArgs rejects the nil arguments that Fit would otherwise trip over.
func checkArgs(g *graph.Graph, forward activations.Func, loss losses.Func, opt Optimizer) error {
	switch {
	case g == nil:
		return errors.New("graft: Fit: the graph is nil; make one with graph.New")
	case forward == nil:
		return errors.New("graft: Fit: the model function forward is nil")
	case loss == nil:
		return errors.New("graft: Fit: the loss function is nil")
	case opt == nil:
		return errors.New("graft: Fit: the optimizer is nil")
	}
	return nil
}

func checkData(x, y *tensor.Dense, cfg Config) (int, error) {
	switch {
	case x == nil || y == nil:
		return 0, errors.New("graft: Fit: x and y must not be nil")
	case len(x.Shape()) == 0 || len(y.Shape()) == 0:
		return 0, errors.New("graft: Fit: x and y need a first axis that indexes examples")
	case x.Shape()[0] != y.Shape()[0]:
		return 0, fmt.Errorf("graft: Fit: x has %d examples (shape %v) but y has %d (shape %v)", x.Shape()[0], x.Shape(), y.Shape()[0], y.Shape())
	}
	if err := checkLoop(cfg); err != nil {
		return 0, err
	}
	switch {
	case x.Shape()[0] == 0:
		return 0, fmt.Errorf("graft: Fit: x (shape %v) holds no examples", x.Shape())
	case x.RequiresIterator() || y.RequiresIterator():
		return 0, errors.New("graft: Fit: x and y must be contiguous; call Materialize() first")
	}
	return x.Shape()[0], nil
}

// checkLoop reports an Epochs or BatchSize that Fit cannot loop over.
func checkLoop(cfg Config) error {
	switch {
	case cfg.Epochs < 1:
		return fmt.Errorf("graft: Fit: Epochs is %d; it must be at least 1", cfg.Epochs)
	case cfg.BatchSize < 1:
		return fmt.Errorf("graft: Fit: BatchSize is %d; it must be at least 1", cfg.BatchSize)
	}
	return nil
}

// step runs the training program on the batch b (its rows already
// copied in), adds the predictions to the meters, clips the gradients if
// clip > 0 and updates the parameters. It returns the batch loss.
func (p *program) step(b *batch, opt Optimizer, meters []Meter, clip float64) (float64, error) {
	out, err := p.prog.Run(b.feeds)
	if err != nil {
		return 0, err
	}
	for _, mt := range meters {
		if err := mt.Add(out[1], b.y); err != nil {
			return 0, err
		}
	}
	grads := out[2:]
	if clip > 0 {
		if _, err := optim.ClipGlobalNorm(grads, clip); err != nil {
			return 0, err
		}
	}
	if err := opt.Step(p.params, grads); err != nil {
		return 0, err
	}
	return scalar(out[0]), nil
}

// prefetcher copies the rows of the next batch into its buffer on a
// goroutine of its own while the current step runs, so that the copying,
// most of what Fit adds to the steps, overlaps them. Channels hand the
// buffers over, so no step reads a buffer being filled.
type prefetcher struct {
	x, y   *tensor.Dense
	jobs   chan gatherJob
	done   chan struct{}
	exited chan struct{}
}

type gatherJob struct {
	b    *batch
	rows []int
}

func newPrefetcher(x, y *tensor.Dense) *prefetcher {
	f := &prefetcher{x: x, y: y, jobs: make(chan gatherJob, 1), done: make(chan struct{}, 1), exited: make(chan struct{})}
	go func() {
		defer close(f.exited)
		for j := range f.jobs {
			gatherRows(j.b.x, f.x, j.rows)
			gatherRows(j.b.y, f.y, j.rows)
			f.done <- struct{}{}
		}
	}()
	return f
}

// gather starts filling b with rows; wait waits until it is filled.
func (f *prefetcher) gather(b *batch, rows []int) { f.jobs <- gatherJob{b, rows} }
func (f *prefetcher) wait()                       { <-f.done }

// stop ends the goroutine once its last copy is done.
func (f *prefetcher) stop() {
	close(f.jobs)
	<-f.exited
}

// ParamsOf returns the parameters that y depends on, in build order.
func ParamsOf(y *graph.Node) []*graph.Node {
	seen := map[*graph.Node]bool{}
	var params []*graph.Node
	stack := []*graph.Node{y}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || seen[n] { // nil: an op given a nil input, recorded on its graph
			continue
		}
		seen[n] = true
		if n.Kind() == graph.Param {
			params = append(params, n)
		}
		stack = append(stack, n.Inputs()...)
	}
	sort.Slice(params, func(i, j int) bool { return params[i].ID() < params[j].ID() })
	return params
}

func scalar(t *tensor.Dense) float64 {
	if t.Dtype() == tensor.Float32 {
		return float64(t.Float32s()[0])
	}
	return t.Float64s()[0]
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
