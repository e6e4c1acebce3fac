package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

func TestNewTensorRoundsOnceAndCopies(t *testing.T) {
	data := []float64{0.1, -2.5, 1e-50}
	t32, err := graph.NewTensor(tensor.Float32, data, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := t32.Float32s(); got[0] != float32(0.1) || got[1] != -2.5 || got[2] != 0 {
		t.Errorf("float32 tensor holds %v", got)
	}
	t64, err := graph.NewTensor(tensor.Float64, data, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	data[0] = 99
	if got := t64.Float64s(); got[0] != 0.1 || !t64.Shape().Eq(tensor.Shape{1, 3}) {
		t.Errorf("float64 tensor holds %v with shape %v; want a copy of the data, shape (1, 3)", got, t64.Shape())
	}
}

func TestNewTensorRejectsBadArguments(t *testing.T) {
	cases := []struct {
		dt    graph.DType
		data  []float64
		shape []int
		want  string
	}{
		{tensor.Float64, []float64{1, 2, 3}, []int{2, 2}, "3 values for shape (2, 2), which has 4 elements"},
		{tensor.Int, []float64{1}, []int{1}, "not supported"},
		{tensor.Float32, nil, []int{0}, "at least 1"},
		{tensor.Float64, []float64{1}, []int{7, 0x6DB6DB6DB6DB6DB7}, "MaxElements"}, // the size wraps to 1
		{tensor.Float64, nil, []int{1 << 32, 1 << 32}, "MaxElements"},               // the size wraps to 0
	}
	for _, c := range cases {
		if _, err := graph.NewTensor(c.dt, c.data, c.shape...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewTensor(%v, %v, %v) error %v, want it to mention %q", c.dt, c.data, c.shape, err, c.want)
		}
	}
}

func TestFloat64sWidensAndCopies(t *testing.T) {
	t32 := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, -3}))
	if got := graph.Float64s(t32); len(got) != 2 || got[0] != 0.5 || got[1] != -3 {
		t.Errorf("Float64s(float32) = %v", got)
	}
	backing := []float64{1, 2}
	got := graph.Float64s(tensor.New(tensor.WithShape(2), tensor.WithBacking(backing)))
	got[0] = 7
	if backing[0] != 1 {
		t.Error("Float64s returned the tensor's own slice, not a copy")
	}
	if graph.Float64s(tensor.New(tensor.WithShape(1), tensor.WithBacking([]int{1}))) != nil {
		t.Error("Float64s of an int tensor is not nil")
	}
	if graph.Float64s(nil) != nil {
		t.Error("Float64s of a nil tensor is not nil")
	}
}

// NewTensor makes feeds of either dtype from the same float64 numbers, and
// Float64s reads results back the same way.
func ExampleNewTensor() {
	for _, dt := range []graph.DType{tensor.Float32, tensor.Float64} {
		x, err := graph.NewTensor(dt, []float64{0.1, 0.2, 0.3, 0.4}, 2, 2)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(x.Dtype(), x.Shape(), graph.Float64s(x)[0] == 0.1)
	}
	_, err := graph.NewTensor(tensor.Float64, []float64{1, 2, 3}, 2, 2)
	fmt.Println(err)
	// Output:
	// float32 (2, 2) false
	// float64 (2, 2) true
	// graft: NewTensor: 3 values for shape (2, 2), which has 4 elements
}
