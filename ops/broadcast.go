package ops

import (
	"fmt"

	"graft/graph"
)

// BroadcastTo stretches x to shape with NumPy's broadcasting rules.
func BroadcastTo(x *graph.Node, shape ...int) *graph.Node {
	return graph.Apply(&broadcastOp{shape: append(graph.Shape{}, shape...)}, x)
}

type broadcastOp struct {
	shape graph.Shape
	plan  stridedPlan
}

func (*broadcastOp) Name() string { return "BroadcastTo" }

func (op *broadcastOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	for _, d := range op.shape {
		if d < 1 {
			return nil, graph.DType{}, fmt.Errorf("cannot broadcast to %v: every axis must be at least 1", op.shape)
		}
	}
	if _, err := sizeOf(op.shape); err != nil {
		return nil, graph.DType{}, fmt.Errorf("cannot broadcast to %v: %v", op.shape, err)
	}
	out, err := broadcastShapes(x, op.shape)
	if err != nil || !out.Equal(op.shape) {
		return nil, graph.DType{}, fmt.Errorf("cannot broadcast %v to %v", x, op.shape)
	}
	op.plan = newStridedPlan(out, out.Strides(), broadcastStrides(x, out))
	return out, in[0].DType(), nil
}

func (op *broadcastOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, broadcastKernel[float32], broadcastKernel[float64])
}

func broadcastKernel[T graph.Float](op *broadcastOp, out []T, in []*graph.Value) {
	stridedCopy(&op.plan, out, 0, floats[T](in[0]), 0)
}

// The gradient keeps the broadcast shape; autodiff sums it back.
func (*broadcastOp) Grad(n, dy *graph.Node, i int) *graph.Node { return dy }
