package chart_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/activations/chart"
)

// Sample gives an activation's values and the first and second derivatives
// autodiff builds for it, kink choices included.
func ExampleSample() {
	c, err := chart.Sample(activations.ReLU, tensor.Float32, []float64{-1, 0, 2})
	fmt.Println(err)
	fmt.Println("relu  ", c.Y)
	fmt.Println("relu' ", c.D1)
	fmt.Println("relu''", c.D2)
	// Output:
	// <nil>
	// relu   [0 0 2]
	// relu'  [0 0 1]
	// relu'' [0 0 0]
}

func ExampleLinspace() {
	fmt.Println(chart.Linspace(-1, 1, 5))
	// Output: [-1 -0.5 0 0.5 1] <nil>
}
