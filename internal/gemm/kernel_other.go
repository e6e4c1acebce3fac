//go:build !amd64

package gemm

// detectedKernel is the pure-Go kernel: assembly kernels exist only for amd64.
var detectedKernel = kernelGo

// supportedKernels lists every kernel this build can run, for tests.
func supportedKernels() []kernelKind { return []kernelKind{kernelGo} }

var kernels32 = [kernelKinds]microKernel[float32]{kernelGo: goMicroKernel[float32]()}

var kernels64 = [kernelKinds]microKernel[float64]{kernelGo: goMicroKernel[float64]()}
