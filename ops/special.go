package ops

import (
	"math"

	"graft/graph"
)

// Special functions that activations need with full accuracy. Each is an
// Elementwise op: a kernel and a gradient rule written with ops.

// twoOverSqrtPi is 2/√π, the factor in d erf(x)/dx = 2/√π·e^(-x²).
const twoOverSqrtPi = 1.1283791670955125738961589031215451716881012586580

// Erf returns the error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt, in (-1, 1).
// Its derivative is 2/√π·e^(-x²).
func Erf(x *graph.Node) *graph.Node { return Elementwise("Erf", x, math.Erf, erfGrad) }

func erfGrad(x, y, dy *graph.Node) *graph.Node {
	return Mul(dy, Mul(ScalarLike(x, twoOverSqrtPi), Exp(Neg(Square(x)))))
}

// Erfc returns the complementary error function erfc(x) = 1 - erf(x),
// computed directly so that it keeps its relative accuracy where erf(x) is
// close to 1 (erfc(10) = 2.1e-45, where 1 - erf(10) is 0). Its derivative is
// -2/√π·e^(-x²).
func Erfc(x *graph.Node) *graph.Node { return Elementwise("Erfc", x, math.Erfc, erfcGrad) }

func erfcGrad(x, y, dy *graph.Node) *graph.Node { return Neg(erfGrad(x, y, dy)) }

// Log1p returns log(1 + x), accurate for x near 0, where Log(1 + x) loses the
// digits of x. Its derivative is 1/(1 + x).
func Log1p(x *graph.Node) *graph.Node { return Elementwise("Log1p", x, math.Log1p, log1pGrad) }

func log1pGrad(x, y, dy *graph.Node) *graph.Node { return Div(dy, Add(ScalarLike(x, 1), x)) }

// Expm1 returns e^x - 1, accurate for x near 0. Its derivative is
// e^x = y + 1.
func Expm1(x *graph.Node) *graph.Node { return Elementwise("Expm1", x, math.Expm1, expm1Grad) }

func expm1Grad(x, y, dy *graph.Node) *graph.Node { return Mul(dy, Add(y, ScalarLike(y, 1))) }

// Softplus returns log(1 + e^x), computed as max(x, 0) + log1p(e^(-|x|)):
// e^(-|x|) never overflows, so softplus(1000) = 1000 and softplus(-1000) =
// 5e-435 rounds to 0, with no Inf on the way. Its derivative is sigmoid(x).
func Softplus(x *graph.Node) *graph.Node { return Elementwise("Softplus", x, softplus, softplusGrad) }

func softplusGrad(x, y, dy *graph.Node) *graph.Node { return Mul(dy, Sigmoid(x)) }

func softplus(x float64) float64 { return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }
