package train

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/autodiff"
	"graft/graph"
	"graft/losses"
)

// Model is a model written once, as a function forward of its input node,
// and run on any number of rows. graft's graphs have fixed shapes, so a
// Model builds and compiles one program per shape of input it meets, on
// first use, and keeps it in a cache, as JAX's jit traces a function again
// for each new shape: a shape seen before costs no build and no compile.
// Every program reads the same parameters (the layers forward uses reuse
// theirs when applied again), so training through one program moves the
// numbers every other program sees.
//
// Prediction and evaluation programs are built in inference mode and
// training programs in training mode (graph.SetTraining), so dropout drops
// and batch norm uses batch statistics only in Fit.
//
// The cache holds DefaultCacheSize programs unless SetCacheSize says
// otherwise, and drops the least recently used beyond that. The nodes of a
// dropped program stay in the graph (a graph never forgets a node), so a
// dropped shape met again is built again: size the cache for the shapes a
// program really serves, and use CacheStats to see what it does.
//
// A Model is used from one goroutine at a time, like its graph.
type Model struct {
	graph   *graph.Graph
	forward activations.Func
	loss    losses.Func
	cache   *programCache
	serial  bool // gather each batch before its step instead of during the one before (for BenchmarkFitEpochOverhead)
}

// NewModel returns the model forward on g, trained and evaluated with loss.
// loss may be nil for a model that only predicts. Mistakes in the arguments
// are reported by the first Predict, Evaluate or Fit.
func NewModel(g *graph.Graph, forward activations.Func, loss losses.Func) *Model {
	return &Model{graph: g, forward: forward, loss: loss, cache: newProgramCache()}
}

// SetCacheSize sets how many compiled programs m keeps, at least 1; a
// smaller n is taken as 1. Programs beyond it are dropped, least recently
// used first.
func (m *Model) SetCacheSize(n int) {
	m.cache.size = max(n, 1)
	m.cache.shrink()
}

// CacheStats reports what m's program cache holds and how often it
// compiled.
func (m *Model) CacheStats() CacheStats {
	c := m.cache
	return CacheStats{Programs: len(c.entries), Size: c.size, Compiles: c.compiles, Hits: c.hits, Evictions: c.evictions}
}

// Graph returns the graph m builds its programs in.
func (m *Model) Graph() *graph.Graph { return m.graph }

// DefaultBatchSize is the batch size Predict and Evaluate use when given 0,
// Keras' default.
const DefaultBatchSize = 32

// Predict runs the model in inference mode on every row of x (its first
// axis indexes examples), batchSize rows at a time (0 means
// DefaultBatchSize), and returns the predictions of all rows in one new
// tensor. Only one batch's activations are held at a time; a last batch of
// fewer rows runs through a program of its own size, from the cache like
// the others.
func (m *Model) Predict(x *tensor.Dense, batchSize int) (*tensor.Dense, error) {
	if err := m.check("Predict", false); err != nil {
		return nil, err
	}
	n, err := checkRows("Predict", x, nil, batchSize)
	if err != nil {
		return nil, err
	}
	return m.predict(&source{x: x}, n, orDefault(batchSize, DefaultBatchSize))
}

// predict runs the n rows of s through prediction programs, batch rows at
// a time, and returns their predictions in one new tensor.
func (m *Model) predict(s *source, n, batch int) (*tensor.Dense, error) {
	batch = min(batch, n)
	var out *tensor.Dense
	progs := [2]*program{}
	for start := 0; start < n; start += batch {
		rows := min(batch, n-start)
		i := 0
		if rows != batch {
			i = 1
		}
		if progs[i] == nil {
			var err error
			if progs[i], err = m.program(forPredict, s.x, nil, rows, nil); err != nil {
				return nil, err
			}
		}
		p := progs[i]
		b := p.bufs[0]
		if err := s.read(b, start); err != nil {
			return nil, err
		}
		res, err := p.prog.Run(b.feeds)
		if err != nil {
			return nil, err
		}
		pred := res[0]
		if len(pred.Shape()) == 0 || pred.Shape()[0] != rows {
			return nil, fmt.Errorf("graft: Predict: the model maps a batch of %d rows to shape %v; Predict needs one prediction per row (a first axis of %d)", rows, graph.Shape(pred.Shape()), rows)
		}
		if out == nil {
			out = tensor.New(tensor.WithShape(append([]int{n}, pred.Shape()[1:]...)...), tensor.Of(pred.Dtype()))
		}
		putRows(out, pred, start)
	}
	return out, nil
}

// Evaluate runs the model in inference mode on every row of x against the
// targets y, batchSize rows at a time (0 means DefaultBatchSize), and
// returns the loss averaged over the rows under the name "loss" and the
// value of each meter under its Name. Every meter is Reset first.
func (m *Model) Evaluate(x, y *tensor.Dense, batchSize int, meters ...Meter) (map[string]float64, error) {
	if err := m.check("Evaluate", true); err != nil {
		return nil, err
	}
	n, err := checkRows("Evaluate", x, y, batchSize)
	if err != nil {
		return nil, err
	}
	return m.scores(&source{x: x, y: y}, n, batchSize, meters)
}

// scores evaluates the n rows of s and returns Evaluate's map.
func (m *Model) scores(s *source, n, batchSize int, meters []Meter) (map[string]float64, error) {
	loss, err := m.evaluate(s, 0, n, orDefault(batchSize, DefaultBatchSize), meters)
	if err != nil {
		return nil, err
	}
	scores := map[string]float64{"loss": loss}
	for _, mt := range meters {
		scores[mt.Name()] = mt.Value()
	}
	return scores, nil
}

// evaluate runs rows [lo, hi) of s through evaluation programs and feeds
// the meters; it returns the mean loss over the rows.
func (m *Model) evaluate(s *source, lo, hi, batchSize int, meters []Meter) (float64, error) {
	for _, mt := range meters {
		mt.Reset()
	}
	batch := min(batchSize, hi-lo)
	progs := [2]*program{}
	var sum float64
	for start := lo; start < hi; start += batch {
		rows := min(batch, hi-start)
		i := 0
		if rows != batch {
			i = 1
		}
		if progs[i] == nil {
			var err error
			if progs[i], err = m.program(forEval, s.x, s.y, rows, nil); err != nil {
				return 0, err
			}
		}
		p := progs[i]
		b := p.bufs[0]
		if err := s.read(b, start); err != nil {
			return 0, err
		}
		res, err := p.prog.Run(b.feeds)
		if err != nil {
			return 0, err
		}
		for _, mt := range meters {
			if err := mt.Add(res[1], b.y); err != nil {
				return 0, err
			}
		}
		sum += scalar(res[0]) * float64(rows)
	}
	return sum / float64(hi-lo), nil
}

// check reports a Model made with nil arguments.
func (m *Model) check(what string, needLoss bool) error {
	switch {
	case m == nil:
		return fmt.Errorf("graft: %s: the Model is nil; make one with train.NewModel", what)
	case m.graph == nil:
		return fmt.Errorf("graft: %s: the graph is nil; make one with graph.New", what)
	case m.forward == nil:
		return fmt.Errorf("graft: %s: the model function forward is nil", what)
	case needLoss && m.loss == nil:
		return fmt.Errorf("graft: %s: the loss function is nil; give one to train.NewModel", what)
	}
	return m.graph.Err()
}

// program returns the cached program for purpose p on batches of rows rows
// shaped like x's (and y's), building and compiling it on first use. params
// (for training) are the parameters to differentiate; nil means every
// parameter the loss depends on. A cached training program for other
// parameters is built again.
func (m *Model) program(p purpose, x, y *tensor.Dense, rows int, params []*graph.Node) (*program, error) {
	key := m.cache.makeKey(p, x, y, rows)
	if e := m.cache.get(key); e != nil && (params == nil || sameNodes(e.params, params)) {
		return e, nil
	}
	e, err := m.build(p, x, y, rows, params)
	if err != nil {
		return nil, err
	}
	m.cache.put(m.cache.makeKey(p, x, y, rows), e)
	return e, nil
}

// build adds the nodes of one program to the graph and compiles them.
func (m *Model) build(p purpose, x, y *tensor.Dense, rows int, params []*graph.Node) (*program, error) {
	g := m.graph
	b := &batch{x: batchTensor(x, rows)}
	e := &program{bufs: [2]*batch{b}}
	e.x = g.Input("x", x.Dtype(), b.x.Shape()...)
	b.feeds = graph.Feeds{e.x: b.x}
	was := g.Training()
	g.SetTraining(p == forTrain)
	pred := m.forward(e.x)
	g.SetTraining(was)
	what := "Fit"
	if p == forPredict {
		what = "Predict"
	} else if p == forEval {
		what = "Evaluate"
	}
	if err := checkNode(what, "the model function forward", pred, g); err != nil {
		return nil, err
	}
	outputs := []*graph.Node{pred}
	if p != forPredict {
		b.y = batchTensor(y, rows)
		e.y = g.Input("y", y.Dtype(), b.y.Shape()...)
		b.feeds[e.y] = b.y
		l := m.loss(pred, e.y)
		if err := checkNode(what, "the loss function", l, g); err != nil {
			return nil, err
		}
		outputs = []*graph.Node{l, pred}
	}
	if p == forTrain {
		e.params = params
		if e.params == nil {
			e.params = ParamsOf(outputs[0])
		}
		if len(e.params) == 0 {
			return nil, errors.New("graft: Fit: the loss depends on no parameter, so there is nothing to train")
		}
		grads, err := autodiff.Grad(outputs[0], e.params...)
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, grads...)
	}
	var err error
	if e.prog, err = graph.Compile(outputs...); err != nil {
		return nil, err
	}
	return e, nil
}

// checkNode reports a node that a user function returned and a Model cannot
// use: nil, or of another graph than g. A build error recorded on g comes
// first, since it usually explains the rest.
func checkNode(caller, what string, n *graph.Node, g *graph.Graph) error {
	if err := g.Err(); err != nil {
		return err
	}
	switch {
	case n == nil:
		return fmt.Errorf("graft: %s: %s returned nil", caller, what)
	case n.Graph().Err() != nil: // failed on a graph of its own (all its inputs nil)
		return n.Graph().Err()
	case n.Graph() != g:
		return fmt.Errorf("graft: %s: %s returned %v, a node of another graph than the model's", caller, what, n)
	}
	return nil
}

// checkRows checks x (and y, when not nil) as a data set and returns its
// number of rows.
func checkRows(what string, x, y *tensor.Dense, batchSize int) (int, error) {
	switch {
	case x == nil:
		return 0, fmt.Errorf("graft: %s: x is nil", what)
	case len(x.Shape()) == 0:
		return 0, fmt.Errorf("graft: %s: x (shape %v) needs a first axis that indexes examples", what, graph.Shape(x.Shape()))
	case x.Shape()[0] == 0:
		return 0, fmt.Errorf("graft: %s: x (shape %v) holds no examples", what, graph.Shape(x.Shape()))
	case batchSize < 0:
		return 0, checkBatchSize(what, batchSize)
	case x.RequiresIterator():
		return 0, fmt.Errorf("graft: %s: x is a non-contiguous view; call Materialize() first", what)
	}
	if y == nil {
		return x.Shape()[0], nil
	}
	switch {
	case len(y.Shape()) == 0:
		return 0, fmt.Errorf("graft: %s: y (shape %v) needs a first axis that indexes examples", what, graph.Shape(y.Shape()))
	case x.Shape()[0] != y.Shape()[0]:
		return 0, fmt.Errorf("graft: %s: x has %d examples (shape %v) but y has %d (shape %v)", what, x.Shape()[0], graph.Shape(x.Shape()), y.Shape()[0], graph.Shape(y.Shape()))
	case y.RequiresIterator():
		return 0, fmt.Errorf("graft: %s: y is a non-contiguous view; call Materialize() first", what)
	}
	return x.Shape()[0], nil
}

// checkBatchSize reports a negative batch size of Predict or Evaluate.
func checkBatchSize(what string, batchSize int) error {
	if batchSize < 0 {
		return fmt.Errorf("graft: %s: batch size %d; it must be at least 1 (or 0 for %d)", what, batchSize, DefaultBatchSize)
	}
	return nil
}

func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

func sameNodes(a, b []*graph.Node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// weightsOf returns every parameter and state of g, in build order: the
// numbers EarlyStopping restores and BestCheckpoint saves.
func weightsOf(g *graph.Graph) []*graph.Node {
	var w []*graph.Node
	for _, n := range g.Nodes() {
		if (n.Kind() == graph.Param || n.Kind() == graph.State) && n.Value() != nil {
			w = append(w, n)
		}
	}
	return w
}
