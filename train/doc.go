// Package train runs the usual training loop over a graft model, and runs
// a model written once on any number of rows.
//
// A Model is a model function forward, its graph and its loss. Its Predict,
// Evaluate and Fit run data sets of any size in batches; each new input
// shape gets a program built and compiled on first use and kept in a
// bounded cache (see Model and docs/architecture.md), so a shape seen
// before costs nothing and every program shares the model's parameters.
//
// Fit adds what a Keras or PyTorch user expects (see docs/training.md):
// seeded shuffling and a partial last batch, validation data or a
// validation split, metrics (Metric counts right predictions; Meter
// accumulates any value: MeanAbsoluteError, Precision, F1 ...), callbacks
// (EarlyStopping, ReduceOnPlateau, BestCheckpoint, CSVLogger,
// JSONLinesLogger, or any OnEpochEnd), learning-rate schedules (StepDecay,
// ExponentialDecay, CosineWithWarmup) for every optimizer, gradient
// clipping by global norm, a live progress bar on a terminal and a line per
// epoch in logs, and a History of every metric that plots itself to SVG.
//
// Fit is a convenience, not a requirement: the loop it runs is the ten lines
// a user would write by hand (build the loss, autodiff.Grad, graph.Compile,
// then Run and an optimizer Step per batch), and the Example shows them.
//
// Bad arguments are errors, not panics: a nil graph, model, loss or
// optimizer, a model or loss that returns nil or a node of another graph, and
// a Metric or Meter given predictions it cannot count (BinaryAccuracy of a
// softmax output, SparseCategoricalAccuracy of a single sigmoid column).
//
// # Concurrency
//
// Fit, Predict and Evaluate use their graph, their Model's cache, the
// optimizer and the parameters from the goroutine that called them, and
// nothing in them is locked. While a Fit runs:
//
//   - nothing else may build nodes on its graph (Fit adds inputs to it), run a
//     Program of that graph, Step an optimizer on its parameters, or
//     checkpoint.Save or checkpoint.Load them: each is a data race that graft
//     does not detect;
//   - x and y must not change: Fit copies the rows of the next batch on a
//     goroutine of its own while the current step runs;
//   - its optimizer must not be used elsewhere; if another goroutine's Step of
//     the same optimizer overlaps one of Fit's, one of them returns the
//     optimizer's error (see package optim), but that check does not make the
//     sharing safe.
//
// Fits on different graphs, each with its own optimizer, share nothing and
// may run in parallel.
package train
