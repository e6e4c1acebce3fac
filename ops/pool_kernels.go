package ops

import (
	"fmt"

	"graft/graph"
)

// poolPlan is the index plan of a pooling op, worked out once by Infer so
// that the kernels only read tables. The input is a stack of planes (one per
// (n, c) pair); every plane is pooled the same way. A window is the product
// of a set of rows (its valid positions along every spatial axis but the
// last, as offsets into the plane) and a run along the last axis (a first
// position, a count and a step, the last axis' dilation). Only positions
// inside the input are listed: padding is never read.
//
// Rows depend only on the window's position along the outer spatial axes and
// runs only on its position along the last, so the plan holds
// O(out_outer · kernel_outer + out_last) ints, not one list per window, and
// serves any number of spatial axes. AvgPool adds one divisor per window of a
// plane.
type poolPlan struct {
	outShape          graph.Shape
	planes            int // N·C
	inPlane, outPlane int // elements per plane of the input and the output
	lastOut           int // windows along the last spatial axis

	rowStart  []int // rowOffset[rowStart[r]:rowStart[r+1]] are the rows of outer window position r
	rowOffset []int // plane offsets of window rows, in row-major window order
	colFirst  []int // per window along the last axis: its first position inside the input
	colCount  []int // and how many of its positions are inside the input
	colStep   int
	// Windows fullLo .. fullHi-1 along the last axis have all colKernel
	// of their positions inside the input (the windows between the
	// padded edges), which the unrolled kernels rely on.
	colKernel, fullLo, fullHi int

	divisor []float64 // AvgPool: per window of a plane, the number its sum is divided by
}

// axisWindows are the windows along one spatial axis of size l with kernel
// k, stride s, padding p and dilation d: for window o, the first position
// inside the input, the number of positions inside the input, and the size
// PyTorch divides by when it counts padding (the window clipped to the padded
// axis).
type axisWindows struct {
	first, count, extent []int
}

func newAxisWindows(l, o, k, s, p, d int) axisWindows {
	w := axisWindows{first: make([]int, o), count: make([]int, o), extent: make([]int, o)}
	for i := range o {
		start := i*s - p
		j0 := 0
		if start < 0 {
			j0 = (-start + d - 1) / d
		}
		j1 := k - 1
		if start+(k-1)*d > l-1 {
			j1 = poolFloorDiv(l-1-start, d)
		}
		w.first[i] = start + j0*d
		w.count[i] = max(0, j1-j0+1)
		w.extent[i] = min(start+k, l+p) - start
	}
	return w
}

// maxPoolPlanRows bounds the rows of a plan, unless the output is larger
// still (its buffer will be as large), so that an absurd configuration is a
// build error rather than an out-of-memory crash.
const maxPoolPlanRows = 1 << 24

// newPoolPlan builds the plan for pooling x (N, C, spatial...) into out with
// windows w, and the divisors when avg is set: the window's extent within the
// padded input, or with w.excludePad its number of input elements.
func newPoolPlan(x, out graph.Shape, w poolWindows, avg bool) (poolPlan, error) {
	spatial := len(x) - 2
	p := poolPlan{outShape: out, planes: x[0] * x[1], inPlane: 1, outPlane: 1}
	axes := make([]axisWindows, spatial)
	for a := range axes {
		axes[a] = newAxisWindows(x[a+2], out[a+2], w.kernel[a], w.stride[a], w.padding[a], w.dilation[a])
		p.inPlane *= x[a+2]
		p.outPlane *= out[a+2]
	}
	rowsBound, limit := 1, max(maxPoolPlanRows, out.Size())
	for a := 0; a < spatial-1; a++ {
		for _, n := range []int{out[a+2], w.kernel[a]} {
			if !poolMulFits(rowsBound, n) || rowsBound*n > limit {
				return p, fmt.Errorf("the window plan would need more than %d rows: the windows are too many or too large", limit)
			}
			rowsBound *= n
		}
	}
	div := func(aw axisWindows, o int) float64 {
		if !w.excludePad {
			return float64(aw.extent[o])
		}
		return float64(aw.count[o])
	}

	// Rows: start from one window with the single row 0 and refine it by
	// each outer axis in turn, outer axes first, so that both the windows
	// and the rows within a window come out in row-major order.
	strides := x[2:].Strides()
	rows := [][]int{{0}}
	rowDiv := []float64{1}
	for a := 0; a < spatial-1; a++ {
		aw := axes[a]
		var next [][]int
		var nextDiv []float64
		for r, prev := range rows {
			for o := range aw.first {
				var refined []int
				for _, off := range prev {
					for j := range aw.count[o] {
						refined = append(refined, off+(aw.first[o]+j*w.dilation[a])*strides[a])
					}
				}
				next = append(next, refined)
				nextDiv = append(nextDiv, rowDiv[r]*div(aw, o))
			}
		}
		rows, rowDiv = next, nextDiv
	}
	p.rowStart = make([]int, 0, len(rows)+1)
	for _, r := range rows {
		p.rowStart = append(p.rowStart, len(p.rowOffset))
		p.rowOffset = append(p.rowOffset, r...)
	}
	p.rowStart = append(p.rowStart, len(p.rowOffset))

	last := axes[spatial-1]
	p.lastOut = out[len(out)-1]
	p.colFirst, p.colCount, p.colStep = last.first, last.count, w.dilation[spatial-1]
	p.colKernel = w.kernel[spatial-1]
	p.fullLo = 0
	for p.fullLo < p.lastOut && p.colCount[p.fullLo] != p.colKernel {
		p.fullLo++
	}
	p.fullHi = p.fullLo
	for p.fullHi < p.lastOut && p.colCount[p.fullHi] == p.colKernel {
		p.fullHi++
	}
	if !avg {
		return p, nil
	}
	p.divisor = make([]float64, 0, p.outPlane)
	for r := range rows {
		for o := range p.lastOut {
			p.divisor = append(p.divisor, rowDiv[r]*div(last, o))
		}
	}
	return p, nil
}

// windowArgmax returns the plane offset of the largest element of the window
// with the given rows and run, or -1 if the window holds no input element.
// Like PyTorch's CPU kernel it keeps the first of tied maxima (only a
// strictly larger value replaces the running one) and lets every NaN replace
// it, so a window with NaNs gives its last NaN. (A window holding only -Inf
// gives its first element.)
//
// It tracks the first maximum and the last NaN apart, which is the same
// thing written without branches: each step is a comparison and two
// conditional moves, where the branch of "if v > m" would be a coin toss on
// real data. maxPoolIndicesKernel's unrolled 2x2 and 3x3 windows follow the
// same rule and call it for a window that holds a NaN.
func windowArgmax[T graph.Float](xp []T, rows []int, first, count, step int) int {
	if len(rows) == 0 || count == 0 {
		return -1
	}
	best, nan := rows[0]+first, -1
	m := xp[best]
	for _, r := range rows {
		at := r + first
		if step == 1 {
			for j, v := range xp[at : at+count] {
				if v > m {
					best = at + j
				}
				if v != v {
					nan = at + j
				}
				m = max(m, v) // a NaN here stops later updates of best, which nan overrides
			}
			continue
		}
		for range count {
			v := xp[at]
			if v > m {
				best = at
			}
			if v != v {
				nan = at
			}
			m = max(m, v)
			at += step
		}
	}
	if nan >= 0 {
		return nan
	}
	return best
}

// The kernels below each spell out the walk over planes, outer window
// positions and windows along the last axis, rather than share it through a
// callback: a call per window would cost as much as a small window's work.

// maxPoolIndicesKernel writes, for every window, the flat index into x of
// its maximum (windowArgmax's choice), or -1 for a window with no input
// element. Windows of 2x2 and 3x3 adjacent elements, the pools of nearly
// every CNN and the inner windows of a padded 3x3 one, take unrolled loops
// without calls; the others go through windowArgmax.
func maxPoolIndicesKernel[T graph.Float](p *poolPlan, idx []int64, x []T) {
	unrolled := p.colStep == 1 && (p.colKernel == 2 || p.colKernel == 3)
	for c := range p.planes {
		xp := x[c*p.inPlane : (c+1)*p.inPlane]
		base := int64(c * p.inPlane)
		out := idx[c*p.outPlane : (c+1)*p.outPlane]
		q := 0
		for r := 0; r+1 < len(p.rowStart); r++ {
			rows := p.rowOffset[p.rowStart[r]:p.rowStart[r+1]]
			row := out[q : q+p.lastOut]
			q += p.lastOut
			lo, hi := 0, 0 // the windows left to the unrolled loops
			if unrolled && len(rows) == p.colKernel {
				lo, hi = p.fullLo, p.fullHi
			}
			for o := range lo {
				row[o] = planeIndex(base, windowArgmax(xp, rows, p.colFirst[o], p.colCount[o], p.colStep))
			}
			for o := hi; o < len(row); o++ {
				row[o] = planeIndex(base, windowArgmax(xp, rows, p.colFirst[o], p.colCount[o], p.colStep))
			}
			if lo == hi {
				continue
			}
			inner, first := row[lo:hi], p.colFirst[lo:hi]
			var nan bool
			if len(rows) == 2 {
				nan = argmax2x2(inner, xp, rows[0], rows[1], first, base)
			} else {
				nan = argmax3x3(inner, xp, rows[0], rows[1], rows[2], first, base)
			}
			if nan { // rare: find the windows' last NaNs
				for o, f := range first {
					inner[o] = base + int64(windowArgmax(xp, rows, f, p.colKernel, 1))
				}
			}
		}
	}
}

// planeIndex turns a plane offset (or -1) into an index into x.
func planeIndex(base int64, at int) int64 {
	if at < 0 {
		return -1
	}
	return base + int64(at)
}

// argmax2x2 writes the argmax of the 2x2 windows with the given first
// columns in rows r0 and r1 of the plane xp, and reports whether a window
// held a NaN, where it may have written a wrong index.
//
// Without NaNs, windowArgmax's choice, the first of the largest elements in
// row-major order, is a tournament: each row's first maximum (a strictly
// larger second element wins), then the bottom row's winner only if it is
// strictly larger than the top row's. Each comparison is a conditional move
// of an index. The sum of all the row's elements is NaN if one is (or if
// +Inf and -Inf meet: the caller then recomputes the row exactly), one add
// per window where a test per window would be a compare and two flags.
func argmax2x2[T graph.Float](out []int64, xp []T, r0, r1 int, first []int, base int64) bool {
	if len(first) == 0 {
		return false
	}
	// The windows step by a constant stride (they are the windows clear of
	// the padding), so each row of them is one slice the loop walks with
	// bounds it can prove.
	stride := 1
	if len(first) > 1 {
		stride = first[1] - first[0]
	}
	f0 := first[0]
	top := xp[r0+f0 : r0+f0+stride*(len(first)-1)+2]
	bottom := xp[r1+f0:]
	bottom = bottom[:len(top)]
	o := 0
	var sum T // NaN if an element is, checked once for the row
	for k := 0; k+1 < len(top); k += stride {
		v0, v1, v2, v3 := top[k], top[k+1], bottom[k], bottom[k+1]
		i, j := k+right(v1 > v0), k+right(v3 > v2)
		at := r0 + f0 + i
		if bottom[j] > top[i] {
			at = r1 + f0 + j
		}
		sum += (v0 + v1) + (v2 + v3)
		out[o] = base + int64(at)
		o++
	}
	return sum != sum
}

// right is 1 if a row's next element takes over, written so that the
// compiler makes a flag of it (SETcc), not a branch: on real data the
// comparison is a coin toss.
func right(next bool) int {
	d := 0
	if next {
		d = 1
	}
	return d
}

// argmax3x3 is argmax2x2 for 3x3 windows in rows r0, r1 and r2.
func argmax3x3[T graph.Float](out []int64, xp []T, r0, r1, r2 int, first []int, base int64) bool {
	var sum T
	for o, f := range first {
		a, b, c := rowArgmax3(xp, r0+f), rowArgmax3(xp, r1+f), rowArgmax3(xp, r2+f)
		a += right(xp[b] > xp[a]) * (b - a)
		a += right(xp[c] > xp[a]) * (c - a)
		row0, row1, row2 := xp[r0+f:r0+f+3], xp[r1+f:r1+f+3], xp[r2+f:r2+f+3]
		sum += (row0[0] + row0[1] + row0[2]) + (row1[0] + row1[1] + row1[2]) + (row2[0] + row2[1] + row2[2])
		out[o] = base + int64(a)
	}
	return sum != sum
}

// rowArgmax3 is the offset of the first maximum of xp[at:at+3], NaNs aside:
// the middle element if it is larger than the first, then the last if it
// is larger than that winner, selected by arithmetic rather than branches.
func rowArgmax3[T graph.Float](xp []T, at int) int {
	run := xp[at : at+3]
	d := right(run[1] > run[0])
	return at + d + right(run[2] > run[d])*(2-d)
}

// maxPoolGatherKernel reads g at every index, or gives empty for -1.
func maxPoolGatherKernel[T graph.Float](out, g []T, idx []int64, empty T) {
	for q, at := range idx {
		if at >= 0 {
			out[q] = g[at]
		} else {
			out[q] = empty
		}
	}
}

// maxPoolScatterKernel adds every element of dy to dx at its index, in
// order, so that the sums are the same bits whatever the windows.
func maxPoolScatterKernel[T graph.Float](dx, dy []T, idx []int64) {
	clear(dx)
	for q, at := range idx {
		if at >= 0 {
			dx[at] += dy[q]
		}
	}
}

// avgPoolKernel sums every window and divides by its divisor, as PyTorch
// does (a division, not a multiplication by the reciprocal).
func avgPoolKernel[T graph.Float](p *poolPlan, y, x []T) {
	for c := range p.planes {
		xp := x[c*p.inPlane : (c+1)*p.inPlane]
		yp := y[c*p.outPlane : (c+1)*p.outPlane]
		q := 0
		for r := 0; r+1 < len(p.rowStart); r++ {
			rows := p.rowOffset[p.rowStart[r]:p.rowStart[r+1]]
			for o := range p.lastOut {
				var s T
				first, count := p.colFirst[o], p.colCount[o]
				for _, row := range rows {
					for _, v := range xp[row+first : row+first+count] {
						s += v
					}
				}
				yp[q] = s / T(p.divisor[q])
				q++
			}
		}
	}
}

// avgPoolTransposeKernel adds dy of every window, divided by its divisor, to
// every input element of the window.
func avgPoolTransposeKernel[T graph.Float](p *poolPlan, dx, dy []T) {
	clear(dx)
	for c := range p.planes {
		dxp := dx[c*p.inPlane : (c+1)*p.inPlane]
		dyp := dy[c*p.outPlane : (c+1)*p.outPlane]
		q := 0
		for r := 0; r+1 < len(p.rowStart); r++ {
			rows := p.rowOffset[p.rowStart[r]:p.rowStart[r+1]]
			for o := range p.lastOut {
				share := dyp[q] / T(p.divisor[q])
				first, count := p.colFirst[o], p.colCount[o]
				for _, row := range rows {
					run := dxp[row+first : row+first+count]
					for i := range run {
						run[i] += share
					}
				}
				q++
			}
		}
	}
}
