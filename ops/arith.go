package ops

import (
	"math"

	"graft/graph"
)

// Add returns a + b, elementwise with broadcasting.
func Add(a, b *graph.Node) *graph.Node {
	return graph.Apply(&addOp{binary{name: "Add", fast: addLoop, f32: add[float32], f64: add[float64]}}, a, b)
}

type addOp struct{ binary }

func (*addOp) Grad(n, dy *graph.Node, i int) *graph.Node { return dy }

// Sub returns a - b, elementwise with broadcasting.
func Sub(a, b *graph.Node) *graph.Node {
	return graph.Apply(&subOp{binary{name: "Sub", fast: subLoop, f32: sub[float32], f64: sub[float64]}}, a, b)
}

type subOp struct{ binary }

func (*subOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	if i == 0 {
		return dy
	}
	return Neg(dy)
}

// Mul returns a * b, elementwise with broadcasting.
func Mul(a, b *graph.Node) *graph.Node {
	return graph.Apply(&mulOp{binary{name: "Mul", fast: mulLoop, f32: mul[float32], f64: mul[float64]}}, a, b)
}

type mulOp struct{ binary }

func (*mulOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	a, b := operands(n)
	if i == 0 {
		return Mul(dy, b)
	}
	return Mul(dy, a)
}

// Div returns a / b, elementwise with broadcasting. Division by zero gives
// ±Inf or NaN, as IEEE 754 says.
func Div(a, b *graph.Node) *graph.Node {
	return graph.Apply(&divOp{binary{name: "Div", fast: divLoop, f32: div[float32], f64: div[float64]}}, a, b)
}

type divOp struct{ binary }

// d(a/b)/da = 1/b; d(a/b)/db = -a/b² = -y/b.
func (*divOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	_, b := operands(n)
	if i == 0 {
		return Div(dy, b)
	}
	return Neg(Div(Mul(dy, n), b))
}

// Pow returns a raised to the power b, elementwise with broadcasting.
// The gradient with respect to b is taken as 0 where a == 0, where log a
// does not exist, as PyTorch does.
func Pow(a, b *graph.Node) *graph.Node {
	return graph.Apply(&powOp{binary{name: "Pow", f32: pow32, f64: math.Pow}}, a, b)
}

type powOp struct{ binary }

// d(a^b)/da = b·a^(b-1), taken as 0 where b == 0 (a^b is then the constant
// 1, even at a = 0, where a^(b-1) is Inf: PyTorch and JAX give 0 too); the
// exponent is replaced by 1 there so that no Inf enters the graph at all.
// d(a^b)/db = a^b·log a, with the log taken of 1 where a == 0. So no NaN
// appears at 0⁰, not even in a second derivative.
func (*powOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	a, b := operands(n)
	if i == 0 {
		safeB := Where(Equal(b, ScalarLike(b, 0)), ScalarLike(b, 1), b)
		return Mul(dy, Mul(b, Pow(a, Sub(safeB, ScalarLike(b, 1)))))
	}
	safeA := Where(Equal(a, ScalarLike(a, 0)), ScalarLike(a, 1), a)
	return Mul(dy, Mul(n, Log(safeA)))
}

// Maximum returns the larger of a and b, elementwise with broadcasting.
// Where a == b the gradient is split evenly between the two, as in JAX.
func Maximum(a, b *graph.Node) *graph.Node {
	return graph.Apply(&extremumOp{binary{name: "Maximum", f32: maximum[float32], f64: maximum[float64]}, Greater}, a, b)
}

// Minimum returns the smaller of a and b, elementwise with broadcasting.
// Where a == b the gradient is split evenly between the two, as in JAX.
func Minimum(a, b *graph.Node) *graph.Node {
	return graph.Apply(&extremumOp{binary{name: "Minimum", f32: minimum[float32], f64: minimum[float64]}, Less}, a, b)
}

// extremumOp is Maximum or Minimum: beats(u, v) is the mask of the
// elements where u wins outright (Greater for Maximum, Less for Minimum).
type extremumOp struct {
	binary
	beats func(u, v *graph.Node) *graph.Node
}

func (op *extremumOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	a, b := operands(n)
	if i == 0 {
		return Mul(dy, winnerShare(op.beats(a, b), a, b))
	}
	return Mul(dy, winnerShare(op.beats(b, a), a, b))
}

// winnerShare is 1 where an operand won outright, 1/2 where a and b tie and
// 0 elsewhere.
func winnerShare(won, a, b *graph.Node) *graph.Node {
	return Add(won, Mul(Equal(a, b), ScalarLike(a, 0.5)))
}

func add[T graph.Float](a, b T) T     { return a + b }
func sub[T graph.Float](a, b T) T     { return a - b }
func mul[T graph.Float](a, b T) T     { return a * b }
func div[T graph.Float](a, b T) T     { return a / b }
func maximum[T graph.Float](a, b T) T { return max(a, b) }
func minimum[T graph.Float](a, b T) T { return min(a, b) }
func pow32(a, b float32) float32      { return float32(math.Pow(float64(a), float64(b))) }
