package gemm

import "unsafe"

// goMicroKernel is the portable kernel: a 4×4 tile of scalars, 16
// accumulators, which fits the register files of arm64 and most others.
func goMicroKernel[E Float]() microKernel[E] {
	return microKernel[E]{run: goKernel4x4[E], runStrided: goKernel4x4Strided[E], mr: 4, nr: 4, mc: 64, kc: 256, nc: 512, dot: goDotRows[E]}
}

// goKernel4x4 has the contract of microKernel.run for a 4×4 tile.
func goKernel4x4[E Float](k int, a, b, c *E, ldc int, alpha, beta E) {
	goKernel4x4Strided(k, a, 4, b, 4, c, ldc, alpha, beta)
}

// goKernel4x4Strided has the contract of microKernel.runStrided for a 4×4
// tile.
func goKernel4x4Strided[E Float](k int, a *E, lda int, b *E, ldb int, c *E, ldc int, alpha, beta E) {
	pa := unsafe.Slice(a, (k-1)*lda+4)
	pb := unsafe.Slice(b, (k-1)*ldb+4)
	var c00, c01, c02, c03 E
	var c10, c11, c12, c13 E
	var c20, c21, c22, c23 E
	var c30, c31, c32, c33 E
	for l := 0; l < k; l++ {
		av := pa[l*lda : l*lda+4 : l*lda+4]
		bv := pb[l*ldb : l*ldb+4 : l*ldb+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	tile := unsafe.Slice(c, 3*ldc+4)
	storeRow(tile[0:4:4], alpha, beta, c00, c01, c02, c03)
	storeRow(tile[ldc:ldc+4:ldc+4], alpha, beta, c10, c11, c12, c13)
	storeRow(tile[2*ldc:2*ldc+4:2*ldc+4], alpha, beta, c20, c21, c22, c23)
	storeRow(tile[3*ldc:3*ldc+4:3*ldc+4], alpha, beta, c30, c31, c32, c33)
}

func storeRow[E Float](row []E, alpha, beta, v0, v1, v2, v3 E) {
	if beta == 0 {
		row[0], row[1], row[2], row[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	row[0] = alpha*v0 + beta*row[0]
	row[1] = alpha*v1 + beta*row[1]
	row[2] = alpha*v2 + beta*row[2]
	row[3] = alpha*v3 + beta*row[3]
}

// goDotRows has the contract of microKernel.dot: one dot product a row.
func goDotRows[E Float](rows, k int, alpha E, x, m *E, ldm int, y *E, incy int) {
	xs := unsafe.Slice(x, k)
	ms := unsafe.Slice(m, (rows-1)*ldm+k)
	ys := unsafe.Slice(y, (rows-1)*incy+1)
	for i := range rows {
		ys[i*incy] += alpha * dot(ms[i*ldm:i*ldm+k], xs)
	}
}

// dot is the dot product of two slices of one length, in four chains of
// additions side by side so that the adds do not wait on each other.
func dot[E Float](a, b []E) E {
	var s0, s1, s2, s3 E
	l := 0
	for ; l+4 <= len(a); l += 4 {
		av, bv := a[l:l+4:l+4], b[l:l+4:l+4]
		s0 += av[0] * bv[0]
		s1 += av[1] * bv[1]
		s2 += av[2] * bv[2]
		s3 += av[3] * bv[3]
	}
	for ; l < len(a); l++ {
		s0 += a[l] * b[l]
	}
	return (s0 + s1) + (s2 + s3)
}
