package layers_test

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
)

func TestDropoutDropsInTrainingAndIsTheIdentityInInference(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(3)
	d := m.Dropout(0.5)
	x := g.Input("x", tensor.Float64, 1000)
	if y := d.Apply(x); y != x {
		t.Fatal("in inference mode Dropout is not the identity")
	}
	g.SetTraining(true)
	y := d.Apply(x)
	ones := make([]float64, 1000)
	for i := range ones {
		ones[i] = 1
	}
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, ones, 1000)}, y)[0]
	zeros := 0
	for _, v := range got {
		switch v {
		case 0:
			zeros++
		case 2:
		default:
			t.Fatalf("an element is %v, neither 0 nor 2", v)
		}
	}
	if zeros < 430 || zeros > 570 { // 1000 fair coins: 4.4 standard deviations
		t.Fatalf("dropped %d of 1000 at rate 0.5", zeros)
	}
}

func TestDropoutMasksAreTheSameForTheSameSeed(t *testing.T) {
	masks := func(seed uint64) [][]float64 {
		g := graph.New()
		m := layers.NewModel(seed)
		d := m.Dropout(0.3)
		x := g.Input("x", tensor.Float32, 64)
		g.SetTraining(true)
		first, second := d.Apply(x), d.Apply(x) // two applications draw different masks
		data := make([]float64, 64)
		for i := range data {
			data[i] = 1
		}
		return graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float32, data, 64)}, first, second)
	}
	a, b, c := masks(1), masks(1), masks(2)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("the same seed gave different masks")
	}
	if fmt.Sprint(a[0]) == fmt.Sprint(a[1]) || fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("two applications, or two seeds, gave the same mask")
	}
}

func TestFlattenKeepsTheBatchAxis(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float64, 2, 3, 2)
	y := m.Flatten().Apply(x)
	if !y.Shape().Equal(graph.Shape{2, 6}) {
		t.Fatalf("shape %v, want (2, 6)", y.Shape())
	}
	graftest.AssertClose(t, "flattened", graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(12, 0), 2, 3, 2)}, y)[0], graftest.Ramp(12, 0), 0, 0)
}

func TestDropoutAndFlattenRejectBadInput(t *testing.T) {
	cases := []layerErrorCase{
		{"rate 1", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Dropout(1).Apply(g.Input("x", tensor.Float64, 2)), graftest.CallerLine()
		}, "Dropout"},
		{"a negative rate", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Dropout(-0.5).Apply(g.Input("x", tensor.Float64, 2)), graftest.CallerLine()
		}, "rate -0.5"},
		{"dropout of nil", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Dropout(0.5).Apply(nil), graftest.CallerLine()
		}, "Dropout(nil)"},
		{"flatten of a vector", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.Flatten().Apply(g.Input("x", tensor.Float64, 2)), graftest.CallerLine()
		}, "Flatten"},
		{"a taken name", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			m.Flatten(layers.WithName("f"))
			return m.Flatten(layers.WithName("f")).Apply(g.Input("x", tensor.Float64, 2, 2)), graftest.CallerLine()
		}, `named "f"`},
	}
	checkLayerErrors(t, cases)
}
