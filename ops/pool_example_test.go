package ops_test

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// poolImage3x3 is one 3x3 image with one channel, shape (1, 1, 3, 3):
//
//	1 2 3
//	4 5 6
//	7 8 9
func poolImage3x3(g *graph.Graph) *graph.Node {
	return g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3))
}

func ExampleMaxPool() {
	g := graph.New()
	x := poolImage3x3(g)
	// 2x2 windows one step apart: the windows overlap.
	overlapping := ops.MaxPool(x, ops.PoolConfig{Kernel: []int{2}, Stride: []int{1}})
	// A 1x3 kernel along W only; Stride defaults to Kernel.
	rows := ops.MaxPool(x, ops.PoolConfig{Kernel: []int{1, 3}})
	runAndPrint(nil, overlapping, rows)
	// Output:
	// (1, 1, 2, 2) [5 6 8 9]
	// (1, 1, 3, 1) [3 6 9]
}

func ExampleMaxPool_gradient() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 1, 1, 4)
	y := ops.Sum(ops.MaxPool1D(x, 2, 1, 0)) // windows (2, 2), (2, 1), (1, 2)
	grads, err := autodiff.Grad(y, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Each window's gradient goes to its maximum; of tied elements, the
	// first takes it, as in PyTorch.
	runAndPrint(graph.Feeds{x: float64Tensor([]float64{2, 2, 1, 2}, 1, 1, 4)}, grads[0])
	// Output:
	// (1, 1, 4) [1 1 0 1]
}

func ExampleMaxPool1D() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{3, -1, 4, 1, 5}, 1, 1, 5))
	// Windows of 3, stride 2, one -Inf of padding on each side:
	// {3, -1}, {-1, 4, 1} and {1, 5}.
	runAndPrint(nil, ops.MaxPool1D(x, 3, 2, 1))
	// Output:
	// (1, 1, 3) [3 4 5]
}

func ExampleMaxPool2D() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3, 28, 28) // a batch of two 3-channel 28x28 images
	fmt.Println(ops.MaxPool2D(x, 2, 2, 0).Shape())
	fmt.Println(ops.MaxPool2D(x, 3, 2, 1).Shape())
	runAndPrint(nil, ops.MaxPool2D(poolImage3x3(g), 2, 2, 1)) // windows {1}, {2,3}, {4,7}, {5,6,8,9}
	// Output:
	// (2, 3, 14, 14)
	// (2, 3, 14, 14)
	// (1, 1, 2, 2) [1 3 7 9]
}

func ExampleAvgPool() {
	g := graph.New()
	x := poolImage3x3(g)
	// Windows {1}, {2,3}, {4,7}, {5,6,8,9} of a padded 4x4: PyTorch's
	// default divides each sum by 4, ExcludePadding by the number of input
	// elements.
	counted := ops.AvgPool(x, ops.PoolConfig{Kernel: []int{2}, Padding: []int{1}})
	excluded := ops.AvgPool(x, ops.PoolConfig{Kernel: []int{2}, Padding: []int{1}, ExcludePadding: true})
	runAndPrint(nil, counted, excluded)
	// Output:
	// (1, 1, 2, 2) [0.25 1.25 2.75 7]
	// (1, 1, 2, 2) [1 2.5 5.5 7]
}

func ExampleAvgPool_ceilMode() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5}, 1, 1, 5))
	// Rounding the number of windows up adds a last window holding only 5.
	runAndPrint(nil, ops.AvgPool(x, ops.PoolConfig{Kernel: []int{2}}), ops.AvgPool(x, ops.PoolConfig{Kernel: []int{2}, CeilMode: true}))
	// Output:
	// (1, 1, 2) [1.5 3.5]
	// (1, 1, 3) [1.5 3.5 5]
}

func ExampleAvgPool1D() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{3, -1, 4, 1, 5}, 1, 1, 5))
	// Windows {0, 3, -1}, {-1, 4, 1} and {1, 5, 0}, each divided by 3.
	runAndPrint(nil, ops.AvgPool1D(x, 3, 2, 1))
	// Output:
	// (1, 1, 3) [0.6667 1.333 2]
}

func ExampleAvgPool2D() {
	g := graph.New()
	runAndPrint(nil, ops.AvgPool2D(poolImage3x3(g), 2, 1, 0))
	// Output:
	// (1, 1, 2, 2) [3 4 6 7]
}

func ExampleGlobalAvgPool() {
	g := graph.New()
	// Two channels of a 2x2 image: the mean of each channel.
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 10, 20, 30, 40}, 1, 2, 2, 2))
	runAndPrint(nil, ops.GlobalAvgPool(x))
	// Output:
	// (1, 2) [2.5 25]
}

func ExampleGlobalAvgPoolKeepDims() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 10, 20, 30, 40}, 1, 2, 2, 2))
	runAndPrint(nil, ops.GlobalAvgPoolKeepDims(x))
	// Output:
	// (1, 2, 1, 1) [2.5 25]
}

func ExamplePoolConfig() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 1, 1, 7, 10)
	// One value applies to every spatial axis; a list gives one per axis.
	c := ops.PoolConfig{Kernel: []int{3}, Stride: []int{2, 3}, Padding: []int{1, 0}, Dilation: []int{1, 2}}
	fmt.Println(ops.MaxPool(x, c).Shape())
	// A mistake is a build error naming the op, the shapes and the line.
	_, err := graph.Compile(ops.MaxPool2D(x, 3, 1, 2))
	var mistake *graph.BuildError
	if errors.As(err, &mistake) {
		fmt.Println(mistake.Op, mistake.Inputs[0].Shape())
		fmt.Println(mistake.Err)
	}
	// Output:
	// (1, 1, 4, 2)
	// MaxPool2D (1, 1, 7, 10)
	// padding [2 2] is more than half of kernel [3 3] along spatial axis 0 (PyTorch's limit)
}
