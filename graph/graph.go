package graph

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"gorgonia.org/tensor"
)

// Graph is a symbolic computation: nodes in the order they were built, which
// is always a topological order. It records the first mistake made while
// building it; Compile and autodiff.Grad report it.
//
// What is safe across goroutines:
//   - Building (the builders, Apply, autodiff.Grad) is for one goroutine at a
//     time. graft catches the usual slip rather than corrupt the graph: two
//     differentiations of one graph that overlap in time (MarkingGradients,
//     which autodiff.Grad uses), and two nodes added at the same instant,
//     record an error on the graph, so Grad and every later Compile of it
//     fail. Plain builders racing with each other are caught only when their
//     adds overlap exactly: do not rely on it; the race detector sees the rest.
//   - Once building is done, reading the graph (Nodes, Err, Compile,
//     WriteDOT) is safe from many goroutines, and programs compiled from it
//     run concurrently, each in one goroutine at a time (see Program).
//   - Parameter tensors are shared by every program of the graph: write them
//     (an optimizer step, a checkpoint load) only while none of those
//     programs runs.
type Graph struct {
	nodes   []*Node
	err     atomic.Pointer[error] // the first error; atomic so a rival goroutine can record its misuse
	marking atomic.Bool           // MarkingGradients is running build
	adding  atomic.Bool           // add is appending a node

	deriving             *Node    // the node whose gradient rule is building, if any (Deriving)
	segment, segments    int      // the Rematerialize call building (0: none), and how many there were
	training             bool     // the mode layers build in (SetTraining)
	unfused              bool     // Compile does not fuse (SetFusion)
	updates              []update // state updates, in the order recorded
	counter, counterNext *Node    // the random-number counter and its successor, once used
}

// New returns an empty graph.
func New() *Graph { return &Graph{} }

// Err returns the first error recorded while building the graph, or nil.
// Err of a nil graph is an error saying so.
func (g *Graph) Err() error {
	if g == nil {
		return errors.New("graft: the graph is nil; make one with graph.New()")
	}
	if err := g.err.Load(); err != nil {
		return *err
	}
	return nil
}

// Nodes returns every node in build order (none for a nil graph). The caller
// must not change the slice.
func (g *Graph) Nodes() []*Node {
	if g == nil {
		return nil
	}
	return g.nodes
}

// Input adds a leaf that is fed on every run with a tensor of exactly this
// dtype and shape.
func (g *Graph) Input(name string, dt DType, shape ...int) *Node {
	return g.leaf(Input, name, dt, Shape(shape).Clone(), nil)
}

// Param adds a trainable parameter holding value. The graph keeps value
// itself, not a copy: an optimizer updates it in place and every later run
// sees the new numbers.
func (g *Graph) Param(name string, value *tensor.Dense) *Node {
	return g.tensorLeaf(Param, name, value)
}

// Const adds a constant holding value. The graph keeps value itself; do not
// change it after compiling.
func (g *Graph) Const(name string, value *tensor.Dense) *Node {
	return g.tensorLeaf(Constant, name, value)
}

func (g *Graph) tensorLeaf(kind Kind, name string, value *tensor.Dense) *Node {
	dt, shape := tensor.Float64, Shape{}
	if value != nil {
		dt, shape = value.Dtype(), Shape(value.Shape()).Clone()
	}
	n := g.leaf(kind, name, dt, shape, value)
	switch {
	case n.failed:
	case value == nil:
		n.graph.fail(n, fmt.Errorf("graft: %v %q at %s has a nil tensor", kind, name, n.origin))
	case layoutProblem(value) != "":
		n.graph.fail(n, fmt.Errorf("graft: %v %q at %s is %s", kind, name, n.origin, layoutProblem(value)))
	}
	return n
}

// leaf adds an input, parameter or constant. On a nil graph it returns a
// failed node on a graph of its own, so that compiling it, or building on
// it, reports the mistake.
func (g *Graph) leaf(kind Kind, name string, dt DType, shape Shape, value *tensor.Dense) *Node {
	nilGraph := g == nil
	if nilGraph {
		g = New()
	}
	n := g.add(&Node{kind: kind, name: name, dtype: dt, shape: shape, value: value})
	if n.failed {
		return n
	}
	if nilGraph {
		g.fail(n, fmt.Errorf("graft: %v %q at %s: the graph is nil; make one with graph.New()", kind, name, n.origin))
	} else if err := checkLeafDType(kind, dt); err != nil {
		g.fail(n, fmt.Errorf("graft: %v %q at %s: %w", kind, name, n.origin, err))
	} else if err := CheckShape(shape); err != nil {
		g.fail(n, fmt.Errorf("graft: %v %q at %s: %w", kind, name, n.origin, err))
	}
	return n
}

// add appends n to the graph. A second goroutine adding at the same instant
// gets a failed node that is not appended, and the graph records the misuse:
// appending from two goroutines would give two nodes one ID.
func (g *Graph) add(n *Node) *Node {
	n.graph = g
	n.origin = userOrigin()
	if !g.adding.CompareAndSwap(false, true) {
		n.id = -1
		g.fail(n, fmt.Errorf("graft: %s at %s was built while another goroutine added a node to the same graph; build a graph from one goroutine at a time", n.what(), n.origin))
		return n
	}
	n.id = len(g.nodes)
	n.gradient = g.marking.Load()
	if n.gradient {
		n.of = g.deriving
	}
	if !n.gradient && n.kind == OpNode {
		n.segment = g.segment
	}
	g.nodes = append(g.nodes, n)
	g.adding.Store(false)
	return n
}

// fail marks n as failed and keeps err if it is the graph's first error.
func (g *Graph) fail(n *Node, err error) {
	n.failed = true
	g.err.CompareAndSwap(nil, &err)
}

// Apply adds a node that applies op to inputs. The op's Infer rule fixes the
// node's shape and dtype; if it rejects the inputs, or gives a dtype graft
// does not compute in or a shape of more than MaxElements elements, the error
// is recorded on the graph and Apply still returns a node (marked failed), so
// building goes on and Compile reports the first mistake.
func Apply(op Op, inputs ...*Node) *Node {
	g, err := commonGraph("input", inputs)
	if g == nil {
		// No input has a graph: record the error on a graph of its own,
		// so that compiling this node, or mixing it with others, reports it.
		g = New()
	}
	name := "Apply"
	if op == nil {
		err = errors.New("the op is nil")
		op = rejectOp{name: name, err: err}
	} else {
		name = op.Name()
	}
	n := g.add(&Node{kind: OpNode, op: op, inputs: inputs})
	if n.failed {
		return n
	}
	if err != nil {
		g.fail(n, &BuildError{Op: name, Inputs: inputs, Origin: n.origin, Err: err})
		return n
	}
	for _, in := range inputs {
		if in.failed {
			n.failed = true // the input's own error is already recorded
			return n
		}
	}
	if err := checkIndexInputs(op, inputs); err != nil {
		g.fail(n, &BuildError{Op: name, Inputs: inputs, Origin: n.origin, Err: err})
		return n
	}
	n.shape, n.dtype, err = op.Infer(inputs)
	if err == nil {
		err = checkResult(n.shape, n.dtype)
	}
	if err != nil {
		g.fail(n, &BuildError{Op: name, Inputs: inputs, Origin: n.origin, Err: err})
		return n
	}
	n.shape = n.shape.Clone()
	return n
}

// checkIndexInputs refuses an integer input to an op that does not take
// indices there: its float kernel would find no data.
func checkIndexInputs(op Op, inputs []*Node) error {
	if _, ok := op.(rejectOp); ok {
		return nil // the builder's own error says what is wrong
	}
	for i, in := range inputs {
		if !IsInteger(in.dtype) {
			continue
		}
		if ix, ok := op.(IndexOp); !ok || !ix.TakesIndices(i) {
			return fmt.Errorf("input %d is %s, and %s computes on floats: convert it with ops.Cast", i, DTypeName(in.dtype), op.Name())
		}
	}
	return nil
}

// checkResult holds every op to the rules leaves obey, so that no op (a
// constant of a huge shape, a broadcast of two large axes, a custom op's
// slip) builds a node graft cannot run.
func checkResult(s Shape, dt DType) error {
	if IsInteger(dt) {
		dt = tensor.Float64 // an op may compute indices (an argmax)
	}
	if err := CheckDType(dt); err != nil {
		return fmt.Errorf("the result's %w", err)
	}
	if err := CheckShape(s); err != nil {
		return fmt.Errorf("the result's %w", err)
	}
	return nil
}

// commonGraph returns the graph of the nodes, and an error if one is nil or
// a zero Node, or they belong to different graphs. role ("input" or
// "output") names the nodes in the error.
func commonGraph(role string, nodes []*Node) (*Graph, error) {
	var g *Graph
	var err error
	for i, n := range nodes {
		switch {
		case n == nil:
			err = fmt.Errorf("%s %d is nil", role, i)
		case n.graph == nil:
			err = fmt.Errorf("%s %d is a zero graph.Node, not one a graph built", role, i)
		case g == nil:
			g = n.graph
		case n.graph != g && err == nil:
			err = fmt.Errorf("the %ss belong to different graphs", role)
		}
	}
	if len(nodes) == 0 {
		err = errors.New("an op needs at least one input")
	}
	return g, err
}

// MarkingGradients runs build with every node it adds marked as a gradient
// node, so drawings tell what differentiation added. Package autodiff calls
// it around the nodes Grad builds.
//
// One call at a time may run on a graph. A call that overlaps another (two
// autodiff.Grad of one graph from two goroutines, or a gradient rule that
// differentiates its own graph) does not run build: it records an error on
// the graph, so both differentiations fail and every later Compile of the
// graph reports it. MarkingGradients returns the graph's first error (Err)
// once build has run, or the error it recorded.
func (g *Graph) MarkingGradients(build func()) error {
	if g == nil {
		return g.Err()
	}
	if !g.marking.CompareAndSwap(false, true) {
		err := errors.New("graft: two differentiations of one graph overlap (autodiff.Grad from two goroutines at once, or from inside a gradient rule); differentiate a graph from one goroutine at a time")
		g.err.CompareAndSwap(nil, &err)
		return err
	}
	defer g.marking.Store(false)
	build()
	return g.Err()
}

// Deriving runs build, which builds part of n's gradient (its op's gradient
// rule), recording n on every node build adds (Node.Derives): a NaN found in
// one of them is reported with the line that built n, not only the line of
// graft's gradient rule. autodiff calls it around each gradient rule.
func (g *Graph) Deriving(n *Node, build func()) {
	if g == nil {
		return
	}
	was := g.deriving
	g.deriving = n
	defer func() { g.deriving = was }()
	build()
}

// Rematerialize runs build, marking the op nodes it adds as a segment whose
// values the backward pass recomputes instead of keeping (gradient
// checkpointing): autodiff.Grad gives each gradient rule that reads a
// marked node a copy of it, rebuilt from the segment's inputs (whose values
// are kept: they are the checkpoints; a segment nested in another is one of
// its own), so
// the program computes the segment twice, once forward and once where the
// backward pass needs it, and the forward values' buffers are free for
// reuse as soon as the forward pass is done with them. Numbers are the same
// bit for bit; Program.Memory shows what the arena saves. Random ops inside
// a segment draw the same numbers again, since a run's draws depend only on
// the counter the run reads.
func (g *Graph) Rematerialize(build func()) {
	if g == nil {
		build()
		return
	}
	was := g.segment
	g.segments++
	g.segment = g.segments
	defer func() { g.segment = was }()
	build()
}

// Reapply adds a node that applies n's op again to inputs of the same
// shapes and dtypes as n's: a recomputation of n (see Rematerialize). An op
// may be applied more than once this way, so its Infer must give the same
// result, and leave the op as it found it, for inputs of the same shapes.
func Reapply(n *Node, inputs ...*Node) *Node {
	if n == nil || n.op == nil {
		return Reject("Reapply", errors.New("the node is not an op node"), inputs...)
	}
	return Apply(n.op, inputs...)
}

// BuildError is a mistake found while building a node: which op, on which
// inputs, where in the user's code, and what is wrong.
type BuildError struct {
	Op     string
	Inputs []*Node
	Origin string
	Err    error
}

// shownInputs is how many inputs a BuildError names before it abbreviates,
// so an op of a million inputs gives a one-line message.
const shownInputs = 8

func (e *BuildError) Error() string {
	inputs := e.Inputs
	if len(inputs) > shownInputs {
		inputs = inputs[:shownInputs]
	}
	args := make([]string, len(inputs), len(inputs)+1)
	for i, in := range inputs {
		if in == nil {
			args[i] = "nil"
		} else {
			args[i] = in.String()
		}
	}
	if len(inputs) < len(e.Inputs) {
		args = append(args, fmt.Sprintf("... (%d inputs)", len(e.Inputs)))
	}
	return fmt.Sprintf("graft: %s(%s) at %s: %v", e.Op, strings.Join(args, ", "), e.Origin, e.Err)
}

func (e *BuildError) Unwrap() error { return e.Err }

// Reject records err as a build error of the builder called name applied to
// inputs, with their shapes and the caller's file:line, and returns a failed
// node. Builders that are not a single op (a layer, an activation with a bad
// parameter, a constant of a bad shape) report mistakes through it exactly as
// ops do. A nil input is reported as such, whatever err says.
func Reject(name string, err error, inputs ...*Node) *Node {
	if err == nil {
		err = errors.New("invalid arguments")
	}
	if len(inputs) == 0 { // no graph to record on: use a graph of its own
		g := New()
		n := g.add(&Node{kind: OpNode, op: rejectOp{name: name, err: err}})
		g.fail(n, &BuildError{Op: name, Origin: n.origin, Err: err})
		return n
	}
	return Apply(rejectOp{name: name, err: err}, inputs...)
}

// rejectOp is an op whose shape rule always fails; its node never runs.
type rejectOp struct {
	name string
	err  error
}

func (op rejectOp) Name() string                        { return op.name }
func (op rejectOp) Infer([]*Node) (Shape, DType, error) { return nil, DType{}, op.err }
func (rejectOp) Forward(*Value, []*Value)               {}
func (rejectOp) Grad(node, dy *Node, i int) *Node       { return nil }
