package graph

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"
)

// Kind tells a node's role in the graph.
type Kind int

// The kinds of node.
const (
	OpNode   Kind = iota // applies an op to other nodes
	Input                // a leaf fed on every run
	Param                // a leaf holding a trainable tensor that persists across runs
	Constant             // a leaf holding a fixed tensor
	State                // a leaf holding an untrained tensor that programs update (see Graph.State)
)

func (k Kind) String() string {
	switch k {
	case Input:
		return "input"
	case Param:
		return "param"
	case Constant:
		return "constant"
	case State:
		return "state"
	}
	return "op"
}

// Node is one value in a graph: a leaf or the result of an op. Only a Graph
// makes nodes; a zero Node (&graph.Node{}) belongs to no graph, and an op
// applied to it is a build error. The accessors of a nil *Node return zero
// values, so a builder can look at its inputs before reporting a nil one.
type Node struct {
	graph    *Graph
	id       int
	kind     Kind
	name     string
	op       Op
	inputs   []*Node
	shape    Shape
	dtype    DType
	value    *tensor.Dense // for params, constants and states
	origin   string        // file:line of the user's code that built the node
	gradient bool          // built by reverse-mode differentiation
	of       *Node         // for a gradient node, the forward node whose gradient rule built it
	segment  int           // > 0: built inside that call of Rematerialize; gradient rules recompute it
	failed   bool          // an error was recorded while building this node or an input
}

// Graph returns the graph the node belongs to.
func (n *Node) Graph() *Graph {
	if n == nil {
		return nil
	}
	return n.graph
}

// ID is the node's position in its graph; inputs always have smaller IDs.
// It is -1 for a nil node and for a node its graph refused to hold.
func (n *Node) ID() int {
	if n == nil {
		return -1
	}
	return n.id
}

// Kind tells whether the node is an op, an input, a parameter or a constant.
func (n *Node) Kind() Kind {
	if n == nil {
		return OpNode
	}
	return n.kind
}

// Name is the name given to a leaf, or the op's name and the node's ID.
func (n *Node) Name() string {
	switch {
	case n == nil:
		return "nil"
	case n.name != "":
		return n.name
	case n.op != nil:
		return fmt.Sprintf("%s#%d", n.op.Name(), n.id)
	}
	return fmt.Sprintf("%v#%d", n.kind, n.id)
}

// Op returns the node's op, or nil for a leaf.
func (n *Node) Op() Op {
	if n == nil {
		return nil
	}
	return n.op
}

// Inputs returns the nodes the op reads. The caller must not change the slice.
func (n *Node) Inputs() []*Node {
	if n == nil {
		return nil
	}
	return n.inputs
}

// Shape returns the node's shape. The caller must not change it.
func (n *Node) Shape() Shape {
	if n == nil {
		return nil
	}
	return n.shape
}

// DType returns the node's element type.
func (n *Node) DType() DType {
	if n == nil {
		return DType{}
	}
	return n.dtype
}

// Value returns the tensor of a parameter or constant (nil for other nodes).
// An optimizer updates a parameter by writing into this tensor.
func (n *Node) Value() *tensor.Dense {
	if n == nil {
		return nil
	}
	return n.value
}

// Origin is the file:line of the user's code that built the node.
func (n *Node) Origin() string {
	if n == nil {
		return ""
	}
	return n.origin
}

// IsGradient reports whether reverse-mode differentiation built the node.
func (n *Node) IsGradient() bool { return n != nil && n.gradient }

// Derives returns, for a gradient node, the node whose gradient rule built
// it (nil for a forward node, or a gradient node built outside a rule, such
// as the seed of ones).
func (n *Node) Derives() *Node {
	if n == nil {
		return nil
	}
	return n.of
}

// Rematerialized reports whether the node was built inside
// Graph.Rematerialize, so that the gradient rules that read it read a
// recomputed copy instead.
func (n *Node) Rematerialized() bool { return n != nil && n.segment > 0 }

// Segment numbers the call of Graph.Rematerialize that built the node (0:
// none). A recomputed copy reads the original values of nodes outside its
// segment: those are the checkpoints that stay in memory.
func (n *Node) Segment() int {
	if n == nil {
		return 0
	}
	return n.segment
}

// String names the node with its shape and dtype, as errors print it.
func (n *Node) String() string {
	if n == nil {
		return "<nil>" // as fmt prints a nil pointer
	}
	return fmt.Sprintf("%s %v %s", n.Name(), n.shape, DTypeName(n.dtype))
}

// what names the node for an error: the op, or the leaf's kind and name.
func (n *Node) what() string {
	if n.op != nil {
		return n.op.Name()
	}
	return fmt.Sprintf("%v %q", n.kind, n.name)
}

// CheckValue reports whether t can serve as the value of n: it must have the
// dtype and shape n was built with, and be a contiguous tensor without a
// mask (graft reads the backing in place). The error names n, what it was
// built as and where, and what t is. Run applies it to every parameter on
// every run; code that replaces or fills a parameter's tensor (an optimizer
// step, a checkpoint load) calls it before touching the numbers. Like
// CheckDType's and CheckShape's, the error has no "graft: " prefix: the
// caller wraps it with its own context ("graft: Adam.Step: params[0]: ...").
func (n *Node) CheckValue(t *tensor.Dense) error {
	if n == nil {
		return errors.New("CheckValue of a nil node")
	}
	if what := n.valueMismatch(t); what != "" {
		return fmt.Errorf("%s cannot hold %s", n.described(), what)
	}
	return nil
}

// valueMismatch describes t when it cannot be n's value ("a float32 tensor
// of shape (6,)"), or returns "" when it can. It allocates only when it
// finds a mismatch.
func (n *Node) valueMismatch(t *tensor.Dense) string {
	switch {
	case t == nil:
		return "a nil tensor"
	case t.Dtype() != n.dtype || !Shape(t.Shape()).Equal(n.shape):
		return fmt.Sprintf("a %s tensor of shape %v", DTypeName(t.Dtype()), Shape(t.Shape()))
	}
	return layoutProblem(t)
}

// described names n for an error about its value: `parameter "w" (built at
// model.go:12 as (3,) float64)`.
func (n *Node) described() string {
	kind := n.kind.String()
	if n.kind == Param {
		kind = "parameter"
	}
	return fmt.Sprintf("%s %q (built at %s as %v %s)", kind, n.Name(), n.origin, n.shape, DTypeName(n.dtype))
}

// layoutProblem says why graft cannot read t's backing in place as a
// row-major array, or returns "" when it can.
func layoutProblem(t *tensor.Dense) string {
	switch {
	case t.IsMasked():
		return "a masked tensor; graft has no masked elements: give them the numbers you mean and drop the mask with SetMask(nil)"
	case t.RequiresIterator():
		return "a non-contiguous view; call Materialize() first"
	}
	return ""
}
