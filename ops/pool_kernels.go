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
// it, so a window with NaNs gives its last NaN.
//
// It tracks the first maximum and the last NaN apart, which is the same
// thing written without branches: each step is a comparison and two
// conditional moves, where the branch of "if v > m" would be a coin toss on
// real data.
func windowArgmax[T graph.Float](xp []T, rows []int, first, count, step int) int {
	if len(rows) == 0 || count == 0 {
		return -1
	}
	best, nan := rows[0]+first, -1
	m := xp[best]
	if len(rows) == 2 && count == 2 && step == 1 {
		// The 2x2 window of nearly every CNN, unrolled. A NaN first
		// element needs no test: nothing compares larger than it, so
		// best stays at it unless a later NaN takes over.
		a, b := rows[0]+first, rows[1]+first
		v1, v2, v3 := xp[a+1], xp[b], xp[b+1]
		if v1 > m {
			best = a + 1
		}
		if v1 != v1 {
			nan = a + 1
		}
		m = max(m, v1)
		if v2 > m {
			best = b
		}
		if v2 != v2 {
			nan = b
		}
		m = max(m, v2)
		if v3 > m {
			best = b + 1
		}
		if v3 != v3 {
			nan = b + 1
		}
		if nan >= 0 {
			return nan
		}
		return best
	}
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

// The kernels below each spell out the same walk over planes, outer window
// positions and windows along the last axis, rather than share it through a
// callback: a call per window would cost as much as a small window's work.

// maxPoolGatherKernel reads g, a tensor of x's shape, at every window's
// maximum in x, or gives empty for a window with no input element. With g = x
// and empty = -Inf it is MaxPool's forward pass; with empty = 0 (no element,
// no gradient) it is MaxPoolGather.
func maxPoolGatherKernel[T graph.Float](p *poolPlan, out, x, g []T, empty T) {
	for c := range p.planes {
		xp := x[c*p.inPlane : (c+1)*p.inPlane]
		gp := g[c*p.inPlane : (c+1)*p.inPlane]
		op := out[c*p.outPlane : (c+1)*p.outPlane]
		q := 0
		for r := 0; r+1 < len(p.rowStart); r++ {
			rows := p.rowOffset[p.rowStart[r]:p.rowStart[r+1]]
			for o := range p.lastOut {
				if at := windowArgmax(xp, rows, p.colFirst[o], p.colCount[o], p.colStep); at >= 0 {
					op[q] = gp[at]
				} else {
					op[q] = empty
				}
				q++
			}
		}
	}
}

// maxPoolScatterKernel adds dy of every window to dx at the window's maximum
// in x.
func maxPoolScatterKernel[T graph.Float](p *poolPlan, dx, x, dy []T) {
	clear(dx)
	for c := range p.planes {
		xp := x[c*p.inPlane : (c+1)*p.inPlane]
		dxp := dx[c*p.inPlane : (c+1)*p.inPlane]
		dyp := dy[c*p.outPlane : (c+1)*p.outPlane]
		q := 0
		for r := 0; r+1 < len(p.rowStart); r++ {
			rows := p.rowOffset[p.rowStart[r]:p.rowStart[r+1]]
			for o := range p.lastOut {
				if at := windowArgmax(xp, rows, p.colFirst[o], p.colCount[o], p.colStep); at >= 0 {
					dxp[at] += dyp[q]
				}
				q++
			}
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
