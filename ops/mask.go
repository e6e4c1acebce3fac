package ops

import (
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"graft/graph"
)

// CausalMask returns the (n, n) keep-mask of dtype dt of causal
// attention: 1 on and below the diagonal (query i sees keys 0..i) and 0
// above it, as torch.tril(torch.ones(n, n)). n must be at least 1.
//
// graft's masks (CausalMask, PaddingMask) are keep-masks: floats, 1 where
// a position takes part and 0 where it is masked out. That is the
// convention of the boolean attn_mask of PyTorch's
// scaled_dot_product_attention (True takes part); the key_padding_mask of
// torch.nn.MultiheadAttention has it the other way round (True is
// padding), so pass 1 - mask for one of those. Masks combine with Mul (a
// padding mask reshaped to (batch, 1, n) times a causal mask), and are the
// condition of Where and the mask of MaskedSoftmax, which gives exactly 0
// at masked positions and zeros for a fully masked row. The additive form,
//
//	Add(scores, Where(mask, ZerosLike(scores), ScalarLike(scores, math.Inf(-1))))
//
// also gives Softmax exactly 0 at masked positions, but NaN for a fully
// masked row, as in PyTorch.
//
// The mask is a composition, a GreaterEqual of positions counted by
// Cumsum over a length-n constant of ones, so Compile, not the builder,
// allocates its n² elements; it has no gradient.
func CausalMask(g *graph.Graph, n int, dt graph.DType) *graph.Node {
	if g == nil {
		return graph.Reject("CausalMask", errors.New("the graph is nil; make one with graph.New()"))
	}
	if err := graph.CheckDType(dt); err != nil {
		return graph.Reject("CausalMask", err, Scalar(g, 0, tensor.Float64))
	}
	if n < 1 {
		return graph.Reject("CausalMask", fmt.Errorf("n is %d: a mask needs at least one position", n), Scalar(g, 0, dt))
	}
	positions := Cumsum(Full(g, 1, dt, n), 0) // 1, 2, ..., n
	return GreaterEqual(Reshape(positions, n, 1), Reshape(positions, 1, n))
}

// PaddingMask returns, for integer (graph.Int64) lengths of shape (batch),
// the (batch, n) keep-mask (see CausalMask) of dtype dt that is 1 at the
// first lengths[b] positions of row b and 0 at the rest: a batch of
// sequences padded to n positions. Lengths of any shape S give a mask of shape S + (n). Each
// length must lie in [0, n]; Run reports one that does not before any step
// computes. A length of 0 masks a whole row: MaskedSoftmax gives zeros
// there. The mask has no gradient.
func PaddingMask(lengths *graph.Node, n int, dt graph.DType) *graph.Node {
	if n < 1 {
		return graph.Reject("PaddingMask", fmt.Errorf("n is %d: a mask needs at least one position", n), lengths)
	}
	return graph.Apply(&paddingMaskOp{n: n, dtype: dt}, lengths)
}

type paddingMaskOp struct {
	n     int
	dtype graph.DType
}

func (*paddingMaskOp) Name() string            { return "PaddingMask" }
func (*paddingMaskOp) TakesIndices(i int) bool { return true }

func (op *paddingMaskOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	if !graph.IsInteger(in[0].DType()) {
		return nil, op.dtype, fmt.Errorf("the lengths must be %v, not %s", graph.Int64, graph.DTypeName(in[0].DType()))
	}
	if err := graph.CheckDType(op.dtype); err != nil {
		return nil, op.dtype, err
	}
	out := append(in[0].Shape().Clone(), op.n)
	if _, ok := out.CheckedSize(); !ok {
		return nil, op.dtype, fmt.Errorf("the result, %v, would have more elements than an int can count", out)
	}
	return out, op.dtype, nil
}

// CheckRun reports the first length outside [0, n]. It allocates only when
// it finds one.
func (op *paddingMaskOp) CheckRun(in []*graph.Value) error {
	for i, v := range in[0].I64 {
		if v < 0 || v > int64(op.n) {
			return fmt.Errorf("length %d (element %d of the lengths) is outside [0, %d]", v, i, op.n)
		}
	}
	return nil
}

func (op *paddingMaskOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, paddingMaskKernel[float32], paddingMaskKernel[float64])
}

func paddingMaskKernel[T graph.Float](op *paddingMaskOp, out []T, in []*graph.Value) {
	for b, length := range in[0].I64 {
		row := out[b*op.n : (b+1)*op.n]
		for j := range row {
			row[j] = mask[T](int64(j) < length)
		}
	}
}

// Grad is nil: nothing flows into lengths.
func (*paddingMaskOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

// MaskedSoftmax returns the softmax of x along axis over the positions
// where mask (a keep-mask, broadcast to x's shape) is nonzero, and exactly 0
// where it is 0. A slice whose every position is masked gives all zeros,
// where PyTorch's softmax of -Inf scores and its scaled_dot_product_attention
// give NaN: a padded query then contributes nothing, and no NaN reaches a
// loss or a gradient. mask must have x's dtype; it gets no gradient.
//
// It is a composition, Where(mask, Softmax(Where(mask, x, lowest), axis), 0)
// with lowest the most negative finite number of x's dtype, rather than the
// -Inf of an additive mask: exp(lowest - max) is exactly 0 beside any
// unmasked score above lowest, and a fully masked slice stays finite
// (uniform before the outer Where zeroes it), so neither the value nor any
// derivative meets Inf - Inf. An unmasked score of -Inf, or one within a
// rounding of lowest, is not supported.
func MaskedSoftmax(x, mask *graph.Node, axis int) *graph.Node {
	for _, n := range []*graph.Node{x, mask} {
		if n == nil || n.Graph() == nil {
			return graph.Reject("MaskedSoftmax", errors.New("an input is nil or a zero graph.Node"), x, mask)
		}
	}
	if x.DType() != mask.DType() {
		return graph.Reject("MaskedSoftmax", fmt.Errorf("dtypes %s and %s differ; graft never converts implicitly",
			graph.DTypeName(x.DType()), graph.DTypeName(mask.DType())), x, mask)
	}
	if s, err := broadcastShapes(x.Shape(), mask.Shape()); err != nil || !s.Equal(x.Shape()) {
		return graph.Reject("MaskedSoftmax", fmt.Errorf("the mask does not broadcast to x's shape %v", x.Shape()), x, mask)
	}
	if _, err := normAxis(axis, x.Shape().Rank()); err != nil {
		return graph.Reject("MaskedSoftmax", err, x, mask)
	}
	lowest := -math.MaxFloat64
	if x.DType() == tensor.Float32 {
		lowest = -math.MaxFloat32
	}
	p := Softmax(Where(mask, x, ScalarLike(x, lowest)), axis)
	return Where(mask, p, ScalarLike(p, 0))
}
