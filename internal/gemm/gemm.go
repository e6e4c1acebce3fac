package gemm

import "fmt"

// Float is the element type of the matrices.
type Float interface{ float32 | float64 }

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices.
//
// op(A) is m×k: A is stored m×k, or k×m when transA is set. op(B) is k×n:
// B is stored k×n, or n×k when transB is set. C is m×n. lda, ldb and ldc are
// the row strides (leading dimensions) of the stored matrices, in elements.
//
// As in BLAS, beta == 0 overwrites C without reading it, so NaNs in the old
// C do not propagate; alpha == 0 or k == 0 only scales C by beta; m == 0 or
// n == 0 does nothing. Gemm panics if a dimension is negative, a leading
// dimension is smaller than its row, or a slice is too short for the
// matrix it holds. It is safe for concurrent use when the calls write to
// different C.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemmBatched(detectedKernel, transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1)
}

// GemmBatched runs batch independent products C_i = alpha·op(A_i)·op(B_i) +
// beta·C_i, with the meaning of the other arguments as in Gemm. Operand i
// starts at a[i*strideA], b[i*strideB] and c[i*strideC]. A stride of 0 for A
// or B uses the same matrix for every product (broadcasting); C's stride
// must not be 0 when batch > 1, since the products would overwrite each
// other.
func GemmBatched[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda, strideA int, b []T, ldb, strideB int, beta T, c []T, ldc, strideC int, batch int) {
	gemmBatched(detectedKernel, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch)
}

// Epilogue finishes a block of a product's C: rows [r0, r1) and columns
// [c0, c1) of product item of the batch, called once the block's values
// are final and while they are still in cache, so that work on every
// element of C (a bias, an activation) costs no extra pass over memory.
// Each element of C is in exactly one call. Calls for different blocks
// may come from different goroutines at once.
type Epilogue func(item, r0, r1, c0, c1 int)

// GemmBatchedEpilogue is GemmBatched that calls epilogue on each block of
// C once the block is computed.
func GemmBatchedEpilogue[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda, strideA int, b []T, ldb, strideB int, beta T, c []T, ldc, strideC int, batch int, epilogue Epilogue) {
	bt := newBatched(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch)
	bt.epilogue = epilogue
	bt.run(detectedKernel)
}

// gemmBatched is GemmBatched with the micro-kernel as a parameter, so that
// tests can run every kernel the CPU supports, including the pure-Go one.
func gemmBatched[E Float](kind kernelKind, transA, transB bool, m, n, k int, alpha E, a []E, lda, strideA int, b []E, ldb, strideB int, beta E, c []E, ldc, strideC int, batch int) {
	bt := newBatched(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch)
	bt.run(kind)
}

func newBatched[E Float](transA, transB bool, m, n, k int, alpha E, a []E, lda, strideA int, b []E, ldb, strideB int, beta E, c []E, ldc, strideC int, batch int) batched[E] {
	return batched[E]{
		problem: problem[E]{
			transA: transA, transB: transB, m: m, n: n, k: k,
			alpha: alpha, beta: beta,
			a: a, lda: lda,
			b: b, ldb: ldb,
			c: c, ldc: ldc,
		},
		strideA: strideA, strideB: strideB, strideC: strideC, count: batch,
	}
}

// problem is one product, C = alpha·op(A)·op(B) + beta·C.
type problem[E Float] struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    E
	a              []E
	lda            int
	b              []E
	ldb            int
	c              []E
	ldc            int

	// packerA and packerB, when set, write the slivers of op(A) and of
	// op(B)ᵀ in place of a, lda and b, ldb (GemmPacked); item is the
	// product of the batch they are asked for.
	packerA, packerB Packer[E]
	item             int

	epilogue Epilogue // nil: none
}

// batched is count products whose operands lie stride elements apart.
type batched[E Float] struct {
	problem[E]
	strideA, strideB, strideC, count int
}

// item returns product i of the batch.
func (bt *batched[E]) item(i int) problem[E] {
	p := bt.problem
	if p.packerA == nil {
		p.a = p.a[i*bt.strideA:]
	}
	if p.packerB == nil {
		p.b = p.b[i*bt.strideB:]
	}
	p.c = p.c[i*bt.strideC:]
	p.item = i
	return p
}

// Products with at most smallMax multiply-adds skip packing (small.go): for them the
// copies cost more than the arithmetic. With the AVX-512 kernel the two
// paths broke even at 8×8×8; at 12×12×12 the packed one was twice as fast.
const smallMax = 512

// work is the number of multiply-adds in one product, in 64 bits so that
// it cannot overflow where int has 32.
func (bt *batched[E]) work() int64 { return int64(bt.m) * int64(bt.n) * int64(bt.k) }

// check panics on arguments that would make the product read or write
// outside its slices.
func (bt *batched[E]) check() {
	if bt.m < 0 || bt.n < 0 || bt.k < 0 || bt.count < 0 {
		panic(fmt.Sprintf("gemm: negative dimension: m=%d n=%d k=%d batch=%d", bt.m, bt.n, bt.k, bt.count))
	}
	if bt.strideA < 0 || bt.strideB < 0 || bt.strideC < 0 {
		panic(fmt.Sprintf("gemm: negative batch stride: strideA=%d strideB=%d strideC=%d", bt.strideA, bt.strideB, bt.strideC))
	}
	if bt.m == 0 || bt.n == 0 || bt.count == 0 {
		return // nothing is read or written
	}
	if bt.count > 1 && bt.strideC == 0 {
		panic("gemm: strideC is 0 for a batch of more than one product")
	}
	rowsA, colsA := bt.m, bt.k
	if bt.transA {
		rowsA, colsA = bt.k, bt.m
	}
	rowsB, colsB := bt.k, bt.n
	if bt.transB {
		rowsB, colsB = bt.n, bt.k
	}
	if bt.packerA == nil {
		checkOperand("a", len(bt.a), rowsA, colsA, bt.lda, bt.strideA, bt.count)
	}
	if bt.packerB == nil {
		checkOperand("b", len(bt.b), rowsB, colsB, bt.ldb, bt.strideB, bt.count)
	}
	checkOperand("c", len(bt.c), bt.m, bt.n, bt.ldc, bt.strideC, bt.count)
}

func checkOperand(name string, length, rows, cols, ld, stride, count int) {
	if ld < cols {
		panic(fmt.Sprintf("gemm: ld%s = %d is less than the %d columns of %s", name, ld, cols, name))
	}
	if rows == 0 || cols == 0 || count == 0 {
		return
	}
	need := (count-1)*stride + (rows-1)*ld + cols
	if length < need {
		panic(fmt.Sprintf("gemm: len(%s) = %d, but a %d×%d matrix with ld%s = %d (batch %d, stride %d) needs %d",
			name, length, rows, cols, name, ld, count, stride, need))
	}
}

// run computes every product of the batch with the given kernel kind.
func (bt *batched[E]) run(kind kernelKind) {
	bt.check()
	if bt.m == 0 || bt.n == 0 || bt.count == 0 {
		return
	}
	if bt.alpha == 0 || bt.k == 0 {
		for i := range bt.count {
			p := bt.item(i)
			p.scaleC()
			p.finish(0, p.m, 0, p.n)
		}
		return
	}
	if bt.work() <= smallMax && bt.packerA == nil && bt.packerB == nil {
		if bt.count == 1 {
			bt.problem.small()
			bt.problem.finish(0, bt.m, 0, bt.n)
			return
		}
		for i := range bt.count {
			p := bt.item(i)
			p.small()
			p.finish(0, p.m, 0, p.n)
		}
		return
	}
	if bt.isVector() && bt.packerA == nil && bt.packerB == nil {
		for i := range bt.count {
			p := bt.item(i)
			p.gemv(kernelFor[E](kind))
			p.finish(0, p.m, 0, p.n)
		}
		return
	}
	kern := kernelFor[E](kind)
	if bt.parallel(kern) {
		return
	}
	ws := pool.borrow()
	for i := range bt.count {
		p := bt.item(i)
		p.blocked(kern, 0, p.m, 0, p.n, ws)
	}
	pool.giveBack(ws)
}

// finish calls the epilogue, if any, on a block of C that is final.
func (p *problem[E]) finish(r0, r1, c0, c1 int) {
	if p.epilogue != nil {
		p.epilogue(p.item, r0, r1, c0, c1)
	}
}

// scaleC sets C = beta·C, writing zeros rather than multiplying when beta
// is 0 so that NaNs and infinities in C vanish as BLAS promises.
func (p *problem[E]) scaleC() {
	c, ldc, n, beta := p.c, p.ldc, p.n, p.beta
	if beta == 1 {
		return
	}
	for i := range p.m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
