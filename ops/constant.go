package ops

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Full adds a constant of the given dtype and shape with every element v.
// A dtype other than float32 and float64, or an axis smaller than 1, is a
// build error that Compile reports.
func Full(g *graph.Graph, v float64, dt graph.DType, shape ...int) *graph.Node {
	if g == nil {
		return graph.Reject("Full", errors.New("the graph is nil"))
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		err := fmt.Errorf("dtype %v is not supported: graft computes in float32 and float64", dt)
		return graph.Reject("Full", err, Scalar(g, v, tensor.Float64))
	}
	for _, d := range shape {
		if d < 1 {
			err := fmt.Errorf("shape %v has an axis of size %d: every axis must be at least 1", graph.Shape(shape), d)
			return graph.Reject("Full", err, Scalar(g, v, dt))
		}
	}
	size := graph.Shape(shape).Size()
	name := fmt.Sprint(v)
	if len(shape) > 0 {
		name = fmt.Sprintf("full(%v)", v)
	}
	var t *tensor.Dense
	if dt == tensor.Float32 {
		data := make([]float32, size)
		for i := range data {
			data[i] = float32(v)
		}
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	} else {
		data := make([]float64, size)
		for i := range data {
			data[i] = v
		}
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	}
	return g.Const(name, t)
}

// Scalar adds a scalar constant (shape ()) of dtype dt. It broadcasts
// against any shape.
func Scalar(g *graph.Graph, v float64, dt graph.DType) *graph.Node {
	return Full(g, v, dt)
}

// ScalarLike adds a scalar constant with x's dtype, in x's graph.
func ScalarLike(x *graph.Node, v float64) *graph.Node {
	if x == nil {
		return graph.Reject("ScalarLike", nil, x)
	}
	return Scalar(x.Graph(), v, x.DType())
}

// ZerosLike adds a constant of zeros with x's shape and dtype.
func ZerosLike(x *graph.Node) *graph.Node {
	if x == nil {
		return graph.Reject("ZerosLike", nil, x)
	}
	return Full(x.Graph(), 0, x.DType(), x.Shape()...)
}

// OnesLike adds a constant of ones with x's shape and dtype.
func OnesLike(x *graph.Node) *graph.Node {
	if x == nil {
		return graph.Reject("OnesLike", nil, x)
	}
	return Full(x.Graph(), 1, x.DType(), x.Shape()...)
}
