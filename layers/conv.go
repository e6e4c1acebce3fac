package layers

import (
	"fmt"
	"math/rand/v2"

	"graft/activations"
	"graft/graph"
	"graft/ops"
)

// Conv is a convolution layer, y = act(conv(x, W) + b), in PyTorch's
// channels-first layout: x is (N, C_in, *spatial), W is (C_out,
// C_in/groups, *kernel) for a convolution and (C_in, C_out/groups, *kernel)
// for a transposed one, exactly as PyTorch stores them, and b is (C_out,).
// W and b are created on the first Apply, with C_in and the dtype taken from
// that input, and named "<layer>/W" and "<layer>/b".
//
// W starts He-uniform (Kaiming-uniform with ReLU's gain) over its fan-in,
// C_in/groups times the kernel's size (for a transposed convolution, as
// PyTorch computes it, C_out/groups times the kernel's size); b starts at
// zeros, as Keras' do. PyTorch's own default draws W and b from
// U(-1/√fan_in, 1/√fan_in), a √6 narrower range; pass WithInit and
// WithBiasInit to get it.
type Conv struct {
	model      *Model
	name, kind string
	spatial    int // spatial axes: 1, 2 or 3
	filters    int
	kernel     []int
	transposed bool
	cfg        ops.ConvConfig
	tcfg       ops.ConvTransposeConfig
	activation activations.Func
	opts       options
	err        error
	w, b       *graph.Node
	out        graph.Shape
	rng        *rand.Rand
}

// Conv returns a convolution layer over spatial axes (1, 2 or 3) with
// filters output channels and the given kernel (one size per spatial axis,
// or one for all), with the stride, dilation, padding and groups of cfg
// (its zero value: stride 1, no padding, one group). act is applied after
// the bias; nil means none. It is torch.nn.Conv1d, Conv2d or Conv3d.
func (m *Model) Conv(spatial, filters int, kernel []int, act activations.Func, cfg ops.ConvConfig, opts ...Option) *Conv {
	c := m.newConv(fmt.Sprintf("Conv%dD", spatial), spatial, filters, kernel, act, opts)
	c.cfg = cfg
	return c
}

// Conv1D returns a convolution layer over (N, C, L) with a kernel of size
// kernel: torch.nn.Conv1d(C, filters, kernel, ...).
func (m *Model) Conv1D(filters, kernel int, act activations.Func, cfg ops.ConvConfig, opts ...Option) *Conv {
	return m.Conv(1, filters, []int{kernel}, act, cfg, opts...)
}

// Conv2D returns a convolution layer over (N, C, H, W) with a square
// kernel: torch.nn.Conv2d(C, filters, kernel, ...).
func (m *Model) Conv2D(filters, kernel int, act activations.Func, cfg ops.ConvConfig, opts ...Option) *Conv {
	return m.Conv(2, filters, []int{kernel, kernel}, act, cfg, opts...)
}

// ConvTranspose2D returns a transposed convolution layer over (N, C, H, W)
// with a square kernel and the options of cfg (stride, padding, output
// padding, dilation, groups): torch.nn.ConvTranspose2d(C, filters, kernel,
// ...). With stride 2 it doubles the spatial size, as a decoder's
// upsampling step does.
func (m *Model) ConvTranspose2D(filters, kernel int, act activations.Func, cfg ops.ConvTransposeConfig, opts ...Option) *Conv {
	c := m.newConv("ConvTranspose2D", 2, filters, []int{kernel, kernel}, act, opts)
	c.transposed, c.tcfg = true, cfg
	return c
}

func (m *Model) newConv(kind string, spatial, filters int, kernel []int, act activations.Func, opts []Option) *Conv {
	c := &Conv{model: m, kind: kind, spatial: spatial, filters: filters, activation: act, rng: m.stream()}
	for _, o := range opts {
		o(&c.opts)
	}
	if c.opts.init == nil {
		c.opts.init = HeUniform
	}
	if c.opts.biasInit == nil {
		c.opts.biasInit = Zeros
	}
	prefix := "conv"
	if kind == "ConvTranspose2D" {
		prefix = "convtranspose"
	}
	c.name, c.err = m.name(c.opts.name, prefix)
	switch {
	case c.err != nil:
	case spatial < 1 || spatial > 3:
		c.err = fmt.Errorf("%s has %d spatial axes; a convolution has 1, 2 or 3", c.name, spatial)
	case filters < 1:
		c.err = fmt.Errorf("%s has %d filters; it needs at least 1", c.name, filters)
	case len(kernel) != 1 && len(kernel) != spatial:
		c.err = fmt.Errorf("%s has kernel %v: give one size, or one per spatial axis (%d)", c.name, kernel, spatial)
	}
	if c.err == nil {
		c.kernel = make([]int, spatial)
		for i := range c.kernel {
			c.kernel[i] = kernel[min(i, len(kernel)-1)]
			if c.kernel[i] < 1 {
				c.err = fmt.Errorf("%s has kernel %v; every size must be at least 1", c.name, kernel)
			}
		}
	}
	m.components = append(m.components, c)
	return c
}

// Name returns the layer's name, such as "conv1".
func (c *Conv) Name() string { return c.name }

// Kernel returns the weight W, or nil before the first Apply.
func (c *Conv) Kernel() *graph.Node { return c.w }

// Bias returns the bias b, or nil before the first Apply or for a layer
// made WithoutBias.
func (c *Conv) Bias() *graph.Node { return c.b }

// Apply returns act(conv(x, W) + b) for x of shape (N, C_in, *spatial).
func (c *Conv) Apply(x *graph.Node) *graph.Node {
	if err := c.check(x); err != nil {
		return graph.Reject(c.kind, err, x)
	}
	if c.w == nil {
		c.build(x)
	}
	var y *graph.Node
	if c.transposed {
		y = ops.ConvTranspose(x, c.w, c.tcfg)
	} else {
		y = ops.Conv(x, c.w, c.cfg)
	}
	if c.b != nil {
		y = ops.AddChannelBias(y, c.b)
	}
	if c.activation != nil {
		pre := y
		if y = c.activation(pre); y == nil {
			return graph.Reject(c.kind, fmt.Errorf("the activation of %s returned nil", c.name), pre)
		}
	}
	if c.out == nil && y.Shape() != nil {
		c.out = y.Shape().Clone()
	}
	return y
}

func (c *Conv) groups() int {
	g := c.cfg.Groups
	if c.transposed {
		g = c.tcfg.Groups
	}
	return max(g, 1)
}

func (c *Conv) check(x *graph.Node) error {
	if c.err != nil {
		return c.err
	}
	if x == nil || x.Graph() == nil {
		return fmt.Errorf("%s is applied to a node of no graph", c.name)
	}
	s := x.Shape()
	if len(s) != c.spatial+2 {
		return fmt.Errorf("%s wants an input (N, C, %d spatial axes), got shape %v", c.name, c.spatial, s)
	}
	if err := graph.CheckDType(x.DType()); err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	if err := c.model.checkGraph(x.Graph()); err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	if gr := c.groups(); s[1]%gr != 0 || c.filters%gr != 0 {
		return fmt.Errorf("%s has %d groups, which must divide its %d input channels and %d filters", c.name, gr, s[1], c.filters)
	}
	if c.w == nil {
		for _, n := range []string{c.name + "/W", c.name + "/b"} {
			if c.model.byName[n] != nil {
				return fmt.Errorf("the model already has a parameter named %q", n)
			}
		}
		return nil
	}
	in := c.w.Shape()[1] * c.groups()
	if c.transposed {
		in = c.w.Shape()[0]
	}
	if s[1] != in || x.DType() != c.w.DType() {
		return fmt.Errorf("%s was built for %d input channels of %v; this input has %d of %v", c.name, in, c.w.DType(), s[1], x.DType())
	}
	return nil
}

// build creates W and b for inputs like x.
func (c *Conv) build(x *graph.Node) {
	in, dt, g, gr := x.Shape()[1], x.DType(), x.Graph(), c.groups()
	field := graph.Shape(c.kernel).Size()
	shape := append(graph.Shape{c.filters, in / gr}, c.kernel...)
	fanIn, fanOut := in/gr*field, c.filters/gr*field
	if c.transposed {
		shape = append(graph.Shape{in, c.filters / gr}, c.kernel...)
		fanIn, fanOut = c.filters/gr*field, in/gr*field
	}
	if err := graph.CheckShape(shape); err != nil {
		c.err = fmt.Errorf("%s: a weight of shape %v: %w", c.name, shape, err)
		return
	}
	c.w = c.model.newParam(g, c.name+"/W", dt, shape, fanIn, fanOut, c.opts.init, c.rng)
	if !c.opts.noBias {
		c.b = c.model.newParam(g, c.name+"/b", dt, graph.Shape{c.filters}, fanIn, fanOut, c.opts.biasInit, c.rng)
	}
}

func (c *Conv) summary() (string, string, graph.Shape, []*graph.Node) {
	var params []*graph.Node
	if c.w != nil {
		params = append(params, c.w)
	}
	if c.b != nil {
		params = append(params, c.b)
	}
	return c.name, c.kind, c.out, params
}
