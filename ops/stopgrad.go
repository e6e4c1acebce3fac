package ops

import "graft/graph"

// StopGradient returns x unchanged, but no gradient flows back through it:
// autodiff treats it as a constant.
func StopGradient(x *graph.Node) *graph.Node { return graph.Apply(stopGradientOp{}, x) }

type stopGradientOp struct{}

func (stopGradientOp) Name() string { return "StopGradient" }

func (stopGradientOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return in[0].Shape(), in[0].DType(), nil
}

func (stopGradientOp) Forward(out *graph.Value, in []*graph.Value) { graph.CopyValue(out, in[0]) }

func (stopGradientOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }
