package layers_test

import (
	"gorgonia.org/tensor"

	"graft/graph"
)

// dtypes are the element types every layer test runs in.
var dtypes = []graph.DType{tensor.Float32, tensor.Float64}

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
