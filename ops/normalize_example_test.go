package ops_test

import (
	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// The mean and biased variance of each row, kept as (2, 1) columns.
func ExampleMoments() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	xs := float64Tensor([]float64{1, 2, 6, 4, 4, 4}, 2, 3)
	mean, variance := ops.Moments(x, 1)
	runAndPrint(graph.Feeds{x: xs}, mean, variance)
	// Output:
	// (2, 1) [3 4]
	// (2, 1) [4.667 0]
}

// Layer normalization of each row without an affine part: Moments over the
// last axis, then Normalize.
func ExampleNormalize() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	xs := float64Tensor([]float64{1, 2, 6, 4, 4, 4}, 2, 3)
	mean, variance := ops.Moments(x, -1)
	runAndPrint(graph.Feeds{x: xs}, ops.Normalize(x, mean, variance, 1e-5))
	// Output:
	// (2, 3) [-0.9258 -0.4629 1.389 0 0 0]
}
