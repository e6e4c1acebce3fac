package layers

import (
	"graft/graph"
)

// newState creates a state of the given shape in g holding value in every
// element, and adds it to the model's list. Callers have checked dt, shape
// and the name.
func (m *Model) newState(g *graph.Graph, name string, dt graph.DType, shape graph.Shape, value float64) *graph.Node {
	values := make([]float64, shape.Size())
	for i := range values {
		values[i] = value
	}
	t, err := graph.NewTensor(dt, values, shape...)
	if err != nil {
		return graph.Reject("State", err, g.Input(name, dt))
	}
	s := g.State(name, t)
	m.graph = g
	m.states = append(m.states, s)
	m.byName[name] = s
	return s
}

// States returns the model's non-trainable state (batch norm's running
// statistics) in the order it was created. No optimizer trains it: the
// training form of a layer updates it as it runs. Save it with the
// parameters to restore a model whole:
//
//	checkpoint.Save(path, append(m.Params(), m.States()...))
//
// The caller must not change the slice.
func (m *Model) States() []*graph.Node { return m.states }
