package layers

import (
	"fmt"

	"graft/graph"
	"graft/ops"
)

// Dropout is a layer that, in a graph's training mode (graph.SetTraining),
// zeroes each element of its input with probability rate and scales the
// others by 1/(1-rate), with a new mask on every run (ops.Dropout); in
// inference mode it returns its input unchanged. It is torch.nn.Dropout and
// keras.layers.Dropout.
//
// Its masks are reproducible: each application draws from a seed of its
// own, taken from the model's generator when the layer is created and the
// number of the application, and from the graph's random-number counter.
type Dropout struct {
	name    string
	rate    float64
	seed    uint64
	applied uint64 // applications in training mode so far
	err     error
	out     graph.Shape
}

// Dropout returns a dropout layer dropping the given fraction of its input,
// in [0, 1). Only WithName applies to it.
func (m *Model) Dropout(rate float64, opts ...Option) *Dropout {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	d := &Dropout{rate: rate, seed: m.rng.Uint64()}
	d.name, d.err = m.name(o.name, "dropout")
	if d.err == nil && !(rate >= 0 && rate < 1) {
		d.err = fmt.Errorf("%s has rate %v; a dropout rate is in [0, 1)", d.name, rate)
	}
	m.components = append(m.components, d)
	return d
}

// Name returns the layer's name, such as "dropout1".
func (d *Dropout) Name() string { return d.name }

// Rate returns the fraction of elements the layer drops in training.
func (d *Dropout) Rate() float64 { return d.rate }

// Apply returns x with dropout applied in training mode, and x itself in
// inference mode.
func (d *Dropout) Apply(x *graph.Node) *graph.Node {
	if d.err != nil || x == nil {
		return graph.Reject("Dropout", d.err, x)
	}
	if d.out == nil {
		d.out = x.Shape().Clone()
	}
	if !x.Graph().Training() {
		return x
	}
	d.applied++
	return ops.Dropout(x, d.rate, d.seed+d.applied*0x9e3779b97f4a7c15)
}

func (d *Dropout) summary() (string, string, graph.Shape, []*graph.Node) {
	return d.name, "Dropout", d.out, nil
}
