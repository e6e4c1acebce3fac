package graph_test

import (
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// CopyValue is the kernel of every identity op: it copies the numbers of
// either dtype, and leaves its source alone.
func TestCopyValueCopiesEitherDType(t *testing.T) {
	src64 := &graph.Value{Shape: graph.Shape{3}, DType: tensor.Float64, F64: []float64{1, -2.5, 3}}
	dst64 := &graph.Value{Shape: graph.Shape{3}, DType: tensor.Float64, F64: make([]float64, 3)}
	graph.CopyValue(dst64, src64)
	if !slices.Equal(dst64.F64, []float64{1, -2.5, 3}) || dst64.F32 != nil {
		t.Errorf("float64 copy gave %v and %v", dst64.F64, dst64.F32)
	}
	src32 := &graph.Value{Shape: graph.Shape{2}, DType: tensor.Float32, F32: []float32{0.5, -7}}
	dst32 := &graph.Value{Shape: graph.Shape{2}, DType: tensor.Float32, F32: make([]float32, 2)}
	graph.CopyValue(dst32, src32)
	if !slices.Equal(dst32.F32, []float32{0.5, -7}) || dst32.F64 != nil {
		t.Errorf("float32 copy gave %v and %v", dst32.F32, dst32.F64)
	}
	dst64.F64[0] = 9
	if src64.F64[0] != 1 {
		t.Error("the copy shares memory with its source")
	}
}
