package ops

import (
	"errors"
	"fmt"
	"math"

	"graft/graph"
)

// PoolConfig describes the windows of MaxPool and AvgPool over the spatial
// axes of an (N, C, spatial...) input, PyTorch's layout. Each field holds one
// value per spatial axis, or a single value for every spatial axis (as an int
// argument does in PyTorch).
//
// Along a spatial axis of size L, window o covers the input positions
// o·Stride - Padding + j·Dilation for j = 0 .. Kernel-1, and the output has
//
//	floor((L + 2·Padding - Dilation·(Kernel-1) - 1) / Stride) + 1
//
// positions (rounded up instead of down with CeilMode, as in PyTorch).
type PoolConfig struct {
	// Kernel is the window's size. It is required; every value must be
	// at least 1.
	Kernel []int
	// Stride is the step between windows; nil means Kernel, as in
	// PyTorch (non-overlapping windows).
	Stride []int
	// Padding is the number of implicit elements added on both sides of
	// each spatial axis: -Inf for MaxPool (so padding never wins), 0 for
	// AvgPool. As in PyTorch, it may be at most Kernel/2. nil means 0.
	Padding []int
	// Dilation is the step between the elements of a window (MaxPool
	// only, as in PyTorch); nil means 1.
	Dilation []int
	// CeilMode rounds the number of windows up instead of down, so a last,
	// partial window covers the end of the input. As in PyTorch, a window
	// that would start in the right padding is dropped, and the part of a
	// window past the padded input is ignored (AvgPool does not count it).
	CeilMode bool
	// ExcludePadding makes AvgPool divide each window's sum by the number
	// of input elements in it, not counting the padding: PyTorch's
	// count_include_pad=False. The default, false, divides by the window's
	// size within the padded input, as PyTorch's default
	// count_include_pad=True does. MaxPool rejects it.
	ExcludePadding bool
}

// MaxPool takes the largest element of every window of x, an
// (N, C, spatial...) tensor with any number (at least one) of spatial axes,
// as PyTorch's max_pool1d/2d/3d do. The result is (N, C, out...), with the
// output sizes of PoolConfig.
//
// Where several elements tie for the largest, the first in row-major window
// order is taken and receives the whole gradient, as PyTorch's CPU kernel
// does (it replaces its running maximum only by a strictly larger value). A
// NaN counts as larger than anything, so a window holding one gives NaN; with
// several NaNs the last one receives the gradient, again as in PyTorch. A
// window holding only -Inf sends its gradient to its first input element.
// The gradient with respect to x is piecewise constant in x (zero second
// derivative through the choice of the maximum), as in PyTorch and JAX.
//
// A dilated window that falls entirely in the padding gives -Inf, as in
// PyTorch, and no gradient.
//
// Where graft differs from PyTorch: x must have its batch and channel axes
// (Reshape an unbatched (C, L) or (C, H, W) first); return_indices is a
// separate builder, MaxPoolIndices; and a configuration in which no window
// fits is a build error, where max_pool1d returns an empty tensor.
//
// MaxPool is MaxPoolIndices(x, cfg) and a gather of x at those indices, so
// each window's maximum is searched for once: the gradient adds dy at the
// same indices node, and its own gradient gathers at them again.
func MaxPool(x *graph.Node, cfg PoolConfig) *graph.Node {
	return maxPool(newPool("MaxPool", maxPoolKind, 0, cfg), x)
}

// MaxPool1D is MaxPool of an (N, C, L) tensor with one kernel size, stride
// and padding: PyTorch's max_pool1d(x, kernel, stride, padding).
func MaxPool1D(x *graph.Node, kernel, stride, padding int) *graph.Node {
	return maxPool(newPool("MaxPool1D", maxPoolKind, 1, squareConfig(kernel, stride, padding)), x)
}

// MaxPool2D is MaxPool of an (N, C, H, W) tensor with square windows: the
// same kernel size, stride and padding along H and W, as PyTorch's
// max_pool2d(x, kernel, stride, padding). MaxPool2D(x, 2, 2, 0) halves H
// and W.
func MaxPool2D(x *graph.Node, kernel, stride, padding int) *graph.Node {
	return maxPool(newPool("MaxPool2D", maxPoolKind, 2, squareConfig(kernel, stride, padding)), x)
}

// MaxPoolIndices returns, for each window of MaxPool(x, cfg), the position
// in x of the element MaxPool takes from it, with MaxPool's rules for ties
// and NaNs: an int64 (graph.Int64) tensor of MaxPool's output shape. A
// position is the flat, row-major index into all of x, so
//
//	MaxPool(x, cfg) = Take(Reshape(x, -1), MaxPoolIndices(x, cfg), 0)
//
// wherever no window lies entirely in the padding; such a (dilated) window
// has no element and gets -1.
//
// Where graft differs from PyTorch: max_pool's return_indices counts
// within each (n, c) plane; graft counts in all of x, so that an index
// addresses x without the plane it came from. An index is piecewise
// constant in x, so, as ArgMax, MaxPoolIndices has no gradient, by design.
func MaxPoolIndices(x *graph.Node, cfg PoolConfig) *graph.Node {
	return graph.Apply(&maxPoolIndicesOp{pool: newPool("MaxPoolIndices", maxPoolKind, 0, cfg)}, x)
}

// maxPool builds a max pooling of x: the window argmax, named after the
// builder since it makes every check on x and cfg, and the gather of x at
// it. A nil x is refused first, so the error is the builder's alone.
func maxPool(p pool, x *graph.Node) *graph.Node {
	if x == nil {
		return graph.Reject(p.name, nil, x)
	}
	idx := graph.Apply(&maxPoolIndicesOp{pool: p}, x)
	return maxPoolGather(x, idx, math.Inf(-1))
}

// AvgPool averages every window of x, an (N, C, spatial...) tensor with any
// number (at least one) of spatial axes, as PyTorch's avg_pool1d/2d/3d do.
// The result is (N, C, out...), with the output sizes of PoolConfig. Padding
// counts as zeros, and by default the divisor counts it too; see
// PoolConfig.ExcludePadding. Dilation is not allowed, as in PyTorch.
//
// AvgPool is linear in x; its gradient is the transposed op, which spreads
// each output's gradient evenly back over its window.
//
// Where graft differs from PyTorch: x must have its batch and channel axes,
// and there is no divisor_override.
func AvgPool(x *graph.Node, cfg PoolConfig) *graph.Node {
	return graph.Apply(&avgPoolOp{pool: newPool("AvgPool", avgPoolKind, 0, cfg)}, x)
}

// AvgPool1D is AvgPool of an (N, C, L) tensor with one kernel size, stride
// and padding, counting padding in the divisor: PyTorch's
// avg_pool1d(x, kernel, stride, padding).
func AvgPool1D(x *graph.Node, kernel, stride, padding int) *graph.Node {
	return graph.Apply(&avgPoolOp{pool: newPool("AvgPool1D", avgPoolKind, 1, squareConfig(kernel, stride, padding))}, x)
}

// AvgPool2D is AvgPool of an (N, C, H, W) tensor with square windows,
// counting padding in the divisor: PyTorch's
// avg_pool2d(x, kernel, stride, padding).
func AvgPool2D(x *graph.Node, kernel, stride, padding int) *graph.Node {
	return graph.Apply(&avgPoolOp{pool: newPool("AvgPool2D", avgPoolKind, 2, squareConfig(kernel, stride, padding))}, x)
}

// GlobalAvgPool averages x, an (N, C, spatial...) tensor, over all its
// spatial axes and returns (N, C): the shape a dense head takes, as Keras'
// GlobalAveragePooling2D returns. PyTorch's AdaptiveAvgPool2d(1) keeps the
// spatial axes with size 1; GlobalAvgPoolKeepDims does that.
func GlobalAvgPool(x *graph.Node) *graph.Node { return globalAvgPool("GlobalAvgPool", x, false) }

// GlobalAvgPoolKeepDims is GlobalAvgPool that keeps each spatial axis with
// size 1, (N, C, 1, 1) for an image, as PyTorch's AdaptiveAvgPool2d(1).
func GlobalAvgPoolKeepDims(x *graph.Node) *graph.Node {
	return globalAvgPool("GlobalAvgPoolKeepDims", x, true)
}

func globalAvgPool(name string, x *graph.Node, keep bool) *graph.Node {
	if x == nil {
		return graph.Reject(name, nil, x)
	}
	rank := len(x.Shape())
	if rank < 3 {
		return graph.Reject(name, fmt.Errorf("x must be (N, C, spatial...) with at least one spatial axis, got %d-D", rank), x)
	}
	axes := make([]int, rank-2)
	for i := range axes {
		axes[i] = i + 2
	}
	if keep {
		return MeanKeepDims(x, axes...)
	}
	return Mean(x, axes...)
}

func squareConfig(kernel, stride, padding int) PoolConfig {
	return PoolConfig{Kernel: []int{kernel}, Stride: []int{stride}, Padding: []int{padding}}
}

type poolKind int

const (
	maxPoolKind poolKind = iota
	avgPoolKind
)

// pool is the part every pooling op shares: the builder's name, the
// configuration as given, the spatial rank the builder demands (0: any) and
// the window plan that Infer works out from the input shape.
type pool struct {
	name    string
	kind    poolKind
	spatial int
	cfg     PoolConfig
	plan    poolPlan
}

// newPool copies cfg's slices, so that a caller changing them later does not
// change the op.
func newPool(name string, kind poolKind, spatial int, cfg PoolConfig) pool {
	clone := func(v []int) []int {
		if v == nil {
			return nil
		}
		return append([]int{}, v...)
	}
	cfg.Kernel, cfg.Stride = clone(cfg.Kernel), clone(cfg.Stride)
	cfg.Padding, cfg.Dilation = clone(cfg.Padding), clone(cfg.Dilation)
	return pool{name: name, kind: kind, spatial: spatial, cfg: cfg}
}

// derived returns a pool for a gradient op with the same windows.
func (p *pool) derived(name string) pool {
	return pool{name: name, kind: p.kind, spatial: p.spatial, cfg: p.cfg}
}

// infer checks the input shape x against the configuration, builds the plan
// and returns the output shape.
func (p *pool) infer(x graph.Shape) (graph.Shape, error) {
	if len(x) < 3 {
		return nil, fmt.Errorf("x must be (N, C, spatial...) with at least one spatial axis, got %d-D", len(x))
	}
	if p.spatial > 0 && len(x) != p.spatial+2 {
		return nil, fmt.Errorf("x must be %d-D, (N, C, %s), got %d-D", p.spatial+2, poolSpatialNames(p.spatial), len(x))
	}
	w, err := p.windows(len(x) - 2)
	if err != nil {
		return nil, err
	}
	out, err := w.outputShape(x)
	if err != nil {
		return nil, err
	}
	p.plan, err = newPoolPlan(x, out, w, p.kind == avgPoolKind)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// poolSpatialNames names the spatial axes of the 1-D and 2-D builders as
// PyTorch's documentation does.
func poolSpatialNames(spatial int) string {
	if spatial == 1 {
		return "L"
	}
	return "H, W"
}

// poolWindows is a PoolConfig checked and expanded to one value per spatial
// axis.
type poolWindows struct {
	kernel, stride, padding, dilation []int
	ceil, excludePad                  bool
}

// maxPoolParam bounds every size so that the window arithmetic cannot
// overflow an int.
const maxPoolParam = 1<<31 - 1

func (p *pool) windows(spatial int) (poolWindows, error) {
	c := p.cfg
	w := poolWindows{ceil: c.CeilMode, excludePad: c.ExcludePadding}
	if len(c.Kernel) == 0 {
		return w, errors.New("PoolConfig.Kernel is empty: give the window size")
	}
	var err error
	expand := func(field string, v []int, def []int, least int) []int {
		if err != nil {
			return nil
		}
		var out []int
		switch len(v) {
		case 0:
			return def
		case 1:
			out = make([]int, spatial)
			for i := range out {
				out[i] = v[0]
			}
		case spatial:
			out = append([]int{}, v...)
		default:
			err = fmt.Errorf("%s %v has %d values for %d spatial axes: give 1 or %d", field, v, len(v), spatial, spatial)
			return nil
		}
		for _, n := range out {
			switch {
			case n < least:
				err = fmt.Errorf("%s %v must be at least %d", field, v, least)
			case n > maxPoolParam:
				err = fmt.Errorf("%s %v must be below 2^31", field, v)
			}
		}
		if err != nil {
			return nil
		}
		return out
	}
	ones, zeros := make([]int, spatial), make([]int, spatial)
	for i := range ones {
		ones[i] = 1
	}
	w.kernel = expand("kernel", c.Kernel, nil, 1)
	w.stride = expand("stride", c.Stride, w.kernel, 1)
	w.padding = expand("padding", c.Padding, zeros, 0)
	w.dilation = expand("dilation", c.Dilation, ones, 1)
	if err != nil {
		return w, err
	}
	for a := range w.kernel {
		if w.padding[a] > w.kernel[a]/2 {
			return w, fmt.Errorf("padding %v is more than half of kernel %v along spatial axis %d (PyTorch's limit)", w.padding, w.kernel, a)
		}
	}
	if p.kind == maxPoolKind && w.excludePad {
		return w, errors.New("ExcludePadding applies to AvgPool only: MaxPool's padding never wins")
	}
	if p.kind == avgPoolKind {
		for _, d := range w.dilation {
			if d != 1 {
				return w, fmt.Errorf("AvgPool has no dilation (as in PyTorch), got %v", w.dilation)
			}
		}
	}
	return w, nil
}

// outputShape applies PyTorch's pooling_output_shape to every spatial axis of
// x.
func (w poolWindows) outputShape(x graph.Shape) (graph.Shape, error) {
	out := graph.Shape{x[0], x[1]}
	size := 1
	for a := range w.kernel {
		l := x[a+2]
		if l > maxPoolParam {
			return nil, fmt.Errorf("spatial axis %d has size %d, more than graft's pooling supports (2^31-1)", a, l)
		}
		k, s, pad, d := w.kernel[a], w.stride[a], w.padding[a], w.dilation[a]
		span := d*(k-1) + 1 // the dilated window's extent
		num := l + 2*pad - span
		if w.ceil {
			num += s - 1
		}
		o := poolFloorDiv(num, s) + 1
		if w.ceil && o > 0 && (o-1)*s >= l+pad {
			o-- // the last window would start in the right padding
		}
		if o < 1 && d == 1 {
			return nil, fmt.Errorf("kernel %v is larger than spatial axis %d (size %d) padded to %d: no window fits", w.kernel, a, l, l+2*pad)
		}
		if o < 1 {
			return nil, fmt.Errorf("kernel %v dilated by %v spans %d, more than spatial axis %d (size %d) padded to %d: no window fits",
				w.kernel, w.dilation, span, a, l, l+2*pad)
		}
		out = append(out, o)
	}
	for _, n := range out {
		if !poolMulFits(size, n) {
			return nil, fmt.Errorf("the output, %v, would have more elements than an int can count", out)
		}
		size *= n
	}
	return out, nil
}

// poolFloorDiv divides rounding toward -Inf, as PyTorch's div_rtn.
func poolFloorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// poolMulFits reports whether a·b, both positive, fits in an int.
func poolMulFits(a, b int) bool { return a <= int(^uint(0)>>1)/b }

// maxPoolIndicesOp finds the maximum of every window of x: the flat index
// into x of the element MaxPool takes from it, -1 for a window with none.
type maxPoolIndicesOp struct{ pool }

func (op *maxPoolIndicesOp) Name() string { return op.name }

func (op *maxPoolIndicesOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	out, err := op.infer(in[0].Shape())
	return out, graph.Int64, err
}

func (op *maxPoolIndicesOp) Forward(out *graph.Value, in []*graph.Value) {
	if x := in[0]; x.F32 != nil {
		maxPoolIndicesKernel(&op.plan, out.I64, x.F32)
	} else {
		maxPoolIndicesKernel(&op.plan, out.I64, x.F64)
	}
}

// Grad is nil: which element is a window's maximum does not change under a
// small change of x.
func (*maxPoolIndicesOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

// maxPoolGather returns, for each element of idx (indices of
// maxPoolIndicesOp into a tensor of g's shape), the element of g there, or
// empty for -1. With g = x and empty = -Inf it is MaxPool; with empty = 0
// (no element, no gradient) it is the gradient of maxPoolScatter with
// respect to dy. Its own gradient with respect to g is maxPoolScatter at
// the same indices; idx gets none.
func maxPoolGather(g, idx *graph.Node, empty float64) *graph.Node {
	return graph.Apply(&maxPoolGatherOp{empty: empty}, g, idx)
}

type maxPoolGatherOp struct{ empty float64 }

func (*maxPoolGatherOp) Name() string            { return "MaxPoolGather" }
func (*maxPoolGatherOp) TakesIndices(i int) bool { return i == 1 }

func (op *maxPoolGatherOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	if _, ok := in[1].Op().(*maxPoolIndicesOp); !ok {
		return nil, graph.DType{}, fmt.Errorf("the indices must be a MaxPoolIndices node, got %s", in[1])
	}
	if x := in[1].Inputs()[0]; !in[0].Shape().Equal(x.Shape()) {
		return nil, graph.DType{}, fmt.Errorf("the operand must have the pooled input's shape %v, got %v", x.Shape(), in[0].Shape())
	}
	return in[1].Shape(), in[0].DType(), nil
}

func (op *maxPoolGatherOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, maxPoolGatherForward[float32], maxPoolGatherForward[float64])
}

func maxPoolGatherForward[T graph.Float](op *maxPoolGatherOp, out []T, in []*graph.Value) {
	maxPoolGatherKernel(out, floats[T](in[0]), in[1].I64, T(op.empty))
}

func (op *maxPoolGatherOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	if i != 0 {
		return nil
	}
	return maxPoolScatter(dy, n.Inputs()[1])
}

// maxPoolScatter returns a tensor of the pooled input's shape holding, at
// each index of idx (a maxPoolIndicesOp node), the sum of the elements of
// dy there (zero elsewhere): the gradient of MaxPool, dy sent to each
// window's maximum. It is linear in dy, and its gradient with respect to dy
// is the gather at the same indices; idx gets none.
func maxPoolScatter(dy, idx *graph.Node) *graph.Node {
	return graph.Apply(&maxPoolScatterOp{}, dy, idx)
}

type maxPoolScatterOp struct{}

func (*maxPoolScatterOp) Name() string            { return "MaxPoolScatter" }
func (*maxPoolScatterOp) TakesIndices(i int) bool { return i == 1 }

func (op *maxPoolScatterOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	if _, ok := in[1].Op().(*maxPoolIndicesOp); !ok {
		return nil, graph.DType{}, fmt.Errorf("the indices must be a MaxPoolIndices node, got %s", in[1])
	}
	if !in[0].Shape().Equal(in[1].Shape()) {
		return nil, graph.DType{}, fmt.Errorf("dy must have the pooled shape %v, got %v", in[1].Shape(), in[0].Shape())
	}
	return in[1].Inputs()[0].Shape(), in[0].DType(), nil
}

func (op *maxPoolScatterOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, maxPoolScatterForward[float32], maxPoolScatterForward[float64])
}

func maxPoolScatterForward[T graph.Float](op *maxPoolScatterOp, out []T, in []*graph.Value) {
	maxPoolScatterKernel(out, floats[T](in[0]), in[1].I64)
}

func (op *maxPoolScatterOp) Grad(n, dz *graph.Node, i int) *graph.Node {
	if i != 0 {
		return nil
	}
	return maxPoolGather(dz, n.Inputs()[1], 0)
}

// avgPoolOp computes average pooling.
type avgPoolOp struct{ pool }

func (op *avgPoolOp) Name() string { return op.name }

func (op *avgPoolOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	out, err := op.infer(in[0].Shape())
	return out, in[0].DType(), err
}

func (op *avgPoolOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, avgPoolForward[float32], avgPoolForward[float64])
}

func avgPoolForward[T graph.Float](op *avgPoolOp, out []T, in []*graph.Value) {
	avgPoolKernel(&op.plan, out, floats[T](in[0]))
}

func (op *avgPoolOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	return avgPoolTranspose(&op.pool, dy, n.Inputs()[0].Shape())
}

// avgPoolTranspose is the transpose of AvgPool as a linear map: it adds each
// element of dy, divided by its window's divisor, to every input element of
// the window, giving a tensor of shape x (the pooled input's shape, which the
// output shape alone does not fix). Its gradient is AvgPool again.
func avgPoolTranspose(p *pool, dy *graph.Node, x graph.Shape) *graph.Node {
	return graph.Apply(&avgPoolTransposeOp{pool: p.derived("AvgPoolTranspose"), x: x.Clone()}, dy)
}

type avgPoolTransposeOp struct {
	pool
	x graph.Shape
}

func (op *avgPoolTransposeOp) Name() string { return op.name }

func (op *avgPoolTransposeOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	out, err := op.infer(op.x)
	if err != nil {
		return nil, graph.DType{}, err
	}
	if !in[0].Shape().Equal(out) {
		return nil, graph.DType{}, fmt.Errorf("dy must have shape %v, the pooled shape of %v, got %v", out, op.x, in[0].Shape())
	}
	return op.x, in[0].DType(), nil
}

func (op *avgPoolTransposeOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, avgPoolTransposeForward[float32], avgPoolTransposeForward[float64])
}

func avgPoolTransposeForward[T graph.Float](op *avgPoolTransposeOp, out []T, in []*graph.Value) {
	avgPoolTransposeKernel(&op.plan, out, floats[T](in[0]))
}

func (op *avgPoolTransposeOp) Grad(n, dz *graph.Node, i int) *graph.Node {
	return graph.Apply(&avgPoolOp{pool: op.derived("AvgPool")}, dz)
}
