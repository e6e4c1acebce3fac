package ops

import (
	"fmt"

	"graft/graph"
	"graft/internal/gemm"
)

// MatMul returns the matrix product a·b.
//
// With 2-D operands, (m, k)·(k, n) gives (m, n). With a 3-D operand the
// product is batched over the leading axis: (B, m, k)·(B, k, n) gives
// (B, m, n); a batch of 1, or a 2-D operand, is broadcast across the other
// operand's batch, as in NumPy's matmul.
//
// A 1-D operand follows NumPy's matmul and PyTorch's: a 1-D a of length k
// is read as the row (1, k), a 1-D b as the column (k, 1), and that axis is
// dropped from the result. So (m, k)·(k,) gives (m,), (k,)·(k, n) gives
// (n,), (B, m, k)·(k,) gives (B, m), (k,)·(B, k, n) gives (B, n), and
// (k,)·(k,) is the dot product, of shape (). The product is built as
// Reshapes around the 2-D or 3-D one, so its gradients are theirs and
// differentiate again. Unlike NumPy, graft batches over one leading axis
// only, so the other operand is at most 3-D.
func MatMul(a, b *graph.Node) *graph.Node { return MatMulT(a, b, false, false) }

// MatMulT returns op(a)·op(b), where op transposes the last two axes of an
// operand when its flag is set. The transpose is never materialised: the
// kernel reads the operand in the transposed order. The gradients of MatMul
// are written with it.
//
// A 1-D operand is read as MatMul reads it (a as a row, b as a column), and
// its flag must be false: a vector has no last two axes to swap, and
// NumPy's v.T, which leaves it as it is, would hide a mistake. The other
// operand's flag applies as usual, so MatMulT(v, w, false, true) is v·wᵀ.
func MatMulT(a, b *graph.Node, transA, transB bool) *graph.Node {
	op := &matMulOp{transA: transA, transB: transB}
	if len(a.Shape()) == 1 || len(b.Shape()) == 1 {
		return matMulVector(op, a, b)
	}
	return graph.Apply(op, a, b)
}

// matMulVector is the product with a 1-D operand: a 2-D or 3-D product of
// the operand reshaped to a row or a column, reshaped again to drop that
// axis. It checks the operands itself first, so that a mistake names the
// shapes the caller passed, not the reshaped ones.
func matMulVector(op *matMulOp, a, b *graph.Node) *graph.Node {
	if a == nil || b == nil || a.Graph() == nil || a.Graph() != b.Graph() {
		return graph.Apply(op, a, b) // Apply names the nil or foreign operand
	}
	as, bs := a.Shape(), b.Shape()
	if err := checkVectorOperands(op, as, bs, a.DType(), b.DType()); err != nil {
		return graph.Reject(op.Name(), err, a, b)
	}
	row, col := a, b
	if len(as) == 1 {
		row = Reshape(a, 1, as[0])
	}
	if len(bs) == 1 {
		col = Reshape(b, bs[0], 1)
	}
	product := graph.Apply(op, row, col)
	s := product.Shape()
	if len(s) < 2 { // failed; the error is already recorded
		return product
	}
	out := s[:len(s)-2].Clone()
	if len(as) > 1 {
		out = append(out, s[len(s)-2])
	}
	if len(bs) > 1 {
		out = append(out, s[len(s)-1])
	}
	return Reshape(product, out...)
}

// checkVectorOperands checks, on the shapes the caller passed, what the
// shape rule would check on the reshaped ones. (Batch sizes cannot clash and
// the result cannot overflow: a 1-D operand has no batch, and the result is
// no larger than the other operand.)
func checkVectorOperands(op *matMulOp, a, b graph.Shape, dtA, dtB graph.DType) error {
	if dtA != dtB {
		return fmt.Errorf("dtypes %v and %v differ; graft never converts implicitly", dtA, dtB)
	}
	if len(a) < 1 || len(a) > 3 || len(b) < 1 || len(b) > 3 {
		return fmt.Errorf("operands must be 1-D, 2-D or 3-D, got %d-D and %d-D", len(a), len(b))
	}
	if len(a) == 1 && op.transA {
		return fmt.Errorf("a is 1-D and a vector has no transpose: transA must be false (a 1-D a is read as a row)")
	}
	if len(b) == 1 && op.transB {
		return fmt.Errorf("b is 1-D and a vector has no transpose: transB must be false (a 1-D b is read as a column)")
	}
	ak, bk := a[len(a)-1], b[0]
	if len(a) > 1 && op.transA {
		ak = a[len(a)-2]
	}
	if len(b) > 1 {
		bk = b[len(b)-2]
		if op.transB {
			bk = b[len(b)-1]
		}
	}
	if ak != bk {
		return fmt.Errorf("inner dimensions differ: %d and %d", ak, bk)
	}
	return nil
}

type matMulOp struct {
	transA, transB bool
	batch, m, k, n int
	strideA        int // elements between a's matrices (0: broadcast)
	strideB        int
}

func (op *matMulOp) Name() string {
	switch {
	case op.transA && op.transB:
		return "MatMulTT"
	case op.transA:
		return "MatMulTN"
	case op.transB:
		return "MatMulNT"
	}
	return "MatMul"
}

func (op *matMulOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	a, b := in[0].Shape(), in[1].Shape()
	if in[0].DType() != in[1].DType() {
		return nil, graph.DType{}, fmt.Errorf("dtypes %v and %v differ; graft never converts implicitly", in[0].DType(), in[1].DType())
	}
	if len(a) < 2 || len(a) > 3 || len(b) < 2 || len(b) > 3 {
		return nil, graph.DType{}, fmt.Errorf("operands must be 1-D, 2-D or 3-D, got %d-D and %d-D", len(a), len(b))
	}
	am, ak := a[len(a)-2], a[len(a)-1]
	if op.transA {
		am, ak = ak, am
	}
	bk, bn := b[len(b)-2], b[len(b)-1]
	if op.transB {
		bk, bn = bn, bk
	}
	if ak != bk {
		return nil, graph.DType{}, fmt.Errorf("inner dimensions differ: %d and %d", ak, bk)
	}
	batchA, batchB := batchOf(a), batchOf(b)
	if batchA != batchB && batchA != 1 && batchB != 1 {
		return nil, graph.DType{}, fmt.Errorf("batch sizes %d and %d do not broadcast", batchA, batchB)
	}
	op.m, op.k, op.n = am, ak, bn
	op.batch = max(batchA, batchB)
	if batchA > 1 {
		op.strideA = am * ak
	}
	if batchB > 1 {
		op.strideB = ak * bn
	}
	out := graph.Shape{op.batch, am, bn}
	if len(a) == 2 && len(b) == 2 {
		out = out[1:]
	}
	if _, err := sizeOf(out); err != nil {
		return nil, graph.DType{}, err
	}
	return out, in[0].DType(), nil
}

func batchOf(s graph.Shape) int {
	if len(s) == 3 {
		return s[0]
	}
	return 1
}

// Forward hands the whole (possibly batched, possibly broadcast) product to
// internal/gemm, which reads a transposed operand in place.
func (op *matMulOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, matMulKernel[float32], matMulKernel[float64])
}

func matMulKernel[T graph.Float](op *matMulOp, out []T, in []*graph.Value) {
	matMulTiled(op, out, in, nil)
}

func matMulTiled[T graph.Float](op *matMulOp, out []T, in []*graph.Value, finish gemm.Epilogue) {
	lda, ldb := op.k, op.n
	if op.transA {
		lda = op.m
	}
	if op.transB {
		ldb = op.k
	}
	gemm.GemmBatchedEpilogue(op.transA, op.transB, op.m, op.n, op.k, 1, floats[T](in[0]), lda, op.strideA,
		floats[T](in[1]), ldb, op.strideB, 0, out, op.n, op.m*op.n, op.batch, finish)
}

// ForwardTiled implements graph.Tiled: the product, with finish applied to
// each block of C as the GEMM completes it (a fused bias and activation),
// the output seen as batch × m × n.
func (op *matMulOp) ForwardTiled(out *graph.Value, in []*graph.Value, finish graph.Epilogue) {
	if out.F32 != nil {
		matMulTiled(op, out.F32, in, gemm.Epilogue(finish))
	} else {
		matMulTiled(op, out.F64, in, gemm.Epilogue(finish))
	}
}

// With C = op(A)·op(B): dop(A) = dC·op(B)ᵀ and dop(B) = op(A)ᵀ·dC; when an
// operand was read transposed, its gradient is the transpose of that, which
// MatMulT again computes without materialising anything.
func (op *matMulOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	a, b := operands(n)
	if i == 0 {
		if op.transA {
			return MatMulT(b, dy, op.transB, true)
		}
		return MatMulT(dy, b, false, !op.transB)
	}
	if op.transB {
		return MatMulT(dy, a, true, op.transA)
	}
	return MatMulT(a, dy, !op.transA, false)
}
