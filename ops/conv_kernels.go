package ops

import (
	"graft/graph"
	"graft/internal/gemm"
)

// The kernels of Conv, ConvTranspose and ConvFilterGrad: image to columns
// and GEMM.
//
// For one image and one group, the patch matrix ("columns") has a row for
// each (input channel, kernel tap) and a column for each output position:
// col[(c, k), o] = x[c, o·stride - pad + k·dilation], 0 in the padding.
// With W_g the group's weight as a (C_out/groups) × (C_in/groups·taps)
// matrix, the three ops are then products:
//
//	Conv:           y_g  = W_g · col(x)
//	ConvTranspose:  x_g  = col⁻ᵀ(W_gᵀ · y_g)   (col2im adds each column entry back where it came from)
//	ConvFilterGrad: dW_g = Σ_images dy_g · col(x)ᵀ
//
// A 1×1 kernel with stride 1 and no padding has col(x) = x, and needs no
// patch matrix at all. Otherwise the patch matrices of a chunk of images
// are built at once, so that one batched GEMM (which internal/gemm spreads
// over the cores) covers the chunk.
//
// Why scratch rather than a scratch-free direct loop: Go does not
// vectorise a direct loop, while the GEMM runs AVX-512 or AVX2 kernels. On
// the LeNet layer of BenchmarkConvLeNet (float32 forward) a plain direct
// loop (an axpy along each output row) took 3.0 ms, im2col and GEMM 0.6 ms;
// the patch matrix costs one pass over memory that stays in cache.

// convScratchLimit bounds the scratch a node keeps, in elements: the patch
// matrices of as many images as fit (at least one). 2^17 elements (512 KiB
// in float32) stay in a core's L2 cache between im2col and the GEMM's
// packing; on the LeNet benchmark it took 0.55 ms of CPU per forward pass
// where 2^20 took 0.66 ms, and a node keeps 8 times less memory.
const convScratchLimit = 1 << 17

// pointwise reports whether the patch matrix is the input itself: a 1×1
// kernel, stride 1, and as many outputs as inputs (no padding, none after
// either, nor output padding in a transposed convolution).
func (g *convGeometry) pointwise() bool {
	for a := range maxSpatial {
		if g.kernel[a] != 1 || g.stride[a] != 1 || g.pad[a] != 0 || g.in[a] != g.out[a] {
			return false
		}
	}
	return true
}

// colRows is the number of rows of one image's patch matrix for one group.
func (g *convGeometry) colRows() int { return g.inC / g.groups * g.kernelSize() }

// patchPerImage is the size of one image's patch matrix for one group, 0
// when pointwise.
func (g *convGeometry) patchPerImage() int {
	if g.pointwise() {
		return 0
	}
	return g.colRows() * g.outSize()
}

// chunk is the number of images whose scratch, perImage elements each, is
// kept at once: as many as fit in convScratchLimit, at least one.
func (g *convGeometry) chunk(perImage int) int {
	if perImage == 0 {
		return g.batch
	}
	return max(1, min(g.batch, convScratchLimit/perImage))
}

// scratchStock lends scratch buffers to the runs of one node. Runs of the
// same node from different programs may overlap, so a buffer is borrowed
// for the length of one Forward: from the stock if one is there, newly
// made if not (the first runs, or more programs at once than ever before).
// A channel keeps the stock rather than a sync.Pool, which the garbage
// collector empties (refilling it would allocate now and then).
type scratchStock struct {
	size  int // elements per buffer
	spare chan *scratchBuffer
}

// scratchKept is the number of buffers a node keeps between runs: as many
// programs running it at once allocate nothing in the steady state.
const scratchKept = 4

type scratchBuffer struct {
	f32 []float32
	f64 []float64
}

// newScratchStock returns a stock of buffers of size elements, nil if size
// is 0.
func newScratchStock(size int) *scratchStock {
	if size == 0 {
		return nil
	}
	return &scratchStock{size: size, spare: make(chan *scratchBuffer, scratchKept)}
}

// patchScratch is the scratch Conv and ConvTranspose need: the patch
// matrices of a chunk of images.
func (g *convGeometry) patchScratch() int {
	per := g.patchPerImage()
	return g.chunk(per) * per
}

// filterGradPerImage is the scratch ConvFilterGrad needs per image: its
// patch matrix and its part of the gradient.
func (g *convGeometry) filterGradPerImage() int {
	return g.patchPerImage() + g.outC/g.groups*g.colRows()
}

func (g *convGeometry) filterGradScratch() int {
	per := g.filterGradPerImage()
	return g.chunk(per) * per
}

func (s *scratchStock) borrow() *scratchBuffer {
	if s == nil {
		return nil
	}
	select {
	case b := <-s.spare:
		return b
	default:
		return new(scratchBuffer)
	}
}

func (s *scratchStock) giveBack(b *scratchBuffer) {
	if s == nil {
		return
	}
	select {
	case s.spare <- b:
	default: // more buffers than the stock keeps: leave it to the collector
	}
}

// f32Buffer and f64Buffer return the buffer's memory in one dtype, made on
// first use; nil for a nil buffer (no scratch needed).
func (b *scratchBuffer) f32Buffer(s *scratchStock) []float32 {
	if b == nil {
		return nil
	}
	return grown(&b.f32, s.size)
}

func (b *scratchBuffer) f64Buffer(s *scratchStock) []float64 {
	if b == nil {
		return nil
	}
	return grown(&b.f64, s.size)
}

// grown returns *buf, replaced by a new slice first if it is shorter than n.
func grown[T any](buf *[]T, n int) []T {
	if len(*buf) < n {
		*buf = make([]T, n)
	}
	return *buf
}

// convForward computes y = Conv(x, w); col is the scratch (empty when
// pointwise).
func convForward[T graph.Float](g *convGeometry, y, x, w, col []T) {
	inP, outP, rows := g.inSize(), g.outSize(), g.colRows()
	cinG, coutG := g.inC/g.groups, g.outC/g.groups
	chunk := g.chunk(g.patchPerImage())
	for grp := range g.groups {
		wg := w[grp*coutG*rows:]
		for n0 := 0; n0 < g.batch; n0 += chunk {
			count := min(chunk, g.batch-n0)
			b, ldb, strideB := x[(n0*g.inC+grp*cinG)*inP:], inP, g.inC*inP
			if len(col) > 0 {
				for j := range count {
					im2col(g, col[j*rows*outP:(j+1)*rows*outP], x[((n0+j)*g.inC+grp*cinG)*inP:])
				}
				b, ldb, strideB = col, outP, rows*outP
			}
			gemm.GemmBatched(false, false, coutG, outP, rows, 1, wg, rows, 0,
				b, ldb, strideB, 0, y[(n0*g.outC+grp*coutG)*outP:], outP, g.outC*outP, count)
		}
	}
}

// convTransposeForward computes x = ConvTranspose(y, w), the adjoint of
// convForward in its input.
func convTransposeForward[T graph.Float](g *convGeometry, x, y, w, col []T) {
	inP, outP, rows := g.inSize(), g.outSize(), g.colRows()
	cinG, coutG := g.inC/g.groups, g.outC/g.groups
	chunk := g.chunk(g.patchPerImage())
	if len(col) > 0 {
		clear(x) // col2im adds into it
	}
	for grp := range g.groups {
		wg := w[grp*coutG*rows:]
		for n0 := 0; n0 < g.batch; n0 += chunk {
			count := min(chunk, g.batch-n0)
			yg := y[(n0*g.outC+grp*coutG)*outP:]
			if len(col) == 0 {
				gemm.GemmBatched(true, false, rows, outP, coutG, 1, wg, rows, 0,
					yg, outP, g.outC*outP, 0, x[(n0*g.inC+grp*cinG)*inP:], inP, g.inC*inP, count)
				continue
			}
			gemm.GemmBatched(true, false, rows, outP, coutG, 1, wg, rows, 0,
				yg, outP, g.outC*outP, 0, col, outP, rows*outP, count)
			for j := range count {
				col2im(g, x[((n0+j)*g.inC+grp*cinG)*inP:], col[j*rows*outP:(j+1)*rows*outP])
			}
		}
	}
}

// convFilterGradForward computes dw = ConvFilterGrad(x, dy): for each group,
// the sum over images of dy_g · col(x)ᵀ. The products of a chunk of images
// go to one batched GEMM, which spreads them over the cores, each into its
// own part of the scratch; the parts are then added up in image order, so
// the result does not depend on how the GEMM split the work.
func convFilterGradForward[T graph.Float](g *convGeometry, dw, x, dy, scratch []T) {
	inP, outP, rows := g.inSize(), g.outSize(), g.colRows()
	cinG, coutG := g.inC/g.groups, g.outC/g.groups
	chunk := g.chunk(g.filterGradPerImage())
	col, parts := scratch[:chunk*g.patchPerImage()], scratch[chunk*g.patchPerImage():]
	part := coutG * rows
	for grp := range g.groups {
		dwg := dw[grp*part : (grp+1)*part]
		clear(dwg)
		for n0 := 0; n0 < g.batch; n0 += chunk {
			count := min(chunk, g.batch-n0)
			b, strideB := x[(n0*g.inC+grp*cinG)*inP:], g.inC*inP
			if len(col) > 0 {
				for j := range count {
					im2col(g, col[j*rows*outP:(j+1)*rows*outP], x[((n0+j)*g.inC+grp*cinG)*inP:])
				}
				b, strideB = col, rows*outP
			}
			gemm.GemmBatched(false, true, coutG, rows, outP, 1, dy[(n0*g.outC+grp*coutG)*outP:], outP, g.outC*outP,
				b, outP, strideB, 0, parts, rows, part, count)
			for j := range count {
				for i, v := range parts[j*part : (j+1)*part] {
					dwg[i] += v
				}
			}
		}
	}
}

// axisRange returns the output positions [lo, hi) along a stored axis at
// which kernel tap k reads inside the input (not in the padding):
// 0 <= o·stride - pad + k·dilation < in.
func (g *convGeometry) axisRange(a, k int) (lo, hi int) {
	s, shift := g.stride[a], k*g.dilation[a]-g.pad[a] // input index = o·s + shift
	if shift < 0 {
		lo = (-shift + s - 1) / s
	}
	if last := g.in[a] - 1 - shift; last >= 0 {
		hi = last/s + 1
	}
	hi = min(hi, g.out[a])
	lo = min(lo, hi)
	return lo, hi
}

// im2col writes the patch matrix of one image's group of channels (x starts
// at its first channel) into col, a (C_in/groups·taps) × out matrix.
func im2col[T graph.Float](g *convGeometry, col, x []T) { patchRows(g, col, x, true) }

// col2im adds each element of the patch matrix col into the element of x
// it was taken from: the adjoint of im2col.
func col2im[T graph.Float](g *convGeometry, x, col []T) { patchRows(g, col, x, false) }

// patchRows walks the patch matrix row by row and, within a row, each run
// of output positions along the last axis, which meets every stride-th
// input element of a row of x. With gather set it copies those into col
// (im2col) and zeroes the parts of col that fall in the padding; otherwise
// it adds col's run into them (col2im). The two share one loop nest so that
// they stay each other's adjoint.
func patchRows[T graph.Float](g *convGeometry, col, x []T, gather bool) {
	D, H, W := g.in[0], g.in[1], g.in[2]
	OD, OH, OW := g.out[0], g.out[1], g.out[2]
	inP, outP := D*H*W, OD*OH*OW
	sw := g.stride[2]
	r := 0
	for c := range g.inC / g.groups {
		xc := x[c*inP : (c+1)*inP]
		for kd := range g.kernel[0] {
			for kh := range g.kernel[1] {
				for kw := range g.kernel[2] {
					row := col[r*outP : (r+1)*outP]
					r++
					lo, hi := g.axisRange(2, kw)
					q := 0
					for od := range OD {
						id := od*g.stride[0] + kd*g.dilation[0] - g.pad[0]
						for oh := range OH {
							ih := oh*g.stride[1] + kh*g.dilation[1] - g.pad[1]
							dst := row[q : q+OW]
							q += OW
							if id < 0 || id >= D || ih < 0 || ih >= H {
								if gather {
									clear(dst)
								}
								continue
							}
							if lo == hi {
								if gather {
									clear(dst)
								}
								continue
							}
							iw := lo*sw + kw*g.dilation[2] - g.pad[2]
							src := xc[(id*H+ih)*W+iw : (id*H+ih)*W+iw+(hi-lo-1)*sw+1]
							run := dst[lo:hi]
							switch {
							case gather && sw == 1:
								clear(dst[:lo])
								copy(run, src)
								clear(dst[hi:])
							case gather:
								clear(dst[:lo])
								for i := range run {
									run[i] = src[i*sw]
								}
								clear(dst[hi:])
							case sw == 1:
								src = src[:len(run)]
								for i, v := range run {
									src[i] += v
								}
							default:
								for i, v := range run {
									src[i*sw] += v
								}
							}
						}
					}
				}
			}
		}
	}
}
