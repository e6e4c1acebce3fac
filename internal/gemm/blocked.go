package gemm

import "unsafe"

// blocked computes rows [m0, m1) and columns [n0, n1) of C with packed
// operands and the micro-kernel; see the package comment for the loop nest.
// Where copying does not pay, the full slivers of a stored A or B are read
// in place instead (readsAInPlace, readsBInPlace): the kernel then does the
// same arithmetic on the same values, so the result does not change by a bit.
// Any ranges are correct; parts of a parallel job start on whole tiles so
// that only the last one has ragged edges.
func (p *problem[E]) blocked(kern *microKernel[E], m0, m1, n0, n1 int, ws *workspace) {
	packedA, packedB, tile := buffers(ws, kern)
	mr, nr := kern.mr, kern.nr
	directB := p.readsBInPlace(kern, m1-m0)
	directA := p.readsAInPlace(kern)
	for jc := n0; jc < n1; jc += kern.nc {
		nc := min(kern.nc, n1-jc)
		// Columns [jc, jc+bInPlace) are read from B itself; the rest of the
		// panel (all of it, or a ragged last sliver) is packed as usual.
		bInPlace := 0
		if directB {
			bInPlace = nc - nc%nr
		}
		for pc := 0; pc < p.k; pc += kern.kc {
			kc := min(kern.kc, p.k-pc)
			// Later k blocks add to what the first one wrote.
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			p.packB(packedB[bInPlace*kc:], pc, kc, jc+bInPlace, nc-bInPlace, nr)
			for ic := m0; ic < m1; ic += kern.mc {
				mc := min(kern.mc, m1-ic)
				// Rows [ic, ic+aInPlace) are read from A itself; the rest of
				// the block (all of it, or a ragged last sliver) is packed.
				// (A sliver of a k×m A is read with runStrided, of an m×k A
				// with runRowsA.)
				aInPlace := 0
				if directA {
					aInPlace = mc - mc%mr
				}
				p.packA(packedA[aInPlace*kc:], ic+aInPlace, mc-aInPlace, pc, kc, mr)
				for ir := 0; ir < mc; ir += mr {
					sliverA, lda := &packedA[ir*kc], mr
					switch {
					case ir < aInPlace && p.transA:
						sliverA, lda = &p.a[pc*p.lda+ic+ir], p.lda
					case ir < aInPlace:
						sliverA, lda = &p.a[(ic+ir)*p.lda+pc], p.lda
					}
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
						sliverB, ldb := &packedB[jr*kc], nr
						if jr < bInPlace {
							sliverB, ldb = &p.b[pc*p.ldb+jc+jr], p.ldb
						}
						switch {
						case ir < aInPlace && !p.transA:
							kern.runRowsA(kc, sliverA, lda, sliverB, ldb, out, ldo, p.alpha, outBeta)
						case ir < aInPlace || jr < bInPlace:
							kern.runStrided(kc, sliverA, lda, sliverB, ldb, out, ldo, p.alpha, outBeta)
						default:
							kern.run(kc, sliverA, sliverB, out, ldo, p.alpha, outBeta)
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

// inPlaceMaxRows is the most rows of C for which blocked reads a B wider
// than the panel in place. Packing a panel of B copies each value once for
// all the rows that use it, so it pays only when there are many of them:
// on one Zen core, float32 products with up to 128 rows ran as fast or
// faster in place (2.5–3.4x with 6 rows, 1.1–1.5x with 24 to 64, where the
// copy is 10% of the time), and with 256 rows or more the packed panel,
// contiguous in L2, streamed faster when B was wider than the panel
// (256x512x2048 and 1024x512x2048: 5–15% ahead).
const inPlaceMaxRows = 128

// readsAInPlace reports whether blocked should hand kern its full slivers
// of A straight from the stored matrix, row stride lda, instead of packed.
// The kernel reads a sliver once for every sliver of B in the panel, from
// L1 either way, so the copy buys little: on one Zen core float32 products
// ran 3–14% faster with an A stored m×k read in place (kern.runRowsA, six
// rows side by side; 64x784x256 and 256x784x256 8%, 512x512x512 4%), and
// 5–50% faster with an A stored k×m (kern.runStrided, six contiguous values
// a k step; 784x64x256 and 512x512x512 10%, 784x256x64 50%), except when
// the rows of a k×m A lie a multiple of 4 KiB apart (m = 1024 or 2048
// float32): the kc rows a sliver touches then crowd into few sets of the
// L1, and packing was 4–6% faster.
func (p *problem[E]) readsAInPlace(kern *microKernel[E]) bool {
	var zero E
	switch {
	case p.packerA != nil:
		return false
	case !p.transA:
		return kern.runRowsA != nil
	}
	return p.lda*int(unsafe.Sizeof(zero))%4096 != 0
}

// readsBInPlace reports whether blocked should hand kern its full slivers
// of B straight from the stored matrix, row stride ldb, instead of packed:
// for a B stored k×n (each k step of a sliver is then nr contiguous values)
// and either few rows of C to compute or rows of B no longer than a panel's
// (ldb <= nc), when the kc rows of the panel lie in at most as many
// contiguous bytes as the packed panel would fill. Those ran 0–18% faster in
// place however many rows used them (256x512x512: 6%, 256x784x256 and
// 1024x784x256: 5–18%, 2048x256x256: even).
func (p *problem[E]) readsBInPlace(kern *microKernel[E], rows int) bool {
	return !p.transB && p.packerB == nil && (rows <= inPlaceMaxRows || p.ldb <= kern.nc)
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
