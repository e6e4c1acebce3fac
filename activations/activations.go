package activations

import (
	"errors"
	"fmt"
	"math"

	"graft/graph"
	"graft/ops"
)

// Func is an activation: it maps a node to a node of the same shape and
// dtype. Every activation in the catalogue is a Func, and so is any function
// a user writes with ops. It is graft's one name for a function from a node
// to a node: layers.Dense takes its activation as a Func, train.Fit its
// model, and a Func is a layer (it has the Apply method of layers.Layer), so
// an activation or a few lines of ops can stand in a layers.Sequential.
type Func func(x *graph.Node) *graph.Node

// Apply returns f(x), making f a layer. A nil f is a build error recorded on
// x's graph, reported by Compile with x's shape and the caller's file:line.
func (f Func) Apply(x *graph.Node) *graph.Node {
	if f == nil {
		return graph.Reject("Func", errors.New("the layer function is nil"), x)
	}
	return f(x)
}

// Sigmoid returns σ(x) = 1/(1 + e^(-x)), in (0, 1); σ'(x) = σ(x)(1 - σ(x)).
// The kernel never forms e^x for a large x, so σ(-1000) = 0 and σ(1000) = 1.
func Sigmoid(x *graph.Node) *graph.Node { return ops.Sigmoid(x) }

// Tanh returns tanh(x) = (e^x - e^(-x))/(e^x + e^(-x)), in (-1, 1);
// tanh'(x) = 1 - tanh²(x).
func Tanh(x *graph.Node) *graph.Node { return ops.Tanh(x) }

// ReLU returns max(x, 0). Kink at 0: the derivative there is 0, as in
// PyTorch and JAX, so a unit at exactly 0 gets no gradient.
func ReLU(x *graph.Node) *graph.Node { return ops.ReLU(x) }

// ReLU6 returns min(max(x, 0), 6). Kinks at 0 and 6: the derivative is 1
// strictly between them and 0 at both, as in PyTorch.
func ReLU6(x *graph.Node) *graph.Node {
	return named("ReLU6", x, nil, func(x *graph.Node) *graph.Node { return clamp(x, 0, 6) })
}

// LeakyReLU returns the activation x for x > 0 and slope·x otherwise (the
// registry's "leaky_relu" uses slope 0.01). Kink at 0: the derivative there
// is slope, as in PyTorch. slope must be finite.
func LeakyReLU(slope float64) Func {
	return func(x *graph.Node) *graph.Node {
		return named("LeakyReLU", x, checkFinite("slope", slope), func(x *graph.Node) *graph.Node {
			return ops.Where(greaterThanZero(x), x, ops.Mul(ops.ScalarLike(x, slope), x))
		})
	}
}

// ELU returns the activation x for x > 0 and α(e^x - 1) otherwise (the
// registry's "elu" uses α = 1). e^x - 1 is Expm1 of min(x, 0), so a large
// positive x never reaches the exponential, not even in the gradient. Kink
// at 0 (when α ≠ 1): the derivative there is α, the left one, as in PyTorch.
// alpha must be finite.
func ELU(alpha float64) Func {
	return func(x *graph.Node) *graph.Node {
		return named("ELU", x, checkFinite("alpha", alpha), func(x *graph.Node) *graph.Node { return elu(x, alpha, 1) })
	}
}

// The constants of SELU, from Klambauer et al. (2017), "Self-Normalizing
// Neural Networks", to float64 precision.
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// SELU returns λ·x for x > 0 and λα(e^x - 1) otherwise, with
// α = 1.6732632423543772 and λ = 1.0507009873554805. Kink at 0: the
// derivative there is λα, the left one, as in PyTorch.
func SELU(x *graph.Node) *graph.Node {
	return named("SELU", x, nil, func(x *graph.Node) *graph.Node {
		return ops.Mul(ops.ScalarLike(x, seluScale), elu(x, seluAlpha, 1))
	})
}

// CELU returns max(0, x) + min(0, α(e^(x/α) - 1)) (the registry's "celu"
// uses α = 1). Its first derivative is continuous at 0 (it is 1 from both
// sides) for any α; the second derivative jumps there and is taken from the
// left, 1/α. alpha must be finite and nonzero.
func CELU(alpha float64) Func {
	return func(x *graph.Node) *graph.Node {
		err := checkFinite("alpha", alpha)
		if err == nil && alpha == 0 {
			err = errors.New("alpha is 0; CELU divides by alpha")
		}
		return named("CELU", x, err, func(x *graph.Node) *graph.Node { return elu(x, alpha, 1/alpha) })
	}
}

// elu returns x for x > 0 and alpha·(e^(scale·x) - 1) otherwise. The
// exponential sees min(x, 0), chosen with Where so that its gradient flows
// whole to x at 0, and a large x cannot make an Inf whose zero gradient
// would turn into NaN (0·Inf).
func elu(x *graph.Node, alpha, scale float64) *graph.Node {
	pos := greaterThanZero(x)
	neg := ops.Where(pos, ops.ScalarLike(x, 0), x)
	if scale != 1 {
		neg = ops.Mul(ops.ScalarLike(x, scale), neg)
	}
	return ops.Where(pos, x, ops.Mul(ops.ScalarLike(x, alpha), ops.Expm1(neg)))
}

// GELU returns x·Φ(x), where Φ(x) = ½·erfc(-x/√2) is the standard normal
// CDF (Hendrycks and Gimpel, 2016), the exact form of PyTorch's gelu. Erfc
// rather than 1 + erf keeps Φ's relative accuracy for negative x. Smooth
// everywhere: GELU'(x) = Φ(x) + x·φ(x), with φ the normal density.
func GELU(x *graph.Node) *graph.Node {
	return named("GELU", x, nil, func(x *graph.Node) *graph.Node {
		cdf := ops.Mul(ops.ScalarLike(x, 0.5), ops.Erfc(ops.Mul(ops.ScalarLike(x, -1/math.Sqrt2), x)))
		return ops.Mul(x, cdf)
	})
}

// GELUTanh returns ½x(1 + tanh(√(2/π)(x + 0.044715x³))), the tanh
// approximation of GELU (PyTorch's gelu with approximate="tanh"). Smooth
// everywhere.
func GELUTanh(x *graph.Node) *graph.Node {
	return named("GELUTanh", x, nil, func(x *graph.Node) *graph.Node {
		cube := ops.Mul(x, ops.Square(x))
		inner := ops.Mul(ops.ScalarLike(x, math.Sqrt(2/math.Pi)), ops.Add(x, ops.Mul(ops.ScalarLike(x, 0.044715), cube)))
		return ops.Mul(ops.Mul(ops.ScalarLike(x, 0.5), x), ops.Add(ops.ScalarLike(x, 1), ops.Tanh(inner)))
	})
}

// SiLU returns x·σ(x), also called swish (Ramachandran et al., 2017; the
// registry knows it by both names). Smooth everywhere:
// SiLU'(x) = σ(x)(1 + x(1 - σ(x))).
func SiLU(x *graph.Node) *graph.Node {
	return named("SiLU", x, nil, func(x *graph.Node) *graph.Node { return ops.Mul(x, ops.Sigmoid(x)) })
}

// Mish returns x·tanh(softplus(x)) (Misra, 2019). Softplus is the stable
// kernel, so mish(x) = x for large x and mish(x) = -0 for very negative x,
// with finite gradients. Smooth everywhere.
func Mish(x *graph.Node) *graph.Node {
	return named("Mish", x, nil, func(x *graph.Node) *graph.Node { return ops.Mul(x, ops.Tanh(ops.Softplus(x))) })
}

// Softplus returns log(1 + e^x), in (0, ∞), computed as
// max(x, 0) + log1p(e^(-|x|)) (see ops.Softplus): softplus(1000) = 1000.
// Smooth everywhere: softplus'(x) = σ(x).
func Softplus(x *graph.Node) *graph.Node { return ops.Softplus(x) }

// Softsign returns x/(1 + |x|), in (-1, 1). Its first derivative,
// 1/(1 + |x|)², is continuous; the second, -2·sign(x)/(1 + |x|)³, jumps at 0
// and is taken as 0 there.
func Softsign(x *graph.Node) *graph.Node {
	return named("Softsign", x, nil, func(x *graph.Node) *graph.Node {
		return ops.Div(x, ops.Add(ops.ScalarLike(x, 1), ops.Abs(x)))
	})
}

// Hardtanh returns x clamped to [-1, 1]. Kinks at ±1: the derivative is 1
// strictly between them and 0 at both, as in PyTorch.
func Hardtanh(x *graph.Node) *graph.Node {
	return named("Hardtanh", x, nil, func(x *graph.Node) *graph.Node { return clamp(x, -1, 1) })
}

// Hardsigmoid returns min(max(x + 3, 0), 6)/6, as PyTorch defines it: 0 for
// x ≤ -3, 1 for x ≥ 3 and x/6 + ½ between. Kinks at ±3: the derivative is
// 1/6 strictly between them and 0 at both, as in PyTorch.
func Hardsigmoid(x *graph.Node) *graph.Node {
	return named("Hardsigmoid", x, nil, hardsigmoid)
}

func hardsigmoid(x *graph.Node) *graph.Node {
	return ops.Div(ops.Add(clamp(x, -3, 3), ops.ScalarLike(x, 3)), ops.ScalarLike(x, 6))
}

// Hardswish returns x·hardsigmoid(x) = x·min(max(x + 3, 0), 6)/6, as PyTorch
// defines it (Howard et al., 2019, "Searching for MobileNetV3"). Kinks at
// ±3: the derivative is 0 for x ≤ -3, x/3 + ½ strictly between, and 1 for
// x ≥ 3. At the kinks this takes the outer pieces' derivatives (0 at -3, 1
// at 3), where PyTorch takes the middle piece's (-½ and 3/2).
func Hardswish(x *graph.Node) *graph.Node {
	return named("Hardswish", x, nil, func(x *graph.Node) *graph.Node { return ops.Mul(x, hardsigmoid(x)) })
}

// LogSigmoid returns log σ(x) = -softplus(-x), in (-∞, 0), through the
// stable softplus kernel: log_sigmoid(-1000) = -1000 and
// log_sigmoid(1000) = -0. Smooth everywhere: its derivative is σ(-x).
func LogSigmoid(x *graph.Node) *graph.Node {
	return named("LogSigmoid", x, nil, func(x *graph.Node) *graph.Node { return ops.Neg(ops.Softplus(ops.Neg(x))) })
}

// Tanhshrink returns x - tanh(x). Smooth everywhere: its derivative is
// tanh²(x).
func Tanhshrink(x *graph.Node) *graph.Node {
	return named("Tanhshrink", x, nil, func(x *graph.Node) *graph.Node { return ops.Sub(x, ops.Tanh(x)) })
}

// Softmax returns e^x / Σ e^x along the last axis; use ops.Softmax for
// another axis. Each output is in (0, 1) and each slice sums to 1. The
// largest logit is subtracted first, so large logits do not overflow.
func Softmax(x *graph.Node) *graph.Node { return ops.Softmax(x, -1) }

// LogSoftmax returns x - log Σ e^x along the last axis; use ops.LogSoftmax
// for another axis. Each output is in (-∞, 0]. Computed with the largest
// logit subtracted first, it stays finite for any finite logits.
func LogSoftmax(x *graph.Node) *graph.Node { return ops.LogSoftmax(x, -1) }

// Identity returns x itself: the activation of a linear layer. A nil x is a
// build error, as for every other activation.
func Identity(x *graph.Node) *graph.Node {
	return named("Identity", x, nil, func(x *graph.Node) *graph.Node { return x })
}

// named builds the activation called name on x with build, after rejecting
// under that name the two mistakes an activation can meet: a nil x, and bad,
// a problem with the activation's own parameters (nil if there is none). A
// non-nil x is a node of a float32 or float64 graph (graph admits no other
// dtype), on which the ops inside build cannot fail, so every error an
// activation reports names the activation, not an op of its composition
// (SiLU(nil) is reported as SiLU, not as the Sigmoid inside it). The error is
// recorded on x's graph with the caller's file:line; a failed x passes its
// own error on.
func named(name string, x *graph.Node, bad error, build func(x *graph.Node) *graph.Node) *graph.Node {
	if x == nil || bad != nil {
		return graph.Reject(name, bad, x)
	}
	return build(x)
}

// greaterThanZero returns the mask x > 0 (NaN gives 0).
func greaterThanZero(x *graph.Node) *graph.Node { return ops.Greater(x, ops.ScalarLike(x, 0)) }

// clamp returns x limited to [lo, hi], with derivative 1 strictly between
// the bounds and 0 at and beyond them. A NaN passes through unchanged.
func clamp(x *graph.Node, lo, hi float64) *graph.Node {
	l, h := ops.ScalarLike(x, lo), ops.ScalarLike(x, hi)
	below, above := ops.LessEqual(x, l), ops.GreaterEqual(x, h)
	inside := ops.Sub(ops.Sub(ops.ScalarLike(x, 1), below), above)
	return ops.Where(inside, x, ops.Where(below, l, h))
}

func checkFinite(param string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s is %v; it must be finite", param, v)
	}
	return nil
}
