package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestSplitsGiveTheSameBits computes products in every way a parallel job
// can cut them (along the batch, the rows or the columns of C, into 2 to 7
// parts) and checks that each gives the bits of the unsplit computation:
// every element is summed in the same order whatever the split, so the
// results do not depend on the number of cores.
func TestSplitsGiveTheSameBits(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		if f32 {
			splitsGiveTheSameBits[float32](t, kind)
		} else {
			splitsGiveTheSameBits[float64](t, kind)
		}
	})
}

func splitsGiveTheSameBits[E Float](t *testing.T, kind kernelKind) {
	rng := rand.New(rand.NewPCG(3, uint64(kind)))
	kern := kernelFor[E](kind)
	for _, sz := range [][4]int{{100, 130, 300, 1}, {37, 200, 70, 3}, {250, 20, 530, 2}} {
		s := randomShape(rng, sz[0], sz[1], sz[2])
		s.batch, s.beta = sz[3], 0.5 // beta ≠ 0, 1: every k block after the first adds to C
		o := newOperands[E](rng, s)
		orig := append([]E(nil), o.c...)
		bt := batched[E]{
			problem: problem[E]{
				transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k,
				alpha: E(s.alpha), beta: E(s.beta),
				a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, c: o.c, ldc: o.ldc,
			},
			strideA: o.strideA, strideB: o.strideB, strideC: o.strideC, count: s.batch,
		}
		ws := pool.borrow()
		for i := range bt.count {
			p := bt.item(i)
			p.blocked(kern, 0, p.m, 0, p.n, ws)
		}
		pool.giveBack(ws)
		want := append([]E(nil), o.c...)
		tilesM, tilesN := ceilDiv(s.m, kern.mr), ceilDiv(s.n, kern.nr)
		for parts := 2; parts <= 7; parts++ {
			for _, sp := range []split{
				{parts: min(parts, s.batch), along: alongBatch},
				{parts: min(parts, tilesM), along: alongM, tiles: tilesM},
				{parts: min(parts, tilesN), along: alongN, tiles: tilesN},
			} {
				if sp.parts < 2 {
					continue
				}
				copy(o.c, orig)
				bt.runSplit(kern, sp)
				for i := range want {
					if o.c[i] != want[i] && !(o.c[i] != o.c[i] && want[i] != want[i]) {
						t.Fatalf("%v split %+v: c[%d] = %v, unsplit %v", s, sp, i, o.c[i], want[i])
					}
				}
			}
		}
	}
}

// TestPlan checks the cost model's choices: no split for products whose
// parts would cost less than handing them out, a split for large ones, at
// most one part per tile, and the dimension whose split packs less twice.
func TestPlan(t *testing.T) {
	kern := kernelFor[float32](kernelAVX512)
	if kern.lanes == 0 {
		t.Skip("the model is tuned for the AVX-512 kernel")
	}
	for _, c := range []struct {
		name    string
		m, n, k int
		count   int
		hot     bool
		want    split
	}{
		{"a 64×128×128 product, workers asleep", 64, 128, 128, 1, false, split{}},
		{"a 64×128×128 product, a worker polling", 64, 128, 128, 1, true, split{parts: 2, along: alongN, tiles: 2}},
		{"256×784×256: B is as large as A, split the rows", 256, 256, 784, 1, false, split{parts: 2, along: alongM, tiles: 43}},
		{"64×784×1024: split the columns, A is the smaller", 64, 1024, 784, 1, false, split{parts: 2, along: alongN, tiles: 16}},
		{"a batch of 8 64×64×64 products", 64, 64, 64, 8, true, split{parts: 2, along: alongBatch}},
		{"one tile with a long k", 6, 64, 100000, 1, true, split{}},
	} {
		bt := batched[float32]{problem: problem[float32]{m: c.m, n: c.n, k: c.k}, count: c.count}
		if got := bt.plan(kern, 2, c.hot, 0); got != c.want {
			t.Errorf("%s: plan %+v, want %+v", c.name, got, c.want)
		}
	}
}
