package ops_test

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// float64Tensor returns a float64 tensor of the given shape over data.
func float64Tensor(data []float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// runAndPrint compiles and runs outputs, printing each result's shape and values.
func runAndPrint(feeds graph.Feeds, outputs ...*graph.Node) {
	prog, err := graph.Compile(outputs...)
	if err != nil {
		fmt.Println(err)
		return
	}
	outs, err := prog.Run(feeds)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range outs {
		fmt.Printf("%v %.4g\n", o.Shape(), o.Data())
	}
}

func ExampleAdd() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	bias := g.Const("bias", float64Tensor([]float64{10, 20, 30}, 3))
	// (2, 3) + (3,): the bias is added to every row.
	y := ops.Add(x, bias)
	runAndPrint(graph.Feeds{x: float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3)}, y)
	// Output:
	// (2, 3) [11 22 33 14 25 36]
}

func ExampleAdd_outer() {
	g := graph.New()
	col := g.Const("col", float64Tensor([]float64{1, 2, 3}, 3, 1))
	row := g.Const("row", float64Tensor([]float64{10, 20}, 1, 2))
	// (3, 1) + (1, 2) broadcasts both operands to (3, 2).
	runAndPrint(nil, ops.Add(col, row))
	// Output:
	// (3, 2) [11 21 12 22 13 23]
}

func ExampleMatMul() {
	g := graph.New()
	a := g.Const("a", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	b := g.Const("b", float64Tensor([]float64{7, 8, 9, 10, 11, 12}, 3, 2))
	runAndPrint(nil, ops.MatMul(a, b))
	// Output:
	// (2, 2) [58 64 139 154]
}

func ExampleMatMul_batched() {
	g := graph.New()
	// One (2, 2) matrix times a batch of two (2, 1) columns.
	a := g.Const("a", float64Tensor([]float64{1, 2, 3, 4}, 2, 2))
	b := g.Const("b", float64Tensor([]float64{1, 0, 0, 1}, 2, 2, 1))
	runAndPrint(nil, ops.MatMul(a, b))
	// Output:
	// (2, 2, 1) [1 3 2 4]
}

func ExampleMatMulT() {
	g := graph.New()
	a := g.Const("a", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	// a·aᵀ, without building the transpose.
	runAndPrint(nil, ops.MatMulT(a, a, false, true))
	// Output:
	// (2, 2) [14 32 32 77]
}

func ExampleSum() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	runAndPrint(nil, ops.Sum(x, 0), ops.Sum(x, -1), ops.Sum(x), ops.SumKeepDims(x, 1))
	// Output:
	// (3) [5 7 9]
	// (2) [6 15]
	// () 21
	// (2, 1) [6 15]
}

func ExampleMean() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	runAndPrint(nil, ops.Mean(x, 0), ops.Mean(x))
	// Output:
	// (3) [2.5 3.5 4.5]
	// () 3.5
}

func ExampleMax() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 5, 3, 4, 2, 6}, 2, 3))
	runAndPrint(nil, ops.Max(x, 1), ops.MaxKeepDims(x, 0))
	// Output:
	// (2) [5 6]
	// (1, 3) [4 5 6]
}

func ExampleSoftmax() {
	g := graph.New()
	logits := g.Input("logits", tensor.Float64, 2, 3)
	probs := ops.Softmax(logits, -1) // each row sums to 1
	runAndPrint(graph.Feeds{logits: float64Tensor([]float64{1, 2, 3, 1000, 0, -1000}, 2, 3)}, probs)
	// Output:
	// (2, 3) [0.09003 0.2447 0.6652 1 0 0]
}

func ExampleLogSoftmax() {
	g := graph.New()
	logits := g.Const("logits", float64Tensor([]float64{0, 0, 1000}, 3))
	runAndPrint(nil, ops.LogSoftmax(logits, 0))
	// Output:
	// (3) [-1000 -1000 0]
}

func ExampleWhere() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-2, -1, 0, 1, 2}, 5))
	// A leaky ReLU: x where x > 0, 0.1x elsewhere.
	positive := ops.Greater(x, ops.ScalarLike(x, 0))
	runAndPrint(nil, ops.Where(positive, x, ops.Mul(x, ops.ScalarLike(x, 0.1))))
	// Output:
	// (5) [-0.2 -0.1 0 1 2]
}

func ExampleReshape() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	// -1 stands for whatever size makes the total match.
	runAndPrint(nil, ops.Reshape(x, 3, -1), ops.Reshape(x, -1))
	// Output:
	// (3, 2) [1 2 3 4 5 6]
	// (6) [1 2 3 4 5 6]
}

func ExampleTranspose() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	y := g.Const("y", float64Tensor([]float64{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2))
	// With no perm the axes are reversed; with one, axis i of the result is
	// axis perm[i] of the input.
	runAndPrint(nil, ops.Transpose(x), ops.Transpose(y, 0, 2, 1))
	// Output:
	// (3, 2) [1 4 2 5 3 6]
	// (2, 2, 2) [1 3 2 4 5 7 6 8]
}

func ExampleBroadcastTo() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2}, 2, 1))
	runAndPrint(nil, ops.BroadcastTo(x, 2, 3))
	// Output:
	// (2, 3) [1 1 1 2 2 2]
}

func ExampleConcat() {
	g := graph.New()
	a := g.Const("a", float64Tensor([]float64{1, 2, 3, 4}, 2, 2))
	b := g.Const("b", float64Tensor([]float64{5, 6}, 2, 1))
	runAndPrint(nil, ops.Concat(1, a, b), ops.Concat(0, a, a))
	// Output:
	// (2, 3) [1 2 5 3 4 6]
	// (4, 2) [1 2 3 4 1 2 3 4]
}

func ExampleSlice() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{0, 1, 2, 3, 4, 5, 6, 7}, 2, 4))
	// Columns 1 and 2, then the last column counted from the end.
	runAndPrint(nil, ops.Slice(x, 1, 1, 3), ops.Slice(x, -1, -1, 4))
	// Output:
	// (2, 2) [1 2 5 6]
	// (2, 1) [3 7]
}

func ExamplePad() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4}, 2, 2))
	runAndPrint(nil, ops.Pad(x, 1, 1, 0))
	// Output:
	// (2, 3) [0 1 2 0 3 4]
}

func ExampleFull() {
	g := graph.New()
	runAndPrint(nil, ops.Full(g, 0.5, tensor.Float64, 2, 2), ops.Scalar(g, 3, tensor.Float64))
	// Output:
	// (2, 2) [0.5 0.5 0.5 0.5]
	// () 3
}

func ExampleMaximum() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-1, 3, 0.5}, 3))
	// Clip below at 0 and above at 1.
	runAndPrint(nil, ops.Minimum(ops.Maximum(x, ops.ScalarLike(x, 0)), ops.ScalarLike(x, 1)))
	// Output:
	// (3) [0 1 0.5]
}

func ExampleAdd_shapeMistake() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 4, 2)
	w := g.Input("w", tensor.Float64, 3)
	y := ops.Tanh(ops.Add(x, w)) // building goes on; Compile reports the first mistake
	_, err := graph.Compile(y)
	// err.Error() also names the inputs and the file:line that built the Add.
	var mistake *graph.BuildError
	if errors.As(err, &mistake) {
		fmt.Println(mistake.Op, mistake.Inputs[0].Shape(), mistake.Inputs[1].Shape())
		fmt.Println(mistake.Err)
	}
	// Output:
	// Add (4, 2) (3,)
	// shapes (4, 2) and (3,) do not broadcast: axis -1 has 2 and 3
}
