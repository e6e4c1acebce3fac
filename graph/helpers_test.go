package graph_test

import (
	"gorgonia.org/tensor"
)

// dense64 returns a float64 tensor of the given shape holding data.
func dense64(data []float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// dense32 returns a float32 tensor of the given shape holding data.
func dense32(data []float32, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// ramp returns n float64s 0.1, 0.2, ...; distinct values catch misplaced elements.
func ramp(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 0.1 * float64(i+1)
	}
	return xs
}
