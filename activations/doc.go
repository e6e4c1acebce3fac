// Package activations is graft's catalogue of activation functions, and the
// registry that finds them by name for layers and command-line flags.
//
// Each activation is a Func, built from ops for float32 and float64 nodes.
// Most are compositions of existing ops and so get their gradients, and
// their gradients' gradients, from the ops' own rules; where accuracy
// demands a kernel (softplus, erfc for GELU), the kernel is an op in package
// ops whose gradient rule is still written with ops. Every doc comment gives
// the formula and the derivative chosen at each kink.
//
// Every activation is finite, with a finite gradient, for inputs up to
// |x| = 1e4 in both dtypes: softplus(1000) = 1000, sigmoid(-1000) = 0,
// log_sigmoid(-1000) = -1000.
//
// A new activation is a Func written with ops:
//
//	func Snake(x *graph.Node) *graph.Node {
//		s := ops.Sin(x)
//		return ops.Add(x, ops.Square(s))
//	}
//
// autodiff.CheckFunc verifies its first and second derivatives in one call,
// and Register makes it available by name. docs/extending.md walks through
// this and through adding a primitive op with its own kernel.
package activations

//go:generate go run ../docs/gen --dir ../docs
