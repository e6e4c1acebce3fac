package ops

import "graft/graph"

// stridedPlan walks an iteration space in row-major order for several
// operands at once, each with its own element strides (0 along an axis it is
// broadcast over). Adjacent axes that every operand walks contiguously are
// merged, so a plain same-shape loop becomes one run and a bias add becomes
// one run per row. Kernels loop over runs: the inner axis, whose stride for
// each operand is innerStride[k].
type stridedPlan struct {
	outerDims    []int   // sizes of the axes outside the inner run, outermost first
	outerStrides [][]int // per operand, the stride of each outer axis
	inner        int     // length of one run
	innerStride  []int   // per operand, its stride along the run (0 or more)
	runs         int     // number of runs
}

// newStridedPlan builds a plan over dims for operands with the given strides
// (one stride per axis of dims for each operand).
func newStridedPlan(dims []int, strides ...[]int) stridedPlan {
	// Drop axes of size 1, then merge an axis into the next when every
	// operand steps over it as if the two were one axis.
	var ds []int
	ss := make([][]int, len(strides))
	for d, n := range dims {
		if n == 1 {
			continue
		}
		if len(ds) > 0 && mergeable(ss, strides, d, n) {
			ds[len(ds)-1] *= n
			for k := range strides {
				ss[k][len(ss[k])-1] = strides[k][d]
			}
			continue
		}
		ds = append(ds, n)
		for k := range strides {
			ss[k] = append(ss[k], strides[k][d])
		}
	}
	if len(ds) == 0 { // a scalar, or all axes of size 1
		ds = []int{1}
		for k := range ss {
			ss[k] = []int{0}
		}
	}
	last := len(ds) - 1
	p := stridedPlan{outerDims: ds[:last], inner: ds[last], runs: 1}
	for _, n := range p.outerDims {
		p.runs *= n
	}
	for k := range ss {
		p.outerStrides = append(p.outerStrides, ss[k][:last])
		p.innerStride = append(p.innerStride, ss[k][last])
	}
	return p
}

// mergeable reports whether axis d (of size n) can fold into the last merged
// axis: for every operand the outer stride equals the inner stride times n.
func mergeable(merged [][]int, strides [][]int, d, n int) bool {
	for k := range strides {
		prev := merged[k][len(merged[k])-1]
		if prev != strides[k][d]*n {
			return false
		}
	}
	return true
}

// offset returns operand k's element offset at the start of run r.
func (p *stridedPlan) offset(k, r int) int {
	st := p.outerStrides[k]
	switch len(p.outerDims) { // most plans have at most one outer axis
	case 0:
		return 0
	case 1:
		return r * st[0]
	}
	off := 0
	for d := len(p.outerDims) - 1; d >= 0 && r > 0; d-- {
		n := p.outerDims[d]
		off += (r % n) * st[d]
		r /= n
	}
	return off
}

// broadcastStrides returns the strides with which a tensor of shape from is
// read when broadcast to shape to (0 along stretched or missing axes).
func broadcastStrides(from, to graph.Shape) []int {
	st := make([]int, len(to))
	own := from.Strides()
	lead := len(to) - len(from)
	for d := range to {
		if d >= lead && from[d-lead] != 1 {
			st[d] = own[d-lead]
		}
	}
	return st
}

// stridedCopy copies src to dst along plan p, whose operand 0 is dst and
// operand 1 is src, starting at the given offsets.
func stridedCopy[T graph.Float](p *stridedPlan, dst []T, dstOff int, src []T, srcOff int) {
	sd, ss := p.innerStride[0], p.innerStride[1]
	for r := 0; r < p.runs; r++ {
		d := dstOff + p.offset(0, r)
		s := srcOff + p.offset(1, r)
		if sd == 1 && ss == 1 {
			copy(dst[d:d+p.inner], src[s:s+p.inner])
			continue
		}
		for i := 0; i < p.inner; i++ {
			dst[d] = src[s]
			d += sd
			s += ss
		}
	}
}
