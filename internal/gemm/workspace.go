package gemm

import "unsafe"

// workspace holds one goroutine's packing buffers, and for a calling
// goroutine the description of its parallel job. Its buffers grow to the
// largest kernel's needs once and are then reused by every call.
type workspace struct {
	mem   []uint64 // uint64 words so that both element types fit aligned
	job32 job[float32]
	job64 job[float64]
}

// jobOf returns the workspace's job description for element type E.
func jobOf[E Float](ws *workspace) *job[E] {
	if isFloat32[E]() {
		return any(&ws.job32).(*job[E])
	}
	return any(&ws.job64).(*job[E])
}

// cacheLine is the alignment of each buffer, so that vector loads of packed
// data never straddle two lines.
const cacheLine = 64

// buffers carves the packed-A block, packed-B panel and scratch tile that
// kern needs out of ws.
func buffers[E Float](ws *workspace, kern *microKernel[E]) (packedA, packedB, tile []E) {
	var zero E
	size := int(unsafe.Sizeof(zero))
	lenA, lenB, lenT := kern.mc*kern.kc, kern.kc*kern.nc, kern.mr*kern.nr
	words := func(n int) int { return (n*size + cacheLine - 1) / cacheLine * (cacheLine / 8) }
	total := words(lenA) + words(lenB) + words(lenT) + cacheLine/8
	if len(ws.mem) < total {
		ws.mem = make([]uint64, total)
	}
	skip := int(-uintptr(unsafe.Pointer(&ws.mem[0]))%cacheLine) / 8
	region := func(at, n int) []E {
		return unsafe.Slice((*E)(unsafe.Pointer(&ws.mem[skip+at])), n)
	}
	packedA = region(0, lenA)
	packedB = region(words(lenA), lenB)
	tile = region(words(lenA)+words(lenB), lenT)
	return packedA, packedB, tile
}
