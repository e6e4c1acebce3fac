package layers_test

import (
	"gorgonia.org/tensor"

	"graft/graph"
)

// dtypes are the element types every layer test runs in.
var dtypes = []graph.DType{tensor.Float32, tensor.Float64}

// tensorOf returns a tensor of dtype dt and the given shape holding data.
func tensorOf(dt graph.DType, data []float64, shape ...int) *tensor.Dense {
	t, err := graph.NewTensor(dt, data, shape...)
	if err != nil {
		panic(err) // the test itself is wrong
	}
	return t
}

// setValues overwrites a parameter's values.
func setValues(p *graph.Node, data []float64) {
	if p.DType() == tensor.Float32 {
		for i, v := range data {
			p.Value().Float32s()[i] = float32(v)
		}
		return
	}
	copy(p.Value().Float64s(), data)
}

// ramp returns n distinct values, 0.1, 0.2, ..., shifted by offset.
func ramp(n int, offset float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 0.1*float64(i+1) + offset
	}
	return xs
}
