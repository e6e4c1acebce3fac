package vecmath

import "golang.org/x/sys/cpu"

// detected is the fastest kernel kind this CPU runs, read once at load.
var detected = detect()

func detect() kind {
	switch {
	case cpu.X86.HasAVX512F: // x/sys/cpu also checks that the OS saves zmm state
		return kindAVX512
	case cpu.X86.HasAVX:
		return kindAVX
	}
	return kindGo
}

// supportedKinds lists every kind this CPU can run, for tests.
func supportedKinds() []kind {
	kinds := []kind{kindGo}
	if cpu.X86.HasAVX {
		kinds = append(kinds, kindAVX)
	}
	if cpu.X86.HasAVX512F {
		kinds = append(kinds, kindAVX512)
	}
	return kinds
}

// vector runs loop l's kernel of kind kd on the leading whole vectors of p
// and returns how many elements it updated; the caller's Go loop does the
// rest. g, s and u (s and u nil when l has fewer slots) are at least as
// long as p, and k holds l's coefficients.
func vector[T Float](kd kind, l loop, p, g, s, u, k []T) int {
	if kd == kindGo || len(p) == 0 {
		return 0
	}
	if is32[T]() {
		return kernel32(kd, l, len(p), first[T, float32](p), first[T, float32](g), first[T, float32](s), first[T, float32](u), first[T, float32](k))
	}
	return kernel64(kd, l, len(p), first[T, float64](p), first[T, float64](g), first[T, float64](s), first[T, float64](u), first[T, float64](k))
}
