package ops

import (
	"fmt"
	"math"

	"graft/graph"
	"graft/internal/vecmath"
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

// ForwardRange implements graph.Elementwise: the loop of Forward over
// [lo, hi), so a compiled program can fuse the op with its neighbours.
func (op *unary) ForwardRange(out *graph.Value, in []*graph.Value, lo, hi int) {
	if out.F32 != nil {
		op.f32(out.F32[lo:hi], in[0].F32[lo:hi])
	} else {
		op.f64(out.F64[lo:hi], in[0].F64[lo:hi])
	}
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
	return graph.Apply(&reluOp{unary{"ReLU", relu32, relu64}}, x)
}

type reluOp struct{ unary }

// The mask is taken from the output, not the input: y > 0 exactly when
// x > 0 (a NaN fails both), and reading y leaves x needed by nothing but
// ReLU, so a compiled program can fuse x's producer with the ReLU.
func (*reluOp) Grad(n, dy *graph.Node, i int) *graph.Node { return reluGrad(n, dy) }

// reluGrad returns dy·[x > 0], ReLU's gradient, in one pass over memory
// instead of a comparison and a product. It is the product dy·1 or dy·0, not
// a choice between dy and 0, so that it keeps the bits the two ops gave
// (dy·0 is -0 for a negative dy and NaN for an infinite one). It is linear in
// dy, so its gradient with respect to dy is itself applied to the new
// upstream gradient; with respect to x it is 0 (x only picks the mask).
func reluGrad(x, dy *graph.Node) *graph.Node { return graph.Apply(&reluGradOp{}, x, dy) }

type reluGradOp struct{}

func (*reluGradOp) Name() string { return "ReLUGrad" }

func (*reluGradOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x, dy := in[0], in[1]
	if !x.Shape().Equal(dy.Shape()) || x.DType() != dy.DType() {
		return nil, graph.DType{}, fmt.Errorf("x is %v %v and dy is %v %v; they must match", x.DType(), x.Shape(), dy.DType(), dy.Shape())
	}
	return x.Shape(), x.DType(), nil
}

func (op *reluGradOp) Forward(out *graph.Value, in []*graph.Value) {
	if out.F32 != nil {
		reluGrad32(out.F32, in[0].F32, in[1].F32)
	} else {
		reluGrad64(out.F64, in[0].F64, in[1].F64)
	}
}

// ForwardRange implements graph.Elementwise.
func (op *reluGradOp) ForwardRange(out *graph.Value, in []*graph.Value, lo, hi int) {
	if out.F32 != nil {
		reluGrad32(out.F32[lo:hi], in[0].F32[lo:hi], in[1].F32[lo:hi])
	} else {
		reluGrad64(out.F64[lo:hi], in[0].F64[lo:hi], in[1].F64[lo:hi])
	}
}

func (*reluGradOp) Grad(n, ddy *graph.Node, i int) *graph.Node {
	if i == 0 {
		return nil
	}
	return reluGrad(n.Inputs()[0], ddy)
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

// relu32 and relu64 run internal/vecmath's ReLU: a comparison and a mask,
// no branch on the data (a branch on the sign of each element costs about
// 5 ns whenever the signs are random, as a layer's are). -0 becomes +0 and
// a NaN passes through unchanged, as in PyTorch (Go's max(v, 0) would clear
// the NaN's sign).
func relu32(out, x []float32) { vecmath.ReLU(out[:len(x)], x) }

func relu64(out, x []float64) { vecmath.ReLU(out[:len(x)], x) }

// reluGrad32 and reluGrad64 multiply dy by a mask of 1 or 0, again with no
// branch on the data (internal/vecmath's ReLUGrad).
func reluGrad32(out, x, dy []float32) { vecmath.ReLUGrad(out, x[:len(out)], dy[:len(out)]) }

func reluGrad64(out, x, dy []float64) { vecmath.ReLUGrad(out, x[:len(out)], dy[:len(out)]) }

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
