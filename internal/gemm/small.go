package gemm

// small computes a small product with plain loops over the unpacked
// operands: no buffers, no kernel call, nothing to amortise.
func (p *problem[E]) small() {
	if p.transB {
		p.smallTransB()
		return
	}
	a, b, c := p.a, p.b, p.c
	lda, ldb, ldc := p.lda, p.ldb, p.ldc
	n, k, alpha, beta := p.n, p.k, p.alpha, p.beta
	// C row i = beta·C row i + sum over l of alpha·A[i][l] · B row l, two
	// l at a time to halve the passes over the C row.
	for i := range p.m {
		crow := c[i*ldc : i*ldc+n]
		colA, stepA := i*lda, 1 // A[i][l] is a[colA + l·stepA]
		if p.transA {
			colA, stepA = i, lda
		}
		l := 0
		if beta != 0 && beta != 1 {
			for j := range crow {
				crow[j] *= beta
			}
		}
		if k >= 2 {
			a0, a1 := alpha*a[colA], alpha*a[colA+stepA]
			b0, b1 := b[:n], b[ldb:ldb+n]
			b0, b1 = b0[:len(crow)], b1[:len(crow)]
			if beta == 0 { // the first terms overwrite: old NaNs must not leak
				for j := range crow {
					crow[j] = a0*b0[j] + a1*b1[j]
				}
			} else {
				for j := range crow {
					crow[j] += a0*b0[j] + a1*b1[j]
				}
			}
			l = 2
		} else if beta == 0 {
			clear(crow)
		}
		for ; l+1 < k; l += 2 {
			a0, a1 := alpha*a[colA+l*stepA], alpha*a[colA+(l+1)*stepA]
			b0, b1 := b[l*ldb:l*ldb+n], b[(l+1)*ldb:(l+1)*ldb+n]
			b0, b1 = b0[:len(crow)], b1[:len(crow)]
			for j := range crow {
				crow[j] += a0*b0[j] + a1*b1[j]
			}
		}
		if l < k {
			av := alpha * a[colA+l*stepA]
			brow := b[l*ldb : l*ldb+n]
			brow = brow[:len(crow)]
			for j := range crow {
				crow[j] += av * brow[j]
			}
		}
	}
}

// smallTransB is small for B stored n×k: each C element is a dot product
// of a row of op(A) and a row of B. They are computed in 2×2 blocks, which
// share the loads and run four chains of additions side by side; an odd
// last row or column is computed twice and stored once.
func (p *problem[E]) smallTransB() {
	a, b, lda, ldb, m, n, k := p.a, p.b, p.lda, p.ldb, p.m, p.n, p.k
	for i0 := 0; i0 < m; i0 += 2 {
		i1 := min(i0+1, m-1)
		for j0 := 0; j0 < n; j0 += 2 {
			j1 := min(j0+1, n-1)
			b0 := b[j0*ldb : j0*ldb+k]
			b1 := b[j1*ldb : j1*ldb+k]
			b1 = b1[:len(b0)]
			var s00, s01, s10, s11 E
			if p.transA {
				for l, v0 := range b0 {
					a0, a1, v1 := a[l*lda+i0], a[l*lda+i1], b1[l]
					s00 += a0 * v0
					s01 += a0 * v1
					s10 += a1 * v0
					s11 += a1 * v1
				}
			} else {
				a0s := a[i0*lda : i0*lda+k]
				a1s := a[i1*lda : i1*lda+k]
				a0s, a1s = a0s[:len(b0)], a1s[:len(b0)]
				for l, v0 := range b0 {
					a0, a1, v1 := a0s[l], a1s[l], b1[l]
					s00 += a0 * v0
					s01 += a0 * v1
					s10 += a1 * v0
					s11 += a1 * v1
				}
			}
			p.put(i0, j0, s00)
			if j1 > j0 {
				p.put(i0, j1, s01)
			}
			if i1 > i0 {
				p.put(i1, j0, s10)
				if j1 > j0 {
					p.put(i1, j1, s11)
				}
			}
		}
	}
}

// put stores alpha·sum + beta·C[i][j] into C[i][j], not reading C when
// beta is 0.
func (p *problem[E]) put(i, j int, sum E) {
	at := i*p.ldc + j
	if p.beta == 0 {
		p.c[at] = p.alpha * sum
		return
	}
	p.c[at] = p.alpha*sum + p.beta*p.c[at]
}
