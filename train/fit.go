package train

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/autodiff"
	"graft/graph"
	"graft/losses"
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
	// Progress receives the loss and accuracy every LogEvery epochs (0
	// means every epoch) and after the last one, as ProgressMode says; nil
	// is quiet.
	Progress     io.Writer
	ProgressMode ProgressMode
	LogEvery     int
	// Params are the parameters to train; nil trains every parameter the
	// loss depends on.
	Params []*graph.Node
}

// History holds the mean loss and the accuracy of each epoch, measured on
// the batches as they were trained (like Keras' fit).
type History struct {
	Loss     []float64
	Accuracy []float64 // empty without a Metric
	Steps    int       // optimizer steps taken
}

// Fit trains the model forward on inputs x and targets y (their first axis
// indexes examples) with the loss and optimizer given. x and y are float32,
// float64 or graph.Int64 (class ids for losses.SoftmaxCrossEntropy, say),
// each fed as an input node of its own dtype. It adds input nodes
// to g and applies forward to one of the batch size, and to one of the last
// batch's size if that differs, so the model's layers must reuse their
// parameters when applied again (graft's layers do). The same g then serves
// to build a prediction program with the trained parameters.
//
// forward is applied in the graph's training mode (graph.SetTraining), so
// dropout drops and batch norm normalizes with, and updates, the batch's
// statistics; the graph's mode is restored afterwards, so a forward applied
// after Fit builds the inference form.
//
// Each step runs the program, then the metric on its predictions, then the
// optimizer, so a metric that rejects the predictions stops Fit before that
// step moves a parameter. See the package documentation for what may run
// alongside Fit.
func Fit(g *graph.Graph, forward activations.Func, loss losses.Func, opt Optimizer, x, y *tensor.Dense, cfg Config) (History, error) {
	if err := checkArgs(g, forward, loss, opt); err != nil {
		return History{}, err
	}
	n, err := checkData(x, y, cfg)
	if err != nil {
		return History{}, err
	}
	if err := g.Err(); err != nil {
		return History{}, err
	}
	full := min(cfg.BatchSize, n)
	steps := map[int]*stepper{}
	for _, size := range []int{full, n % full} {
		if size == 0 || steps[size] != nil {
			continue
		}
		if steps[size], err = newStepper(g, forward, loss, x, y, size, cfg.Params); err != nil {
			return History{}, err
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	var h History
	line := newProgress(cfg.Progress, cfg.ProgressMode)
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if !cfg.NoShuffle {
			rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		var lossSum float64
		var correct, total int
		for start := 0; start < n; start += full {
			rows := order[start:min(start+full, n)]
			s := steps[len(rows)]
			l, c, t, err := s.run(x, y, rows, opt, cfg.Metric)
			if err != nil {
				return h, err
			}
			h.Steps++
			lossSum += l * float64(len(rows))
			correct, total = correct+c, total+t
		}
		h.Loss = append(h.Loss, lossSum/float64(n))
		if cfg.Metric != nil {
			h.Accuracy = append(h.Accuracy, float64(correct)/float64(max(total, 1)))
		}
		if cfg.LogEvery <= 1 || epoch%cfg.LogEvery == 0 || epoch == cfg.Epochs {
			line.epoch(epoch, cfg.Epochs, h)
		}
	}
	line.done()
	return h, nil
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
	case cfg.Epochs < 1:
		return 0, fmt.Errorf("graft: Fit: Epochs is %d; it must be at least 1", cfg.Epochs)
	case cfg.BatchSize < 1:
		return 0, fmt.Errorf("graft: Fit: BatchSize is %d; it must be at least 1", cfg.BatchSize)
	case x.Shape()[0] == 0:
		return 0, fmt.Errorf("graft: Fit: x (shape %v) holds no examples", x.Shape())
	case x.RequiresIterator() || y.RequiresIterator():
		return 0, errors.New("graft: Fit: x and y must be contiguous; call Materialize() first")
	}
	return x.Shape()[0], nil
}

// stepper is the compiled training step for one batch size.
type stepper struct {
	prog          *graph.Program
	xIn, yIn      *graph.Node
	input, target *tensor.Dense // the batch, copied from x and y rows
	feeds         graph.Feeds
	params        []*graph.Node
}

func newStepper(g *graph.Graph, forward activations.Func, loss losses.Func, x, y *tensor.Dense, size int, params []*graph.Node) (*stepper, error) {
	s := &stepper{
		input:  batchTensor(x, size),
		target: batchTensor(y, size),
	}
	s.xIn = g.Input("x", x.Dtype(), s.input.Shape()...)
	s.yIn = g.Input("y", y.Dtype(), s.target.Shape()...)
	// The step is built in training mode (dropout drops, batch norm uses
	// and updates batch statistics); the graph's mode is restored after.
	was := g.Training()
	g.SetTraining(true)
	pred := forward(s.xIn)
	g.SetTraining(was)
	if err := checkNode("the model function forward", pred, g); err != nil {
		return nil, err
	}
	l := loss(pred, s.yIn)
	if err := checkNode("the loss function", l, g); err != nil {
		return nil, err
	}
	s.params = params
	if s.params == nil {
		s.params = ParamsOf(l)
	}
	if len(s.params) == 0 {
		return nil, errors.New("graft: Fit: the loss depends on no parameter, so there is nothing to train")
	}
	grads, err := autodiff.Grad(l, s.params...)
	if err != nil {
		return nil, err
	}
	if s.prog, err = graph.Compile(append([]*graph.Node{l, pred}, grads...)...); err != nil {
		return nil, err
	}
	s.feeds = graph.Feeds{s.xIn: s.input, s.yIn: s.target}
	return s, nil
}

// checkNode reports a node that a user function returned and Fit cannot
// use: nil, or of another graph than g. A build error recorded on g comes
// first, since it usually explains the rest.
func checkNode(what string, n *graph.Node, g *graph.Graph) error {
	if err := g.Err(); err != nil {
		return err
	}
	switch {
	case n == nil:
		return fmt.Errorf("graft: Fit: %s returned nil", what)
	case n.Graph().Err() != nil: // failed on a graph of its own (all its inputs nil)
		return n.Graph().Err()
	case n.Graph() != g:
		return fmt.Errorf("graft: Fit: %s returned %v, a node of another graph than the one given to Fit", what, n)
	}
	return nil
}

// run copies the chosen rows into the batch, runs the step, counts the
// metric (if any) and updates the parameters. It returns the batch loss and
// the metric's counts.
func (s *stepper) run(x, y *tensor.Dense, rows []int, opt Optimizer, metric Metric) (loss float64, correct, total int, err error) {
	gatherRows(s.input, x, rows)
	gatherRows(s.target, y, rows)
	out, err := s.prog.Run(s.feeds)
	if err != nil {
		return 0, 0, 0, err
	}
	if metric != nil {
		if correct, total, err = metric(out[1], s.target); err != nil {
			return 0, 0, 0, err
		}
	}
	if err := opt.Step(s.params, out[2:]); err != nil {
		return 0, 0, 0, err
	}
	return scalar(out[0]), correct, total, nil
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

func batchTensor(t *tensor.Dense, rows int) *tensor.Dense {
	shape := append([]int{rows}, t.Shape()[1:]...)
	return tensor.New(tensor.WithShape(shape...), tensor.Of(t.Dtype()))
}

// gatherRows copies the given rows of src into dst, which has src's dtype
// (float32, float64, or int64 for labels and indices) and one row per entry
// of rows.
func gatherRows(dst, src *tensor.Dense, rows []int) {
	width := dst.Shape().TotalSize() / dst.Shape()[0]
	switch dst.Dtype() {
	case tensor.Float32:
		copyRows(dst.Float32s(), src.Float32s(), rows, width)
	case tensor.Int64:
		copyRows(dst.Int64s(), src.Int64s(), rows, width)
	default:
		copyRows(dst.Float64s(), src.Float64s(), rows, width)
	}
}

func copyRows[T any](dst, src []T, rows []int, width int) {
	for i, r := range rows {
		copy(dst[i*width:(i+1)*width], src[r*width:(r+1)*width])
	}
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
