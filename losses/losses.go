package losses

import (
	"errors"
	"fmt"
	"math"

	"graft/graph"
	"graft/ops"
)

// Func is the type of every loss builder in this package: it takes the
// prediction and the target and returns a scalar loss node.
type Func func(prediction, target *graph.Node) *graph.Node

// Epsilon is how far BinaryCrossEntropy keeps probabilities from 0 and 1
// before taking logarithms: Keras' backend epsilon.
const Epsilon = 1e-7

// DefaultHuberDelta is the threshold Keras and PyTorch give Huber by default.
const DefaultHuberDelta = 1.0

// MeanSquaredError returns mean((prediction - target)²).
func MeanSquaredError(prediction, target *graph.Node) *graph.Node {
	p := checked("MeanSquaredError", prediction, target, nil)
	return ops.Mean(ops.Square(ops.Sub(p, target)))
}

// MeanAbsoluteError returns mean(|prediction - target|). Its gradient where
// prediction == target is taken as 0, the choice Abs makes.
func MeanAbsoluteError(prediction, target *graph.Node) *graph.Node {
	p := checked("MeanAbsoluteError", prediction, target, nil)
	return ops.Mean(ops.Abs(ops.Sub(p, target)))
}

// BinaryCrossEntropy returns -mean(t·log p + (1-t)·log(1-p)) for predicted
// probabilities p and targets t (usually 0 or 1). As in Keras, p is first
// clipped to [Epsilon, 1-Epsilon], so a confident wrong prediction costs
// about 16.1 instead of +Inf; where p is clipped its gradient is 0.
// A model that ends in a sigmoid trains more stably with
// BinaryCrossEntropyWithLogits on the sigmoid's input.
func BinaryCrossEntropy(prediction, target *graph.Node) *graph.Node {
	p := checked("BinaryCrossEntropy", prediction, target, nil)
	p = ops.Minimum(ops.Maximum(p, ops.ScalarLike(p, Epsilon)), ops.ScalarLike(p, 1-Epsilon))
	one := ops.ScalarLike(p, 1)
	likelihood := ops.Add(ops.Mul(target, ops.Log(p)), ops.Mul(ops.Sub(one, target), ops.Log(ops.Sub(one, p))))
	return ops.Neg(ops.Mean(likelihood))
}

// BinaryCrossEntropyWithLogits is the binary cross-entropy of
// sigmoid(logits) against target, computed without forming the sigmoid
// (and so without BinaryCrossEntropy's clipping): per element
//
//	max(z, 0) - z·t + log1p(exp(-|z|))
//
// which equals -t·log σ(z) - (1-t)·log(1-σ(z)) and stays finite for any
// finite z, since exp(-|z|) is at most 1 (PyTorch's BCEWithLogitsLoss and
// TensorFlow's sigmoid_cross_entropy_with_logits use the same form). The
// first two terms are taken together, so that for z = 40, t = 1 they cancel
// exactly and the loss keeps its e⁻⁴⁰, which softplus(z) - z·t would lose.
// The gradient with respect to z is (σ(z) - t)/n, also at z = 0, where the
// kinks of max and |z| cancel.
func BinaryCrossEntropyWithLogits(logits, target *graph.Node) *graph.Node {
	z := checked("BinaryCrossEntropyWithLogits", logits, target, nil)
	linear := ops.Sub(ops.Maximum(z, ops.ScalarLike(z, 0)), ops.Mul(z, target))
	return ops.Mean(ops.Add(linear, ops.Log1p(ops.Exp(ops.Neg(ops.Abs(z))))))
}

// BinaryCrossEntropyWithLogitsPosWeight is BinaryCrossEntropyWithLogits
// with the positive term of each element weighted by posWeight, PyTorch's
//
//	F.binary_cross_entropy_with_logits(logits, target, pos_weight=posWeight)
//
// per element, for p = posWeight (broadcast against the logits),
//
//	-p·t·log σ(z) - (1-t)·log(1-σ(z))  =  p·t·softplus(-z) + (1-t)·softplus(z)
//
// averaged over every element. A p above 1 counts the positives more (p =
// negatives/positives balances a skewed class). Softplus is computed as
// max(x, 0) + log1p(e^-|x|), so the loss is finite for any finite z and
// keeps its digits where it is tiny: z = -40, t = 0 costs e⁻⁴⁰, which
// PyTorch's (1-t)·z + (1+(p-1)·t)·softplus(-z) rounds to 0. The gradient is
// ((1-t)·σ(z) - p·t·σ(-z))/n with respect to z and t·softplus(-z)/n with
// respect to p, and both are differentiable again.
//
// posWeight has the logits' dtype and a shape that broadcasts to theirs
// without enlarging it: () for one weight, (classes,) for a weight per
// column of (batch, classes) logits, as in PyTorch. It may be a parameter.
func BinaryCrossEntropyWithLogitsPosWeight(logits, target, posWeight *graph.Node) *graph.Node {
	z := graph.Apply(&sameShape{loss: "BinaryCrossEntropyWithLogitsPosWeight", weight: "pos_weight"}, logits, target, posWeight)
	one := ops.ScalarLike(z, 1)
	positive := ops.Mul(ops.Mul(posWeight, target), ops.Softplus(ops.Neg(z)))
	negative := ops.Mul(ops.Sub(one, target), ops.Softplus(z))
	return ops.Mean(ops.Add(positive, negative))
}

// Huber returns the mean Huber loss of the error a = |prediction - target|:
// a²/2 where a <= delta and delta·(a - delta/2) beyond, quadratic near zero
// and linear (so robust to outliers) far from it. Keras and PyTorch use
// delta = DefaultHuberDelta; delta must be positive. To pass Huber where a
// Func is wanted, close over delta:
//
//	func(p, t *graph.Node) *graph.Node { return losses.Huber(p, t, 2) }
func Huber(prediction, target *graph.Node, delta float64) *graph.Node {
	var bad error
	if !(delta > 0) || math.IsInf(delta, 1) {
		bad = fmt.Errorf("delta is %v; it must be positive and finite", delta)
	}
	p := checked("Huber", prediction, target, bad)
	a := ops.Abs(ops.Sub(p, target))
	// With q = min(a, delta), q·(a - q/2) is a²/2 inside and
	// delta·(a - delta/2) outside: one expression, continuous with its slope.
	q := ops.Minimum(a, ops.ScalarLike(a, delta))
	return ops.Mean(ops.Mul(q, ops.Sub(a, ops.Mul(q, ops.ScalarLike(q, 0.5)))))
}

// SmoothL1 returns PyTorch's F.smooth_l1_loss(prediction, target,
// beta=beta): the mean over every element of, for d = prediction - target,
//
//	0.5·d²/beta   where |d| < beta
//	|d| - 0.5·beta elsewhere
//
// beta must be finite and at least 0; beta = 0 is the L1 loss,
// MeanAbsoluteError, as in PyTorch. SmoothL1(p, t, beta) equals
// Huber(p, t, beta)/beta: the same curve, scaled to slope 1 (not beta) far
// from 0. Close over beta to get a Func.
func SmoothL1(prediction, target *graph.Node, beta float64) *graph.Node {
	var bad error
	if !(beta >= 0) || math.IsInf(beta, 1) {
		bad = fmt.Errorf("beta is %v; it must be finite and at least 0", beta)
	}
	p := checked("SmoothL1", prediction, target, bad)
	a := ops.Abs(ops.Sub(p, target))
	if beta == 0 {
		return ops.Mean(a)
	}
	// As in Huber, q = min(a, beta) joins the pieces: q·(a - q/2)/beta is
	// a²/(2·beta) inside and a - beta/2 outside.
	q := ops.Minimum(a, ops.ScalarLike(a, beta))
	return ops.Mean(ops.Div(ops.Mul(q, ops.Sub(a, ops.Mul(q, ops.ScalarLike(q, 0.5)))), ops.ScalarLike(q, beta)))
}

// checked returns prediction unchanged once the target is known to match it
// in shape and dtype. It is the loss's first node, named after the loss, so
// that a mismatch (or bad, a problem with the loss's own arguments) is
// recorded as that loss's build error, with both operands and the caller's
// file:line.
func checked(loss string, prediction, target *graph.Node, bad error) *graph.Node {
	return graph.Apply(&sameShape{loss: loss, bad: bad}, prediction, target)
}

type sameShape struct {
	passThrough
	loss   string
	bad    error
	weight string // the name of a third input, a weight that broadcasts to the prediction; "" if none
}

func (op *sameShape) Name() string { return op.loss }

func (op *sameShape) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	p, t := in[0], in[1]
	switch {
	case op.bad != nil:
		return nil, graph.DType{}, op.bad
	case p.DType() != t.DType():
		return nil, graph.DType{}, fmt.Errorf("prediction is %v and target is %v; graft never converts implicitly", p.DType(), t.DType())
	case !p.Shape().Equal(t.Shape()):
		return nil, graph.DType{}, errors.New("prediction and target shapes differ; a loss compares them element by element and does not broadcast")
	case op.weight != "" && in[2].DType() != p.DType():
		return nil, graph.DType{}, fmt.Errorf("%s is %v and the prediction %v; graft never converts implicitly", op.weight, in[2].DType(), p.DType())
	case op.weight != "" && !broadcastsInto(in[2].Shape(), p.Shape()):
		return nil, graph.DType{}, fmt.Errorf("%s has shape %v, which does not broadcast to the prediction's %v without enlarging it", op.weight, in[2].Shape(), p.Shape())
	}
	return p.Shape(), p.DType(), nil
}

// broadcastsInto reports whether a weight of shape w broadcasts against
// shape s to s itself: aligned at the last axis, each of w's axes is 1 or
// s's size.
func broadcastsInto(w, s graph.Shape) bool {
	if w.Rank() > s.Rank() {
		return false
	}
	for i := 1; i <= w.Rank(); i++ {
		if d := w[w.Rank()-i]; d != 1 && d != s[s.Rank()-i] {
			return false
		}
	}
	return true
}

// passThrough is the kernel and gradient rule of the checking nodes: the
// first input passes through unchanged. The second (the target or labels)
// reaches the loss by its own edges, so no gradient goes to it from here.
type passThrough struct{}

func (passThrough) Forward(out *graph.Value, in []*graph.Value) { graph.CopyValue(out, in[0]) }

func (passThrough) Grad(n, dy *graph.Node, i int) *graph.Node {
	if i == 0 {
		return dy
	}
	return nil
}
