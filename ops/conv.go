package ops

import (
	"errors"
	"fmt"

	"graft/graph"
)

// Convolution in PyTorch's layout: the input is (N, C_in, *spatial), the
// weight (C_out, C_in/groups, *kernel) and the output (N, C_out,
// *out_spatial), over 1, 2 or 3 spatial axes. graft keeps PyTorch's
// channels-first layout so that weights move between the two without a
// transpose (a checkpoint's (C_out, C_in, kH, kW) array is a graft weight as
// it is).
//
// Three ops close over each other. Conv(x, w) is linear in x and in w; its
// gradient with respect to x is the transposed convolution of dy with w
// (ConvTranspose), and with respect to w the correlation of x with dy
// (ConvFilterGrad). Each of the three is bilinear, and the gradients of each
// are again the three, all sharing one geometry, so derivatives of any order
// are built from them.
//
// The kernels are in conv_kernels.go.

// ConvConfig holds the options of Conv. Its zero value is PyTorch's
// default: stride 1, dilation 1, no padding, one group.
//
// Stride and Dilation give one value per spatial axis, or one value for
// every axis (as PyTorch takes an int or a tuple); nil means 1.
type ConvConfig struct {
	Stride   []int
	Dilation []int
	Padding  Padding
	Groups   int // the channels are split into Groups independent convolutions; 0 means 1
}

// ConvTransposeConfig holds the options of ConvTranspose. Its zero value is
// PyTorch's default: stride 1, dilation 1, no padding, no output padding,
// one group.
//
// Stride, Dilation and OutputPadding give one value per spatial axis, or one
// value for every axis; nil means 1 for Stride and Dilation, 0 for
// OutputPadding. Padding is that of the convolution being transposed: it
// removes positions from the ends of each spatial axis of the output, as
// PyTorch's padding does here. OutputPadding adds positions at the end
// (right, bottom) of each spatial axis of the output; as in PyTorch, each
// must be smaller than the axis's stride or its dilation.
type ConvTransposeConfig struct {
	Stride        []int
	Dilation      []int
	Padding       Padding
	OutputPadding []int
	Groups        int // 0 means 1
}

// Padding says how many zeros surround a convolution's input on each side
// of each spatial axis. The zero value is ValidPadding: none.
type Padding struct {
	same  bool
	pairs [][2]int // (before, after) for each axis, or one pair for every axis
}

// ValidPadding is no padding: PyTorch's padding="valid" or padding=0.
func ValidPadding() Padding { return Padding{} }

// SamePadding pads so that the output has the input's spatial size, as
// PyTorch's padding="same": along each axis the total is dilation·(k-1)
// zeros, half before and half after, with the odd one after (on the right
// or bottom). As in PyTorch it needs stride 1, and ConvTranspose refuses it.
func SamePadding() Padding { return Padding{same: true} }

// SymmetricPadding puts p[i] zeros on both sides of spatial axis i, as
// PyTorch's padding=(pH, pW); a single value pads every axis, as
// padding=p does.
func SymmetricPadding(p ...int) Padding {
	pairs := make([][2]int, len(p))
	for i, v := range p {
		pairs[i] = [2]int{v, v}
	}
	return Padding{pairs: pairs}
}

// ExplicitPadding puts pairs[i][0] zeros before and pairs[i][1] zeros after
// spatial axis i, in the order of the axes (depth, height, width); a single
// pair pads every axis. PyTorch's conv layers cannot pad unevenly; the same
// numbers there are F.pad(x, (left, right, top, bottom)) followed by a conv
// with padding 0 (note F.pad lists the last axis first).
func ExplicitPadding(pairs ...[2]int) Padding {
	return Padding{pairs: append([][2]int(nil), pairs...)}
}

// String prints the padding as errors show it: "same", "valid" or the
// (before, after) pairs.
func (p Padding) String() string {
	switch {
	case p.same:
		return "same"
	case len(p.pairs) == 0:
		return "valid"
	}
	return fmt.Sprint(p.pairs)
}

// Conv returns the convolution of x (N, C_in, *spatial) with the weight w
// (C_out, C_in/groups, *kernel), of shape (N, C_out, *out_spatial), over 1,
// 2 or 3 spatial axes (the rank of x says which). Along each spatial axis
//
//	out = (in + pad_before + pad_after - dilation·(kernel-1) - 1) / stride + 1
//
// rounded down, and out[o] = Σ_k w[k]·in[o·stride - pad_before + k·dilation]
// summed over the channels of the group, the padding being zeros. Like
// every deep-learning library, and unlike the textbook definition, the
// kernel is not flipped (it is a cross-correlation).
//
// It is torch.nn.functional.conv1d, conv2d or conv3d(x, w, None, stride,
// padding, dilation, groups); add a bias with AddChannelBias. With Groups
// equal to C_in (and C_out a multiple of it) it is a depthwise convolution.
// Only zero padding is offered (PyTorch's padding_mode="zeros").
//
// A mistake (ranks, channels not divisible by the groups, a kernel wider
// than the padded input, a stride or dilation below 1, negative padding, an
// output too large for an int) is a build error that Compile reports.
//
// Memory: the kernels multiply each image's matrix of patches (im2col)
// with the weight in internal/gemm, whose packing reads the patches
// straight from the image, so Conv and the filter-gradient op keep no
// buffer of patches; ConvTranspose keeps one (the patch matrices of as many
// images as fit in 2^17 elements, at least one). Each node keeps its
// scratch in a small stock: the first runs fill it and later runs reuse
// it, so a steady-state Run allocates nothing. Programs compiled from one
// graph that run the node at the same time each borrow scratch of their
// own, so that is safe, and up to four at once allocate nothing either.
func Conv(x, w *graph.Node, cfg ConvConfig) *graph.Node {
	op := &convOp{}
	op.resolve = func(x, w graph.Shape) (convGeometry, error) { return convGeometryOf(x, w, cfg) }
	return graph.Apply(op, x, w)
}

// ConvTranspose returns the transposed convolution of x (N, C_in, *spatial)
// with the weight w (C_in, C_out/groups, *kernel), of shape (N, C_out,
// *out_spatial), over 1, 2 or 3 spatial axes. Along each spatial axis
//
//	out = (in-1)·stride - pad_before - pad_after + dilation·(kernel-1) + output_padding + 1
//
// and each input element x[i] adds x[i]·w[k] to out[i·stride - pad_before +
// k·dilation] (positions outside the output are dropped). It is the
// gradient of Conv with respect to its input, with the weight in the same
// layout: ConvTranspose(dy, w) with Conv's w and options gives Conv's input
// gradient, OutputPadding giving back the input positions that a strided
// Conv's rounding down left out.
//
// It is torch.nn.functional.conv_transpose1d, 2d or 3d(x, w, None, stride,
// padding, output_padding, groups, dilation) (mind PyTorch's argument order:
// dilation comes last); add a bias with AddChannelBias. ExplicitPadding also
// accepts uneven pairs, which PyTorch does not: they crop pad_before
// positions at the start of an axis and pad_after at the end. SamePadding
// is refused, as in PyTorch.
//
// Its kernels and their scratch memory are described in conv_kernels.go.
func ConvTranspose(x, w *graph.Node, cfg ConvTransposeConfig) *graph.Node {
	op := &convTransposeOp{}
	op.resolve = func(x, w graph.Shape) (convGeometry, error) { return convTransposeGeometryOf(x, w, cfg) }
	return graph.Apply(op, x, w)
}

// AddChannelBias adds b[c] to every element of channel c of y, where y is
// (N, C, *spatial) and b is (C,): the bias of a convolution, as PyTorch's
// conv layers add it. It is Add(y, Reshape(b, 1, C, 1, ...)), so it
// broadcasts and differentiates as Add does.
func AddChannelBias(y, b *graph.Node) *graph.Node {
	if y == nil || b == nil {
		return graph.Reject("AddChannelBias", nil, y, b)
	}
	ys, bs := y.Shape(), b.Shape()
	if len(ys) < 2 {
		return graph.Reject("AddChannelBias", fmt.Errorf("y must be (N, C, *spatial), got rank %d", len(ys)), y, b)
	}
	if len(bs) != 1 || bs[0] != ys[1] {
		return graph.Reject("AddChannelBias", fmt.Errorf("the bias must be (%d,), one value for each channel of y's axis 1", ys[1]), y, b)
	}
	shape := make([]int, len(ys))
	for i := range shape {
		shape[i] = 1
	}
	shape[1] = ys[1]
	return Add(y, Reshape(b, shape...))
}

// convGeometry is everything the three convolution ops share, for the
// convolution x (N, inC, *in) ⋆ w (outC, inC/groups, *kernel) = y (N, outC,
// *out). Spatial axes are stored as three, the unused leading ones of a 1-D
// or 2-D convolution having size 1, so that one loop nest serves all.
type convGeometry struct {
	batch, inC, outC, groups int
	spatial                  int    // 1, 2 or 3: the spatial axes the user's tensors have
	in, out, kernel          [3]int // 1 on unused axes
	stride, dilation         [3]int // 1 on unused axes
	pad                      [3]int // zeros before each axis; the zeros after only fix out
}

// maxSpatial is the number of spatial axes a convolution may have.
const maxSpatial = 3

func (g *convGeometry) shape(a, b int, spatial [3]int) graph.Shape {
	return append(graph.Shape{a, b}, spatial[maxSpatial-g.spatial:]...)
}

func (g *convGeometry) xShape() graph.Shape { return g.shape(g.batch, g.inC, g.in) }
func (g *convGeometry) yShape() graph.Shape { return g.shape(g.batch, g.outC, g.out) }
func (g *convGeometry) wShape() graph.Shape { return g.shape(g.outC, g.inC/g.groups, g.kernel) }

// convGeometryOf works out Conv's geometry from its operands and options.
func convGeometryOf(x, w graph.Shape, cfg ConvConfig) (convGeometry, error) {
	g, err := commonGeometry(x, w, cfg.Groups, "input", "C_out, C_in/groups")
	if err != nil {
		return g, err
	}
	g.inC, g.outC = x[1], w[0]
	if g.inC%g.groups != 0 {
		return g, fmt.Errorf("the input's %d channels are not divisible by groups = %d", g.inC, g.groups)
	}
	if g.outC%g.groups != 0 {
		return g, fmt.Errorf("the weight's %d output channels (axis 0) are not divisible by groups = %d", g.outC, g.groups)
	}
	if w[1] != g.inC/g.groups {
		return g, fmt.Errorf("the weight's axis 1 (input channels per group) is %d, want C_in/groups = %d/%d = %d",
			w[1], g.inC, g.groups, g.inC/g.groups)
	}
	if err := g.setOptions(cfg.Stride, cfg.Dilation); err != nil {
		return g, err
	}
	before, after, err := padsOf(cfg.Padding, &g)
	if err != nil {
		return g, err
	}
	for a := maxSpatial - g.spatial; a < maxSpatial; a++ {
		span, ok1 := mulAdd(g.dilation[a], g.kernel[a]-1, 1)
		padded, ok2 := mulAdd(1, g.in[a], before[a])
		padded, ok3 := mulAdd(1, padded, after[a])
		if !ok1 || !ok2 || !ok3 {
			return g, fmt.Errorf("spatial axis %d: the kernel's span or the padded input overflows an int", a-(maxSpatial-g.spatial))
		}
		if span > padded {
			return g, fmt.Errorf("the kernel spans %d along spatial axis %d (size %d, dilation %d), more than the padded input's %d (%d + padding %d + %d)",
				span, a-(maxSpatial-g.spatial), g.kernel[a], g.dilation[a], padded, g.in[a], before[a], after[a])
		}
		g.out[a] = (padded-span)/g.stride[a] + 1
		g.pad[a] = before[a]
	}
	return g, g.checkSizes()
}

// convTransposeGeometryOf works out ConvTranspose's geometry: that of the
// Conv whose input gradient it is, so x is that Conv's output and the
// ConvTranspose's output is its input.
func convTransposeGeometryOf(x, w graph.Shape, cfg ConvTransposeConfig) (convGeometry, error) {
	g, err := commonGeometry(x, w, cfg.Groups, "input", "C_in, C_out/groups")
	if err != nil {
		return g, err
	}
	g.outC = x[1]
	if w[0] != g.outC {
		return g, fmt.Errorf("the weight has %d input channels (axis 0), the input has %d", w[0], g.outC)
	}
	if g.outC%g.groups != 0 {
		return g, fmt.Errorf("the input's %d channels are not divisible by groups = %d", g.outC, g.groups)
	}
	var ok bool
	if g.inC, ok = mulAdd(w[1], g.groups, 0); !ok {
		return g, errors.New("the output's channel count overflows an int")
	}
	if err := g.setOptions(cfg.Stride, cfg.Dilation); err != nil {
		return g, err
	}
	if cfg.Padding.same {
		return g, errors.New(`padding "same" is not defined for a transposed convolution (PyTorch refuses it too)`)
	}
	before, after, err := padsOf(cfg.Padding, &g)
	if err != nil {
		return g, err
	}
	outPad, err := perAxis("output padding", cfg.OutputPadding, g.spatial, 0, 0)
	if err != nil {
		return g, err
	}
	for a := maxSpatial - g.spatial; a < maxSpatial; a++ {
		axis := a - (maxSpatial - g.spatial)
		if outPad[a] >= g.stride[a] && outPad[a] >= g.dilation[a] {
			return g, fmt.Errorf("output padding %d along spatial axis %d must be smaller than the stride (%d) or the dilation (%d)",
				outPad[a], axis, g.stride[a], g.dilation[a])
		}
		// The transposed convolution's input is the convolution's output.
		g.out[a] = g.in[a]
		size, ok1 := mulAdd(g.out[a]-1, g.stride[a], outPad[a]+1)
		span, ok2 := mulAdd(g.dilation[a], g.kernel[a]-1, 0)
		size, ok3 := mulAdd(1, size, span)
		crop, ok4 := mulAdd(1, before[a], after[a])
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return g, fmt.Errorf("the output's size along spatial axis %d overflows an int", axis)
		}
		size -= crop
		if size < 1 {
			return g, fmt.Errorf("the output would have size %d along spatial axis %d: (%d-1)·stride %d + dilation %d·(kernel %d-1) + output padding %d + 1 - padding %d - %d",
				size, axis, g.out[a], g.stride[a], g.dilation[a], g.kernel[a], outPad[a], before[a], after[a])
		}
		g.in[a] = size
		g.pad[a] = before[a]
	}
	return g, g.checkSizes()
}

// commonGeometry checks the ranks and groups of a convolution's operands
// and fills in the batch, groups and the spatial sizes of x and w. wLayout
// names the weight's first two axes in errors.
func commonGeometry(x, w graph.Shape, groups int, xName, wLayout string) (convGeometry, error) {
	g := convGeometry{groups: groups}
	if len(x) < 3 || len(x) > 2+maxSpatial {
		return g, fmt.Errorf("the %s must be (N, C, *spatial) with 1, 2 or 3 spatial axes, got rank %d", xName, len(x))
	}
	if len(w) != len(x) {
		return g, fmt.Errorf("the weight must be (%s, *kernel), of rank %d like the %s, got rank %d", wLayout, len(x), xName, len(w))
	}
	if g.groups == 0 {
		g.groups = 1
	}
	if g.groups < 0 {
		return g, fmt.Errorf("groups = %d must be at least 1", groups)
	}
	g.batch, g.spatial = x[0], len(x)-2
	for a := range maxSpatial {
		g.in[a], g.out[a], g.kernel[a] = 1, 1, 1
	}
	copy(g.in[maxSpatial-g.spatial:], x[2:])
	copy(g.kernel[maxSpatial-g.spatial:], w[2:])
	return g, nil
}

// setOptions checks and stores the stride and dilation.
func (g *convGeometry) setOptions(stride, dilation []int) error {
	var err error
	if g.stride, err = perAxis("stride", stride, g.spatial, 1, 1); err != nil {
		return err
	}
	g.dilation, err = perAxis("dilation", dilation, g.spatial, 1, 1)
	return err
}

// perAxis spreads an option given once or per spatial axis over the three
// stored axes (unused ones get 1), with def when it is not given, and checks
// that every value is at least least.
func perAxis(name string, vs []int, spatial, def, least int) ([3]int, error) {
	out := [3]int{1, 1, 1}
	if len(vs) != 0 && len(vs) != 1 && len(vs) != spatial {
		return out, fmt.Errorf("%s %v must have 1 or %d values, one per spatial axis", name, vs, spatial)
	}
	for a := range spatial {
		v := def
		switch len(vs) {
		case 1:
			v = vs[0]
		case spatial:
			v = vs[a]
		}
		if v < least {
			return out, fmt.Errorf("%s %v must be at least %d on every axis", name, vs, least)
		}
		out[maxSpatial-spatial+a] = v
	}
	return out, nil
}

// padsOf resolves a Padding into the zeros before and after each stored
// axis, for a geometry whose kernel, stride and dilation are set.
func padsOf(p Padding, g *convGeometry) (before, after [3]int, err error) {
	if p.same {
		for a := maxSpatial - g.spatial; a < maxSpatial; a++ {
			if g.stride[a] != 1 {
				return before, after, fmt.Errorf(`padding "same" needs stride 1 on every axis, as in PyTorch; got stride %v`, g.stride[maxSpatial-g.spatial:])
			}
			total, ok := mulAdd(g.dilation[a], g.kernel[a]-1, 0)
			if !ok {
				return before, after, errors.New(`padding "same" overflows an int`)
			}
			before[a], after[a] = total/2, total-total/2
		}
		return before, after, nil
	}
	if len(p.pairs) != 0 && len(p.pairs) != 1 && len(p.pairs) != g.spatial {
		return before, after, fmt.Errorf("padding %v must have 1 or %d (before, after) pairs, one per spatial axis", p, g.spatial)
	}
	for a := range g.spatial {
		var pair [2]int
		switch len(p.pairs) {
		case 1:
			pair = p.pairs[0]
		case g.spatial:
			pair = p.pairs[a]
		}
		if pair[0] < 0 || pair[1] < 0 {
			return before, after, fmt.Errorf("padding %v must not be negative", p)
		}
		before[maxSpatial-g.spatial+a], after[maxSpatial-g.spatial+a] = pair[0], pair[1]
	}
	return before, after, nil
}

// checkSizes checks that the tensors and the kernels' scratch have sizes
// an int can count.
func (g *convGeometry) checkSizes() error {
	for _, s := range []graph.Shape{g.xShape(), g.yShape(), g.wShape()} {
		if _, ok := product(s...); !ok {
			return fmt.Errorf("a tensor of shape %v would have more elements than an int can count", s)
		}
	}
	if _, ok := product(g.inC/g.groups, g.kernelSize(), g.outSize()); !ok {
		return errors.New("the patch matrix of one image would have more elements than an int can count")
	}
	return nil
}

// mulAdd returns a·b + c, and whether it fits in an int. The callers pass
// sizes and options already checked to be non-negative.
func mulAdd(a, b, c int) (int, bool) {
	const maxInt = int(^uint(0) >> 1)
	if b != 0 && a > (maxInt-c)/b {
		return 0, false
	}
	return a*b + c, true
}

// product returns the product of non-negative numbers, and whether it fits
// in an int.
func product(xs ...int) (int, bool) {
	p := 1
	for _, x := range xs {
		var ok bool
		if p, ok = mulAdd(p, x, 0); !ok {
			return 0, false
		}
	}
	return p, true
}

func (g *convGeometry) inSize() int     { return g.in[0] * g.in[1] * g.in[2] }
func (g *convGeometry) outSize() int    { return g.out[0] * g.out[1] * g.out[2] }
func (g *convGeometry) kernelSize() int { return g.kernel[0] * g.kernel[1] * g.kernel[2] }

// convBase is what the three ops share: the geometry, how a user's builder
// works it out, and the stock of scratch buffers their kernels borrow.
type convBase struct {
	geom    convGeometry
	resolve func(a, b graph.Shape) (convGeometry, error) // nil when geom was given by a gradient rule
	scratch *scratchStock
}

// infer checks the two inputs against the geometry (after working it out,
// for an op a user built) and returns the output's shape.
func (c *convBase) infer(in []*graph.Node, aShape, bShape, outShape func(*convGeometry) graph.Shape, scratch func(*convGeometry) int) (graph.Shape, graph.DType, error) {
	a, b := in[0], in[1]
	if a.DType() != b.DType() {
		return nil, graph.DType{}, fmt.Errorf("dtypes %v and %v differ; graft never converts implicitly", a.DType(), b.DType())
	}
	if c.resolve != nil {
		g, err := c.resolve(a.Shape(), b.Shape())
		if err != nil {
			return nil, graph.DType{}, err
		}
		c.geom, c.resolve = g, nil
	} else if !a.Shape().Equal(aShape(&c.geom)) || !b.Shape().Equal(bShape(&c.geom)) {
		return nil, graph.DType{}, fmt.Errorf("the operands must be %v and %v", aShape(&c.geom), bShape(&c.geom))
	}
	c.scratch = newScratchStock(scratch(&c.geom))
	return outShape(&c.geom), a.DType(), nil
}

// convKernel computes an op's output from its two inputs with the scratch
// the op's stock lends: memory of the op's size (empty when it needs none)
// and the GEMM operands that read the patch matrices from the images.
type convKernel[T graph.Float] func(g *convGeometry, out, a, b []T, s *convScratch[T])

// run borrows a scratch buffer and runs the kernel of out's dtype.
func (c *convBase) run(out *graph.Value, in []*graph.Value, k32 convKernel[float32], k64 convKernel[float64]) {
	b := c.scratch.borrow()
	if out.F32 != nil {
		k32(&c.geom, out.F32, in[0].F32, in[1].F32, b.f32Scratch(c.scratch))
	} else {
		k64(&c.geom, out.F64, in[0].F64, in[1].F64, b.f64Scratch(c.scratch))
	}
	c.scratch.giveBack(b)
}

// convOp is y = Conv(x, w).
type convOp struct{ convBase }

func (*convOp) Name() string { return "Conv" }

func (op *convOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return op.infer(in, (*convGeometry).xShape, (*convGeometry).wShape, (*convGeometry).yShape, (*convGeometry).padScratch)
}

func (op *convOp) Forward(out *graph.Value, in []*graph.Value) {
	op.run(out, in, convForward[float32], convForward[float64])
}

// With y = Conv(x, w): dx = ConvTranspose(dy, w) and dw = ConvFilterGrad(x, dy).
func (op *convOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	x, w := n.Inputs()[0], n.Inputs()[1]
	if i == 0 {
		return convTransposeOf(dy, w, op.geom)
	}
	return convFilterGradOf(x, dy, op.geom)
}

// convTransposeOp is x = ConvTranspose(y, w): the adjoint of Conv(·, w),
// which maps the convolution's output space back to its input space.
type convTransposeOp struct{ convBase }

func (*convTransposeOp) Name() string { return "ConvTranspose" }

func (op *convTransposeOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return op.infer(in, (*convGeometry).yShape, (*convGeometry).wShape, (*convGeometry).xShape, (*convGeometry).transposeScratch)
}

func (op *convTransposeOp) Forward(out *graph.Value, in []*graph.Value) {
	op.run(out, in, convTransposeForward[float32], convTransposeForward[float64])
}

// With x = ConvTranspose(y, w) and g the gradient with respect to x:
// ⟨g, ConvTranspose(y, w)⟩ = ⟨Conv(g, w), y⟩, so dy = Conv(g, w) and
// dw = ConvFilterGrad(g, y).
func (op *convTransposeOp) Grad(n, g *graph.Node, i int) *graph.Node {
	y, w := n.Inputs()[0], n.Inputs()[1]
	if i == 0 {
		return convOf(g, w, op.geom)
	}
	return convFilterGradOf(g, y, op.geom)
}

// convFilterGradOp is dw = ConvFilterGrad(x, dy), the gradient of
// ⟨Conv(x, w), dy⟩ with respect to w: for each weight element, the sum over
// the batch and the output positions of dy times the input element that
// weight meets.
type convFilterGradOp struct{ convBase }

func (*convFilterGradOp) Name() string { return "ConvFilterGrad" }

func (op *convFilterGradOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return op.infer(in, (*convGeometry).xShape, (*convGeometry).yShape, (*convGeometry).wShape, (*convGeometry).padScratch)
}

func (op *convFilterGradOp) Forward(out *graph.Value, in []*graph.Value) {
	op.run(out, in, convFilterGradForward[float32], convFilterGradForward[float64])
}

// With dw = ConvFilterGrad(x, dy) and G the gradient with respect to dw:
// ⟨G, ConvFilterGrad(x, dy)⟩ = ⟨Conv(x, G), dy⟩, so dx = ConvTranspose(dy, G)
// and d(dy) = Conv(x, G).
func (op *convFilterGradOp) Grad(n, g *graph.Node, i int) *graph.Node {
	x, dy := n.Inputs()[0], n.Inputs()[1]
	if i == 0 {
		return convTransposeOf(dy, g, op.geom)
	}
	return convOf(x, g, op.geom)
}

func convOf(x, w *graph.Node, g convGeometry) *graph.Node {
	return graph.Apply(&convOp{convBase{geom: g}}, x, w)
}

func convTransposeOf(y, w *graph.Node, g convGeometry) *graph.Node {
	return graph.Apply(&convTransposeOp{convBase{geom: g}}, y, w)
}

func convFilterGradOf(x, dy *graph.Node, g convGeometry) *graph.Node {
	return graph.Apply(&convFilterGradOp{convBase{geom: g}}, x, dy)
}
