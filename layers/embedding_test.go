package layers_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

func TestEmbeddingLooksUpRowsAndAddsUpTheirGradients(t *testing.T) {
	for _, dt := range dtypes {
		g := graph.New()
		m := layers.NewModel(1)
		e := m.Embedding(4, 2, dt)
		ids := g.Input("ids", graph.Int64, 2, 2)
		y := e.Apply(ids)
		setValues(e.Table(), []float64{0, 1, 10, 11, 20, 21, 30, 31})
		grads, err := autodiff.Grad(ops.Sum(y), e.Table())
		if err != nil {
			t.Fatal(err)
		}
		out := graftest.Eval(t, graph.Feeds{ids: graftest.Tensor(graph.Int64, []float64{3, 1, 1, 0}, 2, 2)}, y, grads[0])
		graftest.AssertClose(t, "rows", out[0], []float64{30, 31, 10, 11, 10, 11, 0, 1}, 0, 0)
		graftest.AssertClose(t, "dW", out[1], []float64{1, 1, 2, 2, 0, 0, 1, 1}, 0, 0)
		if !y.Shape().Equal(graph.Shape{2, 2, 2}) || e.Table().Name() != "embedding1/W" {
			t.Fatalf("shape %v, table %s", y.Shape(), e.Table().Name())
		}
	}
}

func TestEmbeddingRejectsFloatIdsAndReportsIdsOutOfRange(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	e := m.Embedding(4, 2, tensor.Float32)
	_, err := graph.Compile(e.Apply(g.Input("x", tensor.Float32, 3)))
	if err == nil || !strings.Contains(err.Error(), "looks up int64 ids, not float32") {
		t.Fatalf("float ids: %v", err)
	}
	g = graph.New()
	ids := g.Input("ids", graph.Int64, 2)
	prog, err := graph.Compile(layers.NewModel(1).Embedding(4, 2, tensor.Float32).Apply(ids))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prog.Run(graph.Feeds{ids: graftest.Tensor(graph.Int64, []float64{1, 4}, 2)}); err == nil || !strings.Contains(err.Error(), "index 4") {
		t.Fatalf("an id out of range: %v", err)
	}
	if _, err := graph.Compile(layers.NewModel(1).Embedding(0, 2, tensor.Float32).Apply(ids)); err == nil {
		t.Fatal("an embedding of 0 ids compiled")
	}
}

func TestSinusoidalPositionsAreVaswanisTable(t *testing.T) {
	g := graph.New()
	p := layers.SinusoidalPositions(g, 3, 4, tensor.Float64)
	got := graftest.Eval(t, nil, p)[0]
	want := []float64{0, 1, 0, 1, math.Sin(1), math.Cos(1), math.Sin(0.01), math.Cos(0.01), math.Sin(2), math.Cos(2), math.Sin(0.02), math.Cos(0.02)}
	graftest.AssertClose(t, "positions", got, want, 1e-15, 0)
	if _, err := graph.Compile(layers.SinusoidalPositions(graph.New(), 3, 5, tensor.Float64)); err == nil {
		t.Fatal("an odd dimension was accepted")
	}
}

func TestPositionalEmbeddingAddsTheFirstRows(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	pe := m.PositionalEmbedding(5, 2, tensor.Float64)
	x := g.Input("x", tensor.Float64, 1, 3, 2)
	y := pe.Apply(x)
	p := m.Params()[0]
	setValues(p, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, make([]float64, 6), 1, 3, 2)}, y)[0]
	graftest.AssertClose(t, "x + P[:3]", got, []float64{1, 2, 3, 4, 5, 6}, 0, 0)
	_, err := graph.Compile(pe.Apply(g.Input("long", tensor.Float64, 1, 6, 2)))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("at most %d steps", 5)) {
		t.Fatalf("a sequence longer than the table: %v", err)
	}
}
