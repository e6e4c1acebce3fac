package autodiff_test

import (
	"gorgonia.org/tensor"
)

func dense64(data []float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// filled returns n distinct float64s start·(1 + i/7)·(-1)^i: both signs,
// no two equal, so a misplaced element shows.
func filled(start float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = start * (1 + float64(i)/7)
		if i%2 == 1 {
			xs[i] = -xs[i]
		}
	}
	return xs
}
