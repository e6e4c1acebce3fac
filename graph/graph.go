package graph

import (
	"errors"
	"fmt"
	"strings"

	"gorgonia.org/tensor"
)

// Graph is a symbolic computation: nodes in the order they were built, which
// is always a topological order. It records the first mistake made while
// building it; Compile and autodiff.Grad report it.
//
// A Graph is built by one goroutine at a time. Programs compiled from it may
// run in other goroutines once building is done.
type Graph struct {
	nodes    []*Node
	err      error
	gradient int // > 0 while reverse-mode differentiation builds nodes
}

// New returns an empty graph.
func New() *Graph { return &Graph{} }

// Err returns the first error recorded while building the graph, or nil.
func (g *Graph) Err() error { return g.err }

// Nodes returns every node in build order. The caller must not change the slice.
func (g *Graph) Nodes() []*Node { return g.nodes }

// Input adds a leaf that is fed on every run with a tensor of exactly this
// dtype and shape.
func (g *Graph) Input(name string, dt DType, shape ...int) *Node {
	n := g.leaf(Input, name, dt, Shape(shape).Clone(), nil)
	return n
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
	if value == nil {
		n := g.leaf(kind, name, tensor.Float64, Shape{}, nil)
		g.fail(n, fmt.Errorf("graft: %v %q at %s has a nil tensor", kind, name, n.origin))
		return n
	}
	n := g.leaf(kind, name, value.Dtype(), Shape(value.Shape()).Clone(), value)
	if n.failed {
		return n
	}
	if value.RequiresIterator() {
		g.fail(n, fmt.Errorf("graft: %v %q at %s is a non-contiguous view; call Materialize() first", kind, name, n.origin))
	}
	return n
}

func (g *Graph) leaf(kind Kind, name string, dt DType, shape Shape, value *tensor.Dense) *Node {
	n := g.add(&Node{kind: kind, name: name, dtype: dt, shape: shape, value: value})
	if err := checkDType(dt); err != nil {
		g.fail(n, fmt.Errorf("graft: %v %q at %s: %w", kind, name, n.origin, err))
	} else if err := checkShape(shape); err != nil {
		g.fail(n, fmt.Errorf("graft: %v %q at %s: %w", kind, name, n.origin, err))
	}
	return n
}

func (g *Graph) add(n *Node) *Node {
	n.graph = g
	n.id = len(g.nodes)
	n.origin = userOrigin()
	n.gradient = g.gradient > 0
	g.nodes = append(g.nodes, n)
	return n
}

// fail marks n as failed and keeps err if it is the graph's first error.
func (g *Graph) fail(n *Node, err error) {
	n.failed = true
	if g.err == nil {
		g.err = err
	}
}

// Apply adds a node that applies op to inputs. The op's Infer rule fixes the
// node's shape and dtype; if it rejects the inputs, the error is recorded on
// the graph and Apply still returns a node (marked failed), so building goes
// on and Compile reports the first mistake.
func Apply(op Op, inputs ...*Node) *Node {
	g, err := commonGraph("input", inputs)
	if g == nil {
		// Every input is nil: record the error on a graph of its own, so
		// that compiling this node, or mixing it with others, reports it.
		g = New()
	}
	n := g.add(&Node{kind: OpNode, op: op, inputs: inputs})
	if err != nil {
		g.fail(n, &BuildError{Op: op.Name(), Inputs: inputs, Origin: n.origin, Err: err})
		return n
	}
	for _, in := range inputs {
		if in.failed {
			n.failed = true // the input's own error is already recorded
			return n
		}
	}
	n.shape, n.dtype, err = op.Infer(inputs)
	if err != nil {
		g.fail(n, &BuildError{Op: op.Name(), Inputs: inputs, Origin: n.origin, Err: err})
		return n
	}
	n.shape = n.shape.Clone()
	return n
}

// commonGraph returns the graph of the nodes, and an error if one is nil or
// they belong to different graphs. role ("input" or "output") names the
// nodes in the error.
func commonGraph(role string, nodes []*Node) (*Graph, error) {
	var g *Graph
	var err error
	for i, n := range nodes {
		switch {
		case n == nil:
			err = fmt.Errorf("%s %d is nil", role, i)
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

// Gradient runs build with every node it adds marked as a gradient node (so
// drawings tell them apart). Package autodiff calls it.
func (g *Graph) Gradient(build func()) {
	g.gradient++
	defer func() { g.gradient-- }()
	build()
}

// BuildError is a mistake found while building a node: which op, on which
// inputs, where in the user's code, and what is wrong.
type BuildError struct {
	Op     string
	Inputs []*Node
	Origin string
	Err    error
}

func (e *BuildError) Error() string {
	args := make([]string, len(e.Inputs))
	for i, in := range e.Inputs {
		if in == nil {
			args[i] = "nil"
		} else {
			args[i] = in.String()
		}
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
