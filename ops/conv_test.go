package ops_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// convRef is a plain nested-loop convolution over any number of spatial
// axes, written from the definition and sharing nothing with the kernels:
// the reference the op is checked against.
type convRef struct {
	batch, inC, outC, groups  int
	in, kernel, out           []int
	stride, dilation, padLeft []int
}

// newConvRef works out the output sizes of a convolution with the given
// (before, after) padding per axis.
func newConvRef(x, w []int, stride, dilation []int, pads [][2]int, groups int) convRef {
	r := convRef{batch: x[0], inC: x[1], outC: w[0], groups: groups, in: x[2:], kernel: w[2:], stride: stride, dilation: dilation}
	for a := range r.in {
		span := dilation[a]*(r.kernel[a]-1) + 1
		r.out = append(r.out, (r.in[a]+pads[a][0]+pads[a][1]-span)/stride[a]+1)
		r.padLeft = append(r.padLeft, pads[a][0])
	}
	return r
}

func prod(xs []int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}

// unflatten turns a flat row-major index into a multi-index of the given sizes.
func unflatten(i int, sizes []int) []int {
	idx := make([]int, len(sizes))
	for a := len(sizes) - 1; a >= 0; a-- {
		idx[a] = i % sizes[a]
		i /= sizes[a]
	}
	return idx
}

// each calls f for every (image, output channel, input channel of the
// group, output position, tap) whose input position is inside the input,
// with the flat indices of the x, w and y elements that meet.
func (r convRef) each(f func(xi, wi, yi int)) {
	cinG, coutG := r.inC/r.groups, r.outC/r.groups
	inP, outP, kP := prod(r.in), prod(r.out), prod(r.kernel)
	outIdx, tapIdx := make([][]int, outP), make([][]int, kP)
	for o := range outIdx {
		outIdx[o] = unflatten(o, r.out)
	}
	for k := range tapIdx {
		tapIdx[k] = unflatten(k, r.kernel)
	}
	for n := range r.batch {
		for co := range r.outC {
			grp := co / coutG
			for ci := range cinG {
				for o, oi := range outIdx {
				taps:
					for k, ki := range tapIdx {
						pos := 0
						for a := range r.in {
							p := oi[a]*r.stride[a] - r.padLeft[a] + ki[a]*r.dilation[a]
							if p < 0 || p >= r.in[a] {
								continue taps
							}
							pos = pos*r.in[a] + p
						}
						xi := (n*r.inC+grp*cinG+ci)*inP + pos
						wi := (co*cinG+ci)*kP + k
						yi := (n*r.outC+co)*outP + o
						f(xi, wi, yi)
					}
				}
			}
		}
	}
}

func (r convRef) conv(x, w []float64) []float64 {
	y := make([]float64, r.batch*r.outC*prod(r.out))
	r.each(func(xi, wi, yi int) { y[yi] += x[xi] * w[wi] })
	return y
}

func (r convRef) transpose(y, w []float64) []float64 {
	x := make([]float64, r.batch*r.inC*prod(r.in))
	r.each(func(xi, wi, yi int) { x[xi] += y[yi] * w[wi] })
	return x
}

func (r convRef) filterGrad(x, dy []float64) []float64 {
	dw := make([]float64, r.outC*r.inC/r.groups*prod(r.kernel))
	r.each(func(xi, wi, yi int) { dw[wi] += x[xi] * dy[yi] })
	return dw
}

func (r convRef) xShape() []int { return append([]int{r.batch, r.inC}, r.in...) }
func (r convRef) yShape() []int { return append([]int{r.batch, r.outC}, r.out...) }
func (r convRef) wShape() []int {
	return append([]int{r.outC, r.inC / r.groups}, r.kernel...)
}

// randomData returns n values uniform in [-1, 1) from a generator seeded
// with seed.
func randomData(seed uint64, n int) []float64 {
	rng := rand.New(rand.NewPCG(7, seed))
	out := make([]float64, n)
	for i := range out {
		out[i] = 2*rng.Float64() - 1
	}
	return out
}

// convTolerance suits sums of a few hundred products of numbers below 1.
func convTolerance(dt graph.DType) float64 {
	if dt == tensor.Float32 {
		return 2e-5
	}
	return 1e-12
}

// filled returns n copies of v.
func filled(n, v int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// convCase is a convolution whose output and both gradients are checked
// against the nested loops.
type convCase struct {
	name   string
	x, w   []int
	cfg    ops.ConvConfig
	pads   [][2]int // the padding the reference uses
	stride []int    // nil: 1 on every axis
	dil    []int
}

func (c convCase) ref() convRef {
	s := c.stride
	if s == nil {
		s = filled(len(c.x)-2, 1)
	}
	d := c.dil
	if d == nil {
		d = filled(len(c.x)-2, 1)
	}
	pads := c.pads
	if pads == nil {
		pads = make([][2]int, len(c.x)-2)
	}
	return newConvRef(c.x, c.w, s, d, pads, max(1, c.cfg.Groups))
}

func convCases() []convCase {
	return []convCase{
		{name: "1-D", x: []int{2, 2, 7}, w: []int{3, 2, 3}},
		{name: "1-D stride 2 padding 1", x: []int{1, 2, 8}, w: []int{2, 2, 3},
			cfg: ops.ConvConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1)}, pads: [][2]int{{1, 1}}, stride: []int{2}},
		{name: "1-D dilation 3 same", x: []int{1, 1, 9}, w: []int{2, 1, 3},
			cfg: ops.ConvConfig{Dilation: []int{3}, Padding: ops.SamePadding()}, pads: [][2]int{{3, 3}}, dil: []int{3}},
		{name: "2-D", x: []int{2, 3, 5, 5}, w: []int{4, 3, 3, 3}},
		{name: "2-D stride 2 padding (1, 2)", x: []int{1, 2, 6, 7}, w: []int{3, 2, 3, 3},
			cfg: ops.ConvConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1, 2)}, pads: [][2]int{{1, 1}, {2, 2}}, stride: []int{2, 2}},
		{name: "2-D strides (2, 3) dilation (2, 1)", x: []int{1, 2, 9, 8}, w: []int{2, 2, 3, 2},
			cfg: ops.ConvConfig{Stride: []int{2, 3}, Dilation: []int{2, 1}}, stride: []int{2, 3}, dil: []int{2, 1}},
		{name: "2-D same, even kernel pads after", x: []int{1, 2, 4, 5}, w: []int{2, 2, 2, 4},
			cfg: ops.ConvConfig{Padding: ops.SamePadding()}, pads: [][2]int{{0, 1}, {1, 2}}},
		{name: "2-D explicit uneven padding", x: []int{2, 1, 4, 4}, w: []int{2, 1, 3, 3},
			cfg: ops.ConvConfig{Padding: ops.ExplicitPadding([2]int{0, 2}, [2]int{3, 1})}, pads: [][2]int{{0, 2}, {3, 1}}},
		{name: "2-D groups 2", x: []int{2, 4, 5, 5}, w: []int{6, 2, 3, 3}, cfg: ops.ConvConfig{Groups: 2}},
		{name: "2-D depthwise", x: []int{2, 3, 5, 5}, w: []int{3, 1, 3, 3},
			cfg: ops.ConvConfig{Groups: 3, Padding: ops.SymmetricPadding(1)}, pads: [][2]int{{1, 1}, {1, 1}}},
		{name: "2-D depthwise multiplier 2 stride 2", x: []int{1, 2, 6, 6}, w: []int{4, 1, 3, 3},
			cfg: ops.ConvConfig{Groups: 2, Stride: []int{2}}, stride: []int{2, 2}},
		{name: "2-D 1x1", x: []int{2, 3, 3, 4}, w: []int{5, 3, 1, 1}},
		{name: "2-D 1x1 groups 3", x: []int{2, 3, 3, 4}, w: []int{6, 1, 1, 1}, cfg: ops.ConvConfig{Groups: 3}},
		{name: "2-D 1x1 stride 2", x: []int{1, 2, 5, 5}, w: []int{2, 2, 1, 1},
			cfg: ops.ConvConfig{Stride: []int{2}}, stride: []int{2, 2}},
		{name: "2-D 1x1 padded after", x: []int{1, 2, 3, 3}, w: []int{2, 2, 1, 1},
			cfg: ops.ConvConfig{Padding: ops.ExplicitPadding([2]int{0, 2}, [2]int{0, 1})}, pads: [][2]int{{0, 2}, {0, 1}}},
		{name: "2-D kernel as large as the padded input", x: []int{1, 1, 3, 3}, w: []int{1, 1, 5, 5},
			cfg: ops.ConvConfig{Padding: ops.SymmetricPadding(1)}, pads: [][2]int{{1, 1}, {1, 1}}},
		{name: "2-D padding wider than the kernel", x: []int{1, 1, 2, 2}, w: []int{1, 1, 2, 2},
			cfg: ops.ConvConfig{Padding: ops.SymmetricPadding(3)}, pads: [][2]int{{3, 3}, {3, 3}}},
		{name: "3-D stride (1, 2, 1) padding 1", x: []int{1, 2, 3, 5, 4}, w: []int{2, 2, 2, 3, 2},
			cfg: ops.ConvConfig{Stride: []int{1, 2, 1}, Padding: ops.SymmetricPadding(1)}, pads: [][2]int{{1, 1}, {1, 1}, {1, 1}}, stride: []int{1, 2, 1}},
		// 200·256 elements per image's patch matrix: the scratch (2^17
		// elements) holds two images, so the three are done in a chunk of
		// two and one of one.
		{name: "2-D batch larger than the scratch", x: []int{3, 8, 20, 20}, w: []int{2, 8, 5, 5}},
	}
}

func TestConvAndItsGradientsMatchNestedLoops(t *testing.T) {
	for i, c := range convCases() {
		r := c.ref()
		xd, wd := randomData(uint64(3*i), prod(c.x)), randomData(uint64(3*i+1), prod(c.w))
		dyd := randomData(uint64(3*i+2), prod(r.yShape()))
		want := [][]float64{r.conv(xd, wd), r.transpose(dyd, wd), r.filterGrad(xd, dyd)}
		for _, dt := range bothDTypes {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				g := graph.New()
				x, w := g.Input("x", dt, c.x...), g.Input("w", dt, c.w...)
				y := ops.Conv(x, w, c.cfg)
				dy := g.Input("dy", dt, r.yShape()...)
				grads, err := autodiff.Grad(ops.Sum(ops.Mul(y, dy)), x, w)
				if err != nil {
					t.Fatal(err)
				}
				feeds := graph.Feeds{x: graftest.Tensor(dt, xd, c.x...), w: graftest.Tensor(dt, wd, c.w...), dy: graftest.Tensor(dt, dyd, r.yShape()...)}
				got := graftest.Results(t, feeds, y, grads[0], grads[1])
				if !got[0].Shape.Equal(r.yShape()) {
					t.Fatalf("shape %v, want %v", got[0].Shape, graph.Shape(r.yShape()))
				}
				for k := range want {
					graftest.AssertClose(t, "value", got[k].Data, want[k], convTolerance(dt), convTolerance(dt))
				}
			})
		}
	}
}

// convTransposeCase is a transposed convolution checked against the
// nested loops of the convolution it is the adjoint of.
type convTransposeCase struct {
	name   string
	x, w   []int // x (N, C_in, *in), w (C_in, C_out/groups, *kernel)
	cfg    ops.ConvTransposeConfig
	out    []int // the expected spatial output
	stride []int
	dil    []int
	pads   [][2]int
}

func convTransposeCases() []convTransposeCase {
	return []convTransposeCase{
		{name: "1-D", x: []int{2, 2, 4}, w: []int{2, 3, 3}, out: []int{6}},
		{name: "1-D stride 2 output padding 1", x: []int{1, 2, 4}, w: []int{2, 2, 3},
			cfg: ops.ConvTransposeConfig{Stride: []int{2}, OutputPadding: []int{1}}, out: []int{10}, stride: []int{2}},
		{name: "2-D stride 2 padding 1 output padding 1", x: []int{2, 3, 3, 3}, w: []int{3, 2, 3, 3},
			cfg: ops.ConvTransposeConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1), OutputPadding: []int{1}},
			out: []int{6, 6}, stride: []int{2, 2}, pads: [][2]int{{1, 1}, {1, 1}}},
		{name: "2-D groups 2 dilation 2, output padding below the dilation", x: []int{1, 4, 3, 3}, w: []int{4, 1, 2, 2},
			cfg: ops.ConvTransposeConfig{Groups: 2, Dilation: []int{2}, OutputPadding: []int{1}},
			out: []int{6, 6}, dil: []int{2, 2}},
		{name: "2-D uneven padding", x: []int{1, 1, 3, 3}, w: []int{1, 2, 3, 3},
			cfg: ops.ConvTransposeConfig{Stride: []int{2}, Padding: ops.ExplicitPadding([2]int{0, 1}, [2]int{2, 0})},
			out: []int{6, 5}, stride: []int{2, 2}, pads: [][2]int{{0, 1}, {2, 0}}},
		{name: "2-D 1x1 dilation 2 output padding 1", x: []int{2, 2, 3, 3}, w: []int{2, 3, 1, 1},
			cfg: ops.ConvTransposeConfig{Dilation: []int{2}, OutputPadding: []int{1}}, out: []int{4, 4}, dil: []int{2, 2}},
		{name: "2-D 1x1", x: []int{2, 2, 3, 3}, w: []int{2, 3, 1, 1}, out: []int{3, 3}},
		{name: "3-D stride 2", x: []int{1, 2, 2, 2, 3}, w: []int{2, 1, 2, 2, 2},
			cfg: ops.ConvTransposeConfig{Stride: []int{2}}, out: []int{4, 4, 6}, stride: []int{2, 2, 2}},
	}
}

// ref returns the convolution whose adjoint the case is: its input has the
// transposed convolution's output shape.
func (c convTransposeCase) ref() convRef {
	sp := len(c.x) - 2
	groups := max(1, c.cfg.Groups)
	r := convRef{batch: c.x[0], inC: c.w[1] * groups, outC: c.x[1], groups: groups,
		in: c.out, kernel: c.w[2:], out: c.x[2:], stride: c.stride, dilation: c.dil}
	if r.stride == nil {
		r.stride = filled(sp, 1)
	}
	if r.dilation == nil {
		r.dilation = filled(sp, 1)
	}
	r.padLeft = make([]int, sp)
	for a := range c.pads {
		r.padLeft[a] = c.pads[a][0]
	}
	return r
}

func TestConvTransposeAndItsGradientsMatchNestedLoops(t *testing.T) {
	for _, dt := range bothDTypes {
		for i, c := range convTransposeCases() {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				r := c.ref()
				xd, wd := randomData(uint64(3*i+50), prod(c.x)), randomData(uint64(3*i+51), prod(c.w))
				g := graph.New()
				x, w := g.Input("x", dt, c.x...), g.Input("w", dt, c.w...)
				y := ops.ConvTranspose(x, w, c.cfg)
				if err := g.Err(); err != nil {
					t.Fatal(err)
				}
				want := r.xShape()
				if !y.Shape().Equal(want) {
					t.Fatalf("shape %v, want %v", y.Shape(), graph.Shape(want))
				}
				dyd := randomData(uint64(3*i+52), prod(want))
				dy := g.Input("dy", dt, want...)
				grads, err := autodiff.Grad(ops.Sum(ops.Mul(y, dy)), x, w)
				if err != nil {
					t.Fatal(err)
				}
				feeds := graph.Feeds{x: graftest.Tensor(dt, xd, c.x...), w: graftest.Tensor(dt, wd, c.w...), dy: graftest.Tensor(dt, dyd, want...)}
				got := graftest.Results(t, feeds, y, grads[0], grads[1])
				tol := convTolerance(dt)
				graftest.AssertClose(t, "value", got[0].Data, r.transpose(xd, wd), tol, tol)
				graftest.AssertClose(t, "value", got[1].Data, r.conv(dyd, wd), tol, tol)
				graftest.AssertClose(t, "value", got[2].Data, r.filterGrad(dyd, xd), tol, tol)
			})
		}
	}
}

func TestConvOfTinyCasesGivesHandComputedNumbers(t *testing.T) {
	cfg := func(c ops.ConvConfig) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Conv(x[0], x[1], c) }
	}
	tcfg := func(c ops.ConvTransposeConfig) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.ConvTranspose(x[0], x[1], c) }
	}
	x33 := arg(graftest.Integers(9, 1), 1, 1, 3, 3) // 1 2 3 / 4 5 6 / 7 8 9
	w22 := arg([]float64{1, 2, 3, 4}, 1, 1, 2, 2)
	checkOpCases(t, []opCase{
		// 1·1+2·2+4·3+5·4 = 37, 2+6+15+24 = 47, 4+10+21+32 = 67, 5+12+24+36 = 77.
		{"3x3 by 2x2", []inputArg{x33, w22}, cfg(ops.ConvConfig{}), []int{1, 1, 2, 2}, []float64{37, 47, 67, 77}},
		// Padding 1 and stride 2: the top-left window sees only x[0,0] = 1,
		// under w[1,1] = 4; the top-right one x[0,1] and x[0,2] under w[1,0]
		// and w[1,1]: 2·3 + 3·4; the bottom-left x[1,0] and x[2,0] under
		// w[0,1] and w[1,1]: 4·2 + 7·4; the bottom-right the last 2x2 block.
		{"3x3 by 2x2 padding 1 stride 2", []inputArg{x33, w22}, cfg(ops.ConvConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1)}),
			[]int{1, 1, 2, 2}, []float64{4, 2*3 + 3*4, 4*2 + 7*4, 77}},
		// Dilation 2 spreads the kernel over the corners: 1·1+3·2+7·3+9·4 = 64.
		{"3x3 by 2x2 dilation 2", []inputArg{x33, w22}, cfg(ops.ConvConfig{Dilation: []int{2}}), []int{1, 1, 1, 1}, []float64{64}},
		// "same" with a 2x2 kernel pads one row after and one column after:
		// the last column sees x[i,2]·1 + x[i+1,2]·3, the last row
		// x[2,j]·1 + x[2,j+1]·2.
		{"3x3 by 2x2 same", []inputArg{x33, w22}, cfg(ops.ConvConfig{Padding: ops.SamePadding()}), []int{1, 1, 3, 3},
			[]float64{37, 47, 3 + 6*3, 67, 77, 6 + 9*3, 7 + 8*2, 8 + 9*2, 9}},
		// Two groups of one channel each: channel 0 by [1, -1], channel 1 by [2, 0].
		{"1-D groups 2", []inputArg{arg([]float64{1, 2, 4, 10, 20, 40}, 1, 2, 3), arg([]float64{1, -1, 2, 0}, 2, 1, 2)},
			cfg(ops.ConvConfig{Groups: 2}), []int{1, 2, 2}, []float64{-1, -2, 20, 40}},
		// x[i] - x[i+2] with a dilation-2 kernel [1, -1].
		{"1-D dilation 2", []inputArg{arg([]float64{1, 2, 4, 8, 16}, 1, 1, 5), arg([]float64{1, -1}, 1, 1, 2)},
			cfg(ops.ConvConfig{Dilation: []int{2}}), []int{1, 1, 3}, []float64{-3, -6, -12}},
		// Two input channels summed by a 1x1 kernel (3, 10).
		{"1x1 mixes channels", []inputArg{arg([]float64{1, 2, 3, 4}, 1, 2, 2), arg([]float64{3, 10}, 1, 2, 1)},
			cfg(ops.ConvConfig{}), []int{1, 1, 2}, []float64{3 + 30, 6 + 40}},
		// Each input element stamps the 2x2 kernel into its own 2x2 block.
		{"transpose stride 2 stamps the kernel", []inputArg{arg([]float64{1, 2, 3, 4}, 1, 1, 2, 2), arg([]float64{1, 10, 100, 1000}, 1, 1, 2, 2)},
			tcfg(ops.ConvTransposeConfig{Stride: []int{2}}), []int{1, 1, 4, 4},
			[]float64{1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000}},
		// Stride 1: overlapping stamps add up; [1, 2] by [1, 1] gives [1, 3, 2].
		{"transpose 1-D overlaps add", []inputArg{arg([]float64{1, 2}, 1, 1, 2), arg([]float64{1, 1}, 1, 1, 2)},
			tcfg(ops.ConvTransposeConfig{}), []int{1, 1, 3}, []float64{1, 3, 2}},
		// The stamps cover [1, 10, 100+2, 20, 200]; padding 1 crops one
		// position at each end and output padding 1 gives back the last.
		{"transpose 1-D output padding", []inputArg{arg([]float64{1, 2}, 1, 1, 2), arg([]float64{1, 10, 100}, 1, 1, 3)},
			tcfg(ops.ConvTransposeConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1), OutputPadding: []int{1}}), []int{1, 1, 4},
			[]float64{10, 100 + 2, 20, 200}},
	})
}

func TestAddChannelBiasAddsOneValuePerChannel(t *testing.T) {
	checkOpCases(t, []opCase{
		{"(2, 2, 2)", []inputArg{arg(graftest.Integers(8, 0), 2, 2, 2), arg([]float64{10, 100}, 2)},
			binaryBuild(ops.AddChannelBias), []int{2, 2, 2}, []float64{10, 11, 102, 103, 14, 15, 106, 107}},
		{"(1, 3)", []inputArg{arg([]float64{1, 2, 3}, 1, 3), arg([]float64{1, 2, 3}, 3)},
			binaryBuild(ops.AddChannelBias), []int{1, 3}, []float64{2, 4, 6}},
	})
}

// torchConvCase is one configuration in testdata/conv_torch.json, which
// scripts/torch_conv_reference.py wrote with PyTorch: the inputs, the
// output y of conv{1,2,3}d or conv_transpose{1,2,3}d with a bias, and the
// gradients of Σ r ⊙ y.
type torchConvCase struct {
	Name             string
	Op               string
	X, W             []int
	Stride, Dilation []int
	Padding          json.RawMessage // "same" or one value per axis
	OutputPadding    []int           `json:"output_padding"`
	Groups           int
	XData            []float64 `json:"x_data"`
	WData            []float64 `json:"w_data"`
	BData            []float64 `json:"b_data"`
	YShape           []int     `json:"y_shape"`
	Y, R, DX, DW, DB []float64
}

func TestConvMatchesPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/conv_torch.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Cases []torchConvCase }
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) == 0 {
		t.Fatal("testdata/conv_torch.json has no cases")
	}
	for _, dt := range bothDTypes {
		for _, c := range file.Cases {
			t.Run(dt.String()+"/"+c.Name, func(t *testing.T) {
				padding := ops.ValidPadding()
				var pads []int
				if string(c.Padding) == `"same"` {
					padding = ops.SamePadding()
				} else if err := json.Unmarshal(c.Padding, &pads); err != nil {
					t.Fatal(err)
				} else {
					padding = ops.SymmetricPadding(pads...)
				}
				g := graph.New()
				x, w, b := g.Input("x", dt, c.X...), g.Input("w", dt, c.W...), g.Input("b", dt, len(c.BData))
				var y *graph.Node
				if c.Op == "conv" {
					y = ops.Conv(x, w, ops.ConvConfig{Stride: c.Stride, Dilation: c.Dilation, Padding: padding, Groups: c.Groups})
				} else {
					y = ops.ConvTranspose(x, w, ops.ConvTransposeConfig{Stride: c.Stride, Dilation: c.Dilation, Padding: padding,
						OutputPadding: c.OutputPadding, Groups: c.Groups})
				}
				y = ops.AddChannelBias(y, b)
				r := constOf(g, dt, c.R, c.YShape...)
				grads, err := autodiff.Grad(ops.Sum(ops.Mul(y, r)), x, w, b)
				if err != nil {
					t.Fatal(err)
				}
				feeds := graph.Feeds{x: graftest.Tensor(dt, c.XData, c.X...), w: graftest.Tensor(dt, c.WData, c.W...), b: graftest.Tensor(dt, c.BData, len(c.BData))}
				got := graftest.Results(t, feeds, append([]*graph.Node{y}, grads...)...)
				if !got[0].Shape.Equal(c.YShape) {
					t.Fatalf("shape %v, PyTorch's %v", got[0].Shape, graph.Shape(c.YShape))
				}
				tol := convTolerance(dt)
				for i, want := range [][]float64{c.Y, c.DX, c.DW, c.DB} {
					t.Run([]string{"y", "dx", "dw", "db"}[i], func(t *testing.T) { graftest.AssertClose(t, "value", got[i].Data, want, tol, tol) })
				}
			})
		}
	}
}

// convGradCases are the rows of the first- and second-order gradient
// checks, in the shape of gradcheck_test.go's table.
func convGradCases() []gradCase {
	conv := func(cfg ops.ConvConfig) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Conv(x[0], x[1], cfg) }
	}
	transpose := func(cfg ops.ConvTransposeConfig) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.ConvTranspose(x[0], x[1], cfg) }
	}
	// Squaring the output makes dy depend on x and w, so the second-order
	// check reaches every gradient rule of all three ops, also the ones
	// with respect to dy.
	squared := func(f func(x ...*graph.Node) *graph.Node) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Square(f(x...)) }
	}
	u := func(shape ...int) gradArg { return uniform(-1, 1, shape...) }
	return []gradCase{
		{name: "Conv 1-D", args: []gradArg{u(2, 2, 5), u(3, 2, 3)}, build: conv(ops.ConvConfig{})},
		{name: "Conv 1-D stride 2 padding 1", args: []gradArg{u(1, 2, 6), u(2, 2, 3)}, build: conv(ops.ConvConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1)})},
		{name: "Conv 2-D", args: []gradArg{u(1, 2, 4, 4), u(2, 2, 3, 3)}, build: conv(ops.ConvConfig{})},
		{name: "Conv 2-D stride 2", args: []gradArg{u(1, 1, 5, 5), u(2, 1, 3, 3)}, build: conv(ops.ConvConfig{Stride: []int{2}})},
		{name: "Conv 2-D padding (1, 2)", args: []gradArg{u(1, 1, 3, 4), u(2, 1, 3, 3)}, build: conv(ops.ConvConfig{Padding: ops.SymmetricPadding(1, 2)})},
		{name: "Conv 2-D same, even kernel", args: []gradArg{u(1, 1, 4, 4), u(1, 1, 2, 2)}, build: conv(ops.ConvConfig{Padding: ops.SamePadding()})},
		{name: "Conv 2-D dilation 2", args: []gradArg{u(1, 1, 5, 5), u(2, 1, 2, 2)}, build: conv(ops.ConvConfig{Dilation: []int{2}})},
		{name: "Conv 2-D groups 2", args: []gradArg{u(1, 4, 3, 3), u(4, 2, 2, 2)}, build: conv(ops.ConvConfig{Groups: 2})},
		{name: "Conv 2-D depthwise", args: []gradArg{u(2, 3, 3, 3), u(3, 1, 2, 2)}, build: conv(ops.ConvConfig{Groups: 3, Padding: ops.SymmetricPadding(1)})},
		{name: "Conv 2-D 1x1", args: []gradArg{u(2, 3, 2, 2), u(2, 3, 1, 1)}, build: conv(ops.ConvConfig{})},
		{name: "Conv 3-D", args: []gradArg{u(1, 1, 3, 3, 3), u(2, 1, 2, 2, 2)}, build: conv(ops.ConvConfig{Stride: []int{1, 2, 1}, Padding: ops.SymmetricPadding(0, 1, 0)})},
		{name: "Conv 2-D squared, stride 2 dilation 2 groups 2 padding 1", args: []gradArg{u(1, 2, 5, 5), u(2, 1, 2, 2)},
			build: squared(conv(ops.ConvConfig{Stride: []int{2}, Dilation: []int{2}, Groups: 2, Padding: ops.SymmetricPadding(1)}))},
		{name: "ConvTranspose 1-D stride 2 output padding 1", args: []gradArg{u(1, 2, 3), u(2, 2, 3)},
			build: transpose(ops.ConvTransposeConfig{Stride: []int{2}, OutputPadding: []int{1}})},
		{name: "ConvTranspose 2-D stride 2 padding 1", args: []gradArg{u(1, 2, 3, 3), u(2, 1, 3, 3)},
			build: transpose(ops.ConvTransposeConfig{Stride: []int{2}, Padding: ops.SymmetricPadding(1)})},
		{name: "ConvTranspose 2-D groups 2 dilation 2", args: []gradArg{u(1, 2, 2, 2), u(2, 2, 2, 2)},
			build: transpose(ops.ConvTransposeConfig{Groups: 2, Dilation: []int{2}})},
		{name: "ConvTranspose 2-D squared, stride 2", args: []gradArg{u(1, 2, 2, 2), u(2, 1, 2, 2)},
			build: squared(transpose(ops.ConvTransposeConfig{Stride: []int{2}}))},
		{name: "AddChannelBias of Conv 2-D padding 1, under Tanh", args: []gradArg{u(1, 2, 3, 3), u(2, 2, 2, 2), u(2)},
			build: func(x ...*graph.Node) *graph.Node {
				return ops.Tanh(ops.AddChannelBias(ops.Conv(x[0], x[1], ops.ConvConfig{Padding: ops.SymmetricPadding(1)}), x[2]))
			}},
	}
}

func TestHessianVectorProductThroughAConvNetMatchesDifferencesOfItsGradient(t *testing.T) {
	// A two-layer conv net with a nonlinearity: loss(w1, w2) = Σ r ⊙
	// tanh(Conv(tanh(Conv(x, w1)), w2)). H·v is the gradient of ⟨∇loss, v⟩;
	// it is compared with (∇loss(w + εv) - ∇loss(w - εv)) / 2ε.
	g := graph.New()
	x := constOf(g, tensor.Float64, randomData(90, 2*1*6*6), 2, 1, 6, 6)
	w1 := g.Input("w1", tensor.Float64, 3, 1, 3, 3)
	w2 := g.Input("w2", tensor.Float64, 2, 3, 2, 2)
	h := ops.Tanh(ops.Conv(x, w1, ops.ConvConfig{Padding: ops.SymmetricPadding(1)}))
	out := ops.Tanh(ops.Conv(h, w2, ops.ConvConfig{Stride: []int{2}}))
	loss := ops.Sum(ops.Mul(out, constOf(g, tensor.Float64, randomData(91, out.Shape().Size()), out.Shape()...)))
	grads, err := autodiff.Grad(loss, w1, w2)
	if err != nil {
		t.Fatal(err)
	}
	v1, v2 := randomData(92, 27), randomData(93, 24)
	dot := ops.Add(ops.Sum(ops.Mul(grads[0], constOf(g, tensor.Float64, v1, 3, 1, 3, 3))),
		ops.Sum(ops.Mul(grads[1], constOf(g, tensor.Float64, v2, 2, 3, 2, 2))))
	hv, err := autodiff.Grad(dot, w1, w2)
	if err != nil {
		t.Fatal(err)
	}
	w1d, w2d := randomData(94, 27), randomData(95, 24)
	at := func(eps float64) [][]float64 {
		a, b := make([]float64, 27), make([]float64, 24)
		for i := range a {
			a[i] = w1d[i] + eps*v1[i]
		}
		for i := range b {
			b[i] = w2d[i] + eps*v2[i]
		}
		res := graftest.Results(t, graph.Feeds{w1: graftest.Tensor(tensor.Float64, a, 3, 1, 3, 3), w2: graftest.Tensor(tensor.Float64, b, 2, 3, 2, 2)}, grads...)
		return [][]float64{res[0].Data, res[1].Data}
	}
	got := graftest.Results(t, graph.Feeds{w1: graftest.Tensor(tensor.Float64, w1d, 3, 1, 3, 3), w2: graftest.Tensor(tensor.Float64, w2d, 2, 3, 2, 2)}, hv...)
	const eps = 1e-5
	plus, minus := at(eps), at(-eps)
	for k := range 2 {
		want := make([]float64, len(plus[k]))
		for i := range want {
			want[i] = (plus[k][i] - minus[k][i]) / (2 * eps)
		}
		graftest.AssertClose(t, "value", got[k].Data, want, 1e-6, 1e-6)
	}
}

func TestConvGradientsOfEveryOrderAreBuiltFromTheThreeConvOps(t *testing.T) {
	// Conv's gradients are ConvTranspose and ConvFilterGrad, and theirs are
	// the three again: no other op does convolution work at any order.
	g := graph.New()
	x, w := in64(g, "x", 1, 2, 5, 5), in64(g, "w", 2, 2, 3, 3)
	y := ops.Sum(ops.Square(ops.Conv(x, w, ops.ConvConfig{Stride: []int{2}})))
	grads, err := autodiff.Grad(y, x, w)
	if err != nil {
		t.Fatal(err)
	}
	second, err := autodiff.Grad(ops.Add(ops.Sum(ops.Square(grads[0])), ops.Sum(ops.Square(grads[1]))), x, w)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := graph.Compile(second...); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, n := range g.Nodes() {
		if n.Op() != nil && strings.Contains(n.Op().Name(), "Conv") {
			count[n.Op().Name()]++
		}
	}
	for _, name := range []string{"Conv", "ConvTranspose", "ConvFilterGrad"} {
		if count[name] == 0 {
			t.Errorf("no %s node among the gradients: %v", name, count)
		}
		delete(count, name)
	}
	if len(count) != 0 {
		t.Errorf("other convolution ops in the gradients: %v", count)
	}
}

func TestConvRejectsBadInputNamingOpShapesAndLine(t *testing.T) {
	conv := func(xs, ws []int, cfg ops.ConvConfig) func(g *graph.Graph) (*graph.Node, int) {
		return func(g *graph.Graph) (*graph.Node, int) {
			return ops.Conv(in64(g, "x", xs...), in64(g, "w", ws...), cfg), graftest.CallerLine()
		}
	}
	transpose := func(xs, ws []int, cfg ops.ConvTransposeConfig) func(g *graph.Graph) (*graph.Node, int) {
		return func(g *graph.Graph) (*graph.Node, int) {
			return ops.ConvTranspose(in64(g, "x", xs...), in64(g, "w", ws...), cfg), graftest.CallerLine()
		}
	}
	x4, w4 := []int{1, 4, 5, 5}, []int{2, 4, 3, 3}
	cases := []buildErrorCase{
		{"input rank 2", "Conv", []string{"x (1, 4) float64", "1, 2 or 3 spatial axes, got rank 2"}, conv([]int{1, 4}, []int{2, 4}, ops.ConvConfig{})},
		{"input rank 6", "Conv", []string{"1, 2 or 3 spatial axes, got rank 6"}, conv([]int{1, 1, 2, 2, 2, 2}, []int{1, 1, 1, 1, 1, 1}, ops.ConvConfig{})},
		{"weight rank", "Conv", []string{"w (2, 4, 3) float64", "of rank 4 like the input, got rank 3"}, conv(x4, []int{2, 4, 3}, ops.ConvConfig{})},
		{"channel mismatch", "Conv", []string{"x (1, 4, 5, 5) float64", "w (2, 3, 3, 3) float64", "the weight's axis 1 (input channels per group) is 3, want C_in/groups = 4/1 = 4"},
			conv(x4, []int{2, 3, 3, 3}, ops.ConvConfig{})},
		{"input channels not divisible by groups", "Conv", []string{"4 channels are not divisible by groups = 3"}, conv(x4, []int{3, 1, 3, 3}, ops.ConvConfig{Groups: 3})},
		{"output channels not divisible by groups", "Conv", []string{"3 output channels (axis 0) are not divisible by groups = 2"},
			conv(x4, []int{3, 2, 3, 3}, ops.ConvConfig{Groups: 2})},
		{"negative groups", "Conv", []string{"groups = -1 must be at least 1"}, conv(x4, w4, ops.ConvConfig{Groups: -1})},
		{"kernel larger than padded input", "Conv", []string{"w (1, 4, 6, 3) float64", "the kernel spans 6 along spatial axis 0 (size 6, dilation 1), more than the padded input's 5 (5 + padding 0 + 0)"},
			conv(x4, []int{1, 4, 6, 3}, ops.ConvConfig{})},
		{"dilated kernel larger than padded input", "Conv", []string{"spans 7 along spatial axis 1 (size 3, dilation 3), more than the padded input's 6 (5 + padding 1 + 0)"},
			conv(x4, w4, ops.ConvConfig{Dilation: []int{1, 3}, Padding: ops.ExplicitPadding([2]int{0, 0}, [2]int{1, 0})})},
		{"stride 0", "Conv", []string{"stride [0] must be at least 1 on every axis"}, conv(x4, w4, ops.ConvConfig{Stride: []int{0}})},
		{"negative stride", "Conv", []string{"stride [1 -2] must be at least 1"}, conv(x4, w4, ops.ConvConfig{Stride: []int{1, -2}})},
		{"dilation 0", "Conv", []string{"dilation [0 1] must be at least 1"}, conv(x4, w4, ops.ConvConfig{Dilation: []int{0, 1}})},
		{"stride of the wrong length", "Conv", []string{"stride [1 1 1] must have 1 or 2 values"}, conv(x4, w4, ops.ConvConfig{Stride: []int{1, 1, 1}})},
		{"negative padding", "Conv", []string{"padding [[-1 -1]] must not be negative"}, conv(x4, w4, ops.ConvConfig{Padding: ops.SymmetricPadding(-1)})},
		{"padding of the wrong length", "Conv", []string{"must have 1 or 2 (before, after) pairs"}, conv(x4, w4, ops.ConvConfig{Padding: ops.SymmetricPadding(1, 1, 1)})},
		{"same with stride 2", "Conv", []string{`padding "same" needs stride 1 on every axis, as in PyTorch; got stride [2 1]`},
			conv(x4, w4, ops.ConvConfig{Padding: ops.SamePadding(), Stride: []int{2, 1}})},
		{"padding overflows", "Conv", []string{"overflows an int"}, conv(x4, w4, ops.ConvConfig{Padding: ops.ExplicitPadding([2]int{math.MaxInt - 2, 5})})},
		{"dilation overflows", "Conv", []string{"overflows an int"}, conv(x4, w4, ops.ConvConfig{Dilation: []int{math.MaxInt/2 + 1}})},
		{"output too large", "Conv", []string{"more elements than an int can count"},
			conv([]int{1 << 14, 1, 1 << 20}, []int{1 << 30, 1, 1}, ops.ConvConfig{})},
		{"transpose channel mismatch", "ConvTranspose", []string{"x (1, 4, 5, 5) float64", "the weight has 2 input channels (axis 0), the input has 4"},
			transpose(x4, []int{2, 4, 3, 3}, ops.ConvTransposeConfig{})},
		{"transpose groups", "ConvTranspose", []string{"4 channels are not divisible by groups = 3"}, transpose(x4, []int{4, 1, 3, 3}, ops.ConvTransposeConfig{Groups: 3})},
		{"transpose output padding too large", "ConvTranspose",
			[]string{"output padding 2 along spatial axis 0 must be smaller than the stride (2) or the dilation (1)"},
			transpose(x4, []int{4, 1, 3, 3}, ops.ConvTransposeConfig{Stride: []int{2}, OutputPadding: []int{2}})},
		{"transpose negative output padding", "ConvTranspose", []string{"output padding [-1] must be at least 0"},
			transpose(x4, []int{4, 1, 3, 3}, ops.ConvTransposeConfig{OutputPadding: []int{-1}})},
		{"transpose same padding", "ConvTranspose", []string{`padding "same" is not defined for a transposed convolution`},
			transpose(x4, []int{4, 1, 3, 3}, ops.ConvTransposeConfig{Padding: ops.SamePadding()})},
		{"transpose padding overflows", "ConvTranspose", []string{"overflows an int"},
			transpose(x4, []int{4, 1, 3, 3}, ops.ConvTransposeConfig{Padding: ops.ExplicitPadding([2]int{math.MaxInt - 2, 5})})},
		{"transpose padding crops everything", "ConvTranspose", []string{"the output would have size -1 along spatial axis 0"},
			transpose([]int{1, 1, 2, 2}, []int{1, 1, 2, 2}, ops.ConvTransposeConfig{Padding: ops.SymmetricPadding(2)})},
		{"transpose stride 0", "ConvTranspose", []string{"stride [0] must be at least 1"}, transpose(x4, []int{4, 1, 3, 3}, ops.ConvTransposeConfig{Stride: []int{0}})},
		{"dtypes differ", "Conv", []string{"dtypes float64 and float32 differ"}, func(g *graph.Graph) (*graph.Node, int) {
			return ops.Conv(in64(g, "x", x4...), in32(g, "w", w4...), ops.ConvConfig{}), graftest.CallerLine()
		}},
		{"nil weight", "Conv", []string{"input 1 is nil"}, func(g *graph.Graph) (*graph.Node, int) {
			return ops.Conv(in64(g, "x", x4...), nil, ops.ConvConfig{}), graftest.CallerLine()
		}},
		{"bias of the wrong size", "AddChannelBias", []string{"y (1, 4, 5, 5) float64", "b (3,) float64", "the bias must be (4,)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.AddChannelBias(in64(g, "y", x4...), in64(g, "b", 3)), graftest.CallerLine()
			}},
		{"bias of a vector", "AddChannelBias", []string{"y must be (N, C, *spatial), got rank 1"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.AddChannelBias(in64(g, "y", 4), in64(g, "b", 4)), graftest.CallerLine()
			}},
	}
	checkBuildErrors(t, cases)
}

// convLayer is a conv layer of a benchmark: y = Conv(x, w) + b with x
// (batch, inC, size, size) and w (outC, inC, k, k), padded by pad on every
// side, the loss Σ r ⊙ y for a fixed r (so that dy = r costs one
// multiplication), and the loss's gradients with respect to w, b and x.
type convLayer struct{ batch, inC, outC, size, k, pad int }

// lenetLayer is the first layer of a LeNet: 64 images of 28×28, 1 → 8
// channels, a 5×5 kernel.
var lenetLayer = convLayer{batch: 64, inC: 1, outC: 8, size: 28, k: 5}

// mnistSecondLayer is the second conv layer of examples/mnist's CNN (see
// scripts/torch_mnist.py), the one that dominates its epoch: 64 images of
// 14×14 (after the first 2×2 pool), 16 → 32 channels, a 5×5 kernel.
var mnistSecondLayer = convLayer{batch: 64, inC: 16, outC: 32, size: 14, k: 5}

func (l convLayer) build(dt graph.DType) (y *graph.Node, grads []*graph.Node, feeds graph.Feeds) {
	g := graph.New()
	x := g.Input("x", dt, l.batch, l.inC, l.size, l.size)
	w := g.Param("w", graftest.Tensor(dt, randomData(1, l.outC*l.inC*l.k*l.k), l.outC, l.inC, l.k, l.k))
	b := g.Param("b", graftest.Tensor(dt, randomData(2, l.outC), l.outC))
	y = ops.AddChannelBias(ops.Conv(x, w, ops.ConvConfig{Padding: ops.SymmetricPadding(l.pad)}), b)
	out := l.size + 2*l.pad - l.k + 1
	r := constOf(g, dt, randomData(4, l.batch*l.outC*out*out), l.batch, l.outC, out, out)
	grads, err := autodiff.Grad(ops.Sum(ops.Mul(y, r)), w, b, x)
	if err != nil {
		panic(err)
	}
	return y, grads, graph.Feeds{x: graftest.Tensor(dt, randomData(3, l.batch*l.inC*l.size*l.size), l.batch, l.inC, l.size, l.size)}
}

func TestConvRunAllocatesNothingAndRepeatsBitForBit(t *testing.T) {
	for _, dt := range bothDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			// Every op, with every gradient rule and second-order path used:
			// the gradient of a sum of the first gradients.
			g := graph.New()
			x := g.Input("x", dt, 2, 2, 6, 6)
			w := g.Param("w", graftest.Tensor(dt, randomData(5, 4*1*3*3), 4, 1, 3, 3))
			v := g.Param("v", graftest.Tensor(dt, randomData(6, 4*3*2*2), 4, 3, 2, 2))
			h := ops.Conv(x, w, ops.ConvConfig{Groups: 2, Stride: []int{2}, Padding: ops.SymmetricPadding(1)})
			u := ops.ConvTranspose(ops.Square(h), v, ops.ConvTransposeConfig{Stride: []int{2}})
			q := g.Param("q", graftest.Tensor(dt, randomData(8, 3*4), 3, 4, 1, 1))
			p := ops.Conv(x, ops.Reshape(ops.Slice(w, 0, 0, 2), 1, 2, 3, 3), ops.ConvConfig{}) // one group, no padding
			r := ops.Conv(h, q, ops.ConvConfig{})                                              // 1x1: no scratch
			loss := ops.Add(ops.Add(ops.Sum(ops.Square(u)), ops.Sum(ops.Square(p))), ops.Sum(ops.Square(r)))
			grads, err := autodiff.Grad(loss, x, w, v, q)
			if err != nil {
				t.Fatal(err)
			}
			second, err := autodiff.Grad(ops.Add(ops.Add(ops.Sum(ops.Square(grads[1])), ops.Sum(ops.Square(grads[2]))),
				ops.Sum(ops.Square(grads[3]))), x, w, v, q)
			if err != nil {
				t.Fatal(err)
			}
			prog, err := graph.Compile(append(append([]*graph.Node{loss}, grads...), second...)...)
			if err != nil {
				t.Fatal(err)
			}
			feeds := graph.Feeds{x: graftest.Tensor(dt, randomData(7, 2*2*36), 2, 2, 6, 6)}
			first := runBits(t, prog, feeds)
			if allocs := testing.AllocsPerRun(10, func() { _, _ = prog.Run(feeds) }); allocs != 0 {
				t.Errorf("Run allocates %v times per call, want 0", allocs)
			}
			if again := runBits(t, prog, feeds); !slices.Equal(again, first) {
				t.Error("the outputs differ between runs")
			}
		})
	}
}

func TestConvNodesRunFromTwoProgramsAtOnceGiveTheSameNumbers(t *testing.T) {
	// Two programs of one graph share the op values and so their scratch
	// stocks: each run must borrow its own buffer (go test -race checks it).
	g := graph.New()
	x := g.Input("x", tensor.Float32, 4, 2, 12, 12)
	w := g.Param("w", graftest.Tensor(tensor.Float32, randomData(10, 4*2*3*3), 4, 2, 3, 3))
	y := ops.Conv(x, w, ops.ConvConfig{Padding: ops.SymmetricPadding(1)})
	grads, err := autodiff.Grad(ops.Sum(ops.Square(y)), x, w)
	if err != nil {
		t.Fatal(err)
	}
	outputs := append([]*graph.Node{y}, grads...)
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float32, randomData(11, 4*2*144), 4, 2, 12, 12)}
	var progs [2]*graph.Program
	for i := range progs {
		if progs[i], err = graph.Compile(outputs...); err != nil {
			t.Fatal(err)
		}
	}
	want := runBits(t, progs[0], feeds)
	var wg sync.WaitGroup
	var same [2]bool
	for i := range progs {
		wg.Go(func() {
			same[i] = true
			for range 20 {
				outs, err := progs[i].Run(feeds)
				if err != nil {
					same[i] = false
					return
				}
				var bits []uint64
				for _, o := range outs {
					for _, v := range graph.Float64s(o) {
						bits = append(bits, math.Float64bits(v))
					}
				}
				same[i] = same[i] && slices.Equal(bits, want)
			}
		})
	}
	wg.Wait()
	for i, ok := range same {
		if !ok {
			t.Errorf("program %d failed or gave different numbers when run alongside the other", i)
		}
	}
}

// BenchmarkConvLeNet measures the first layer of a LeNet (see lenetLayer):
// the forward pass, the backward pass of a first layer (the gradients with
// respect to w and b), and of an inner layer (with respect to x as well),
// and a training step's forward and backward pass in one program. The
// backward programs compute dy = r and then only the gradients.
func BenchmarkConvLeNet(b *testing.B) { benchmarkConvLayer(b, lenetLayer) }

// BenchmarkConvMNISTSecondLayer measures mnistSecondLayer the same way,
// and its input gradient (ConvTranspose) alone.
func BenchmarkConvMNISTSecondLayer(b *testing.B) { benchmarkConvLayer(b, mnistSecondLayer) }

func benchmarkConvLayer(b *testing.B, l convLayer) {
	for _, dt := range bothDTypes {
		y, grads, feeds := l.build(dt)
		for _, bc := range []struct {
			name    string
			outputs []*graph.Node
		}{
			{"forward", []*graph.Node{y}},
			{"backward dw db", grads[:2]},
			{"backward dx", grads[2:]},
			{"backward dw db dx", grads},
			{"forward and backward dw db", []*graph.Node{y, grads[0], grads[1]}},
			{"forward and backward dw db dx", []*graph.Node{y, grads[0], grads[1], grads[2]}},
		} {
			b.Run(dt.String()+"/"+bc.name, func(b *testing.B) {
				prog, err := graph.Compile(bc.outputs...)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := prog.Run(feeds); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
