package ops

import (
	"errors"

	"graft/graph"
)

// GradRule is the gradient rule of an elementwise op: given the op's input x,
// its output y and the gradient dy with respect to y, it returns the gradient
// with respect to x, built from ops (so that it can be differentiated again).
// nil means no gradient flows to x.
type GradRule func(x, y, dy *graph.Node) *graph.Node

// Elementwise applies the scalar function f to every element of x, as an op
// named name, with grad as its gradient rule. It is how graft's own
// elementwise primitives such as Erf and Softplus are written, and how a user
// adds one: a kernel and a gradient rule, nothing else.
//
// f works in float64; on a float32 node each element is widened, computed in
// float64 and rounded once, so the float32 result is the correctly rounded
// float64 one. Give f with no hidden state: a compiled program may call it
// on blocks of the tensor from several goroutines at once (when Compile
// fuses the op into the write-out of a matrix product, see graph.Tiled).
//
//	// Cube returns x³, with d(x³)/dx = 3x².
//	func Cube(x *graph.Node) *graph.Node {
//		return ops.Elementwise("Cube", x, func(v float64) float64 { return v * v * v },
//			func(x, y, dy *graph.Node) *graph.Node {
//				return ops.Mul(dy, ops.Mul(ops.ScalarLike(x, 3), ops.Square(x)))
//			})
//	}
func Elementwise(name string, x *graph.Node, f func(float64) float64, grad GradRule) *graph.Node {
	if f == nil {
		return graph.Reject(name, errors.New("ops.Elementwise was given a nil kernel f"), x)
	}
	return graph.Apply(&elementwiseOp{
		unary: unary{name: name, f32: mapFloat[float32](f), f64: mapFloat[float64](f)},
		grad:  grad,
	}, x)
}

type elementwiseOp struct {
	unary
	grad GradRule
}

func (op *elementwiseOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	if op.grad == nil {
		return nil
	}
	return op.grad(n.Inputs()[0], n, dy)
}
