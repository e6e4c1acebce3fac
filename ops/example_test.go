package ops_test

import (
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"graft/autodiff"
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
		if ints, ok := o.Data().([]int64); ok {
			fmt.Printf("%v %v\n", o.Shape(), ints)
			continue
		}
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

func ExampleMatMul_vector() {
	g := graph.New()
	a := g.Const("a", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	v := g.Const("v", float64Tensor([]float64{1, 0, -1}, 3))
	u := g.Const("u", float64Tensor([]float64{1, 1}, 2))
	// A 1-D b is a column and a 1-D a a row, as in NumPy: (2, 3)·(3,) gives
	// (2,), (2,)·(2, 3) gives (3,), and (3,)·(3,) is the dot product, a scalar.
	runAndPrint(nil, ops.MatMul(a, v), ops.MatMul(u, a), ops.MatMul(v, v))
	// Output:
	// (2) [-2 -2]
	// (3) [5 7 9]
	// () 2
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

func ExampleMin() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 5, 3, 4, 2, 6}, 2, 3))
	runAndPrint(nil, ops.Min(x, 1), ops.Min(x))
	// Output:
	// (2) [1 2]
	// () 1
}

func ExampleMinKeepDims() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{3, 7, 5, 10, 2, 4}, 2, 3))
	// Shift each row so that its smallest element is 0.
	runAndPrint(nil, ops.Sub(x, ops.MinKeepDims(x, -1)))
	// Output:
	// (2, 3) [0 4 2 8 0 2]
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

func ExampleSub() {
	g := graph.New()
	pred := g.Input("pred", tensor.Float64, 3)
	target := g.Const("target", float64Tensor([]float64{1, 2, 3}, 3))
	residual := ops.Sub(pred, target)
	runAndPrint(graph.Feeds{pred: float64Tensor([]float64{1.5, 2, 2}, 3)}, residual)
	// Output:
	// (3) [0.5 0 -1]
}

func ExampleMul() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	scale := g.Const("scale", float64Tensor([]float64{1, 10, 100}, 3))
	// (2, 3) * (3,): every row is scaled column by column.
	runAndPrint(nil, ops.Mul(x, scale))
	// Output:
	// (2, 3) [1 20 300 4 50 600]
}

func ExampleDiv() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 0, -1}, 3))
	runAndPrint(nil, ops.Div(x, ops.ScalarLike(x, 4)), ops.Div(x, ops.ZerosLike(x)))
	// Output:
	// (3) [0.25 0 -0.25]
	// (3) [+Inf NaN -Inf]
}

func ExampleNeg() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-2, 0.5, 3}, 3))
	runAndPrint(nil, ops.Neg(x))
	// Output:
	// (3) [2 -0.5 -3]
}

func ExamplePow() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 4, 9}, 3))
	runAndPrint(nil, ops.Pow(x, ops.ScalarLike(x, 0.5)), ops.Pow(ops.ScalarLike(x, 2), x))
	// Output:
	// (3) [1 2 3]
	// (3) [2 16 512]
}

func ExampleMinimum() {
	g := graph.New()
	a := g.Const("a", float64Tensor([]float64{1, 5, 3}, 3))
	b := g.Const("b", float64Tensor([]float64{4, 2, 3}, 3))
	runAndPrint(nil, ops.Minimum(a, b), ops.Minimum(a, ops.ScalarLike(a, 2)))
	// Output:
	// (3) [1 2 3]
	// (3) [1 2 2]
}

func ExampleExp() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{0, 1, -1000, 1000}, 4))
	runAndPrint(nil, ops.Exp(x))
	// Output:
	// (4) [1 2.718 0 +Inf]
}

func ExampleLog() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2.718281828459045, 0, -1}, 4))
	runAndPrint(nil, ops.Log(x))
	// Output:
	// (4) [0 1 -Inf NaN]
}

func ExampleSqrt() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{0, 2, 16}, 3))
	runAndPrint(nil, ops.Sqrt(x))
	// Output:
	// (3) [0 1.414 4]
}

func ExampleSquare() {
	g := graph.New()
	pred := g.Const("pred", float64Tensor([]float64{1, 2, 3}, 3))
	target := g.Const("target", float64Tensor([]float64{1, 0, 5}, 3))
	// The mean squared error.
	runAndPrint(nil, ops.Square(ops.Sub(pred, target)), ops.Mean(ops.Square(ops.Sub(pred, target))))
	// Output:
	// (3) [0 4 4]
	// () 2.667
}

func ExampleAbs() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-1.5, 0, 2}, 3))
	runAndPrint(nil, ops.Abs(x))
	// Output:
	// (3) [1.5 0 2]
}

func ExampleSign() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-3, 0, 0.2, math.NaN()}, 4))
	runAndPrint(nil, ops.Sign(x))
	// Output:
	// (4) [-1 0 1 NaN]
}

func ExampleSin() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{0, math.Pi / 6, math.Pi / 2}, 3))
	runAndPrint(nil, ops.Sin(x))
	// Output:
	// (3) [0 0.5 1]
}

func ExampleCos() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{0, math.Pi / 3, math.Pi}, 3))
	runAndPrint(nil, ops.Cos(x))
	// Output:
	// (3) [1 0.5 -1]
}

func ExampleTanh() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-1000, -1, 0, 0.5, 1000}, 5))
	runAndPrint(nil, ops.Tanh(x))
	// Output:
	// (5) [-1 -0.7616 0 0.4621 1]
}

func ExampleSigmoid() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-1000, -1, 0, 1, 1000}, 5))
	// No overflow at ±1000.
	runAndPrint(nil, ops.Sigmoid(x))
	// Output:
	// (5) [0 0.2689 0.5 0.7311 1]
}

func ExampleReLU() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-2, 0, 3}, 3))
	runAndPrint(nil, ops.ReLU(x))
	// Output:
	// (3) [0 0 3]
}

func ExampleEqual() {
	g := graph.New()
	pred := g.Const("pred", float64Tensor([]float64{0, 2, 1, 1}, 4))
	label := g.Const("label", float64Tensor([]float64{0, 1, 1, 2}, 4))
	// The fraction of right answers.
	runAndPrint(nil, ops.Equal(pred, label), ops.Mean(ops.Equal(pred, label)))
	// Output:
	// (4) [1 0 1 0]
	// () 0.5
}

func ExampleNotEqual() {
	g := graph.New()
	a := g.Const("a", float64Tensor([]float64{1, 2, 3}, 3))
	b := g.Const("b", float64Tensor([]float64{3, 2, 1}, 3))
	runAndPrint(nil, ops.NotEqual(a, b))
	// Output:
	// (3) [1 0 1]
}

func ExampleLess() {
	g := graph.New()
	a := g.Const("a", float64Tensor([]float64{1, 2, 3}, 3))
	b := g.Const("b", float64Tensor([]float64{3, 2, 1}, 3))
	runAndPrint(nil, ops.Less(a, b))
	// Output:
	// (3) [1 0 0]
}

func ExampleLessEqual() {
	g := graph.New()
	a := g.Const("a", float64Tensor([]float64{1, 2, 3}, 3))
	b := g.Const("b", float64Tensor([]float64{3, 2, 1}, 3))
	runAndPrint(nil, ops.LessEqual(a, b))
	// Output:
	// (3) [1 1 0]
}

func ExampleGreater() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{-1, 0.5, 2, 0}, 4))
	// A mask of the positive elements, and their count.
	positive := ops.Greater(x, ops.ScalarLike(x, 0))
	runAndPrint(nil, positive, ops.Sum(positive))
	// Output:
	// (4) [0 1 1 0]
	// () 2
}

func ExampleGreaterEqual() {
	g := graph.New()
	probs := g.Const("probs", float64Tensor([]float64{0.2, 0.5, 0.9}, 3))
	// Probabilities to 0/1 predictions at a threshold of 0.5.
	runAndPrint(nil, ops.GreaterEqual(probs, ops.ScalarLike(probs, 0.5)))
	// Output:
	// (3) [0 1 1]
}

func ExampleStopGradient() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	// d(x·x)/dx is 2x; with one factor held constant it is x.
	free, _ := autodiff.Grad(ops.Sum(ops.Mul(x, x)), x)
	held, _ := autodiff.Grad(ops.Sum(ops.Mul(x, ops.StopGradient(x))), x)
	runAndPrint(graph.Feeds{x: float64Tensor([]float64{1, 2, 3}, 3)}, free[0], held[0])
	// Output:
	// (3) [2 4 6]
	// (3) [1 2 3]
}

func ExampleSumKeepDims() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 3, 2, 2}, 2, 2))
	// The (2, 1) row sums broadcast against x: each row is normalised to sum to 1.
	total := ops.SumKeepDims(x, -1)
	runAndPrint(nil, total, ops.Div(x, total))
	// Output:
	// (2, 1) [4 4]
	// (2, 2) [0.25 0.75 0.5 0.5]
}

func ExampleMeanKeepDims() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 10, 3, 30}, 2, 2))
	// Centre each column on its mean.
	mean := ops.MeanKeepDims(x, 0)
	runAndPrint(nil, mean, ops.Sub(x, mean))
	// Output:
	// (1, 2) [2 20]
	// (2, 2) [-1 -10 1 10]
}

func ExampleMaxKeepDims() {
	g := graph.New()
	logits := g.Const("logits", float64Tensor([]float64{1, 3, 1000, 999}, 2, 2))
	// Shift each row so that its largest logit is 0, as a stable softmax does.
	runAndPrint(nil, ops.Sub(logits, ops.MaxKeepDims(logits, -1)))
	// Output:
	// (2, 2) [-2 0 0 -1]
}

func ExampleScalar() {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 2)
	half := ops.Scalar(g, 0.5, tensor.Float32) // shape (), broadcasts against x
	runAndPrint(graph.Feeds{x: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{4, 6}))}, ops.Mul(x, half))
	// graft never converts dtypes: a float64 scalar is a build error.
	_, err := graph.Compile(ops.Mul(x, ops.Scalar(g, 0.5, tensor.Float64)))
	var mistake *graph.BuildError
	if errors.As(err, &mistake) {
		fmt.Println(mistake.Op+":", mistake.Err)
	}
	// Output:
	// (2) [2 3]
	// Mul: dtypes float32 and float64 differ; graft never converts implicitly
}

func ExampleScalarLike() {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 3)
	// The scalar takes x's dtype and graph, so this works for float32 and float64 alike.
	y := ops.Add(ops.Mul(x, ops.ScalarLike(x, 2)), ops.ScalarLike(x, 1))
	fmt.Println(y.DType())
	runAndPrint(graph.Feeds{x: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{0, 1, 2}))}, y)
	// Output:
	// float32
	// (3) [1 3 5]
}

func ExampleZerosLike() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	zeros := ops.ZerosLike(x)
	fmt.Println(zeros.Shape(), zeros.DType())
	runAndPrint(nil, zeros)
	// Output:
	// (2, 3) float64
	// (2, 3) [0 0 0 0 0 0]
}

func ExampleOnesLike() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4}, 2, 2))
	// The number of elements, as a sum of ones.
	runAndPrint(nil, ops.OnesLike(x), ops.Sum(ops.OnesLike(x)))
	// Output:
	// (2, 2) [1 1 1 1]
	// () 4
}
