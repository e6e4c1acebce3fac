package graph

import (
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
)

func (k Kind) String() string {
	switch k {
	case Input:
		return "input"
	case Param:
		return "param"
	case Constant:
		return "constant"
	}
	return "op"
}

// Node is one value in a graph: a leaf or the result of an op.
type Node struct {
	graph    *Graph
	id       int
	kind     Kind
	name     string
	op       Op
	inputs   []*Node
	shape    Shape
	dtype    DType
	value    *tensor.Dense // for params and constants
	origin   string        // file:line of the user's code that built the node
	gradient bool          // built by reverse-mode differentiation
	failed   bool          // an error was recorded while building this node or an input
}

// Graph returns the graph the node belongs to.
func (n *Node) Graph() *Graph { return n.graph }

// ID is the node's position in its graph; inputs always have smaller IDs.
func (n *Node) ID() int { return n.id }

// Kind tells whether the node is an op, an input, a parameter or a constant.
func (n *Node) Kind() Kind { return n.kind }

// Name is the name given to a leaf, or the op's name and the node's ID.
func (n *Node) Name() string {
	if n.name != "" {
		return n.name
	}
	if n.op != nil {
		return fmt.Sprintf("%s#%d", n.op.Name(), n.id)
	}
	return fmt.Sprintf("%v#%d", n.kind, n.id)
}

// Op returns the node's op, or nil for a leaf.
func (n *Node) Op() Op { return n.op }

// Inputs returns the nodes the op reads. The caller must not change the slice.
func (n *Node) Inputs() []*Node { return n.inputs }

// Shape returns the node's shape. The caller must not change it.
func (n *Node) Shape() Shape { return n.shape }

// DType returns the node's element type.
func (n *Node) DType() DType { return n.dtype }

// Value returns the tensor of a parameter or constant (nil for other nodes).
// An optimizer updates a parameter by writing into this tensor.
func (n *Node) Value() *tensor.Dense { return n.value }

// Origin is the file:line of the user's code that built the node.
func (n *Node) Origin() string { return n.origin }

// IsGradient reports whether reverse-mode differentiation built the node.
func (n *Node) IsGradient() bool { return n.gradient }

// String names the node with its shape and dtype, as errors print it.
func (n *Node) String() string {
	return fmt.Sprintf("%s %v %v", n.Name(), n.shape, n.dtype)
}
