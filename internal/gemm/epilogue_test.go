package gemm

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestEpilogueSeesEveryBlockOnceWhenFinal checks, on every path a product
// can take (small loops, matrix-vector, blocked, split across goroutines,
// batched, alpha or k of 0), that the epilogue is called exactly once for
// every element of C and only when the element holds its final value: a
// snapshot taken inside each call must equal C after the product.
func TestEpilogueSeesEveryBlockOnceWhenFinal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := []shape{
		{m: 3, n: 4, k: 5, alpha: 1, batch: 1},                                  // small
		{m: 1, n: 300, k: 200, alpha: 1, batch: 1},                              // row vector
		{m: 300, n: 1, k: 200, alpha: 1, transA: true, batch: 1},                // column vector
		{m: 70, n: 90, k: 40, alpha: 1, beta: 0.5, pad: 3, batch: 1},            // blocked, ragged
		{m: 256, n: 260, k: 300, alpha: -1, transB: true, batch: 1},             // parallel
		{m: 40, n: 50, k: 600, alpha: 1, batch: 3, pad: 1},                      // batched, several k blocks
		{m: 9, n: 7, k: 5, alpha: 1, batch: 4, broadcast: "b"},                  // batched small
		{m: 20, n: 30, k: 10, alpha: 0, beta: 2, batch: 2},                      // alpha 0
		{m: 20, n: 30, k: 0, alpha: 1, beta: 1, batch: 1},                       // k 0
		{m: 600, n: 64, k: 700, alpha: 1, transA: true, transB: true, batch: 1}, // parallel along m
	}
	for _, s := range shapes {
		t.Run(s.String(), func(t *testing.T) {
			o := newOperands[float32](rng, s)
			snapshot := make([]float32, len(o.c))
			calls := make([]int, len(o.c))
			var mu sync.Mutex
			epilogue := func(item, r0, r1, c0, c1 int) {
				mu.Lock()
				defer mu.Unlock()
				if r0 < 0 || r1 > s.m || c0 < 0 || c1 > s.n || r0 >= r1 || c0 >= c1 {
					t.Errorf("epilogue(%d, %d, %d, %d, %d) is outside the %d×%d C", item, r0, r1, c0, c1, s.m, s.n)
					return
				}
				for i := r0; i < r1; i++ {
					for j := c0; j < c1; j++ {
						at := item*o.strideC + i*o.ldc + j
						snapshot[at] = o.c[at]
						calls[at]++
					}
				}
			}
			GemmBatchedEpilogue(s.transA, s.transB, s.m, s.n, s.k, float32(s.alpha), o.a, o.lda, o.strideA,
				o.b, o.ldb, o.strideB, float32(s.beta), o.c, o.ldc, o.strideC, s.batch, epilogue)
			for item := range s.batch {
				for i := range s.m {
					for j := range s.n {
						at := item*o.strideC + i*o.ldc + j
						if calls[at] != 1 {
							t.Fatalf("C[%d][%d][%d] was finished %d times, want once", item, i, j, calls[at])
						}
						if snapshot[at] != o.c[at] {
							t.Fatalf("C[%d][%d][%d] was %v when finished and is %v after the product", item, i, j, snapshot[at], o.c[at])
						}
					}
				}
			}
		})
	}
}

// TestEpilogueChangesAreKept checks that what an epilogue writes into its
// block is what the caller gets: the product then a ReLU, as a fused layer
// computes it, equals the product with the ReLU applied after.
func TestEpilogueChangesAreKept(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, m := range []int{1, 5, 64, 300} {
		t.Run(fmt.Sprint("m=", m), func(t *testing.T) {
			s := shape{m: m, n: 130, k: 200, alpha: 1, batch: 1}
			o := newOperands[float64](rng, s)
			want := append([]float64(nil), o.c...)
			Gemm(false, false, m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, want, o.ldc)
			for i := range m {
				for j := range s.n {
					want[i*o.ldc+j] = max(want[i*o.ldc+j], 0)
				}
			}
			GemmBatchedEpilogue(false, false, m, s.n, s.k, 1, o.a, o.lda, 0, o.b, o.ldb, 0, 0, o.c, o.ldc, 0, 1,
				func(_, r0, r1, c0, c1 int) {
					for i := r0; i < r1; i++ {
						for j := c0; j < c1; j++ {
							o.c[i*o.ldc+j] = max(o.c[i*o.ldc+j], 0)
						}
					}
				})
			for i := range m {
				for j := range s.n {
					if got := o.c[i*o.ldc+j]; got != want[i*o.ldc+j] {
						t.Fatalf("C[%d][%d] = %v, want %v", i, j, got, want[i*o.ldc+j])
					}
				}
			}
		})
	}
}
