package graph_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

func TestIntegerInputsAndConstantsAreFedAndReturned(t *testing.T) {
	g := graph.New()
	ids := g.Input("ids", graph.Int64, 3)
	k := g.Const("k", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{7, 8})))
	prog, err := graph.Compile(ids, k)
	if err != nil {
		t.Fatal(err)
	}
	feed, _ := graph.NewTensor(graph.Int64, []float64{4, -1, 9}, 3)
	out, err := prog.Run(graph.Feeds{ids: feed})
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Int64s(); len(got) != 3 || got[0] != 4 || got[1] != -1 || got[2] != 9 || out[0].Dtype() != tensor.Int64 {
		t.Fatalf("ids came back as %v %v", out[0].Dtype(), out[0].Data())
	}
	if got := graph.Float64s(out[1]); got[0] != 7 || got[1] != 8 {
		t.Fatalf("the constant came back as %v", got)
	}
	if _, err := prog.Run(graph.Feeds{ids: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3}))}); err == nil ||
		!strings.Contains(err.Error(), `input "ids" wants dtype int64, the feed is float64`) {
		t.Fatalf("a float feed for int64 ids: %v", err)
	}
}

func TestIntegersAreRefusedWhereGraftComputesInFloats(t *testing.T) {
	g := graph.New()
	for _, n := range []*graph.Node{
		g.Param("p", tensor.New(tensor.WithShape(1), tensor.WithBacking([]int64{1}))),
		g.State("s", tensor.New(tensor.WithShape(1), tensor.WithBacking([]int64{1}))),
		g.Input("i32", tensor.Int32, 2),
	} {
		if _, err := graph.Compile(n); err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("%v: got %v", n, err)
		}
	}
	if _, err := graph.NewTensor(graph.Int64, []float64{1.5}, 1); err == nil || !strings.Contains(err.Error(), "not a whole number") {
		t.Errorf("NewTensor of 1.5 as int64: %v", err)
	}
}
