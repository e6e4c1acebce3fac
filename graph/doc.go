// Package graph holds graft's symbolic computation graphs and turns them into
// programs that run.
//
// A Graph is a set of Nodes. Leaves are inputs (fed on every run), parameters
// (trainable tensors that persist across runs) and constants; every other node
// applies an Op to earlier nodes. Each node knows its shape and dtype the
// moment it is built, so a mistake is found where it is made: the graph
// records the first error, with the op, the shapes of its inputs and the
// file:line of the user's code that built the node, and Compile reports it.
// No user mistake panics.
//
// Compile(outputs...) keeps only the nodes the outputs need, orders them,
// and plans every buffer ahead of time, reusing a buffer once its last reader
// has run. Program.Run then checks the feeds and executes the steps without
// allocating.
//
// This package knows nothing of particular ops: they live in package ops and
// plug in through the Op interface. Gradients live in package autodiff.
package graph
