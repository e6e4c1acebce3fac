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
// patch matrix at all. Otherwise Conv and ConvFilterGrad never build the
// patch matrix: the GEMM's packing reads it straight from the images
// (gemm.GemmPacked with imagePatches and batchPatches, "implicit im2col"),
// which saves a pass over memory and, for ConvFilterGrad, the transposed
// copy. When no tap falls in the padding that packing is a branch-free
// gather through two offset tables (setOffsets). ConvFilterGrad sums over
// the images inside one product whose k runs over every image's output
// positions. ConvTranspose still writes the patch matrices of a chunk of
// images and adds them back with col2im, a run of output positions at a
// time through the same offset tables. Where taps meet the padding, all
// three work on a zero-padded copy of the image (paddedGeometry).
//
// Why the GEMM rather than a scratch-free direct loop: Go does not
// vectorise a direct loop, while the GEMM runs AVX-512 or AVX2 kernels. On
// the LeNet layer of BenchmarkConvLeNet (float32 forward) a plain direct
// loop (an axpy along each output row) took 3.0 ms, im2col and GEMM 0.6 ms.

// convScratchLimit bounds the scratch a ConvTranspose node keeps, in
// elements: the patch matrices of as many images as fit (at least one).
// 2^17 elements (512 KiB in float32) stay in a core's L2 cache between the
// GEMM and col2im; when Conv used the same scratch for im2col, the LeNet
// forward pass took 0.55 ms of CPU with it where 2^20 took 0.66 ms, and a
// node keeps 8 times less memory.
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
	size  int // elements of memory per buffer
	spare chan *scratchBuffer
}

// scratchKept is the number of buffers a node keeps between runs: as many
// programs running it at once allocate nothing in the steady state.
const scratchKept = 4

type scratchBuffer struct {
	f32 convScratch[float32]
	f64 convScratch[float64]
}

// convScratch is what one run of a kernel borrows: memory, and the GEMM
// operands that read patch matrices from the images. The operands live
// here, in memory the stock keeps, so that passing them to the GEMM as
// interfaces allocates nothing.
type convScratch[T graph.Float] struct {
	mem     []T
	offsets []int // tap and position offsets of an unpadded geometry (setOffsets)

	padded   convGeometry // g with its padding made part of the input (paddedGeometry)
	weights  gemm.Matrix[T]
	patches  imagePatches[T]
	taps     batchPatches[T]
	channels batchChannels[T]
}

// newScratchStock returns a stock of buffers of size elements of memory
// (possibly 0) each.
func newScratchStock(size int) *scratchStock {
	return &scratchStock{size: size, spare: make(chan *scratchBuffer, scratchKept)}
}

// patchScratch is the size of the patch matrices of a chunk of images.
func (g *convGeometry) patchScratch() int {
	per := g.patchPerImage()
	return g.chunk(per) * per
}

// transposeScratch is the scratch ConvTranspose needs: the patch matrices
// of a chunk of images, and a padded copy of its output if taps meet the
// padding.
func (g *convGeometry) transposeScratch() int { return g.patchScratch() + g.padScratch() }

func (s *scratchStock) borrow() *scratchBuffer {
	select {
	case b := <-s.spare:
		return b
	default:
		return new(scratchBuffer)
	}
}

func (s *scratchStock) giveBack(b *scratchBuffer) {
	select {
	case s.spare <- b:
	default: // more buffers than the stock keeps: leave it to the collector
	}
}

// f32Scratch and f64Scratch return the buffer's scratch in one dtype, its
// memory made on first use.
func (b *scratchBuffer) f32Scratch(s *scratchStock) *convScratch[float32] {
	grown(&b.f32.mem, s.size)
	return &b.f32
}

func (b *scratchBuffer) f64Scratch(s *scratchStock) *convScratch[float64] {
	grown(&b.f64.mem, s.size)
	return &b.f64
}

// grown returns *buf, replaced by a new slice first if it is shorter than n.
func grown[T any](buf *[]T, n int) []T {
	if len(*buf) < n {
		*buf = make([]T, n)
	}
	return *buf
}

// convForward computes y = Conv(x, w): for each group, a batch of products
// W_g · col(x_n), one per image, whose patch matrices the GEMM packs
// straight from the images (imagePatches).
func convForward[T graph.Float](g *convGeometry, y, x, w []T, s *convScratch[T]) {
	if !g.pointwise() && !g.unpadded() {
		s.padded = g.paddedGeometry()
		xp := s.mem[:g.padScratch()]
		copyPadded(g, &s.padded, xp, x, true)
		g, x = &s.padded, xp
	}
	inP, outP, rows := g.inSize(), g.outSize(), g.colRows()
	cinG, coutG := g.inC/g.groups, g.outC/g.groups
	for grp := range g.groups {
		wg := w[grp*coutG*rows:]
		yg := y[grp*coutG*outP:]
		if g.pointwise() {
			gemm.GemmBatched(false, false, coutG, outP, rows, 1, wg, rows, 0,
				x[grp*cinG*inP:], inP, g.inC*inP, 0, yg, outP, g.outC*outP, g.batch)
			continue
		}
		s.weights = gemm.Matrix[T]{Data: wg, Ld: rows}
		tapOff, posOff := s.setOffsets(g)
		s.patches = imagePatches[T]{rowLen: g.out[2], stride: g.stride[2], x: x[grp*cinG*inP:], imageStride: g.inC * inP, tapOff: tapOff, posOff: posOff}
		gemm.GemmPacked(coutG, outP, rows, 1, &s.weights, &s.patches, 0, yg, outP, g.outC*outP, g.batch)
		s.weights, s.patches = gemm.Matrix[T]{}, imagePatches[T]{} // keep no reference to the user's tensors
	}
}

// convTransposeForward computes x = ConvTranspose(y, w), the adjoint of
// convForward in its input.
func convTransposeForward[T graph.Float](g *convGeometry, x, y, w []T, s *convScratch[T]) {
	col := s.mem[:g.patchScratch()]
	inP, outP, rows := g.inSize(), g.outSize(), g.colRows()
	cinG, coutG := g.inC/g.groups, g.outC/g.groups
	chunk := g.chunk(g.patchPerImage())
	xs, gs := x, g // where col2im adds: x, or a padded copy when taps meet the padding
	var tapOff, rowOff []int
	if len(col) > 0 {
		if !g.unpadded() {
			s.padded = g.paddedGeometry()
			gs, xs = &s.padded, s.mem[len(col):len(col)+g.padScratch()]
		}
		clear(xs) // col2im adds into it
		tapOff, rowOff = s.setRowOffsets(gs)
	}
	imageP := gs.inC * gs.inSize()
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
				col2im(gs, xs[(n0+j)*imageP+grp*cinG*gs.inSize():], col[j*rows*outP:(j+1)*rows*outP], tapOff, rowOff)
			}
		}
	}
	if gs != g {
		copyPadded(g, gs, xs, x, false)
	}
}

// setRowOffsets is setOffsets for col2im: where each row of the patch
// matrix, and each row of output positions (along the last axis), starts
// in an image, for a geometry whose taps never meet the padding.
func (s *convScratch[T]) setRowOffsets(g *convGeometry) (tapOff, rowOff []int) {
	rows, outRows := g.colRows(), g.out[0]*g.out[1]
	offsets := grown(&s.offsets, rows+outRows)
	tapOff, rowOff = offsets[:rows], offsets[rows:rows+outRows]
	g.fillTapOffsets(tapOff)
	H, W := g.in[1], g.in[2]
	for od := range g.out[0] {
		for oh := range g.out[1] {
			rowOff[od*g.out[1]+oh] = (od*g.stride[0]*H + oh*g.stride[1]) * W
		}
	}
	return tapOff, rowOff
}

// col2im adds each entry of one image's patch matrix col into the element
// of the image x (from the group's first channel) it was taken from, the
// adjoint of the packers' gather, a run of output positions at a time.
func col2im[T graph.Float](g *convGeometry, x, col []T, tapOff, rowOff []int) {
	OW, sw := g.out[2], g.stride[2]
	outP := len(rowOff) * OW
	for r, at := range tapOff {
		row := col[r*outP : (r+1)*outP]
		for q, ro := range rowOff {
			run := row[q*OW : (q+1)*OW]
			if sw == 1 {
				dst := x[at+ro : at+ro+OW]
				for i, v := range run {
					dst[i] += v
				}
				continue
			}
			dst := x[at+ro:]
			for i, v := range run {
				dst[i*sw] += v
			}
		}
	}
}

// convFilterGradForward computes dw = ConvFilterGrad(x, dy): for each group,
// dW_g = Σ_images dy_g · col(x)ᵀ as one product whose sum runs over the
// output positions of every image, the GEMM packing dy (batchChannels) and
// the patch matrices (batchPatches) straight from the tensors. The GEMM
// sums in the same order however it splits the work, so the result does
// not depend on the number of cores.
func convFilterGradForward[T graph.Float](g *convGeometry, dw, x, dy []T, s *convScratch[T]) {
	if !g.unpadded() {
		s.padded = g.paddedGeometry()
		xp := s.mem[:g.padScratch()]
		copyPadded(g, &s.padded, xp, x, true)
		g, x = &s.padded, xp
	}
	inP, outP, rows := g.inSize(), g.outSize(), g.colRows()
	cinG, coutG := g.inC/g.groups, g.outC/g.groups
	part := coutG * rows
	for grp := range g.groups {
		s.channels = batchChannels[T]{data: dy, channels: g.outC, size: outP, first: grp * coutG}
		tapOff, posOff := s.setOffsets(g)
		s.taps = batchPatches[T]{outP: outP, x: x[grp*cinG*inP:], imageStride: g.inC * inP, tapOff: tapOff, posOff: posOff}
		gemm.GemmPacked(coutG, rows, g.batch*outP, 1, &s.channels, &s.taps, 0, dw[grp*part:(grp+1)*part], rows, 0, 1)
		s.channels, s.taps = batchChannels[T]{}, batchPatches[T]{}
	}
}

// shortRun is the row of output positions below which imagePatches
// gathers each position through the offset table, two taps at a time,
// rather than copying the row's runs: on the MNIST CNN's second layer
// (rows of 10) the gather took 0.83 times as long as the copies, each a
// call to memmove, on its first (rows of 28) about 1.3 times.
const shortRun = 16

// imagePatches is the patch matrix of one image for a GEMM, item n of the
// batch being image n: x holds the group's first channel of image 0 and
// images lie imageStride apart. Seen as the GEMM's rows × k, its rows are
// the output positions and its k the (input channel, kernel tap) pairs.
type imagePatches[T graph.Float] struct {
	rowLen, stride int // output positions along the last axis, and their stride in the input
	x              []T
	imageStride    int
	tapOff, posOff []int // see setOffsets
}

// Sliver implements gemm.Packer: each (channel, tap) gives runs of
// consecutive output positions along the last axis, which with stride 1
// there are runs of consecutive input elements, copied as such if they
// are at least shortRun long; with a larger stride or shorter runs each
// position is gathered on its own, two taps at a time.
func (p *imagePatches[T]) Sliver(dst []T, item, i0, rows, width, l0, kc int) {
	x := p.x[item*p.imageStride:]
	if p.stride != 1 || p.rowLen < shortRun {
		pos := p.posOff[i0 : i0+rows]
		taps := p.tapOff[l0 : l0+kc]
		l := 0
		for ; l+2 <= kc; l += 2 {
			row0 := dst[l*width : l*width+width]
			row1 := dst[(l+1)*width : (l+1)*width+width]
			gather2(row0[:len(pos)], row1[:len(pos)], x[taps[l]:], x[taps[l+1]:], pos)
			clear(row0[rows:])
			clear(row1[rows:])
		}
		if l < kc {
			row := dst[l*width : l*width+width]
			gather(row[:len(pos)], x[taps[l]:], pos)
			clear(row[rows:])
		}
		return
	}
	// The runs the positions [i0, i0+rows) make, a few at a time.
	var runs [16]struct{ at, off, n int }
	for q := i0; q < i0+rows; {
		count := 0
		for ; count < len(runs) && q < i0+rows; count++ {
			n := min(p.rowLen-q%p.rowLen, i0+rows-q)
			runs[count].at, runs[count].off, runs[count].n = q-i0, p.posOff[q], n
			q += n
		}
		for l, at := range p.tapOff[l0 : l0+kc] {
			row := dst[l*width : l*width+width]
			xt := x[at:]
			for _, r := range runs[:count] {
				copy(row[r.at:r.at+r.n], xt[r.off:r.off+r.n])
			}
		}
	}
	if rows < width {
		for l := range kc {
			clear(dst[l*width+rows : l*width+width])
		}
	}
}

// batchPatches is the transposed patch matrices of every image side by
// side, for a GEMM that sums over the whole batch: seen as rows × k, its
// rows are the (input channel, kernel tap) pairs and its k the (image,
// output position) pairs. x and imageStride are as in imagePatches.
type batchPatches[T graph.Float] struct {
	outP           int // output positions per image
	x              []T
	imageStride    int
	tapOff, posOff []int // see setOffsets
}

// Sliver implements gemm.Packer: each (image, output position) gathers
// the values of a run of (channel, tap) pairs, two positions at a time so
// that each load of a tap's offset serves both, which made it 1.4 times
// as fast; four at a time ran out of registers and was slower again, as
// were stepping the image and position along with l instead of dividing
// for each, and copying runs of consecutive taps as runs.
func (p *batchPatches[T]) Sliver(dst []T, _, i0, rows, width, l0, kc int) {
	outP := p.outP
	taps := p.tapOff[i0 : i0+rows]
	l := 0
	for ; l+2 <= kc; l += 2 {
		n0, q0 := (l0+l)/outP, (l0+l)%outP
		n1, q1 := (l0+l+1)/outP, (l0+l+1)%outP
		row0 := dst[l*width : l*width+width]
		row1 := dst[(l+1)*width : (l+1)*width+width]
		x0 := p.x[n0*p.imageStride+p.posOff[q0]:]
		x1 := p.x[n1*p.imageStride+p.posOff[q1]:]
		gather2(row0[:len(taps)], row1[:len(taps)], x0, x1, taps)
		clear(row0[rows:])
		clear(row1[rows:])
	}
	for ; l < kc; l++ {
		n, q := (l0+l)/outP, (l0+l)%outP
		row := dst[l*width : l*width+width]
		xq := p.x[n*p.imageStride+p.posOff[q]:]
		gather(row[:len(taps)], xq, taps)
		clear(row[rows:])
	}
}

// gather2 sets dst0[i] = x0[offsets[i]] and dst1[i] = x1[offsets[i]],
// each load of an offset serving two gathers. dst0 and dst1 are as long as
// offsets.
func gather2[T graph.Float](dst0, dst1, x0, x1 []T, offsets []int) {
	dst0, dst1 = dst0[:len(offsets)], dst1[:len(offsets)]
	for i, o := range offsets {
		dst0[i] = x0[o]
		dst1[i] = x1[o]
	}
}

// gather sets dst[i] = x[offsets[i]]. dst is as long as offsets, so
// only the read from x needs a bounds check.
func gather[T graph.Float](dst, x []T, offsets []int) {
	dst = dst[:len(offsets)]
	for i, o := range offsets {
		dst[i] = x[o]
	}
}

// batchChannels is an (N, C, size) tensor for a GEMM that sums over the
// batch: seen as rows × k, its rows are channels first, first+1, ... and
// its k the (image, position) pairs.
type batchChannels[T graph.Float] struct {
	data                  []T
	channels, size, first int
}

// Sliver implements gemm.Packer. The six-row slivers of the AVX2 and
// AVX-512 kernels read their channels side by side, writing the sliver in
// order (as gemm's packA6 does); others write a channel at a time, with a
// stride of width.
func (p *batchChannels[T]) Sliver(dst []T, _, i0, rows, width, l0, kc int) {
	if width == 6 {
		p.sliver6(dst, i0, rows, l0, kc)
		return
	}
	for i := range rows {
		ch := p.first + i0 + i
		for l := l0; l < l0+kc; {
			n, q := l/p.size, l%p.size
			src := p.data[(n*p.channels+ch)*p.size+q:]
			src = src[:min(p.size-q, l0+kc-l)]
			to := dst[(l-l0)*width+i:]
			for j, v := range src {
				to[j*width] = v
			}
			l += len(src)
		}
	}
	if rows < width {
		for l := range kc {
			clear(dst[l*width+rows : l*width+width])
		}
	}
}

// sliver6 is Sliver for width 6: for each image, the runs of the six
// channels' positions, written six values at a time. A sliver of fewer
// rows reads its last channel again in their place, and zeros them after.
func (p *batchChannels[T]) sliver6(dst []T, i0, rows, l0, kc int) {
	size := p.size
	var ch [6]int // where each row's channel starts in an image
	for i := range ch {
		ch[i] = min(i, rows-1) * size
	}
	n, q := l0/size, l0%size
	for l := 0; l < kc; n, q = n+1, 0 {
		count := min(size-q, kc-l)
		at := (n*p.channels+p.first+i0)*size + q
		c0 := p.data[at : at+count]
		// Resliced to c0's length, so that c0's index needs no check in the others.
		c1 := p.data[at+ch[1]:][:len(c0)]
		c2 := p.data[at+ch[2]:][:len(c0)]
		c3 := p.data[at+ch[3]:][:len(c0)]
		c4 := p.data[at+ch[4]:][:len(c0)]
		c5 := p.data[at+ch[5]:][:len(c0)]
		to := dst[l*6 : (l+count)*6]
		for j := range c0 {
			d := to[j*6 : j*6+6 : j*6+6]
			d[0], d[1], d[2], d[3], d[4], d[5] = c0[j], c1[j], c2[j], c3[j], c4[j], c5[j]
		}
		l += count
	}
	if rows < 6 {
		for l := range kc {
			d := dst[l*6 : l*6+6]
			for i := rows; i < 6; i++ {
				d[i] = 0
			}
		}
	}
}

// setOffsets returns, for a geometry whose taps never fall in the
// padding (unpadded), where each row of a patch matrix and each output
// position start in an image: the patch matrix entry of row r and
// position q is x[tapOff[r] + posOff[q]], a gather the packers run without
// a branch. The tables live in s, written before the GEMM that reads them.
func (s *convScratch[T]) setOffsets(g *convGeometry) (tapOff, posOff []int) {
	rows, outP := g.colRows(), g.outSize()
	offsets := grown(&s.offsets, rows+outP)
	tapOff, posOff = offsets[:rows], offsets[rows:rows+outP]
	g.fillTapOffsets(tapOff)
	H, W := g.in[1], g.in[2]
	q := 0
	for od := range g.out[0] {
		for oh := range g.out[1] {
			for ow := range g.out[2] {
				posOff[q] = (od*g.stride[0]*H+oh*g.stride[1])*W + ow*g.stride[2]
				q++
			}
		}
	}
	return tapOff, posOff
}

// fillTapOffsets sets tapOff[r] to where row r of a patch matrix starts
// in an image.
func (g *convGeometry) fillTapOffsets(tapOff []int) {
	H, W := g.in[1], g.in[2]
	for r := range tapOff {
		t := g.tapAt(r)
		tapOff[r] = t.c*g.inSize() + (t.kd*g.dilation[0]*H+t.kh*g.dilation[1])*W + t.kw*g.dilation[2]
	}
}

// unpadded reports whether no tap ever falls in the padding.
func (g *convGeometry) unpadded() bool {
	for a := range maxSpatial {
		if lo, _ := g.axisRange(a, 0); lo != 0 {
			return false
		}
		if _, hi := g.axisRange(a, g.kernel[a]-1); hi != g.out[a] {
			return false
		}
	}
	return true
}

// paddedGeometry is g with the padding made part of the input: each
// spatial axis as long as the taps reach, the input's elements at
// pad[a] onwards (those that fit), zeros around them, and no padding.
// Packing the patch matrices of the padded copy is then a gather that
// never tests for the padding, which costs less than the copy.
func (g *convGeometry) paddedGeometry() convGeometry {
	p := *g
	for a := range maxSpatial {
		p.in[a] = (g.out[a]-1)*g.stride[a] + (g.kernel[a]-1)*g.dilation[a] + 1
		p.pad[a] = 0
	}
	return p
}

// padScratch is the scratch Conv and ConvFilterGrad need: a padded copy
// of the input unless no tap meets the padding.
func (g *convGeometry) padScratch() int {
	if g.pointwise() || g.unpadded() {
		return 0
	}
	p := g.paddedGeometry()
	return g.batch * g.inC * p.inSize()
}

// copyPadded copies x, of geometry g, into xp, of the padded geometry p
// (toPadded), zero around it; or back, each element of x from where it is
// in xp, 0 for those past p's end (which no tap reaches).
func copyPadded[T graph.Float](g, p *convGeometry, xp, x []T, toPadded bool) {
	if toPadded {
		clear(xp)
	} else {
		clear(x)
	}
	inP, padP := g.inSize(), p.inSize()
	// Input index i lands at i + pad[a], if that is inside p.
	var hi [maxSpatial]int
	for a := range maxSpatial {
		hi[a] = max(0, min(g.in[a], p.in[a]-g.pad[a]))
	}
	for img := range g.batch * g.inC {
		xi, pi := x[img*inP:(img+1)*inP], xp[img*padP:(img+1)*padP]
		for d := range hi[0] {
			for h := range hi[1] {
				from := (d*g.in[1] + h) * g.in[2]
				to := ((d+g.pad[0])*p.in[1]+h+g.pad[1])*p.in[2] + g.pad[2]
				if toPadded {
					copy(pi[to:to+hi[2]], xi[from:from+hi[2]])
				} else {
					copy(xi[from:from+hi[2]], pi[to:to+hi[2]])
				}
			}
		}
	}
}

// tap is one row of a patch matrix: an input channel of the group and a
// kernel tap.
type tap struct{ c, kd, kh, kw int }

// tapAt returns row r of a patch matrix.
func (g *convGeometry) tapAt(r int) tap {
	kw := r % g.kernel[2]
	r /= g.kernel[2]
	kh := r % g.kernel[1]
	r /= g.kernel[1]
	return tap{c: r / g.kernel[0], kd: r % g.kernel[0], kh: kh, kw: kw}
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
