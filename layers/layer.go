package layers

import (
	"fmt"

	"graft/graph"
)

// Layer is a step of a network: it maps a node to a node, adding the ops it
// needs to the node's graph. A layer with parameters creates them on its
// first Apply and reuses them afterwards. A plain function from a node to a
// node becomes a layer as an activations.Func (an activation, or a custom
// layer that is easiest to write as a few lines of ops, such as a residual
// connection): activations.Func(f) has Apply.
type Layer interface {
	Apply(x *graph.Node) *graph.Node
}

// Sequential chains layers: each one's output is the next one's input.
type Sequential []Layer

// Apply runs x through the layers in order. An empty Sequential returns x.
func (s Sequential) Apply(x *graph.Node) *graph.Node {
	for i, l := range s {
		if l == nil {
			return graph.Reject("Sequential", fmt.Errorf("layer %d of %d is nil", i, len(s)), x)
		}
		x = l.Apply(x)
	}
	return x
}
