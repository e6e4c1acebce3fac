// Package train runs the usual training loop over a graft model:
// minibatches, seeded shuffling, epochs, the loss and accuracy of each epoch,
// a progress line on a terminal, and a History the caller can plot.
//
// Fit is a convenience, not a requirement: the loop it runs is the ten lines
// a user would write by hand (build the loss, autodiff.Grad, graph.Compile,
// then Run and an optimizer Step per batch), and the Example shows them.
package train
