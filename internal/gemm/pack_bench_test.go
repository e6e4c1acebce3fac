package gemm

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGemmTransposedB times float32 products with a transposed B, which
// blocked always packs by transposing it (packB's gather): the input
// gradients dY·Wᵀ of the 784-256-128-10 MLP at batch 64 and 256, and a square.
func BenchmarkGemmTransposedB(b *testing.B) {
	shapes := []benchShape{
		{name: "64x256x784_transB", m: 64, k: 256, n: 784, transB: true},
		{name: "64x128x256_transB", m: 64, k: 128, n: 256, transB: true},
		{name: "256x256x784_transB", m: 256, k: 256, n: 784, transB: true},
		{name: "512x512x512_transB", m: 512, k: 512, n: 512, transB: true},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			a, bm, c := randomFloats[float32](rng, s.m*s.k), randomFloats[float32](rng, s.k*s.n), make([]float32, s.m*s.n)
			benchLoop(b, s, func() { Gemm(false, true, s.m, s.n, s.k, 1, a, s.k, bm, s.k, 0, c, s.n) })
		})
	}
}
