package ops_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

func ExampleConv() {
	g := graph.New()
	// One 3x3 image with one channel, and one 2x2 filter: (N, C, H, W) and
	// (C_out, C_in, kH, kW), as in PyTorch.
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3))
	w := g.Const("w", float64Tensor([]float64{1, 2, 3, 4}, 1, 1, 2, 2))
	// torch.nn.functional.conv2d(x, w): each output is Σ w ⊙ the 2x2 patch.
	runAndPrint(nil, ops.Conv(x, w, ops.ConvConfig{}))
	// Output:
	// (1, 1, 2, 2) [37 47 67 77]
}

func ExampleConv_strideAndPadding() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3))
	w := g.Const("w", float64Tensor([]float64{1, 2, 3, 4}, 1, 1, 2, 2))
	// conv2d(x, w, stride=2, padding=1): a ring of zeros, every other window.
	y := ops.Conv(x, w, ops.ConvConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1)})
	runAndPrint(nil, y)
	// Output:
	// (1, 1, 2, 2) [4 18 36 77]
}

func ExampleConv_depthwise() {
	g := graph.New()
	// Two channels of length 4, each with its own filter: groups = C_in.
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 10, 20, 30, 40}, 1, 2, 4))
	w := g.Const("w", float64Tensor([]float64{1, -1, 0.5, 0.5}, 2, 1, 2))
	// conv1d(x, w, groups=2): differences of channel 0, means of channel 1.
	runAndPrint(nil, ops.Conv(x, w, ops.ConvConfig{Groups: 2}))
	// Output:
	// (1, 2, 3) [-1 -1 -1 15 25 35]
}

func ExampleConv_gradient() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 1, 1, 3)
	w := g.Const("w", float64Tensor([]float64{1, 10}, 1, 1, 2))
	y := ops.Sum(ops.Conv(x, w, ops.ConvConfig{}))
	// dy/dx is a transposed convolution of dy (all ones) with w; the
	// gradient is itself built from ops and can be differentiated again.
	grads, err := autodiff.Grad(y, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	runAndPrint(graph.Feeds{x: float64Tensor([]float64{1, 2, 3}, 1, 1, 3)}, grads[0])
	// Output:
	// (1, 1, 3) [1 11 10]
}

func ExampleConv_channelMismatch() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 8, 3, 28, 28)
	w := g.Input("w", tensor.Float64, 16, 1, 5, 5)
	_ = ops.Conv(x, w, ops.ConvConfig{})
	// The mistake is reported when compiling, with the op, the shapes and
	// the line that built the node.
	_, err := graph.Compile(x)
	fmt.Println(err)
	// Output:
	// graft: Conv(x (8, 3, 28, 28) float64, w (16, 1, 5, 5) float64) at ops/conv_example_test.go:68: the weight's axis 1 (input channels per group) is 1, want C_in/groups = 3/1 = 3
}

func ExampleConvTranspose() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4}, 1, 1, 2, 2))
	w := g.Const("w", float64Tensor([]float64{1, 10, 100, 1000}, 1, 1, 2, 2))
	// conv_transpose2d(x, w, stride=2): each input element stamps the
	// kernel, scaled by itself, into its own 2x2 block of a 4x4 output.
	runAndPrint(nil, ops.ConvTranspose(x, w, ops.ConvTransposeConfig{Stride: []int{2}}))
	// Output:
	// (1, 1, 4, 4) [1 10 2 20 100 1000 200 2000 3 30 4 40 300 3000 400 4000]
}

func ExampleConvTranspose_outputPadding() {
	g := graph.New()
	// A stride-2 conv maps lengths 7 and 8 alike to 4 (padding 1, kernel
	// 3); output padding picks which one the transposed conv gives back.
	x := g.Input("x", tensor.Float64, 1, 1, 4)
	w := g.Input("w", tensor.Float64, 1, 1, 3)
	for _, op := range []int{0, 1} {
		y := ops.ConvTranspose(x, w, ops.ConvTransposeConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1), OutputPadding: []int{op}})
		fmt.Println(y.Shape())
	}
	// Output:
	// (1, 1, 7)
	// (1, 1, 8)
}

func ExampleAddChannelBias() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4}, 1, 1, 4))
	w := g.Const("w", float64Tensor([]float64{1, 1, 2, -1}, 2, 1, 2))
	b := g.Const("b", float64Tensor([]float64{100, -100}, 2))
	// conv1d(x, w, b): the bias of channel c is added to all of channel c.
	runAndPrint(nil, ops.AddChannelBias(ops.Conv(x, w, ops.ConvConfig{}), b))
	// Output:
	// (1, 2, 3) [103 105 107 -100 -99 -98]
}

func ExampleSamePadding() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 1, 1, 5, 6)
	w := g.Input("w", tensor.Float64, 1, 1, 2, 3)
	// The output keeps the input's 5x6 (the 2-row kernel's extra zero row
	// goes below).
	fmt.Println(ops.Conv(x, w, ops.ConvConfig{Padding: ops.SamePadding()}).Shape())
	// Output:
	// (1, 1, 5, 6)
}

func ExampleValidPadding() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 1, 1, 5, 6)
	w := g.Input("w", tensor.Float64, 1, 1, 2, 3)
	fmt.Println(ops.Conv(x, w, ops.ConvConfig{Padding: ops.ValidPadding()}).Shape())
	// Output:
	// (1, 1, 4, 4)
}

func ExampleSymmetricPadding() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 1, 1, 5, 6)
	w := g.Input("w", tensor.Float64, 1, 1, 3, 3)
	// padding=(2, 0): two zero rows above and below, no columns.
	fmt.Println(ops.Conv(x, w, ops.ConvConfig{Padding: ops.SymmetricPadding(2, 0)}).Shape())
	// Output:
	// (1, 1, 7, 4)
}

func ExampleExplicitPadding() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3}, 1, 1, 3))
	w := g.Const("w", float64Tensor([]float64{1, 1}, 1, 1, 2))
	// One zero before and none after: a causal running sum of two.
	runAndPrint(nil, ops.Conv(x, w, ops.ConvConfig{Padding: ops.ExplicitPadding([2]int{1, 0})}))
	// Output:
	// (1, 1, 3) [1 3 5]
}

func ExamplePadding_String() {
	fmt.Println(ops.SamePadding(), ops.ValidPadding(), ops.SymmetricPadding(1, 2), ops.ExplicitPadding([2]int{0, 1}))
	// Output:
	// same valid [[1 1] [2 2]] [[0 1]]
}
