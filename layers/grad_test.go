package layers_test

import (
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

// Residual is a custom layer written as a type: x + Dense(Dense(x)), with
// both inner layers as wide as x.
type Residual struct{ inner, outer *layers.Dense }

func NewResidual(m *layers.Model, width int) Residual {
	return Residual{m.Dense(width, ops.Tanh), m.Dense(width, nil)}
}

func (r Residual) Apply(x *graph.Node) *graph.Node {
	return ops.Add(x, r.outer.Apply(r.inner.Apply(x)))
}

func TestResidualBlockAddsItsInput(t *testing.T) {
	// With the outer layer's weights and bias at zero the block is the
	// identity; with its bias at c it is x + c.
	g := graph.New()
	m := layers.NewModel(1)
	block := NewResidual(m, 3)
	x := g.Input("x", tensor.Float64, 2, 3)
	y := block.Apply(x)
	setValues(m.Lookup("dense2/W"), make([]float64, 9))
	setValues(m.Lookup("dense2/b"), []float64{1, -2, 0.5})
	xs := []float64{0.3, -1, 2, 4, 5, -6}
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, xs, 2, 3)}, y)[0]
	graftest.AssertClose(t, "y", got, []float64{1.3, -3, 2.5, 5, 3, -5.5}, 1e-15, 0)
}

func TestGradientsThroughDenseAndResidualMatchCentralDifferences(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(9)
	net := layers.Sequential{
		m.Dense(4, ops.Tanh),
		NewResidual(m, 4),
		activations.Func(func(x *graph.Node) *graph.Node { return ops.Mul(x, ops.Sigmoid(x)) }), // swish
		m.Dense(1, ops.Sigmoid),
	}
	x := g.Input("x", tensor.Float64, 5, 3)
	target := g.Input("t", tensor.Float64, 5, 1)
	loss := ops.Mean(ops.Square(ops.Sub(net.Apply(x), target)))
	// Biases start at zero; move them so their gradients are generic.
	for _, p := range m.Params() {
		if p.Shape().Rank() == 1 {
			setValues(p, graftest.Ramp(p.Shape()[0], -0.2))
		}
	}
	feeds := graph.Feeds{
		x:      graftest.Tensor(tensor.Float64, graftest.Ramp(15, -0.8), 5, 3),
		target: graftest.Tensor(tensor.Float64, []float64{0, 1, 1, 0, 1}, 5, 1),
	}
	if len(m.Params()) != 8 {
		t.Fatalf("the model has %d params, want 8", len(m.Params()))
	}
	if err := autodiff.CheckGrad(loss, append(m.Params(), x), feeds, autodiff.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
}
