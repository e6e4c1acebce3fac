package layers

import (
	"fmt"

	"graft/graph"
)

// Layer is a step of a network: it maps a node to a node, adding the ops it
// needs to the node's graph. A layer with parameters creates them on its
// first Apply and reuses them afterwards.
type Layer interface {
	Apply(x *graph.Node) *graph.Node
}

// Func makes a layer of a plain function, for a custom layer that is easiest
// to write as a few lines of ops (a residual connection, say).
type Func func(x *graph.Node) *graph.Node

// Apply calls f on x.
func (f Func) Apply(x *graph.Node) *graph.Node {
	if f == nil {
		return fail("Func", x, fmt.Errorf("the layer function is nil"))
	}
	return f(x)
}

// Sequential chains layers: each one's output is the next one's input.
type Sequential []Layer

// Apply runs x through the layers in order. An empty Sequential returns x.
func (s Sequential) Apply(x *graph.Node) *graph.Node {
	for i, l := range s {
		if l == nil {
			return fail("Sequential", x, fmt.Errorf("layer %d of %d is nil", i, len(s)))
		}
		x = l.Apply(x)
	}
	return x
}

// fail records err on x's graph as a build error of the layer called name,
// with x's shape and the caller's file:line, and returns the failed node.
// If x itself failed, its error is already recorded and nothing is added.
func fail(name string, x *graph.Node, err error) *graph.Node {
	return graph.Reject(name, err, x)
}
