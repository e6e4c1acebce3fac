package ops

import (
	"math"

	"graft/graph"
)

// unary is the shared part of the elementwise unary ops: a name and a loop
// for each dtype. Most are made by Elementwise, the path a user takes too;
// Neg, Square, ReLU and Sign embed it with hand-written loops, because they
// are cheap enough per element that a function call per element would cost
// more than the work, and add their gradient rules.
type unary struct {
	name string
	f32  func(out, x []float32)
	f64  func(out, x []float64)
}

func (op *unary) Name() string { return op.name }

func (op *unary) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return in[0].Shape(), in[0].DType(), nil
}

func (op *unary) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, unaryKernel[float32], unaryKernel[float64])
}

func unaryKernel[T graph.Float](op *unary, out []T, in []*graph.Value) {
	ofDType[func(out, x []T)](op.f32, op.f64)(out, floats[T](in[0]))
}

// Neg returns -x.
func Neg(x *graph.Node) *graph.Node {
	return graph.Apply(&negOp{unary{"Neg", neg[float32], neg[float64]}}, x)
}

type negOp struct{ unary }

func (*negOp) Grad(n, dy *graph.Node, i int) *graph.Node { return Neg(dy) }

// Exp returns e^x.
func Exp(x *graph.Node) *graph.Node { return Elementwise("Exp", x, math.Exp, expGrad) }

func expGrad(x, y, dy *graph.Node) *graph.Node { return Mul(dy, y) }

// Log returns the natural logarithm of x (-Inf at 0, NaN below).
func Log(x *graph.Node) *graph.Node { return Elementwise("Log", x, math.Log, logGrad) }

func logGrad(x, y, dy *graph.Node) *graph.Node { return Div(dy, x) }

// Sqrt returns the square root of x.
func Sqrt(x *graph.Node) *graph.Node { return Elementwise("Sqrt", x, math.Sqrt, sqrtGrad) }

// d√x/dx = 1/(2√x).
func sqrtGrad(x, y, dy *graph.Node) *graph.Node { return Div(dy, Mul(ScalarLike(y, 2), y)) }

// Square returns x².
func Square(x *graph.Node) *graph.Node {
	return graph.Apply(&squareOp{unary{"Square", square[float32], square[float64]}}, x)
}

type squareOp struct{ unary }

func (*squareOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return Mul(dy, Mul(ScalarLike(n, 2), n.Inputs()[0]))
}

// Abs returns |x|. Its derivative at 0 is taken as 0, as in PyTorch and JAX.
func Abs(x *graph.Node) *graph.Node { return Elementwise("Abs", x, math.Abs, absGrad) }

func absGrad(x, y, dy *graph.Node) *graph.Node { return Mul(dy, Sign(x)) }

// Sign returns -1, 0 or 1 as x is negative, zero or positive (NaN stays NaN).
// It is piecewise constant, so its gradient is 0.
func Sign(x *graph.Node) *graph.Node {
	return graph.Apply(&signOp{unary{"Sign", sign[float32], sign[float64]}}, x)
}

type signOp struct{ unary }

func (*signOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

// Sin returns the sine of x (radians).
func Sin(x *graph.Node) *graph.Node { return Elementwise("Sin", x, math.Sin, sinGrad) }

func sinGrad(x, y, dy *graph.Node) *graph.Node { return Mul(dy, Cos(x)) }

// Cos returns the cosine of x (radians).
func Cos(x *graph.Node) *graph.Node { return Elementwise("Cos", x, math.Cos, cosGrad) }

func cosGrad(x, y, dy *graph.Node) *graph.Node { return Neg(Mul(dy, Sin(x))) }

// Tanh returns the hyperbolic tangent of x.
func Tanh(x *graph.Node) *graph.Node { return Elementwise("Tanh", x, math.Tanh, tanhGrad) }

// d tanh x/dx = 1 - tanh² x.
func tanhGrad(x, y, dy *graph.Node) *graph.Node { return Mul(dy, Sub(ScalarLike(y, 1), Square(y))) }

// Sigmoid returns 1/(1+e^-x), computed so that no overflow occurs for any x:
// e^-|x| is always at most 1 (sigmoid(-1000) = 0, sigmoid(1000) = 1).
func Sigmoid(x *graph.Node) *graph.Node { return Elementwise("Sigmoid", x, sigmoid, sigmoidGrad) }

// dσ/dx = σ(1-σ).
func sigmoidGrad(x, y, dy *graph.Node) *graph.Node { return Mul(dy, Mul(y, Sub(ScalarLike(y, 1), y))) }

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// ReLU returns max(x, 0). Its derivative at 0 is taken as 0, as in PyTorch
// and JAX.
func ReLU(x *graph.Node) *graph.Node {
	return graph.Apply(&reluOp{unary{"ReLU", relu[float32], relu[float64]}}, x)
}

type reluOp struct{ unary }

func (*reluOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	x := n.Inputs()[0]
	return Mul(dy, Greater(x, ScalarLike(x, 0)))
}

// mapFloat lifts a float64 function to a loop over a slice of either dtype.
// float32 elements are computed in float64 and rounded once.
func mapFloat[T graph.Float](f func(float64) float64) func(out, x []T) {
	return func(out, x []T) {
		out = out[:len(x)]
		for i, v := range x {
			out[i] = T(f(float64(v)))
		}
	}
}

func neg[T graph.Float](out, x []T) {
	out = out[:len(x)]
	for i, v := range x {
		out[i] = -v
	}
}

func square[T graph.Float](out, x []T) {
	out = out[:len(x)]
	for i, v := range x {
		out[i] = v * v
	}
}

func relu[T graph.Float](out, x []T) {
	out = out[:len(x)]
	for i, v := range x {
		if v <= 0 { // NaN fails the test and passes through, as in PyTorch
			out[i] = 0
		} else {
			out[i] = v
		}
	}
}

func sign[T graph.Float](out, x []T) {
	out = out[:len(x)]
	for i, v := range x {
		switch {
		case v > 0:
			out[i] = 1
		case v < 0:
			out[i] = -1
		default:
			out[i] = v // 0, -0 or NaN
		}
	}
}
