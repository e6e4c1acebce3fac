// Package train runs the usual training loop over a graft model:
// minibatches, seeded shuffling, epochs, the loss and accuracy of each epoch,
// a progress line on a terminal, and a History the caller can plot.
//
// Fit is a convenience, not a requirement: the loop it runs is the ten lines
// a user would write by hand (build the loss, autodiff.Grad, graph.Compile,
// then Run and an optimizer Step per batch), and the Example shows them.
//
// Bad arguments are errors, not panics: a nil graph, model, loss or
// optimizer, a model or loss that returns nil or a node of another graph, and
// a Metric given predictions it cannot count (BinaryAccuracy of a softmax
// output, SparseCategoricalAccuracy of a single sigmoid column).
//
// # Concurrency
//
// Fit uses its graph, its optimizer and the parameters it trains from the
// goroutine that called it, and nothing in it is locked. While a Fit runs:
//
//   - nothing else may build nodes on its graph (Fit adds inputs to it), run a
//     Program of that graph, Step an optimizer on its parameters, or
//     checkpoint.Save or checkpoint.Load them: each is a data race that graft
//     does not detect;
//   - its optimizer must not be used elsewhere; if another goroutine's Step of
//     the same optimizer overlaps one of Fit's, one of them returns the
//     optimizer's error (see package optim), but that check does not make the
//     sharing safe.
//
// Fits on different graphs, each with its own optimizer, share nothing and
// may run in parallel.
package train
