package gemm

// packA copies rows [ic, ic+mc) and columns [pc, pc+kc) of op(A) into dst
// as slivers of mr rows: sliver s holds, for each l, the mr values
// op(A)[ic+s·mr+i][pc+l] at dst[s·mr·kc + l·mr + i]. Rows past mc are zero.
func (p *problem[E]) packA(dst []E, ic, mc, pc, kc, mr int) {
	if p.packerA != nil {
		for s := 0; s*mr < mc; s++ {
			p.packerA.Sliver(dst[s*mr*kc:(s+1)*mr*kc], p.item, ic+s*mr, min(mr, mc-s*mr), mr, pc, kc)
		}
		return
	}
	for s := 0; s*mr < mc; s++ {
		rows := min(mr, mc-s*mr)
		sliver := dst[s*mr*kc : (s+1)*mr*kc]
		first := ic + s*mr
		if p.transA && rows == 6 && mr == 6 {
			// Stored k×m: each l gives a contiguous run of rows, six
			// values copied by assignment: copy's call to memmove cost
			// more than the copying.
			for l := range kc {
				src := p.a[(pc+l)*p.lda+first : (pc+l)*p.lda+first+6]
				to := sliver[l*6 : l*6+6]
				to[0], to[1], to[2], to[3], to[4], to[5] = src[0], src[1], src[2], src[3], src[4], src[5]
			}
			continue
		}
		if p.transA {
			// Stored k×m: each l gives a contiguous run of rows.
			for l := range kc {
				src := p.a[(pc+l)*p.lda+first : (pc+l)*p.lda+first+rows]
				to := sliver[l*mr : l*mr+mr]
				copy(to, src)
				clear(to[rows:])
			}
			continue
		}
		if rows == 6 && mr == 6 {
			p.packA6(sliver, first, pc, kc)
			continue
		}
		for i := range rows {
			src := p.a[(first+i)*p.lda+pc : (first+i)*p.lda+pc+kc]
			for l, v := range src {
				sliver[l*mr+i] = v
			}
		}
		if rows < mr {
			for l := range kc {
				clear(sliver[l*mr+rows : l*mr+mr])
			}
		}
	}
}

// packA6 packs a full sliver of six rows of a non-transposed A, reading
// the six rows side by side so that the writes are sequential: the
// general loop writes with a stride of six and ran at a third of the speed.
func (p *problem[E]) packA6(sliver []E, first, pc, kc int) {
	row := func(i int) []E { return p.a[(first+i)*p.lda+pc : (first+i)*p.lda+pc+kc] }
	r0, r1, r2, r3, r4, r5 := row(0), row(1), row(2), row(3), row(4), row(5)
	// Equal lengths let the compiler drop the bounds checks in the loop.
	r1, r2, r3, r4, r5 = r1[:len(r0)], r2[:len(r0)], r3[:len(r0)], r4[:len(r0)], r5[:len(r0)]
	dst := sliver[:6*kc]
	for l := range r0 {
		d := dst[:6:6]
		dst = dst[6:]
		d[0], d[1], d[2], d[3], d[4], d[5] = r0[l], r1[l], r2[l], r3[l], r4[l], r5[l]
	}
}

// packB copies rows [pc, pc+kc) and columns [jc, jc+nc) of op(B) into dst
// as slivers of nr columns: sliver s holds, for each l, the nr values
// op(B)[pc+l][jc+s·nr+j] at dst[s·nr·kc + l·nr + j]. Columns past nc are zero.
func (p *problem[E]) packB(dst []E, pc, kc, jc, nc, nr int) {
	if p.packerB != nil {
		for s := 0; s*nr < nc; s++ {
			p.packerB.Sliver(dst[s*nr*kc:(s+1)*nr*kc], p.item, jc+s*nr, min(nr, nc-s*nr), nr, pc, kc)
		}
		return
	}
	for s := 0; s*nr < nc; s++ {
		cols := min(nr, nc-s*nr)
		sliver := dst[s*nr*kc : (s+1)*nr*kc]
		first := jc + s*nr
		if !p.transB {
			// Stored k×n: each l gives a contiguous run of columns.
			for l := range kc {
				src := p.b[(pc+l)*p.ldb+first : (pc+l)*p.ldb+first+cols]
				to := sliver[l*nr : l*nr+nr]
				copy(to, src)
				clear(to[cols:])
			}
			continue
		}
		j := 0
		for ; j+8 <= cols; j += 8 {
			p.packBT8(sliver[j:], nr, first+j, pc, kc)
		}
		for ; j < cols; j++ {
			src := p.b[(first+j)*p.ldb+pc : (first+j)*p.ldb+pc+kc]
			for l, v := range src {
				sliver[l*nr+j] = v
			}
		}
		if cols < nr {
			for l := range kc {
				clear(sliver[l*nr+cols : l*nr+nr])
			}
		}
	}
}

// packBT8 packs eight columns of op(B) from a transposed B (stored n×k),
// rows first.. of the stored matrix, into dst[l·nr : l·nr+8] for each l <
// kc. Reading the eight rows side by side writes eight adjacent values a
// step, where one column at a time wrote single values nr apart and took
// 3% of a batch-64 MLP training step in the gradient dY·Wᵀ.
func (p *problem[E]) packBT8(dst []E, nr, first, pc, kc int) {
	row := func(j int) []E { return p.b[(first+j)*p.ldb+pc : (first+j)*p.ldb+pc+kc] }
	r0, r1, r2, r3, r4, r5, r6, r7 := row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)
	// Equal lengths let the compiler drop the bounds checks in the loop.
	r1, r2, r3, r4, r5, r6, r7 = r1[:len(r0)], r2[:len(r0)], r3[:len(r0)], r4[:len(r0)], r5[:len(r0)], r6[:len(r0)], r7[:len(r0)]
	for l := range r0 {
		d := dst[l*nr : l*nr+8 : l*nr+8]
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = r0[l], r1[l], r2[l], r3[l], r4[l], r5[l], r6[l], r7[l]
	}
}
