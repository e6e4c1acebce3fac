package layers_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

func TestConvLayersMakePyTorchShapedParamsAndOutputs(t *testing.T) {
	cases := []struct {
		name         string
		layer        func(m *layers.Model) *layers.Conv
		in           []int
		wantW, wantY graph.Shape
	}{
		{"Conv2D", func(m *layers.Model) *layers.Conv { return m.Conv2D(8, 5, activations.ReLU, ops.ConvConfig{}) },
			[]int{2, 3, 28, 28}, graph.Shape{8, 3, 5, 5}, graph.Shape{2, 8, 24, 24}},
		{"Conv2D same, groups 3", func(m *layers.Model) *layers.Conv {
			return m.Conv2D(6, 3, nil, ops.ConvConfig{Padding: ops.SamePadding(), Groups: 3})
		}, []int{1, 3, 7, 7}, graph.Shape{6, 1, 3, 3}, graph.Shape{1, 6, 7, 7}},
		{"Conv1D stride 2", func(m *layers.Model) *layers.Conv { return m.Conv1D(4, 3, nil, ops.ConvConfig{Stride: []int{2}}) },
			[]int{2, 2, 9}, graph.Shape{4, 2, 3}, graph.Shape{2, 4, 4}},
		{"Conv 3-D", func(m *layers.Model) *layers.Conv { return m.Conv(3, 2, []int{2, 1, 2}, nil, ops.ConvConfig{}) },
			[]int{1, 1, 3, 3, 3}, graph.Shape{2, 1, 2, 1, 2}, graph.Shape{1, 2, 2, 3, 2}},
		{"ConvTranspose2D stride 2", func(m *layers.Model) *layers.Conv {
			return m.ConvTranspose2D(3, 2, nil, ops.ConvTransposeConfig{Stride: []int{2}})
		}, []int{1, 4, 5, 5}, graph.Shape{4, 3, 2, 2}, graph.Shape{1, 3, 10, 10}},
	}
	for _, c := range cases {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s %v", c.name, dt), func(t *testing.T) {
				g := graph.New()
				m := layers.NewModel(1)
				l := c.layer(m)
				y := l.Apply(g.Input("x", dt, c.in...))
				if _, err := graph.Compile(y); err != nil {
					t.Fatal(err)
				}
				if !l.Kernel().Shape().Equal(c.wantW) || !y.Shape().Equal(c.wantY) || l.Bias().Shape()[0] != c.wantY[1] {
					t.Fatalf("W %v, b %v, y %v; want W %v, y %v", l.Kernel().Shape(), l.Bias().Shape(), y.Shape(), c.wantW, c.wantY)
				}
				if m.Params()[0].Name() != l.Name()+"/W" || m.Params()[1].Name() != l.Name()+"/b" {
					t.Fatalf("params named %s and %s", m.Params()[0].Name(), m.Params()[1].Name())
				}
			})
		}
	}
}

// A 1-channel 3x3 image, a 2x2 kernel of ones and a bias of 0.5: each
// output is the sum of a 2x2 window plus 0.5, worked out by hand.
func TestConv2DComputesAHandWorkedWindowSum(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	conv := m.Conv2D(1, 2, nil, ops.ConvConfig{}, layers.WithInit(layers.Ones), layers.WithBiasInit(layers.Constant(0.5)))
	x := g.Input("x", tensor.Float64, 1, 1, 3, 3)
	y := conv.Apply(x)
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3)}, y)[0]
	graftest.AssertClose(t, "y", got, []float64{12.5, 16.5, 24.5, 28.5}, 0, 0)
}

// He-uniform weights: bound √(6/fan_in), fan_in = C_in/groups · kernel size.
func TestConvWeightsAreHeUniformOverTheFanIn(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(7)
	conv := m.Conv2D(64, 3, nil, ops.ConvConfig{Groups: 2})
	conv.Apply(g.Input("x", tensor.Float64, 1, 16, 5, 5))
	bound := math.Sqrt(6.0 / (8 * 9))
	lo, hi := 0.0, 0.0
	for _, v := range conv.Kernel().Value().Float64s() {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo < -bound || hi > bound || hi < 0.9*bound || lo > -0.9*bound {
		t.Fatalf("weights in [%v, %v], want them to fill [-%v, %v]", lo, hi, bound, bound)
	}
}

func TestConvLayerDerivativesFirstAndSecondOrder(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(3)
	conv := m.Conv2D(2, 2, activations.Tanh, ops.ConvConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1)})
	x := g.Input("x", tensor.Float64, 1, 2, 3, 3)
	y := conv.Apply(x)
	loss := ops.Sum(ops.Mul(y, g.Const("r", graftest.Tensor(tensor.Float64, graftest.Ramp(y.Shape().Size(), -0.9), y.Shape()...))))
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(18, -1), 1, 2, 3, 3)}
	if err := autodiff.CheckDerivatives(loss, []*graph.Node{x, conv.Kernel(), conv.Bias()}, feeds, autodiff.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
}

func TestConvLayersRejectBadConfigsAndInputs(t *testing.T) {
	in := func(g *graph.Graph, shape ...int) *graph.Node { return g.Input("x", tensor.Float64, shape...) }
	cases := []layerErrorCase{
		{"no filters", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Conv2D(0, 3, nil, ops.ConvConfig{}).Apply(in(g, 1, 1, 5, 5)), graftest.CallerLine()
		}, "0 filters"},
		{"a kernel of 0", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Conv2D(2, 0, nil, ops.ConvConfig{}).Apply(in(g, 1, 1, 5, 5)), graftest.CallerLine()
		}, "at least 1"},
		{"a kernel of the wrong rank", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Conv(2, 2, []int{3, 3, 3}, nil, ops.ConvConfig{}).Apply(in(g, 1, 1, 5, 5)), graftest.CallerLine()
		}, "kernel [3 3 3]"},
		{"four spatial axes", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Conv(4, 2, []int{1}, nil, ops.ConvConfig{}).Apply(in(g, 1, 1, 2, 2, 2, 2)), graftest.CallerLine()
		}, "4 spatial axes"},
		{"a 1-D input to Conv2D", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Conv2D(2, 3, nil, ops.ConvConfig{}).Apply(in(g, 1, 1, 5)), graftest.CallerLine()
		}, "wants an input (N, C, 2 spatial axes)"},
		{"groups that do not divide", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Conv2D(4, 3, nil, ops.ConvConfig{Groups: 2}).Apply(in(g, 1, 3, 5, 5)), graftest.CallerLine()
		}, "2 groups"},
		{"a kernel larger than the image", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Conv2D(2, 7, nil, ops.ConvConfig{}).Apply(in(g, 1, 1, 5, 5)), graftest.CallerLine()
		}, "Conv"},
		{"another channel count", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			c := m.Conv2D(2, 3, nil, ops.ConvConfig{})
			c.Apply(g.Input("a", tensor.Float64, 1, 1, 5, 5))
			return c.Apply(g.Input("b", tensor.Float64, 1, 2, 5, 5)), graftest.CallerLine()
		}, "built for 1 input channels of float64; this input has 2"},
		{"nil", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Conv2D(2, 3, nil, ops.ConvConfig{}).Apply(nil), graftest.CallerLine()
		}, "nil"},
	}
	checkLayerErrors(t, cases)
}
