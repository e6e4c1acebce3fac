package graph

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// NewTensor returns a new tensor of dtype dt (tensor.Float32,
// tensor.Float64, or Int64 for indices) and the given shape holding a copy
// of data, each value rounded once to float32 for a float32 tensor. It is
// the usual way to make a feed or a parameter from float64 numbers whatever
// dtype the graph uses. data must hold exactly as many values as the shape
// has elements; for Int64 each must be a whole number below 2^53 in size.
func NewTensor(dt DType, data []float64, shape ...int) (*tensor.Dense, error) {
	if err := checkLeafDType(Constant, dt); err != nil {
		return nil, fmt.Errorf("graft: NewTensor: %w", err)
	}
	if err := CheckShape(shape); err != nil {
		return nil, fmt.Errorf("graft: NewTensor: %w", err)
	}
	if n := Shape(shape).Size(); len(data) != n {
		return nil, fmt.Errorf("graft: NewTensor: %d values for shape %v, which has %d elements", len(data), Shape(shape), n)
	}
	if IsInteger(dt) {
		ints := make([]int64, len(data))
		for i, v := range data {
			if v != math.Trunc(v) || math.Abs(v) >= 1<<53 {
				return nil, fmt.Errorf("graft: NewTensor: value %d is %v, not a whole number an int64 index holds exactly", i, v)
			}
			ints[i] = int64(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(ints)), nil
	}
	if dt == tensor.Float32 {
		f32 := make([]float32, len(data))
		for i, v := range data {
			f32[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f32)), nil
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), data...))), nil
}

// Float64s returns a copy of the elements of a float32, float64 or int64
// tensor, converted to float64 (nil for a nil tensor or any other dtype). Use it to read results in
// code that serves both dtypes; in a hot loop read t.Float32s() or
// t.Float64s() directly, which copy nothing.
func Float64s(t *tensor.Dense) []float64 {
	if t == nil {
		return nil
	}
	switch t.Dtype() {
	case tensor.Float32:
		f32 := t.Float32s()
		out := make([]float64, len(f32))
		for i, v := range f32 {
			out[i] = float64(v)
		}
		return out
	case tensor.Float64:
		return append([]float64(nil), t.Float64s()...)
	case tensor.Int64:
		ints := t.Int64s()
		out := make([]float64, len(ints))
		for i, v := range ints {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}
