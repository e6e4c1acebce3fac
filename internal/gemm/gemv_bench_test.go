package gemm

import (
	"math/rand/v2"
	"testing"
)

// The batch-1 backward products of the 784-256-128-10 MLP: the input
// gradient dY·Wᵀ of each layer, W stored in×out, so B = W with transB and
// the product is gemv's dotRows (one dot product of x = dY with each row of
// W). 1x256x784 is the first layer's (W 784×256), 1x128x256 the second's
// and 1x10x128 the third's, whose k is shorter than a vector.
var gemvShapes = []benchShape{
	{name: "1x256x784_transB", m: 1, k: 256, n: 784, transB: true},
	{name: "1x128x256_transB", m: 1, k: 128, n: 256, transB: true},
	{name: "1x10x128_transB", m: 1, k: 10, n: 128, transB: true},
}

func BenchmarkGemv(b *testing.B) {
	b.Run("float32", func(b *testing.B) { benchmarkGemv[float32](b) })
	b.Run("float64", func(b *testing.B) { benchmarkGemv[float64](b) })
}

func benchmarkGemv[E Float](b *testing.B) {
	for _, s := range gemvShapes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			x, w, y := randomFloats[E](rng, s.k), randomFloats[E](rng, s.n*s.k), make([]E, s.n)
			benchLoop(b, s, func() { Gemm(false, true, 1, s.n, s.k, 1, x, s.k, w, s.k, 0, y, s.n) })
		})
	}
}
