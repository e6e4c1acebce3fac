package ops_test

import (
	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// An embedding lookup: rows of a table picked by integer ids.
func ExampleTake() {
	g := graph.New()
	table := g.Const("table", float64Tensor([]float64{0, 0, 1, 1, 2, 2}, 3, 2))
	ids := g.Input("ids", graph.Int64, 2, 2)
	feed, _ := graph.NewTensor(graph.Int64, []float64{2, 0, 1, 1}, 2, 2)
	runAndPrint(graph.Feeds{ids: feed}, ops.Take(table, ids, 0))
	// Output:
	// (2, 2, 2) [2 2 0 0 1 1 1 1]
}

func ExampleIndexSelect() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	cols := g.Input("cols", graph.Int64, 2)
	feed, _ := graph.NewTensor(graph.Int64, []float64{2, 0}, 2)
	runAndPrint(graph.Feeds{cols: feed}, ops.IndexSelect(x, 1, cols))
	// Output:
	// (2, 2) [3 1 6 4]
}

func ExampleOneHot() {
	g := graph.New()
	labels := g.Input("labels", graph.Int64, 3)
	feed, _ := graph.NewTensor(graph.Int64, []float64{1, 0, 2}, 3)
	runAndPrint(graph.Feeds{labels: feed}, ops.OneHot(labels, 3, tensor.Float32))
	// Output:
	// (3, 3) [0 1 0 1 0 0 0 0 1]
}

func ExampleCast() {
	g := graph.New()
	counts := g.Input("counts", graph.Int64, 3)
	feed, _ := graph.NewTensor(graph.Int64, []float64{3, 1, 4}, 3)
	runAndPrint(graph.Feeds{counts: feed}, ops.Cast(counts, tensor.Float64))
	// Output:
	// (3) [3 1 4]
}
