package layers_test

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

func TestPoolingLayersPoolAsTheirOps(t *testing.T) {
	// A (1, 1, 4, 4) image holding 0.1 ... 1.6 row by row.
	img := graftest.Ramp(16, 0)
	cases := []struct {
		name  string
		layer func(m *layers.Model) layers.Layer
		shape graph.Shape
		want  []float64
	}{
		{"MaxPool2D 2", func(m *layers.Model) layers.Layer { return m.MaxPool2D(2, 0, 0) }, graph.Shape{1, 1, 2, 2}, []float64{0.6, 0.8, 1.4, 1.6}},
		{"AvgPool2D 2", func(m *layers.Model) layers.Layer { return m.AvgPool2D(2, 0, 0) }, graph.Shape{1, 1, 2, 2}, []float64{0.35, 0.55, 1.15, 1.35}},
		{"MaxPool k3 s1", func(m *layers.Model) layers.Layer {
			return m.MaxPool(ops.PoolConfig{Kernel: []int{3}, Stride: []int{1}})
		}, graph.Shape{1, 1, 2, 2}, []float64{1.1, 1.2, 1.5, 1.6}},
		{"AvgPool k4", func(m *layers.Model) layers.Layer { return m.AvgPool(ops.PoolConfig{Kernel: []int{4}}) }, graph.Shape{1, 1, 1, 1}, []float64{0.85}},
		{"GlobalAvgPool2D", func(m *layers.Model) layers.Layer { return m.GlobalAvgPool2D() }, graph.Shape{1, 1}, []float64{0.85}},
	}
	for _, c := range cases {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s %v", c.name, dt), func(t *testing.T) {
				g := graph.New()
				x := g.Input("x", dt, 1, 1, 4, 4)
				y := c.layer(layers.NewModel(1)).Apply(x)
				if !y.Shape().Equal(c.shape) {
					t.Fatalf("shape %v, want %v", y.Shape(), c.shape)
				}
				graftest.AssertClose(t, c.name, graftest.Eval(t, graph.Feeds{x: graftest.Tensor(dt, img, 1, 1, 4, 4)}, y)[0], c.want, 1e-6, 0)
			})
		}
	}
}

func TestPoolingLayersRejectBadInput(t *testing.T) {
	cases := []layerErrorCase{
		{"a 1-D input to a 2-D pool", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.MaxPool2D(2, 2, 0).Apply(g.Input("x", tensor.Float64, 1, 1, 4)), graftest.CallerLine()
		}, "MaxPool2D"},
		{"global pool of a matrix", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.GlobalAvgPool2D().Apply(g.Input("x", tensor.Float64, 2, 3)), graftest.CallerLine()
		}, "GlobalAvgPool2D"},
		{"a taken name", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			m.AvgPool2D(2, 2, 0, layers.WithName("p"))
			return m.AvgPool2D(2, 2, 0, layers.WithName("p")).Apply(g.Input("x", tensor.Float64, 1, 1, 4, 4)), graftest.CallerLine()
		}, `named "p"`},
	}
	checkLayerErrors(t, cases)
}
