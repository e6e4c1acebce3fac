package ops_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// Every run draws new numbers; the same seed draws the same ones again.
func ExampleRandomUniform() {
	g := graph.New()
	u := ops.RandomUniform(g, 42, tensor.Float64, 3)
	prog, _ := graph.Compile(u)
	for range 2 {
		out, _ := prog.Run(nil)
		fmt.Printf("%.4f\n", out[0].Data())
	}
	counter, _ := g.RandomCounter()
	fmt.Println("counter:", counter.Value().Data())
	// Output:
	// [0.7907 0.0522 0.2728]
	// [0.2018 0.8718 0.5653]
	// counter: 2
}

func ExampleRandomNormal() {
	g := graph.New()
	runAndPrint(nil, ops.RandomNormal(g, 42, tensor.Float64, 2, 2))
	// Output:
	// (2, 2) [1.674 -0.3643 -1 0.5669]
}

func ExampleRandomBernoulli() {
	g := graph.New()
	runAndPrint(nil, ops.RandomBernoulli(g, 42, 0.5, tensor.Float32, 8))
	// Output:
	// (8) [0 1 1 1 0 1 1 0]
}

// Dropout zeroes about rate of the elements and scales the others by
// 1/(1-rate), so each element keeps its expected value.
func ExampleDropout() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 8)
	xs, _ := graph.NewTensor(tensor.Float64, []float64{1, 2, 3, 4, 5, 6, 7, 8}, 8)
	runAndPrint(graph.Feeds{x: xs}, ops.Dropout(x, 0.5, 42))
	// Output:
	// (8) [0 4 6 8 0 12 14 0]
}
