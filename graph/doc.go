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
// Sizes are capped so that no count overflows: a tensor holds at most
// MaxElements elements and each of a program's two arenas at most
// MaxArenaElements; past either is an error naming the node. What is safe
// across goroutines is spelled out on Graph and Program: one goroutine builds
// a graph at a time and one runs a program at a time; an overlapping Run or
// an overlapping differentiation is an error, not corrupted state.
//
// This package knows nothing of particular ops: they live in package ops and
// plug in through the Op interface. Gradients live in package autodiff.
package graph
