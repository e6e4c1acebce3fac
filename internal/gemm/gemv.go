package gemm

// A product with one row (m == 1) or one column (n == 1) is a
// matrix-vector product, y = alpha·M·x + beta·y: each element of M is used
// once, so packing it into slivers would copy every element to read it once
// more, and splitting so little work across threads costs more than it
// saves. gemv reads the operands where they lie instead. M is either stored
// by rows along x (each y element is a dot product, dotRows) or by rows
// along y (y gathers scaled rows of M, axpyRows).

// isVector reports whether the product is a matrix-vector product.
func (p *problem[E]) isVector() bool { return p.m == 1 || p.n == 1 }

// gemv computes the product of a problem for which isVector holds, with
// kern's vector kernel where it has one.
func (p *problem[E]) gemv(kern *microKernel[E]) {
	if p.m == 1 {
		// y = C's row, x = op(A)'s row, M = op(B)ᵀ, n×k.
		incx := 1
		if p.transA {
			incx = p.lda
		}
		v := vectorProduct[E]{rows: p.n, k: p.k, mat: p.b, ldm: p.ldb, x: p.a, incx: incx, y: p.c, incy: 1, alpha: p.alpha, beta: p.beta, kern: kern}
		if p.transB {
			v.dotRows()
		} else {
			v.axpyRows()
		}
		return
	}
	// n == 1: y = C's column, x = op(B)'s column, M = op(A), m×k.
	incx := p.ldb
	if p.transB {
		incx = 1
	}
	v := vectorProduct[E]{rows: p.m, k: p.k, mat: p.a, ldm: p.lda, x: p.b, incx: incx, y: p.c, incy: p.ldc, alpha: p.alpha, beta: p.beta, kern: kern}
	if p.transA {
		v.axpyRows()
	} else {
		v.dotRows()
	}
}

// vectorProduct is y = alpha·M·x + beta·y for an M of rows×k, with x[l] at
// x[l·incx] and y[i] at y[i·incy]. How M is stored depends on the method.
type vectorProduct[E Float] struct {
	rows, k     int
	mat         []E
	ldm         int
	x           []E
	incx        int
	y           []E
	incy        int
	alpha, beta E
	kern        *microKernel[E]
}

// dotRows computes the product for M stored rows×k, M[i][l] at
// mat[i·ldm + l]: each y element is the dot product of a row with x, which
// kern's dot kernel computes when x is contiguous.
func (v *vectorProduct[E]) dotRows() {
	if v.incx != 1 {
		v.dotRowsStrided()
		return
	}
	v.scaleY()
	v.kern.dot(v.rows, v.k, v.alpha, &v.x[0], &v.mat[0], v.ldm, &v.y[0], v.incy)
}

// dotRowsStrided is dotRows for an x whose elements are incx apart (a
// column of the other operand): rare enough to stay a plain loop.
func (v *vectorProduct[E]) dotRowsStrided() {
	for i := range v.rows {
		row := v.mat[i*v.ldm : i*v.ldm+v.k]
		var sum E
		for l, m := range row {
			sum += m * v.x[l*v.incx]
		}
		at := i * v.incy
		if v.beta == 0 {
			v.y[at] = v.alpha * sum
		} else {
			v.y[at] = v.alpha*sum + v.beta*v.y[at]
		}
	}
}

// scaleY sets y = beta·y before the dot kernel adds alpha·M·x, writing zeros
// when beta is 0 so that NaNs already in y do not leak.
func (v *vectorProduct[E]) scaleY() {
	beta := v.beta
	switch {
	case beta == 1:
	case v.incy == 1 && beta == 0:
		clear(v.y[:v.rows])
	case v.incy == 1:
		y := v.y[:v.rows]
		for j := range y {
			y[j] *= beta
		}
	default:
		for i := range v.rows {
			if beta == 0 {
				v.y[i*v.incy] = 0
			} else {
				v.y[i*v.incy] *= beta
			}
		}
	}
}

// axpyRows computes the product for M stored k×rows, M[i][l] at
// mat[l·ldm + i]: y is scaled by beta, then gathers alpha·x[l] times row l
// of the stored matrix, four rows a pass so that y is loaded and stored a
// quarter as often.
func (v *vectorProduct[E]) axpyRows() {
	n := v.rows
	if v.incy != 1 {
		v.axpyRowsStrided()
		return
	}
	y := v.y[:n]
	if v.beta == 0 {
		clear(y) // overwrite: old NaNs must not leak
	} else if v.beta != 1 {
		for j := range y {
			y[j] *= v.beta
		}
	}
	mat, ldm, x, incx, alpha := v.mat, v.ldm, v.x, v.incx, v.alpha
	if v.kern.axpy != nil && n >= v.kern.lanes {
		v.kern.axpy(n, v.k, alpha, &x[0], incx, &mat[0], ldm, &y[0])
		done := n - n%v.kern.lanes // the columns the kernel left are done below
		y, mat = y[done:], mat[done:]
		n -= done
	}
	if n == 0 {
		return
	}
	l := 0
	for ; l+4 <= v.k; l += 4 {
		t0, t1 := alpha*x[l*incx], alpha*x[(l+1)*incx]
		t2, t3 := alpha*x[(l+2)*incx], alpha*x[(l+3)*incx]
		m0 := mat[l*ldm : l*ldm+n]
		m1 := mat[(l+1)*ldm : (l+1)*ldm+n]
		m2 := mat[(l+2)*ldm : (l+2)*ldm+n]
		m3 := mat[(l+3)*ldm : (l+3)*ldm+n]
		m0, m1, m2, m3 = m0[:len(y)], m1[:len(y)], m2[:len(y)], m3[:len(y)]
		for j := range y {
			y[j] += (t0*m0[j] + t1*m1[j]) + (t2*m2[j] + t3*m3[j])
		}
	}
	for ; l < v.k; l++ {
		t := alpha * x[l*incx]
		m := mat[l*ldm : l*ldm+n]
		m = m[:len(y)]
		for j := range y {
			y[j] += t * m[j]
		}
	}
}

// axpyRowsStrided is axpyRows for a y whose elements are incy apart (a
// column of C): one dot product per element, down a column of the stored
// matrix.
func (v *vectorProduct[E]) axpyRowsStrided() {
	for i := range v.rows {
		var sum E
		for l := range v.k {
			sum += v.mat[l*v.ldm+i] * v.x[l*v.incx]
		}
		at := i * v.incy
		if v.beta == 0 {
			v.y[at] = v.alpha * sum
		} else {
			v.y[at] = v.alpha*sum + v.beta*v.y[at]
		}
	}
}
