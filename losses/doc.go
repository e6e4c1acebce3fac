// Package losses builds the usual training losses as graph nodes.
//
// Every builder takes the model's prediction and the target, two nodes of
// the same graph, and returns a scalar node (shape ()), so its result can go
// straight to autodiff.Grad. The losses reduce by the mean, as Keras' and
// PyTorch's defaults do: the elementwise losses average over every element,
// the losses over classes over the rows of the batch (KL divergence sums and
// divides by the batch size, PyTorch's batchmean). Each builder of two nodes
// has the type Func, so a training loop can take any of them; one with more
// arguments (Huber's delta, CrossEntropy's options) becomes a Func by
// closing over them.
//
// The formulas are compositions of graft's ops, so their gradients come from
// the ops' own rules and can be differentiated again.
//
// Prediction and target must have the same dtype and exactly the same shape.
// Broadcasting is deliberately not applied: a (4, 1) prediction against a
// (4,) target would broadcast to (4, 4) and give a plausible, wrong number.
// A mismatch is a build error that graph.Compile reports with the loss's
// name, both shapes and the caller's file:line, for example
//
//	graft: MeanSquaredError(pred (4, 1) float64, y (4,) float64) at main.go:31: prediction and target shapes differ; a loss compares them element by element and does not broadcast
//
// The losses over classes are the exception to the equal-shape rule. They
// take scores of shape (batch, classes) (logits, or log-probabilities for
// NegativeLogLikelihood) and a target that is either one class id per row,
// of shape (batch,), or one probability per class, of the scores' shape.
// Class ids are graph.Int64, as PyTorch's class indices are int64; an id out
// of range is an error that Run returns (naming the loss and the line that
// built it) before any step computes. SoftmaxCrossEntropy also takes class
// ids held as floats of the logits' dtype, as it did before graft had
// integers.
//
// Each loss says in its documentation which Keras or PyTorch function it
// is, with its formula and its reduction (PyTorch's weighted mean divides by
// the sum of the targets' weights, KL divergence's batchmean by the batch
// size), and where graft differs: BinaryCrossEntropy clips as Keras does,
// and BinaryCrossEntropyWithLogitsPosWeight keeps digits PyTorch's formula
// rounds away.
package losses
