package gemm

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMicroKernel measures each float32 kernel alone on packed slivers
// that sit in L1 and L2, the ceiling for the whole product on one core.
func BenchmarkMicroKernel(b *testing.B) {
	for _, kind := range supportedKernels() {
		b.Run(kind.String(), func(b *testing.B) {
			kern := kernelFor[float32](kind)
			rng := rand.New(rand.NewPCG(1, 1))
			const slivers = 8 // B slivers cycled through, as the jr loop does
			kc := kern.kc
			a := randomFloats[float32](rng, kc*kern.mr)
			pb := randomFloats[float32](rng, slivers*kc*kern.nr)
			c := make([]float32, kern.mr*kern.nr*slivers)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				s := i % slivers
				kern.run(kc, &a[0], &pb[s*kc*kern.nr], &c[s*kern.nr], kern.nr*slivers, 1, 1)
				i++
			}
			flops := 2 * float64(kc*kern.mr*kern.nr) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
