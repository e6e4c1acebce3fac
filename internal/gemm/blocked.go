package gemm

// blocked computes rows [m0, m1) and columns [n0, n1) of C with packed
// operands and the micro-kernel; see the package comment for the loop nest.
// Any ranges are correct; parts of a parallel job start on whole tiles so
// that only the last one has ragged edges.
func (p *problem[E]) blocked(kern *microKernel[E], m0, m1, n0, n1 int, ws *workspace) {
	packedA, packedB, tile := buffers(ws, kern)
	mr, nr := kern.mr, kern.nr
	for jc := n0; jc < n1; jc += kern.nc {
		nc := min(kern.nc, n1-jc)
		for pc := 0; pc < p.k; pc += kern.kc {
			kc := min(kern.kc, p.k-pc)
			// Later k blocks add to what the first one wrote.
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			p.packB(packedB, pc, kc, jc, nc, nr)
			for ic := m0; ic < m1; ic += kern.mc {
				mc := min(kern.mc, m1-ic)
				p.packA(packedA, ic, mc, pc, kc, mr)
				for ir := 0; ir < mc; ir += mr {
					sliverA := &packedA[ir*kc]
					rows := min(mr, mc-ir)
					for jr := 0; jr < nc; jr += nr {
						sliverB := &packedB[jr*kc]
						cols := min(nr, nc-jr)
						at := (ic+ir)*p.ldc + jc + jr
						if rows == mr && cols == nr {
							kern.run(kc, sliverA, sliverB, &p.c[at], p.ldc, p.alpha, beta)
							continue
						}
						// A ragged edge: compute the whole tile aside, keep the part inside C.
						kern.run(kc, sliverA, sliverB, &tile[0], nr, p.alpha, 0)
						mergeTile(p.c[at:], p.ldc, tile, nr, rows, cols, beta)
					}
					// The sliver's rows are final and in the level-1 cache:
					// finishing them here touches little else, where a
					// whole block's epilogue would evict the packed B.
					if pc+kc == p.k {
						p.finish(ic+ir, ic+ir+rows, jc, jc+nc)
					}
				}
			}
		}
	}
}

// mergeTile sets the rows×cols corner of C to tile + beta·C.
func mergeTile[E Float](c []E, ldc int, tile []E, ldt, rows, cols int, beta E) {
	for i := range rows {
		crow := c[i*ldc : i*ldc+cols]
		trow := tile[i*ldt : i*ldt+cols]
		if beta == 0 {
			copy(crow, trow)
			continue
		}
		for j, t := range trow {
			crow[j] = t + beta*crow[j]
		}
	}
}
