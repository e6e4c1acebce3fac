package gemm

import "unsafe"

// elem is the set of element types the implementation works on. The
// exported functions accept any type whose underlying type is float32 or
// float64 and reinterpret it as one of these, so that per-type state (kernel
// tables, pools) can be chosen by size.
type elem interface{ float32 | float64 }

// kernelKind names a micro-kernel implementation.
type kernelKind uint8

const (
	kernelGo kernelKind = iota
	kernelAVX2
	kernelAVX512
	kernelKinds // number of kinds
)

func (k kernelKind) String() string {
	switch k {
	case kernelGo:
		return "go"
	case kernelAVX2:
		return "avx2"
	case kernelAVX512:
		return "avx512"
	}
	return "unknown"
}

// microKernel is a register-blocked kernel with the blocking that suits it.
// run sets the mr×nr tile at c (row stride ldc) to alpha·a·b + beta·c, where
// a is a packed k×mr sliver and b a packed k×nr sliver; beta == 0 must not
// read c.
type microKernel[E elem] struct {
	run        func(k int, a, b, c *E, ldc int, alpha, beta E)
	mr, nr     int // tile of C held in registers
	mc, kc, nc int // cache blocks of m, k and n; mc is a multiple of mr, nc of nr
}

// kernelFor returns the table entry for kind. It panics if this build has no
// such kernel (asm kernels exist only on amd64).
func kernelFor[E elem](kind kernelKind) *microKernel[E] {
	var kern *microKernel[E]
	if isFloat32[E]() {
		kern = &any(&kernels32).(*[kernelKinds]microKernel[E])[kind]
	} else {
		kern = &any(&kernels64).(*[kernelKinds]microKernel[E])[kind]
	}
	if kern.run == nil {
		panic("gemm: micro-kernel " + kind.String() + " is not available in this build")
	}
	return kern
}

func isFloat32[E elem]() bool {
	var zero E
	return unsafe.Sizeof(zero) == 4
}
