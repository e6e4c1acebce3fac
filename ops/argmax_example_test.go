package ops_test

import (
	"math"

	"graft/graph"
	"graft/ops"
)

func ExampleArgMax() {
	g := graph.New()
	logits := g.Const("logits", float64Tensor([]float64{0.1, 2.5, -1, 3, 3, 0}, 2, 3))
	// The predicted class of each row, an int64: the first of a tie wins.
	runAndPrint(nil, ops.ArgMax(logits, -1))
	// Output:
	// (2) [1 0]
}

func ExampleArgMaxKeepDims() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, math.NaN(), 3, 4, 2, 6}, 2, 3))
	// A NaN wins, as in NumPy and PyTorch; the kept axis broadcasts against x.
	runAndPrint(nil, ops.ArgMaxKeepDims(x, 1))
	// Output:
	// (2, 1) [1 2]
}

func ExampleArgMin() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 5, 3, 4, 2, 6}, 2, 3))
	runAndPrint(nil, ops.ArgMin(x, 0), ops.ArgMin(x, 1))
	// Output:
	// (3) [0 1 0]
	// (2) [0 1]
}

func ExampleArgMinKeepDims() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 5, 3, 4, 2, 6}, 2, 3))
	// The kept axis makes a (2, 1) column of indices.
	runAndPrint(nil, ops.ArgMinKeepDims(x, -1))
	// Output:
	// (2, 1) [0 1]
}
