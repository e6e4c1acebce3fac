package gemm

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGemmEpilogue times a product followed by a bias add and a ReLU
// on every element of C, the work of a Dense layer's forward pass, done
// two ways: in the epilogue, as each sliver of C is finished, and as a
// separate pass over C after the product.
func BenchmarkGemmEpilogue(b *testing.B) {
	for _, s := range []benchShape{
		{name: "64x784x256", m: 64, k: 784, n: 256},
		{name: "256x784x256", m: 256, k: 784, n: 256},
		{name: "1x784x256", m: 1, k: 784, n: 256},
	} {
		rng := rand.New(rand.NewPCG(1, 2))
		a := randomMatrix[float32](rng, 1, 0, s.m, s.k, s.k, false)
		w := randomMatrix[float32](rng, 1, 0, s.k, s.n, s.n, false)
		bias := randomMatrix[float32](rng, 1, 0, 1, s.n, s.n, false)
		c := make([]float32, s.m*s.n)
		biasReLU := func(_, r0, r1, c0, c1 int) {
			for i := r0; i < r1; i++ {
				row := c[i*s.n+c0 : i*s.n+c1]
				for j, v := range row {
					row[j] = max(v+bias[c0+j], 0)
				}
			}
		}
		b.Run(s.name+"/epilogue", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				GemmBatchedEpilogue(false, false, s.m, s.n, s.k, 1, a, s.k, 0, w, s.n, 0, 0, c, s.n, 0, 1, biasReLU)
			}
		})
		b.Run(s.name+"/separate", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Gemm(false, false, s.m, s.n, s.k, 1, a, s.k, w, s.n, 0, c, s.n)
				biasReLU(0, 0, s.m, 0, s.n)
			}
		})
	}
}
