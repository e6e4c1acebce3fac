package ops

import (
	"fmt"

	"graft/graph"
)

// Transpose permutes the axes of x: axis i of the result is axis perm[i] of
// x. With no perm the axes are reversed, so a matrix is transposed.
func Transpose(x *graph.Node, perm ...int) *graph.Node {
	return graph.Apply(&transposeOp{perm: append([]int{}, perm...)}, x)
}

type transposeOp struct {
	perm []int
	plan stridedPlan
}

func (*transposeOp) Name() string { return "Transpose" }

func (op *transposeOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	if len(op.perm) == 0 {
		for i := len(x) - 1; i >= 0; i-- {
			op.perm = append(op.perm, i)
		}
	}
	if len(op.perm) != len(x) {
		return nil, graph.DType{}, fmt.Errorf("permutation %v has %d axes, the input has %d", op.perm, len(op.perm), len(x))
	}
	seen := make([]bool, len(x))
	out := make(graph.Shape, len(x))
	xStrides := x.Strides()
	srcStrides := make([]int, len(x))
	for i, p := range op.perm {
		if p < 0 || p >= len(x) || seen[p] {
			return nil, graph.DType{}, fmt.Errorf("%v is not a permutation of the axes 0..%d", op.perm, len(x)-1)
		}
		seen[p] = true
		out[i] = x[p]
		srcStrides[i] = xStrides[p]
	}
	op.plan = newStridedPlan(out, out.Strides(), srcStrides)
	return out, in[0].DType(), nil
}

func (op *transposeOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, transposeKernel[float32], transposeKernel[float64])
}

func transposeKernel[T graph.Float](op *transposeOp, out []T, in []*graph.Value) {
	stridedCopy(&op.plan, out, 0, floats[T](in[0]), 0)
}

func (op *transposeOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	inverse := make([]int, len(op.perm))
	for i, p := range op.perm {
		inverse[p] = i
	}
	return Transpose(dy, inverse...)
}
