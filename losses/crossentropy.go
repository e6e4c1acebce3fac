package losses

import (
	"fmt"
	"math"
	"strings"

	"graft/graph"
	"graft/ops"
)

// SoftmaxCrossEntropy returns the mean over the batch of -log softmax(z)[y]:
// the cross-entropy between the class distribution softmax(logits) and the
// true class, computed with LogSoftmax so large logits stay finite. It is
// Keras' SparseCategoricalCrossentropy(from_logits=True) and PyTorch's
//
//	F.cross_entropy(logits, labels)
//
// and, for int64 labels, equals CrossEntropy(logits, labels,
// CrossEntropyOptions{}).
//
// logits has shape (batch, classes). labels has shape (batch,) and holds
// each row's class id, from 0 to classes-1, in one of two forms:
//
//   - graph.Int64, as PyTorch's class indices: an id out of range is an
//     error that Run returns, naming SoftmaxCrossEntropy and the line that
//     built it, before any step computes;
//   - the logits' dtype, a whole number held as a float (0, 1, 2 ...): a
//     label that is not such a number (3 with 3 classes, 0.5, -1, NaN) is
//     likewise an error that Run returns before any step computes.
func SoftmaxCrossEntropy(logits, labels *graph.Node) *graph.Node {
	op := &classCheck{loss: "SoftmaxCrossEntropy", scores: "logits", target: "labels", ids: true, floatIDs: true}
	z := classChecked(op, logits, labels, nil)
	if z.Shape().Rank() != 2 {
		return z // failed: the graph holds the error
	}
	if graph.IsInteger(labels.DType()) {
		return classCrossEntropy(ops.LogSoftmax(z, 1), labels, nil, 0)
	}
	batch, classes := z.Shape()[0], z.Shape()[1]
	oneHot := ops.Equal(ops.Reshape(labels, batch, 1), classIDs(z, classes))
	picked := ops.Sum(ops.Mul(oneHot, ops.LogSoftmax(z, 1)), 1)
	// matches is 1 in a row with a valid label and 0 in a row whose label
	// names no class, where picked/matches is 0/0 = NaN.
	matches := ops.Sum(oneHot, 1)
	return ops.Neg(ops.Mean(ops.Div(picked, matches)))
}

// CrossEntropyOptions are the arguments of CrossEntropy beyond the logits and
// the target: PyTorch's weight and label_smoothing. The zero value is plain
// cross-entropy.
type CrossEntropyOptions struct {
	// Weights, if not nil, is a node of shape (classes,) in the logits'
	// dtype: the weight of each class, PyTorch's weight=w. It may be a
	// parameter; the loss is differentiable with respect to it.
	Weights *graph.Node
	// LabelSmoothing is ε in [0, 1], PyTorch's label_smoothing: the target
	// is mixed with the uniform distribution, (1-ε)·target + ε/classes.
	LabelSmoothing float64
}

// CrossEntropy is PyTorch's
//
//	F.cross_entropy(logits, target, weight=opts.Weights, label_smoothing=opts.LabelSmoothing)
//
// with the mean reduction, for logits of shape (batch, classes). Below, lp
// is log_softmax(logits) along the classes, w the class weights (all 1 when
// opts.Weights is nil), ε the label smoothing and C the number of classes.
//
// The target is either class ids, graph.Int64 of shape (batch,), or
// probabilities of the logits' shape and dtype, each row a distribution over
// the classes ("soft targets").
//
// For class ids the loss is the weighted mean of the rows' losses, divided
// by the sum of the targets' weights, as PyTorch divides (not by the batch
// size); label smoothing adds the uniform target's term over the same sum:
//
//	(1-ε)·Σᵢ w[yᵢ]·(-lp[i,yᵢ]) / Σᵢ w[yᵢ]  +  (ε/C)·Σᵢ Σ_c w[c]·(-lp[i,c]) / Σᵢ w[yᵢ]
//
// An id out of range is an error that Run returns, naming CrossEntropy and
// the line that built it. If the targets' weights sum to 0 the loss is NaN,
// as in PyTorch.
//
// For probabilities t, smoothed to t' = (1-ε)·t + ε/C, the loss is divided
// by the batch size, weighted or not, again as PyTorch does:
//
//	Σᵢ Σ_c w[c]·t'[i,c]·(-lp[i,c]) / batch
//
// PyTorch's ignore_index and its (batch, classes, d1, ...) layout are not
// offered: move the class axis last and reshape to (batch·d1·..., classes). To use
// CrossEntropy where a Func is wanted, close over the options:
//
//	func(z, y *graph.Node) *graph.Node { return losses.CrossEntropy(z, y, opts) }
func CrossEntropy(logits, target *graph.Node, opts CrossEntropyOptions) *graph.Node {
	op := &classCheck{loss: "CrossEntropy", scores: "logits", target: "the target", ids: true, probabilities: true, weighted: opts.Weights != nil}
	if eps := opts.LabelSmoothing; !(eps >= 0 && eps <= 1) {
		op.bad = fmt.Errorf("LabelSmoothing is %v; it must be in [0, 1]", eps)
	}
	z := classChecked(op, logits, target, opts.Weights)
	if z.Shape().Rank() != 2 {
		return z
	}
	lp := ops.LogSoftmax(z, 1)
	if graph.IsInteger(target.DType()) {
		return classCrossEntropy(lp, target, opts.Weights, opts.LabelSmoothing)
	}
	return softCrossEntropy(lp, target, opts.Weights, opts.LabelSmoothing)
}

// SoftTargetCrossEntropy returns the cross-entropy of softmax(logits)
// against target probabilities of the logits' shape (batch, classes) and
// dtype, averaged over the batch:
//
//	Σᵢ Σ_c -t[i,c]·log_softmax(z)[i,c] / batch
//
// It is PyTorch's F.cross_entropy(logits, probs) with a probability target
// (and Keras' CategoricalCrossentropy(from_logits=True)), and equals
// CrossEntropy(logits, probs, CrossEntropyOptions{}). The rows of target are
// not checked to sum to 1; one-hot rows give SoftmaxCrossEntropy's value.
func SoftTargetCrossEntropy(logits, target *graph.Node) *graph.Node {
	z := classChecked(&classCheck{loss: "SoftTargetCrossEntropy", scores: "logits", target: "the target", probabilities: true}, logits, target, nil)
	if z.Shape().Rank() != 2 {
		return z
	}
	return softCrossEntropy(ops.LogSoftmax(z, 1), target, nil, 0)
}

// NegativeLogLikelihood returns the mean over the batch of -logProbs[i, yᵢ]
// for log-probabilities of shape (batch, classes) (a LogSoftmax's output)
// and class ids of shape (batch,) in graph.Int64: PyTorch's
//
//	F.nll_loss(logProbs, labels)
//
// An id out of range is an error that Run returns, naming
// NegativeLogLikelihood and the line that built it. Only the picked entries
// are read, so a log-probability of -Inf in a row's other classes does not
// make the loss NaN. For class weights use CrossEntropy on the logits.
func NegativeLogLikelihood(logProbs, labels *graph.Node) *graph.Node {
	lp := classChecked(&classCheck{loss: "NegativeLogLikelihood", scores: "log-probabilities", target: "labels", ids: true}, logProbs, labels, nil)
	if lp.Shape().Rank() != 2 {
		return lp
	}
	return classCrossEntropy(lp, labels, nil, 0)
}

// classCrossEntropy is the loss of log-probabilities lp (batch, classes)
// against int64 class ids, with optional class weights and label smoothing
// eps, reduced as PyTorch reduces it (see CrossEntropy).
func classCrossEntropy(lp, labels, weights *graph.Node, eps float64) *graph.Node {
	classes := lp.Shape()[1]
	// picked[i] = lp[i, yᵢ]. Where, not a product with the one-hot rows, so
	// that a -Inf elsewhere in the row is not multiplied by 0 into a NaN.
	oneHot := ops.OneHot(labels, classes, lp.DType())
	picked := ops.Sum(ops.Where(oneHot, lp, ops.ScalarLike(lp, 0)), 1)
	var nll, smooth *graph.Node
	if weights == nil {
		nll = ops.Neg(ops.Mean(picked))
		if eps == 0 {
			return nll
		}
		smooth = ops.Neg(ops.Mean(ops.Sum(lp, 1)))
	} else {
		targetWeights := ops.Take(weights, labels, 0) // w[yᵢ], (batch,)
		total := ops.Sum(targetWeights)
		nll = ops.Neg(ops.Div(ops.Sum(ops.Mul(targetWeights, picked)), total))
		if eps == 0 {
			return nll
		}
		smooth = ops.Neg(ops.Div(ops.Sum(ops.Mul(lp, weights)), total))
	}
	return ops.Add(ops.Mul(ops.ScalarLike(nll, 1-eps), nll), ops.Mul(ops.ScalarLike(smooth, eps/float64(classes)), smooth))
}

// softCrossEntropy is the loss of log-probabilities lp (batch, classes)
// against probabilities t of the same shape, with optional class weights
// and label smoothing eps, divided by the batch size as PyTorch does.
func softCrossEntropy(lp, t, weights *graph.Node, eps float64) *graph.Node {
	if eps != 0 {
		uniform := eps / float64(lp.Shape()[1])
		t = ops.Add(ops.Mul(t, ops.ScalarLike(t, 1-eps)), ops.ScalarLike(t, uniform))
	}
	if weights != nil {
		t = ops.Mul(t, weights)
	}
	return ops.Neg(ops.Mean(ops.Sum(ops.Mul(t, lp), 1)))
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

// classChecked returns the scores (logits or log-probabilities) unchanged
// once op has found the target, and the weights if not nil, to fit them. It
// is the loss's first node, named after the loss, so a mismatch is recorded
// as that loss's build error, and an int64 class id out of range as its run
// error.
func classChecked(op *classCheck, scores, target, weights *graph.Node) *graph.Node {
	if weights == nil {
		return graph.Apply(op, scores, target)
	}
	return graph.Apply(op, scores, target, weights)
}

// classCheck is the checking node of the losses that compare scores of
// shape (batch, classes) with a class per row. Its flags say which targets
// the loss takes.
type classCheck struct {
	passThrough
	loss          string
	scores        string // "logits" or "log-probabilities", for the errors
	target        string // "labels" or "the target", for the errors
	ids           bool   // int64 class ids of shape (batch,)
	floatIDs      bool   // class ids as whole numbers in the scores' dtype
	probabilities bool   // probabilities of the scores' shape and dtype
	weighted      bool   // a third input: weights of shape (classes,)
	bad           error  // a problem with the loss's own arguments
	classes       int
	floatTarget   bool // Infer found float class ids, which CheckRun checks
}

func (op *classCheck) Name() string { return op.loss }

// TakesIndices: the target may be int64 class ids; Infer refuses them to a
// loss that takes probabilities only, with a message that says so.
func (*classCheck) TakesIndices(i int) bool { return i == 1 }

func (op *classCheck) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	z, y := in[0], in[1]
	switch {
	case op.bad != nil:
		return nil, graph.DType{}, op.bad
	case z.Shape().Rank() != 2:
		return nil, graph.DType{}, fmt.Errorf("%s must have shape (batch, classes)", op.scores)
	}
	op.classes = z.Shape()[1]
	if err := op.checkTarget(z, y); err != nil {
		return nil, graph.DType{}, err
	}
	if op.weighted {
		w := in[2]
		if w.DType() != z.DType() || !w.Shape().Equal(graph.Shape{op.classes}) {
			return nil, graph.DType{}, fmt.Errorf("the weights must have shape (%d,) and the %s' dtype %v: one weight per class", op.classes, op.scores, z.DType())
		}
	}
	return z.Shape(), z.DType(), nil
}

// checkTarget reports a target y that the loss does not take for the
// scores z of shape (batch, classes).
func (op *classCheck) checkTarget(z, y *graph.Node) error {
	zs, ys := z.Shape(), y.Shape()
	batch, classes := zs[0], zs[1]
	ids := graph.Shape{batch}
	wrongIDs := func() error {
		return fmt.Errorf("labels must have shape (%d,): one class id per row of the %s", batch, op.scores)
	}
	switch {
	case graph.IsInteger(y.DType()) && !op.ids:
		return fmt.Errorf("%s is int64; %s (for class ids use SoftmaxCrossEntropy)", op.target, op.accepted(batch, classes))
	case graph.IsInteger(y.DType()) && !ys.Equal(ids):
		return wrongIDs()
	case graph.IsInteger(y.DType()):
		return nil // int64 class ids, checked by CheckRun at each run
	case y.DType() != z.DType():
		return fmt.Errorf("%s are %v and %s %s %v; %s", op.scores, z.DType(), op.target, verb(op.target), y.DType(), op.accepted(batch, classes))
	case op.floatIDs && ys.Equal(ids) && !(op.probabilities && ys.Equal(zs)):
		op.floatTarget = true
		return nil
	case op.probabilities && ys.Equal(zs), op.floatIDs && ys.Equal(ids):
		return nil
	case op.floatIDs && !op.probabilities:
		return wrongIDs()
	}
	return fmt.Errorf("%s %s %v of shape %v; %s", op.target, verb(op.target), y.DType(), ys, op.accepted(batch, classes))
}

// accepted says which targets the loss takes, for an error message.
func (op *classCheck) accepted(batch, classes int) string {
	var kinds []string
	if op.ids {
		kinds = append(kinds, fmt.Sprintf("int64 class ids of shape (%d,)", batch))
	}
	if op.floatIDs {
		kinds = append(kinds, fmt.Sprintf("whole-number class ids of shape (%d,) in the %s' dtype", batch, op.scores))
	}
	if op.probabilities {
		kinds = append(kinds, fmt.Sprintf("probabilities of shape (%d, %d) in the %s' dtype", batch, classes, op.scores))
	}
	return op.loss + " takes " + strings.Join(kinds, " or ")
}

// CheckRun reports the first class id outside [0, classes), or for float
// ids the first that is not a whole number, so that a bad label is the
// loss's error rather than a later op's NaN. It allocates only when it
// finds one.
func (op *classCheck) CheckRun(in []*graph.Value) error {
	if op.floatTarget {
		for i, id := range in[1].F32 {
			if err := op.checkFloatID(float64(id), i); err != nil {
				return err
			}
		}
		for i, id := range in[1].F64 {
			if err := op.checkFloatID(id, i); err != nil {
				return err
			}
		}
	}
	for i, id := range in[1].I64 {
		if id < 0 || id >= int64(op.classes) {
			return fmt.Errorf("label %d (row %d) names no class: a class id is from 0 to %d", id, i, op.classes-1)
		}
	}
	return nil
}

func (op *classCheck) checkFloatID(id float64, row int) error {
	if id >= 0 && id < float64(op.classes) && id == math.Trunc(id) {
		return nil
	}
	return fmt.Errorf("label %v (row %d) names no class: a class id is a whole number from 0 to %d", id, row, op.classes-1)
}

// verb is "are" for the plural "labels" and "is" for "the target".
func verb(target string) string {
	if strings.HasSuffix(target, "s") {
		return "are"
	}
	return "is"
}
