package gemm

// blocked computes rows [m0, m1) and columns [n0, n1) of C with packed
// operands and the micro-kernel; see the package comment for the loop nest.
// When few rows use each panel of B, the full slivers of a stored B are read
// in place instead (readsBInPlace); the kernel then does the same arithmetic
// on the same values, so the result does not change by a bit.
// Any ranges are correct; parts of a parallel job start on whole tiles so
// that only the last one has ragged edges.
func (p *problem[E]) blocked(kern *microKernel[E], m0, m1, n0, n1 int, ws *workspace) {
	packedA, packedB, tile := buffers(ws, kern)
	mr, nr := kern.mr, kern.nr
	direct := p.readsBInPlace(m1 - m0)
	for jc := n0; jc < n1; jc += kern.nc {
		nc := min(kern.nc, n1-jc)
		// Columns [jc, jc+inPlace) are read from B itself; the rest of the
		// panel (all of it, or a ragged last sliver) is packed as usual.
		inPlace := 0
		if direct {
			inPlace = nc - nc%nr
		}
		for pc := 0; pc < p.k; pc += kern.kc {
			kc := min(kern.kc, p.k-pc)
			// Later k blocks add to what the first one wrote.
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			p.packB(packedB[inPlace*kc:], pc, kc, jc+inPlace, nc-inPlace, nr)
			for ic := m0; ic < m1; ic += kern.mc {
				mc := min(kern.mc, m1-ic)
				p.packA(packedA, ic, mc, pc, kc, mr)
				for ir := 0; ir < mc; ir += mr {
					sliverA := &packedA[ir*kc]
					rows := min(mr, mc-ir)
					for jr := 0; jr < nc; jr += nr {
						cols := min(nr, nc-jr)
						at := (ic+ir)*p.ldc + jc + jr
						// A ragged edge: compute the whole tile aside, keep the part inside C.
						ragged := rows < mr || cols < nr
						out, ldo, outBeta := &p.c[at], p.ldc, beta
						if ragged {
							out, ldo, outBeta = &tile[0], nr, 0
						}
						if jr < inPlace {
							kern.runStrided(kc, sliverA, &p.b[pc*p.ldb+jc+jr], p.ldb, out, ldo, p.alpha, outBeta)
						} else {
							kern.run(kc, sliverA, &packedB[jr*kc], out, ldo, p.alpha, outBeta)
						}
						if ragged {
							mergeTile(p.c[at:], p.ldc, tile, nr, rows, cols, beta)
						}
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

// inPlaceMaxRows is the most rows of C for which blocked reads B in place.
// Packing a panel of B copies each value once for all the rows that use
// it, so it pays only when there are many of them: on one Zen core, float32
// products with up to 128 rows ran as fast or faster in place (2.5–3.4x
// with 6 rows, 1.1–1.5x with 24 to 64, where the copy is 10% of the time),
// and with 256 rows or more the packed panel, contiguous in L2, streamed
// faster when B was wider than the panel (256x512x2048: 5–15% ahead).
const inPlaceMaxRows = 128

// readsBInPlace reports whether blocked should hand the micro-kernel its
// full slivers of B straight from the stored matrix, row stride ldb, instead
// of packed: for a B stored k×n (each k step of a sliver is then nr
// contiguous values) and few rows of C to compute.
func (p *problem[E]) readsBInPlace(rows int) bool {
	return !p.transB && p.packerB == nil && rows <= inPlaceMaxRows
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
