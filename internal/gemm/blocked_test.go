package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestReadingInPlaceChangesNoBit computes products whose stored operands
// blocked reads in place (B not transposed with few rows of C or rows no
// longer than a panel's; A, transposed or not with the asm kernels; both) once through Gemm and once through GemmPacked with
// Matrix packers, which always packs, and checks that every element of C,
// and every gap around it, has the same bits. The shapes are ragged in m, n
// and k, cross the cache blocks (kc = 256, mc = 96, nc = 256 or 512), the
// limits of inPlaceMaxRows and nc and a 4 KiB stride of A, and are split over the
// cores along m or n or along a batch with a broadcast operand.
func TestReadingInPlaceChangesNoBit(t *testing.T) {
	sizes := [][4]int{ // m, n, k, batch
		{2, 64, 5, 1}, {6, 64, 256, 1}, {7, 65, 257, 1}, {13, 127, 300, 1},
		{64, 256, 784, 1}, {64, 128, 256, 1}, {64, 10, 128, 1}, {96, 530, 513, 1},
		{128, 1030, 70, 1}, {129, 200, 100, 1}, {256, 300, 300, 1},
		{100, 70, 40, 3}, {31, 33, 600, 2}, {5, 9, 40, 4}, {1024, 20, 30, 1}, {203, 70, 300, 1},
		{150, 600, 50, 1},
	}
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		rng := rand.New(rand.NewPCG(12, uint64(kind)))
		for _, sz := range sizes {
			for _, transA := range []bool{false, true} {
				for _, bcast := range []string{"", "a", "b"} {
					if sz[3] == 1 && bcast != "" {
						continue
					}
					s := randomShape(rng, sz[0], sz[1], sz[2])
					s.transA = transA // transB stays random: a transposed B is packed
					s.batch, s.broadcast = sz[3], bcast
					if f32 {
						sameBitsAsPacked[float32](t, rng, kind, s)
					} else {
						sameBitsAsPacked[float64](t, rng, kind, s)
					}
				}
			}
		}
	})
}

// sameBitsAsPacked runs s through gemmBatched and through gemmPacked and
// fails unless the two C slices agree bit for bit.
func sameBitsAsPacked[E Float](t *testing.T, rng *rand.Rand, kind kernelKind, s shape) {
	t.Helper()
	o := newOperands[E](rng, s)
	orig := append([]E(nil), o.c...)
	packed := append([]E(nil), o.c...)
	gemmBatched(kind, s.transA, s.transB, s.m, s.n, s.k, E(s.alpha), o.a, o.lda, o.strideA,
		o.b, o.ldb, o.strideB, E(s.beta), o.c, o.ldc, o.strideC, s.batch)
	a := Matrix[E]{Data: o.a, Ld: o.lda, Stride: o.strideA, Trans: s.transA}
	b := Matrix[E]{Data: o.b, Ld: o.ldb, Stride: o.strideB, Trans: !s.transB}
	gemmPacked[E](kind, s.m, s.n, s.k, E(s.alpha), a, b, E(s.beta), packed, o.ldc, o.strideC, s.batch)
	for i := range o.c {
		// float64 holds every float32 exactly, signed zeros included.
		if math.Float64bits(float64(o.c[i])) != math.Float64bits(float64(packed[i])) {
			t.Fatalf("%v: c[%d] is %v read in place, %v packed", s, i, o.c[i], packed[i])
		}
	}
	checkProduct(t, s, o, orig, o.c)
}
