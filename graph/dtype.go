package graph

import (
	"fmt"

	"gorgonia.org/tensor"
)

// DType is the element type of a node. graft computes in tensor.Float32 and
// tensor.Float64; these are gorgonia.org/tensor's own dtypes, so a user hands
// in and gets back *tensor.Dense without conversion.
type DType = tensor.Dtype

// Float is the set of element types graft's kernels are written for.
type Float interface{ ~float32 | ~float64 }

func checkDType(dt DType) error {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("dtype %v is not supported: graft computes in float32 and float64", dt)
	}
	return nil
}
