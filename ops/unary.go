package ops

import (
	"math"

	"graft/graph"
)

// unary is the shared part of the elementwise unary ops: a name and a loop
// for each dtype. Each op embeds it and adds its gradient rule.
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
	if out.F32 != nil {
		op.f32(out.F32, in[0].F32)
	} else {
		op.f64(out.F64, in[0].F64)
	}
}

// Neg returns -x.
func Neg(x *graph.Node) *graph.Node {
	return graph.Apply(&negOp{unary{"Neg", neg[float32], neg[float64]}}, x)
}

type negOp struct{ unary }

func (*negOp) Grad(n, dy *graph.Node, i int) *graph.Node { return Neg(dy) }

// Exp returns e^x.
func Exp(x *graph.Node) *graph.Node {
	return graph.Apply(&expOp{unary{"Exp", mapFloat[float32](math.Exp), mapFloat[float64](math.Exp)}}, x)
}

type expOp struct{ unary }

func (*expOp) Grad(n, dy *graph.Node, i int) *graph.Node { return Mul(dy, n) }

// Log returns the natural logarithm of x (-Inf at 0, NaN below).
func Log(x *graph.Node) *graph.Node {
	return graph.Apply(&logOp{unary{"Log", mapFloat[float32](math.Log), mapFloat[float64](math.Log)}}, x)
}

type logOp struct{ unary }

func (*logOp) Grad(n, dy *graph.Node, i int) *graph.Node { return Div(dy, n.Inputs()[0]) }

// Sqrt returns the square root of x.
func Sqrt(x *graph.Node) *graph.Node {
	return graph.Apply(&sqrtOp{unary{"Sqrt", mapFloat[float32](math.Sqrt), mapFloat[float64](math.Sqrt)}}, x)
}

type sqrtOp struct{ unary }

// d√x/dx = 1/(2√x).
func (*sqrtOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return Div(dy, Mul(ScalarLike(n, 2), n))
}

// Square returns x².
func Square(x *graph.Node) *graph.Node {
	return graph.Apply(&squareOp{unary{"Square", square[float32], square[float64]}}, x)
}

type squareOp struct{ unary }

func (*squareOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return Mul(dy, Mul(ScalarLike(n, 2), n.Inputs()[0]))
}

// Abs returns |x|. Its derivative at 0 is taken as 0, as in PyTorch and JAX.
func Abs(x *graph.Node) *graph.Node {
	return graph.Apply(&absOp{unary{"Abs", mapFloat[float32](math.Abs), mapFloat[float64](math.Abs)}}, x)
}

type absOp struct{ unary }

func (*absOp) Grad(n, dy *graph.Node, i int) *graph.Node { return Mul(dy, Sign(n.Inputs()[0])) }

// Sign returns -1, 0 or 1 as x is negative, zero or positive (NaN stays NaN).
// It is piecewise constant, so its gradient is 0.
func Sign(x *graph.Node) *graph.Node {
	return graph.Apply(&signOp{unary{"Sign", sign[float32], sign[float64]}}, x)
}

type signOp struct{ unary }

func (*signOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

// Sin returns the sine of x (radians).
func Sin(x *graph.Node) *graph.Node {
	return graph.Apply(&sinOp{unary{"Sin", mapFloat[float32](math.Sin), mapFloat[float64](math.Sin)}}, x)
}

type sinOp struct{ unary }

func (*sinOp) Grad(n, dy *graph.Node, i int) *graph.Node { return Mul(dy, Cos(n.Inputs()[0])) }

// Cos returns the cosine of x (radians).
func Cos(x *graph.Node) *graph.Node {
	return graph.Apply(&cosOp{unary{"Cos", mapFloat[float32](math.Cos), mapFloat[float64](math.Cos)}}, x)
}

type cosOp struct{ unary }

func (*cosOp) Grad(n, dy *graph.Node, i int) *graph.Node { return Neg(Mul(dy, Sin(n.Inputs()[0]))) }

// Tanh returns the hyperbolic tangent of x.
func Tanh(x *graph.Node) *graph.Node {
	return graph.Apply(&tanhOp{unary{"Tanh", mapFloat[float32](math.Tanh), mapFloat[float64](math.Tanh)}}, x)
}

type tanhOp struct{ unary }

// d tanh x/dx = 1 - tanh² x.
func (*tanhOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return Mul(dy, Sub(ScalarLike(n, 1), Square(n)))
}

// Sigmoid returns 1/(1+e^-x), computed so that no overflow occurs for any x:
// e^-|x| is always at most 1 (sigmoid(-1000) = 0, sigmoid(1000) = 1).
func Sigmoid(x *graph.Node) *graph.Node {
	return graph.Apply(&sigmoidOp{unary{"Sigmoid", mapFloat[float32](sigmoid), mapFloat[float64](sigmoid)}}, x)
}

type sigmoidOp struct{ unary }

// dσ/dx = σ(1-σ).
func (*sigmoidOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return Mul(dy, Mul(n, Sub(ScalarLike(n, 1), n)))
}

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
