package gemm

import "golang.org/x/sys/cpu"

// detectedKernel is the fastest kernel this CPU runs, read once at load.
var detectedKernel = detectKernel()

func detectKernel() kernelKind {
	switch {
	case cpu.X86.HasAVX512F: // x/sys/cpu also checks that the OS saves zmm state
		return kernelAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return kernelAVX2
	}
	return kernelGo
}

// supportedKernels lists every kernel this CPU can run, for tests.
func supportedKernels() []kernelKind {
	kinds := []kernelKind{kernelGo}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		kinds = append(kinds, kernelAVX2)
	}
	if cpu.X86.HasAVX512F {
		kinds = append(kinds, kernelAVX512)
	}
	return kinds
}

// The blocking: kc·mr values of A (6 KiB for float32 AVX-512) stay in the
// 48 KiB L1, kc·nc values of B (512 KiB) in half of the 1 MiB L2. float64
// halves nc to keep the same bytes. mc only bounds the packed A block; it
// is reused from L1 one sliver at a time.
var kernels32 = [kernelKinds]microKernel[float32]{
	kernelGo:     goMicroKernel[float32](),
	kernelAVX2:   {run: kernelF32AVX2, runStrided: kernelF32AVX2Strided, runRowsA: kernelF32AVX2RowsA, mr: 6, nr: 16, mc: 96, kc: 256, nc: 512, axpy: axpyRowsF32AVX2, lanes: 8, dot: dotRowsF32AVX2},
	kernelAVX512: {run: kernelF32AVX512, runStrided: kernelF32AVX512Strided, runRowsA: kernelF32AVX512RowsA, mr: 6, nr: 64, mc: 96, kc: 256, nc: 512, axpy: axpyRowsF32AVX512, lanes: 16, dot: dotRowsF32AVX512},
}

var kernels64 = [kernelKinds]microKernel[float64]{
	kernelGo:     goMicroKernel[float64](),
	kernelAVX2:   {run: kernelF64AVX2, runStrided: kernelF64AVX2Strided, runRowsA: kernelF64AVX2RowsA, mr: 6, nr: 8, mc: 96, kc: 256, nc: 256, axpy: axpyRowsF64AVX2, lanes: 4, dot: dotRowsF64AVX2},
	kernelAVX512: {run: kernelF64AVX512, runStrided: kernelF64AVX512Strided, runRowsA: kernelF64AVX512RowsA, mr: 6, nr: 32, mc: 96, kc: 256, nc: 256, axpy: axpyRowsF64AVX512, lanes: 8, dot: dotRowsF64AVX512},
}
