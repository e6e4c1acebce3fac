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

// SoftmaxCrossEntropy returns the mean over the batch of -log softmax(z)[y]:
// the cross-entropy between the class distribution softmax(logits) and the
// true class, computed with LogSoftmax so large logits stay finite. It is
// Keras' SparseCategoricalCrossentropy(from_logits=True) and PyTorch's
// CrossEntropyLoss.
//
// logits has shape (batch, classes). labels has shape (batch,) and the
// logits' dtype, and holds each row's class index as a whole number from 0
// to classes-1. A label that is not such a number (3 with 3 classes, 0.5,
// -1) matches no class; it makes the loss NaN rather than a silently wrong
// number.
func SoftmaxCrossEntropy(logits, labels *graph.Node) *graph.Node {
	z := graph.Apply(&labelCheck{}, logits, labels)
	if z.Shape().Rank() != 2 {
		return z // failed: the graph holds the error
	}
	batch, classes := z.Shape()[0], z.Shape()[1]
	oneHot := ops.Equal(ops.Reshape(labels, batch, 1), classIDs(z, classes))
	picked := ops.Sum(ops.Mul(oneHot, ops.LogSoftmax(z, 1)), 1)
	// matches is 1 in a row with a valid label and 0 in a row whose label
	// names no class, where picked/matches is 0/0 = NaN.
	matches := ops.Sum(oneHot, 1)
	return ops.Neg(ops.Mean(ops.Div(picked, matches)))
}

// classIDs is the constant row 0, 1, ..., classes-1 in the dtype and graph
// of the logits z, whose last axis has classes entries.
func classIDs(z *graph.Node, classes int) *graph.Node {
	ids := make([]float64, classes)
	for i := range ids {
		ids[i] = float64(i)
	}
	t, err := graph.NewTensor(z.DType(), ids, classes)
	if err != nil { // z built, so classes is a valid size: not expected
		return graph.Reject("SoftmaxCrossEntropy", err, z)
	}
	return z.Graph().Const("class ids", t)
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
	loss string
	bad  error
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
	}
	return p.Shape(), p.DType(), nil
}

// labelCheck is SoftmaxCrossEntropy's first node: logits passed through,
// once the labels are known to fit them.
type labelCheck struct{ passThrough }

func (*labelCheck) Name() string { return "SoftmaxCrossEntropy" }

func (*labelCheck) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	z, y := in[0], in[1]
	switch {
	case z.DType() != y.DType():
		return nil, graph.DType{}, fmt.Errorf("logits are %v and labels are %v; labels hold class indices in the logits' dtype", z.DType(), y.DType())
	case z.Shape().Rank() != 2:
		return nil, graph.DType{}, errors.New("logits must have shape (batch, classes)")
	case y.Shape().Rank() != 1 || y.Shape()[0] != z.Shape()[0]:
		return nil, graph.DType{}, fmt.Errorf("labels must have shape (%d,): one class index per row of the logits", z.Shape()[0])
	}
	return z.Shape(), z.DType(), nil
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
