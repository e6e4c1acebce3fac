package ops

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Full adds a constant of the given dtype and shape with every element v.
func Full(g *graph.Graph, v float64, dt graph.DType, shape ...int) *graph.Node {
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
	return Scalar(x.Graph(), v, x.DType())
}

// ZerosLike adds a constant of zeros with x's shape and dtype.
func ZerosLike(x *graph.Node) *graph.Node {
	return Full(x.Graph(), 0, x.DType(), x.Shape()...)
}

// OnesLike adds a constant of ones with x's shape and dtype.
func OnesLike(x *graph.Node) *graph.Node {
	return Full(x.Graph(), 1, x.DType(), x.Shape()...)
}
