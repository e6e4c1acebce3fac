// Package layers builds neural-network layers on top of graft's ops.
//
// A layer is anything with an Apply method that takes a node and returns a
// node: a Dense layer, a Sequential chain of layers, a plain Go function
// wrapped in activations.Func, or a type of your own. Layers hold no math of their own:
// Dense's forward pass is act(x·W + b) written with ops.MatMul and ops.Add,
// so its gradients come from autodiff like everything else.
//
// A Model hands out layers and owns their parameters. It holds the random
// source that initialises them, so the same seed gives the same weights bit
// for bit, and it names the parameters ("dense1/W", "dense1/b"), lists them
// in a fixed order for optimizers and checkpoints, counts them, and prints a
// summary table.
//
// A layer creates its parameters the first time it is applied, taking their
// shapes from the input node, and reuses them on every later application:
// apply the same network to a training batch and to an evaluation batch of
// another size in the same graph and both read the same weights. Mistakes
// (an input of the wrong rank or width, a layer reused in another graph) do
// not panic: like every op's, they are recorded on the graph with the
// layer, the input's shape and the caller's file:line, and graph.Compile
// reports them.
package layers
