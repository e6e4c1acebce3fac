// Package data holds data sets as graft's training loop reads them: a
// Dataset (its length, the dtype and shape of one example, and a Batch
// method that copies chosen rows into tensors allocated once), Tensors in
// memory, Subset and a seeded Split, a seeded Permutation per epoch and
// Batches with a shorter last batch, OneHot for class ids, and loaders for
// CSV tables (ReadCSV) and IDX files, the format of MNIST (ReadIDX,
// LoadIDX).
//
// Inputs and targets are float32, float64 or int64: graph.Int64 is graft's
// dtype for class ids, as losses.SoftmaxCrossEntropy takes them. Reading
// a batch allocates nothing, and a shuffle is fixed by its seed and epoch
// alone, so two runs with one seed visit the rows in the same order, bit
// for bit. A loader's mistake is an error naming the file and, for CSV, the
// line and column; nothing in the package panics on bad input.
//
// The package imports no other graft package, so every package above it
// (train, examples) may use it.
package data
