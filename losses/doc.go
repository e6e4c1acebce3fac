// Package losses builds the usual training losses as graph nodes.
//
// Every builder takes the model's prediction and the target, two nodes of
// the same graph, and returns a scalar node (shape ()), so its result can go
// straight to autodiff.Grad. The losses reduce by the mean, as Keras' and
// PyTorch's defaults do: the elementwise losses average over every element,
// SoftmaxCrossEntropy over the rows of the batch. Each builder has the type
// Func, so a training loop can take any of them.
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
// SoftmaxCrossEntropy is the exception to the equal-shape rule: it takes
// logits of shape (batch, classes) and integer class labels of shape
// (batch,), held as floats of the logits' dtype (0, 1, 2 ...).
package losses
