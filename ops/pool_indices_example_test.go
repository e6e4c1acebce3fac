package ops_test

import (
	"graft/graph"
	"graft/ops"
)

func ExampleMaxPoolIndices() {
	g := graph.New()
	// Two 2x2 windows of a 2x4 image: 6 ties 6, and 8 is the maximum.
	x := g.Const("x", float64Tensor([]float64{
		6, 1, 2, 8,
		6, 3, 8, 0,
	}, 1, 1, 2, 4))
	idx := ops.MaxPoolIndices(x, ops.PoolConfig{Kernel: []int{2}})
	// Each index points into x flattened: the first of tied maxima wins.
	runAndPrint(nil, idx, ops.Take(ops.Reshape(x, -1), idx, 0))
	// Output:
	// (1, 1, 1, 2) [0 3]
	// (1, 1, 1, 2) [6 8]
}
