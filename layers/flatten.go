package layers

import (
	"fmt"

	"graft/graph"
	"graft/ops"
)

// Flatten is a layer that keeps its input's first axis (the batch) and
// merges the others into one: (N, C, H, W) becomes (N, C·H·W), in row-major
// order, as torch.nn.Flatten and keras.layers.Flatten (channels first) do. It
// has no parameters.
type Flatten struct {
	name string
	err  error
	out  graph.Shape
}

// Flatten returns a flattening layer. Only WithName applies to it.
func (m *Model) Flatten(opts ...Option) *Flatten {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	f := &Flatten{}
	f.name, f.err = m.name(o.name, "flatten")
	m.components = append(m.components, f)
	return f
}

// Name returns the layer's name, such as "flatten1".
func (f *Flatten) Name() string { return f.name }

// Apply returns x reshaped to (N, the product of the other axes). An input
// of rank 1 or 0 has no batch axis to keep and is an error.
func (f *Flatten) Apply(x *graph.Node) *graph.Node {
	if f.err != nil || x == nil {
		return graph.Reject("Flatten", f.err, x)
	}
	s := x.Shape()
	if len(s) < 2 {
		return graph.Reject("Flatten", fmt.Errorf("%s wants an input with a batch axis and at least one more, got shape %v", f.name, s), x)
	}
	y := ops.Reshape(x, s[0], -1)
	if f.out == nil {
		f.out = y.Shape().Clone()
	}
	return y
}

func (f *Flatten) summary() (string, string, graph.Shape, []*graph.Node) {
	return f.name, "Flatten", f.out, nil
}
