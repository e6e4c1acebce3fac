package layers_test

import (
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
)

// An activations.Func is graft's one function-from-node-to-node type: it is
// a Layer, so an activation stands in a Sequential by itself, and Dense
// takes one as its activation.
func TestAnActivationsFuncIsALayerAndADenseActivation(t *testing.T) {
	var _ layers.Layer = activations.Func(nil)
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float64, 1, 2)
	d := m.Dense(2, nil, layers.WithInit(layers.Ones), layers.WithBiasInit(layers.Constant(-2)))
	viaSequential := layers.Sequential{d, activations.Func(activations.ReLU)}.Apply(x)
	e := m.Dense(2, activations.ReLU, layers.WithInit(layers.Ones), layers.WithBiasInit(layers.Constant(-2)))
	viaDense := e.Apply(x)
	// x = (1, 3): x·W = (4, 4), minus 2 is (2, 2); x = (0.5, 0.5): 1 - 2 < 0.
	for _, tc := range []struct {
		x, want []float64
	}{{[]float64{1, 3}, []float64{2, 2}}, {[]float64{0.5, 0.5}, []float64{0, 0}}} {
		out := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, tc.x, 1, 2)}, viaSequential, viaDense)
		graftest.AssertClose(t, "Sequential with an activation", out[0], tc.want, 0, 0)
		graftest.AssertClose(t, "Dense with an activation", out[1], tc.want, 0, 0)
	}
}
