package gemm

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is a product as the graft MatMul op issues it: C (m×n) =
// op(A)·op(B) with op(A) m×k.
type benchShape struct {
	name           string
	m, k, n        int
	transA, transB bool
}

// The shapes of a 784-256-128 MLP with batch 64: forward layers, and the
// weight gradient Aᵀ·B of the first layer; then the classic square.
var benchShapes = []benchShape{
	{name: "64x784x256", m: 64, k: 784, n: 256},
	{name: "64x256x128", m: 64, k: 256, n: 128},
	{name: "784x64x256_transA", m: 784, k: 64, n: 256, transA: true},
	{name: "512x512x512", m: 512, k: 512, n: 512},
	// The same net at batch 1: the forward products are vector-matrix ones,
	// and so is the backward pass's input gradient, dY·Wᵀ.
	{name: "1x784x256", m: 1, k: 784, n: 256},
	{name: "1x256x128", m: 1, k: 256, n: 128},
	{name: "1x256x784_transB", m: 1, k: 256, n: 784, transB: true},
	// An XOR network's layer, batch 4: forward, weight and input gradients.
	{name: "4x2x10_xor", m: 4, k: 2, n: 10},
	{name: "2x4x10_xor_transA", m: 2, k: 4, n: 10, transA: true},
	{name: "4x10x2_xor_transB", m: 4, k: 10, n: 2, transB: true},
}

// operands makes random float32 operands of s and a C, and returns them
// with A's and B's leading dimensions.
func (s benchShape) operands() (a, bm, c []float32, lda, ldb int) {
	rng := rand.New(rand.NewPCG(1, 1))
	a, bm, c = randomFloats[float32](rng, s.m*s.k), randomFloats[float32](rng, s.k*s.n), make([]float32, s.m*s.n)
	lda, ldb = s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	return a, bm, c, lda, ldb
}

func BenchmarkGemmFloat32(b *testing.B) {
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) {
			a, bm, c, lda, ldb := s.operands()
			b.Run("graft", func(b *testing.B) {
				benchLoop(b, s, func() {
					Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				})
			})
			b.Run("gonum", func(b *testing.B) {
				impl := gonum.Implementation{}
				benchLoop(b, s, func() {
					impl.Sgemm(transpose(s.transA), transpose(s.transB), s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				})
			})
		})
	}
}

func BenchmarkGemmFloat64(b *testing.B) {
	s := benchShape{name: "512x512x512", m: 512, k: 512, n: 512}
	b.Run(s.name, func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 1))
		a, bm, c := randomFloats[float64](rng, s.m*s.k), randomFloats[float64](rng, s.k*s.n), make([]float64, s.m*s.n)
		b.Run("graft", func(b *testing.B) {
			benchLoop(b, s, func() { Gemm(false, false, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n) })
		})
		b.Run("gonum", func(b *testing.B) {
			impl := gonum.Implementation{}
			benchLoop(b, s, func() {
				impl.Dgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n)
			})
		})
	})
}

// benchLoop times call and reports GFLOP/s, counting a multiply-add as two.
func benchLoop(b *testing.B, s benchShape, call func()) {
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func randomFloats[E Float](rng *rand.Rand, n int) []E {
	s := make([]E, n)
	for i := range s {
		s[i] = E(2*rng.Float64() - 1)
	}
	return s
}

// threadShapes are the products of the training steps that the threading
// policy is judged on (bench's BenchmarkMLP784TrainStepBatch at batch 256,
// BenchmarkDeep50TrainStep and BenchmarkWide1024TrainStep at batch 256):
// forward, weight gradient (Aᵀ·B) and input gradient (A·Bᵀ).
var threadShapes = []benchShape{
	{name: "mlp256/256x784x256", m: 256, k: 784, n: 256},
	{name: "mlp256/784x256x256_transA", m: 784, k: 256, n: 256, transA: true},
	{name: "mlp256/256x256x128", m: 256, k: 256, n: 128},
	{name: "mlp256/256x128x256_transB", m: 256, k: 128, n: 256, transB: true},
	{name: "deep50/64x128x128", m: 64, k: 128, n: 128},
	{name: "deep50/128x64x128_transA", m: 128, k: 64, n: 128, transA: true},
	{name: "deep50/64x128x128_transB", m: 64, k: 128, n: 128, transB: true},
	{name: "wide256/256x1024x1024", m: 256, k: 1024, n: 1024},
	{name: "wide256/1024x256x1024_transA", m: 1024, k: 256, n: 1024, transA: true},
	{name: "wide256/256x1024x1024_transB", m: 256, k: 1024, n: 1024, transB: true},
}

// BenchmarkGemmThreads times the float32 products of threadShapes; run it
// with -cpu 1,2 to see what the second core buys each of them.
func BenchmarkGemmThreads(b *testing.B) {
	for _, s := range threadShapes {
		b.Run(s.name, func(b *testing.B) {
			a, bm, c, lda, ldb := s.operands()
			benchLoop(b, s, func() {
				Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
			})
		})
	}
}
