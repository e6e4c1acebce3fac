// Package optim updates a graph's parameters from their gradients: SGD (with
// momentum and Nesterov), Adam, AdamW, RMSProp and Adagrad, and gradient
// clipping by global norm.
//
// An optimizer writes into each parameter's tensor (the one the graph holds,
// so the next Program.Run sees the new values) with one fused loop per
// parameter. Its per-parameter state (moments, velocities, accumulators) is
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
package optim
