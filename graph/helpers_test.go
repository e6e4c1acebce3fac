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
