package gemm

import "unsafe"

// kernelKind names a micro-kernel implementation.
type kernelKind uint8

const (
	kernelGo kernelKind = iota
	kernelAVX2
	kernelAVX512
	kernelKinds // number of kinds
)

func (k kernelKind) String() string {
	switch k {
	case kernelGo:
		return "go"
	case kernelAVX2:
		return "avx2"
	case kernelAVX512:
		return "avx512"
	}
	return "unknown"
}

// microKernel is a register-blocked kernel with the blocking that suits it.
// run sets the mr×nr tile at c (row stride ldc) to alpha·a·b + beta·c, where
// a is a packed k×mr sliver and b a packed k×nr sliver; beta == 0 must not
// read c.
type microKernel[E Float] struct {
	run func(k int, a, b, c *E, ldc int, alpha, beta E)
	// runStrided is run with the slivers read from stored matrices: k step
	// l of a starts at a[l·lda] rather than a[l·mr], of b at b[l·ldb]
	// rather than b[l·nr]. It does the same arithmetic in the same order as
	// run, so the two agree bit for bit.
	runStrided func(k int, a *E, lda int, b *E, ldb int, c *E, ldc int, alpha, beta E)
	// runRowsA, when set, is runStrided with a read from a stored m×k
	// matrix: row i of the sliver starts at a[i·lda], its k steps
	// contiguous. (The pure-Go kernel has none: its A is always packed.)
	runRowsA   func(k int, a *E, lda int, b *E, ldb int, c *E, ldc int, alpha, beta E)
	mr, nr     int // tile of C held in registers
	mc, kc, nc int // cache blocks of m, k and n; mc is a multiple of mr, nc of nr

	// axpy, when set, is gemv's vector kernel (asmgen's generateAxpyRows):
	// y[j] += alpha · Σ_l x[l·incx]·m[l·ldm + j] for the columns j below n
	// rounded down to a multiple of lanes; k is at least 1.
	axpy  func(n, k int, alpha E, x *E, incx int, m *E, ldm int, y *E)
	lanes int

	// dot is gemv's other vector kernel (asmgen's generateDotRows, or
	// goDotRows): y[i·incy] += alpha · Σ_l m[i·ldm + l]·x[l] for every i
	// below rows; k is at least 1.
	dot func(rows, k int, alpha E, x, m *E, ldm int, y *E, incy int)
}

// kernelFor returns the table entry for kind. It panics if this build has no
// such kernel (asm kernels exist only on amd64).
func kernelFor[E Float](kind kernelKind) *microKernel[E] {
	var kern *microKernel[E]
	if isFloat32[E]() {
		kern = &any(&kernels32).(*[kernelKinds]microKernel[E])[kind]
	} else {
		kern = &any(&kernels64).(*[kernelKinds]microKernel[E])[kind]
	}
	if kern.run == nil {
		panic("gemm: micro-kernel " + kind.String() + " is not available in this build")
	}
	return kern
}

func isFloat32[E Float]() bool {
	var zero E
	return unsafe.Sizeof(zero) == 4
}
