package gemm

import (
	"fmt"
	"sync"
	"testing"

	"golang.org/x/sys/cpu"
)

// BenchmarkPeakFMA measures the machine's float32 FMA rate, the peak that
// docs/performance.md quotes the GEMM's share of: a register-only loop of
// independent FMAs (asmgen's generatePeak) on one goroutine and on two, with
// 512-bit and with 256-bit vectors. Run it with -cpu 2 for the two-goroutine
// figure to mean two cores:
//
//	go test -run '^$' -bench PeakFMA -cpu 2 ./internal/gemm/
func BenchmarkPeakFMA(b *testing.B) {
	variants := []struct {
		name         string
		ok           bool
		loop         func(iters int)
		flopsPerTrip int
	}{
		{"avx512", cpu.X86.HasAVX512F, peakFMAF32AVX512, 2 * 12 * 16},
		{"avx2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, peakFMAF32AVX2, 2 * 12 * 8},
	}
	const trips = 1 << 20 // a few milliseconds a call: goroutine start-up is noise
	for _, v := range variants {
		for _, goroutines := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/goroutines=%d", v.name, goroutines), func(b *testing.B) {
				if !v.ok {
					b.Skip("the CPU lacks " + v.name)
				}
				b.ReportAllocs()
				var wg sync.WaitGroup
				for b.Loop() {
					for range goroutines {
						wg.Go(func() { v.loop(trips) })
					}
					wg.Wait()
				}
				flops := float64(goroutines) * trips * float64(v.flopsPerTrip) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
