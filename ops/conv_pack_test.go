package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"graft/graph"
)

// This file checks the patch packers and col2im of conv_kernels.go
// against the plain loops they replaced (kept below as refImageSliver,
// refBatchPatchesSliver, refBatchChannelsSliver and refCol2im): packing
// only moves values and col2im must add in the same order, so the two
// must agree bit for bit on every geometry and every sliver the GEMM may
// ask for, ragged edges included.

// packerGeometries are convolutions of every kind the packers specialise
// or do not: 1-D, 2-D and 3-D, strides, dilations, padding, groups, and
// the MNIST CNN's two layers.
var packerGeometries = []struct {
	x, w graph.Shape
	cfg  ConvConfig
}{
	{graph.Shape{2, 1, 28, 28}, graph.Shape{16, 1, 5, 5}, ConvConfig{Padding: SymmetricPadding(2)}},
	{graph.Shape{2, 3, 14, 14}, graph.Shape{8, 3, 5, 5}, ConvConfig{}},
	{graph.Shape{2, 3, 9, 11}, graph.Shape{4, 3, 3, 3}, ConvConfig{Padding: SymmetricPadding(1)}},
	{graph.Shape{3, 2, 9, 11}, graph.Shape{4, 2, 3, 3}, ConvConfig{}},
	{graph.Shape{2, 4, 9, 10}, graph.Shape{6, 2, 3, 3}, ConvConfig{Groups: 2, Padding: SymmetricPadding(1)}},
	{graph.Shape{2, 2, 11, 12}, graph.Shape{3, 2, 3, 2}, ConvConfig{Stride: []int{2}}},
	{graph.Shape{2, 2, 11, 12}, graph.Shape{3, 2, 3, 3}, ConvConfig{Stride: []int{1, 2}, Padding: SymmetricPadding(1)}},
	{graph.Shape{2, 2, 11, 12}, graph.Shape{3, 2, 3, 3}, ConvConfig{Dilation: []int{2}}},
	{graph.Shape{2, 2, 13, 12}, graph.Shape{3, 2, 3, 3}, ConvConfig{Dilation: []int{2, 3}, Stride: []int{2, 1}, Padding: SymmetricPadding(2)}},
	{graph.Shape{2, 3, 8, 8}, graph.Shape{2, 3, 1, 1}, ConvConfig{Stride: []int{2}}},
	{graph.Shape{2, 3, 8, 8}, graph.Shape{2, 3, 1, 1}, ConvConfig{Padding: SymmetricPadding(1)}},
	{graph.Shape{2, 3, 8, 8}, graph.Shape{2, 3, 1, 4}, ConvConfig{}},
	{graph.Shape{2, 3, 8, 8}, graph.Shape{2, 3, 4, 1}, ConvConfig{}},
	{graph.Shape{3, 2, 30}, graph.Shape{4, 2, 5}, ConvConfig{Padding: SymmetricPadding(2)}},
	{graph.Shape{3, 2, 30}, graph.Shape{4, 2, 3}, ConvConfig{Stride: []int{3}}},
	{graph.Shape{3, 4, 30}, graph.Shape{4, 1, 3}, ConvConfig{Groups: 4, Dilation: []int{2}}},
	{graph.Shape{2, 2, 5, 6, 7}, graph.Shape{7, 2, 3, 3, 3}, ConvConfig{}},
	{graph.Shape{2, 2, 5, 6, 7}, graph.Shape{3, 2, 2, 3, 3}, ConvConfig{Padding: SymmetricPadding(1), Stride: []int{1, 1, 2}}},
	{graph.Shape{2, 4, 5, 6, 7}, graph.Shape{4, 2, 3, 3, 3}, ConvConfig{Groups: 2, Dilation: []int{1, 2, 1}}},
}

// packerSlivers returns the (i0, rows, width, l0, kc) of slivers of an
// operand of m rows and k columns: full and ragged widths, depths and
// edges.
func packerSlivers(m, k int) [][5]int {
	var out [][5]int
	for _, width := range []int{1, 4, 6, 8, 16, 64} {
		for _, depth := range []int{1, 7, 256} {
			for i0 := 0; i0 < m; i0 += width {
				rows := min(width, m-i0)
				for l0 := 0; l0 < k; l0 += depth {
					out = append(out, [5]int{i0, rows, width, l0, min(depth, k-l0)})
				}
			}
		}
	}
	// Starts that are no multiple of the width, as the GEMM never asks
	// but the contract allows.
	out = append(out, [5]int{min(3, m-1), min(5, m-min(3, m-1)), 8, min(2, k-1), min(9, k-min(2, k-1))})
	return out
}

func TestPackersMatchTheirPlainLoops(t *testing.T) {
	t.Run("float32", func(t *testing.T) { checkPackers[float32](t) })
	t.Run("float64", func(t *testing.T) { checkPackers[float64](t) })
}

func checkPackers[T graph.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range packerGeometries {
		g0, err := convGeometryOf(c.x, c.w, c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("x%v w%v %+v", c.x, c.w, c.cfg)
		g := &g0
		if !g.unpadded() {
			p := g.paddedGeometry()
			g = &p
		}
		x := make([]T, g.batch*g.inC*g.inSize())
		for i := range x {
			x[i] = T(i + 1) // distinct: a value in the wrong place shows
		}
		dy := make([]T, g.batch*g.outC*g.outSize())
		for i := range dy {
			dy[i] = T(-i - 1)
		}
		var s convScratch[T]
		inP, outP, rows := g.inSize(), g.outSize(), g.colRows()
		cinG, coutG := g.inC/g.groups, g.outC/g.groups
		for grp := range g.groups {
			tapOff, posOff := s.setOffsets(g)
			image := &imagePatches[T]{rowLen: g.out[2], stride: g.stride[2], x: x[grp*cinG*inP:], imageStride: g.inC * inP, tapOff: tapOff, posOff: posOff}
			batch := &batchPatches[T]{outP: outP, x: x[grp*cinG*inP:], imageStride: g.inC * inP, tapOff: tapOff, posOff: posOff}
			channels := &batchChannels[T]{data: dy, channels: g.outC, size: outP, first: grp * coutG}
			for item := range g.batch {
				compareSlivers(t, name+" imagePatches", outP, rows, item, image.Sliver,
					func(dst []T, item, i0, rows, width, l0, kc int) {
						refImageSliver(image, dst, item, i0, rows, width, l0, kc)
					})
			}
			compareSlivers(t, name+" batchPatches", rows, g.batch*outP, 0, batch.Sliver,
				func(dst []T, item, i0, rows, width, l0, kc int) {
					refBatchPatchesSliver(batch, dst, item, i0, rows, width, l0, kc)
				})
			compareSlivers(t, name+" batchChannels", coutG, g.batch*outP, 0, channels.Sliver,
				func(dst []T, item, i0, rows, width, l0, kc int) {
					refBatchChannelsSliver(channels, dst, item, i0, rows, width, l0, kc)
				})
		}
		// col2im, as ConvTranspose runs it: onto random values, so that
		// additions in another order would round differently.
		tapOff, rowOff := s.setRowOffsets(g)
		col := make([]T, rows*outP)
		for i := range col {
			col[i] = T(rng.NormFloat64())
		}
		got := make([]T, cinG*inP)
		for i := range got {
			got[i] = T(rng.NormFloat64())
		}
		want := append([]T(nil), got...)
		col2im(g, got, col, tapOff, rowOff)
		refCol2im(g, want, col, tapOff, rowOff)
		if i := firstBitDifference(got, want); i >= 0 {
			t.Errorf("%s col2im: element %d is %v, want %v", name, i, got[i], want[i])
		}
	}
}

type sliverFunc[T graph.Float] func(dst []T, item, i0, rows, width, l0, kc int)

// compareSlivers packs every sliver of packerSlivers(m, k) with both
// functions, into buffers filled with NaN first, and compares the bits.
func compareSlivers[T graph.Float](t *testing.T, name string, m, k, item int, got, want sliverFunc[T]) {
	t.Helper()
	for _, sl := range packerSlivers(m, k) {
		i0, rows, width, l0, kc := sl[0], sl[1], sl[2], sl[3], sl[4]
		a, b := make([]T, width*kc+3), make([]T, width*kc+3)
		for i := range a {
			a[i], b[i] = T(math.NaN()), T(math.NaN())
		}
		got(a, item, i0, rows, width, l0, kc)
		want(b, item, i0, rows, width, l0, kc)
		if i := firstBitDifference(a, b); i >= 0 {
			t.Fatalf("%s item %d sliver (i0 %d, rows %d, width %d, l0 %d, kc %d): entry %d is %v, want %v",
				name, item, i0, rows, width, l0, kc, i, a[i], b[i])
		}
	}
}

// firstBitDifference returns the first index where a and b differ in
// their bits, -1 if none.
func firstBitDifference[T graph.Float](a, b []T) int {
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			return i
		}
	}
	return -1
}

// The packers and col2im as they were before they were specialised, the
// reference the new ones must match.

func refCol2im[T graph.Float](g *convGeometry, x, col []T, tapOff, rowOff []int) {
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

func refImageSliver[T graph.Float](p *imagePatches[T], dst []T, item, i0, rows, width, l0, kc int) {
	x := p.x[item*p.imageStride:]
	if p.stride != 1 {
		pos := p.posOff[i0 : i0+rows]
		for l, at := range p.tapOff[l0 : l0+kc] {
			row := dst[l*width : l*width+width]
			xt := x[at:]
			for i, o := range pos {
				row[i] = xt[o]
			}
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

func refBatchPatchesSliver[T graph.Float](p *batchPatches[T], dst []T, _, i0, rows, width, l0, kc int) {
	outP := p.outP
	taps := p.tapOff[i0 : i0+rows]
	for l := range kc {
		n, q := (l0+l)/outP, (l0+l)%outP
		row := dst[l*width : l*width+width]
		xq := p.x[n*p.imageStride+p.posOff[q]:]
		for i, o := range taps {
			row[i] = xq[o]
		}
		clear(row[rows:])
	}
}

func refBatchChannelsSliver[T graph.Float](p *batchChannels[T], dst []T, _, i0, rows, width, l0, kc int) {
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

// BenchmarkConvPackers times each packer and col2im against its plain
// loop on the MNIST CNN's two conv layers (batch 64, float32), packing
// the slivers the AVX-512 GEMM asks for: width 64 for B, 6 for A, depth
// 256.
func BenchmarkConvPackers(b *testing.B) {
	layers := []struct {
		name string
		x, w graph.Shape
		cfg  ConvConfig
	}{
		{"first", graph.Shape{64, 1, 28, 28}, graph.Shape{16, 1, 5, 5}, ConvConfig{Padding: SymmetricPadding(2)}},
		{"second", graph.Shape{64, 16, 14, 14}, graph.Shape{32, 16, 5, 5}, ConvConfig{}},
	}
	for _, ly := range layers {
		g0, err := convGeometryOf(ly.x, ly.w, ly.cfg)
		if err != nil {
			b.Fatal(err)
		}
		g := &g0
		if !g.unpadded() {
			p := g.paddedGeometry()
			g = &p
		}
		x := make([]float32, g.batch*g.inC*g.inSize())
		dy := make([]float32, g.batch*g.outC*g.outSize())
		var s convScratch[float32]
		outP, rows := g.outSize(), g.colRows()
		tapOff, posOff := s.setOffsets(g)
		image := &imagePatches[float32]{rowLen: g.out[2], stride: g.stride[2], x: x, imageStride: g.inC * g.inSize(), tapOff: tapOff, posOff: posOff}
		batch := &batchPatches[float32]{outP: outP, x: x, imageStride: g.inC * g.inSize(), tapOff: tapOff, posOff: posOff}
		channels := &batchChannels[float32]{data: dy, channels: g.outC, size: outP}
		dst := make([]float32, 64*256)
		// all packs every sliver of an m × k operand, item by item.
		all := func(b *testing.B, m, k, items, width int, f sliverFunc[float32]) {
			for b.Loop() {
				for item := range items {
					for l0 := 0; l0 < k; l0 += 256 {
						for i0 := 0; i0 < m; i0 += width {
							f(dst, item, i0, min(width, m-i0), width, l0, min(256, k-l0))
						}
					}
				}
			}
		}
		b.Run(ly.name+"/imagePatches/new", func(b *testing.B) { all(b, outP, rows, g.batch, 64, image.Sliver) })
		b.Run(ly.name+"/imagePatches/plain", func(b *testing.B) {
			all(b, outP, rows, g.batch, 64, func(dst []float32, item, i0, rows, width, l0, kc int) {
				refImageSliver(image, dst, item, i0, rows, width, l0, kc)
			})
		})
		b.Run(ly.name+"/batchPatches/new", func(b *testing.B) { all(b, rows, g.batch*outP, 1, 64, batch.Sliver) })
		b.Run(ly.name+"/batchPatches/plain", func(b *testing.B) {
			all(b, rows, g.batch*outP, 1, 64, func(dst []float32, item, i0, rows, width, l0, kc int) {
				refBatchPatchesSliver(batch, dst, item, i0, rows, width, l0, kc)
			})
		})
		b.Run(ly.name+"/batchChannels/new", func(b *testing.B) { all(b, g.outC, g.batch*outP, 1, 6, channels.Sliver) })
		b.Run(ly.name+"/batchChannels/plain", func(b *testing.B) {
			all(b, g.outC, g.batch*outP, 1, 6, func(dst []float32, item, i0, rows, width, l0, kc int) {
				refBatchChannelsSliver(channels, dst, item, i0, rows, width, l0, kc)
			})
		})
		tapRows, rowOff := s.setRowOffsets(g)
		col := make([]float32, rows*outP)
		img := make([]float32, g.inC*g.inSize())
		b.Run(ly.name+"/col2im/new", func(b *testing.B) {
			for b.Loop() {
				col2im(g, img, col, tapRows, rowOff)
			}
		})
		b.Run(ly.name+"/col2im/plain", func(b *testing.B) {
			for b.Loop() {
				refCol2im(g, img, col, tapRows, rowOff)
			}
		})
	}
}
