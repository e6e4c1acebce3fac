package layers_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

// PyTorch 1.13's torch.nn.LayerNorm(3) with weight (1, 2, 3) and bias
// (0.1, 0.2, 0.3) on [[1, 2, 6], [4, 4, 5]], and torch.nn.GroupNorm(2, 4) on
// arange(16).reshape(2, 4, 2) ** 1.5.
var (
	torchLayerNorm = []float64{-0.8258191078240388, -0.7258191078240388, 4.466185985208174,
		-0.6070908718209097, -1.2141817436418194, 4.54254523092546}
	torchGroupNorm = []float64{-1.1410077395703158, -0.6352743772255341, 0.2894222203747581, 1.4868598964210922,
		-1.299184544618123, -0.4889203793313889, 0.4070133589214224, 1.3810915650280893,
		-1.3175478933982634, -0.47105731802027223, 0.42386836402763906, 1.3647368473908978,
		-1.3248113541531317, -0.46391983797550057, 0.43075338376041916, 1.3579778083682181}
)

func TestLayerNormAndGroupNormMatchPyTorch(t *testing.T) {
	for _, dt := range dtypes {
		tol := 1e-14
		if dt == tensor.Float32 {
			tol = 2e-6
		}
		g := graph.New()
		m := layers.NewModel(1)
		ln := m.LayerNorm(layers.NormConfig{})
		x := g.Input("x", dt, 2, 3)
		y := ln.Apply(x)
		setValues(ln.Gamma(), []float64{1, 2, 3})
		setValues(ln.Beta(), []float64{0.1, 0.2, 0.3})
		got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(dt, []float64{1, 2, 6, 4, 4, 5}, 2, 3)}, y)[0]
		graftest.AssertClose(t, "LayerNorm "+dt.String(), got, torchLayerNorm, tol, tol)

		gn := m.GroupNorm(2, layers.NormConfig{})
		x4 := g.Input("x4", dt, 2, 4, 2)
		data := make([]float64, 16)
		for i := range data {
			data[i] = math.Pow(float64(i), 1.5)
		}
		got = graftest.Eval(t, graph.Feeds{x4: graftest.Tensor(dt, data, 2, 4, 2)}, gn.Apply(x4))[0]
		graftest.AssertClose(t, "GroupNorm "+dt.String(), got, torchGroupNorm, tol, tol)
	}
}

// RMSNorm of (3, 4) is x / √(mean(x²) + eps): 3 / √(12.5 + eps), 4 / √(12.5 + eps).
func TestRMSNormDividesByTheRootMeanSquare(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	n := m.RMSNorm(layers.NormConfig{})
	x := g.Input("x", tensor.Float64, 1, 2)
	y := n.Apply(x)
	if n.Beta() != nil || n.Gamma() == nil {
		t.Fatal("RMSNorm has a shift or no scale")
	}
	setValues(n.Gamma(), []float64{1, 10})
	r := math.Sqrt(12.5 + 0x1p-52)
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, []float64{3, 4}, 1, 2)}, y)[0]
	graftest.AssertClose(t, "RMSNorm", got, []float64{3 / r, 40 / r}, 1e-15, 0)
}

func TestNormsOverSeveralAxesAndWithoutAffine(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	ln := m.LayerNorm(layers.NormConfig{Axes: 2, NoAffine: true})
	x := g.Input("x", tensor.Float64, 2, 2, 3)
	y := ln.Apply(x)
	if ln.Gamma() != nil || len(m.Params()) != 0 {
		t.Fatal("a LayerNorm without affine made parameters")
	}
	mean, variance := ops.Moments(y, 1, 2)
	out := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(12, 0), 2, 2, 3)}, mean, variance)
	for i := range out[0] {
		if math.Abs(out[0][i]) > 1e-15 || math.Abs(out[1][i]-1) > 1e-3 {
			t.Fatalf("row %d has mean %v and variance %v", i, out[0][i], out[1][i])
		}
	}
}

func TestNormDerivativesFirstAndSecondOrder(t *testing.T) {
	cases := []struct {
		name  string
		layer func(m *layers.Model) *layers.Norm
		shape []int
	}{
		{"LayerNorm", func(m *layers.Model) *layers.Norm { return m.LayerNorm(layers.NormConfig{}) }, []int{2, 4}},
		{"RMSNorm over 2 axes", func(m *layers.Model) *layers.Norm { return m.RMSNorm(layers.NormConfig{Axes: 2}) }, []int{2, 2, 3}},
		{"GroupNorm", func(m *layers.Model) *layers.Norm { return m.GroupNorm(2, layers.NormConfig{}) }, []int{2, 4, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			m := layers.NewModel(1)
			n := c.layer(m)
			x := g.Input("x", tensor.Float64, c.shape...)
			y := n.Apply(x)
			size := graph.Shape(c.shape).Size()
			w := g.Const("w", graftest.Tensor(tensor.Float64, graftest.Ramp(size, -0.7), c.shape...))
			loss := ops.Sum(ops.Mul(ops.Square(ops.Add(y, w)), w))
			data := make([]float64, size)
			for i := range data {
				data[i] = math.Sin(float64(5*i + 1))
			}
			xs := []*graph.Node{x}
			xs = append(xs, m.Params()...)
			if err := autodiff.CheckDerivatives(loss, xs, graph.Feeds{x: graftest.Tensor(tensor.Float64, data, c.shape...)}, autodiff.DefaultTolerance); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNormsRejectBadConfigsAndInputs(t *testing.T) {
	in := func(g *graph.Graph, shape ...int) *graph.Node { return g.Input("x", tensor.Float64, shape...) }
	cases := []layerErrorCase{
		{"negative eps", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.LayerNorm(layers.NormConfig{Eps: -1}).Apply(in(g, 2, 3)), graftest.CallerLine()
		}, "eps -1"},
		{"more axes than the input", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.RMSNorm(layers.NormConfig{Axes: 3}).Apply(in(g, 2, 3)), graftest.CallerLine()
		}, "last 3 axes"},
		{"groups that do not divide", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.GroupNorm(3, layers.NormConfig{}).Apply(in(g, 2, 4, 2)), graftest.CallerLine()
		}, "3 groups"},
		{"no groups", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.GroupNorm(0, layers.NormConfig{}).Apply(in(g, 2, 4, 2)), graftest.CallerLine()
		}, "0 groups"},
		{"another width", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			n := m.LayerNorm(layers.NormConfig{})
			n.Apply(g.Input("a", tensor.Float64, 2, 3))
			return n.Apply(g.Input("b", tensor.Float64, 2, 4)), graftest.CallerLine()
		}, "was built for (3,)"},
	}
	checkLayerErrors(t, cases)
}
