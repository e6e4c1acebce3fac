// Package optim updates a graph's parameters from their gradients: SGD (with
// momentum and Nesterov), Adam, AdamW, RMSProp and Adagrad, and gradient
// clipping by global norm.
//
// An optimizer writes into each parameter's tensor (the one the graph holds,
// so the next Program.Run sees the new values) with one fused loop per
// parameter: AVX-512 or AVX kernels on amd64, pure Go elsewhere, with the
// same bits as the plain scalar loop (internal/vecmath). Its per-parameter state (moments, velocities, accumulators) is
// made on a parameter's first Step; after that a Step allocates nothing.
//
// The usual loop:
//
//	grads, _ := autodiff.Grad(loss, params...)
//	prog, _ := graph.Compile(append([]*graph.Node{loss}, grads...)...)
//	opt := optim.NewAdam(0.001)
//	for step := 0; step < steps; step++ {
//		out, _ := prog.Run(feeds)
//		if err := opt.Step(params, out[1:]); err != nil { ... }
//	}
//
// Where Keras and PyTorch differ, each optimizer's documentation says which
// formula it follows; the defaults are Keras'.
//
// Step checks that each parameter's tensor still has the dtype and shape its
// node was built with (the tensor is the caller's and can be reshaped or
// overwritten behind the graph) and returns an error naming the parameter if
// not, before it moves anything.
//
// # Concurrency
//
// An optimizer is not safe for concurrent use. What is safe, and what is not:
//
//   - One goroutine at a time may call an optimizer's methods. A Step that
//     begins while another Step of the same optimizer is running returns an
//     error and changes nothing; that check is an atomic flag, so it costs no
//     allocation, but it only catches overlapping Steps: SetLearningRate or
//     LearningRate during a Step, or a field such as Adam.Beta1 set during a
//     Step, is a data race that only the race detector sees.
//   - Step writes into the parameters' tensors, which every Program of their
//     graph reads. A Step while any Program of that graph runs (in another
//     goroutine), or while checkpoint.Save or checkpoint.Load reads or writes
//     those parameters, is a data race; graft does not detect it. Run, then
//     Step, in sequence, as the loop above does.
//   - Two optimizers may step at the same time only on parameters they do not
//     share and while no Program of the graph runs.
package optim
