package gemm

// Packer is an operand that is not stored as a matrix, such as the patch
// matrix of an image that a convolution multiplies by (implicit im2col):
// instead of being copied into the GEMM's packing buffers from memory, its
// slivers are written there by the packer, straight from where the values
// live. A product then needs no intermediate copy of the whole operand.
//
// The operand is seen as rows × k, its k dimension being the one the
// product sums over: op(A) itself (m×k), or op(B) transposed (n×k).
type Packer[E Float] interface {
	// Sliver writes, for l < kc and i < width, dst[l·width + i] = X[i0+i][l0+l]
	// of product item of the batch, where X is the operand seen as rows × k;
	// the entries with i >= rows (past the operand's last row) must be 0.
	// It may be called from several goroutines at once.
	Sliver(dst []E, item, i0, rows, width, l0, kc int)
}

// GemmPacked runs batch products C_i = alpha·X_i·Y_iᵀ + beta·C_i, where
// X_i (m×k) and Y_i (n×k) are the packers' operands for item i and C_i is
// the m×n matrix at c[i·strideC] with row stride ldc. beta == 0 overwrites
// C without reading it. The products are cut into blocks and spread over
// the cores as GemmBatched's are; the sum over k runs in the same order
// however the work is split, so the result does not depend on the number
// of cores.
func GemmPacked[T Float](m, n, k int, alpha T, a, b Packer[T], beta T, c []T, ldc, strideC, batch int) {
	gemmPacked(detectedKernel, m, n, k, alpha, a, b, beta, c, ldc, strideC, batch)
}

// gemmPacked is GemmPacked with the micro-kernel as a parameter, for tests.
func gemmPacked[T Float](kind kernelKind, m, n, k int, alpha T, a, b Packer[T], beta T, c []T, ldc, strideC, batch int) {
	bt := batched[T]{
		problem: problem[T]{
			m: m, n: n, k: k,
			alpha: alpha, beta: beta,
			packerA: a, packerB: b,
			c: c, ldc: ldc,
		},
		strideC: strideC, count: batch,
	}
	bt.run(kind)
}

// Matrix is a stored matrix as a Packer, for a GemmPacked product whose
// other operand is a packer: op(M) (Trans stores it transposed) with row
// stride Ld, item i of a batch starting at Data[i·Stride] (0: the same
// matrix for every item). Seen as rows × k, it is op(A) for an A operand
// and op(B)ᵀ for a B operand, so Trans is Gemm's transA for an A operand
// and the opposite of Gemm's transB for a B operand.
type Matrix[E Float] struct {
	Data       []E
	Ld, Stride int
	Trans      bool // stored k × rows rather than rows × k
}

// Sliver implements Packer.
func (mat Matrix[E]) Sliver(dst []E, item, i0, rows, width, l0, kc int) {
	data := mat.Data[item*mat.Stride:]
	if mat.Trans {
		for l := range kc {
			src := data[(l0+l)*mat.Ld+i0 : (l0+l)*mat.Ld+i0+rows]
			to := dst[l*width : l*width+width]
			copy(to, src)
			clear(to[rows:])
		}
		return
	}
	for i := range rows {
		src := data[(i0+i)*mat.Ld+l0 : (i0+i)*mat.Ld+l0+kc]
		for l, v := range src {
			dst[l*width+i] = v
		}
	}
	if rows < width {
		for l := range kc {
			clear(dst[l*width+rows : l*width+width])
		}
	}
}
