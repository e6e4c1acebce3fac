package layers

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/ops"
)

// Option adjusts a layer as the model creates it.
type Option func(*options)

type options struct {
	name     string
	init     Initializer
	biasInit Initializer
	noBias   bool
}

// WithName names the layer (and so prefixes its parameters' names) instead
// of the automatic "dense1", "dense2", ... The name must be new to the model.
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithInit sets the initializer of the layer's kernel (default GlorotUniform).
func WithInit(init Initializer) Option { return func(o *options) { o.init = init } }

// WithBiasInit sets the initializer of the layer's bias (default Zeros).
func WithBiasInit(init Initializer) Option { return func(o *options) { o.biasInit = init } }

// WithoutBias leaves out the bias: the layer computes act(x·W).
func WithoutBias() Option { return func(o *options) { o.noBias = true } }

// Dense is a fully connected layer: y = act(x·W + b), for an input x of
// shape (batch, in), a kernel W of shape (in, units) and a bias b of shape
// (units,). W and b are created on the first Apply, with in and the dtype
// taken from that input, and named "<layer>/W" and "<layer>/b".
//
// An input of higher rank, (..., in), is transformed along its last axis
// alone, as Keras' Dense and torch.nn.Linear do: (batch, time, in) gives
// (batch, time, units), every step through the same W and b.
type Dense struct {
	model      *Model
	name       string
	units      int
	activation activations.Func
	opts       options
	err        error // a mistake made when the layer was created
	w, b       *graph.Node
	out        graph.Shape // the output shape of the first application
	rng        *rand.Rand
}

// Dense returns a new fully connected layer with the given number of output
// units. activation is applied to x·W + b; nil means none (a linear layer).
// Pass any activations.Func: activations.ReLU, activations.Named("gelu"),
// ops.Tanh, or one of your own. The kernel W of shape (in, units) is made on
// the first Apply; a size over 1<<34 elements is a build error then, before
// anything is allocated.
func (m *Model) Dense(units int, activation activations.Func, opts ...Option) *Dense {
	d := &Dense{model: m, units: units, activation: activation, rng: m.stream()}
	for _, o := range opts {
		o(&d.opts)
	}
	if d.opts.init == nil {
		d.opts.init = GlorotUniform
	}
	if d.opts.biasInit == nil {
		d.opts.biasInit = Zeros
	}
	d.name, d.err = m.name(d.opts.name, "dense")
	if d.err == nil && units < 1 {
		d.err = fmt.Errorf("%s has %d units; a Dense layer needs at least 1", d.name, units)
	}
	m.components = append(m.components, d)
	return d
}

// Name returns the layer's name, such as "dense1".
func (d *Dense) Name() string { return d.name }

// Units returns the layer's output width.
func (d *Dense) Units() int { return d.units }

// Kernel returns the weight matrix W, or nil before the first Apply.
func (d *Dense) Kernel() *graph.Node { return d.w }

// Bias returns the bias b, or nil before the first Apply or for a layer made
// WithoutBias.
func (d *Dense) Bias() *graph.Node { return d.b }

// Apply returns act(x·W + b) for x of shape (batch, in), or of shape
// (..., in) along the last axis.
func (d *Dense) Apply(x *graph.Node) *graph.Node {
	if err := d.check(x); err != nil {
		return graph.Reject("Dense", err, x)
	}
	if d.w == nil {
		d.build(x)
	}
	s := x.Shape()
	in := s[len(s)-1]
	flat := x
	if len(s) > 2 {
		// One (rows, in)·(in, units) product over every leading position:
		// a single large GEMM, where a batched product would run one per
		// leading index.
		flat = ops.Reshape(x, -1, in)
	}
	y := ops.MatMul(flat, d.w)
	if d.b != nil {
		y = ops.Add(y, d.b)
	}
	if len(s) > 2 {
		y = ops.Reshape(y, append(s[:len(s)-1:len(s)-1], d.units)...)
	}
	if d.activation != nil {
		pre := y
		if y = d.activation(pre); y == nil {
			return graph.Reject("Dense", fmt.Errorf("the activation of %s returned nil", d.name), pre)
		}
	}
	if d.out == nil && y.Shape() != nil {
		d.out = y.Shape().Clone()
	}
	return y
}

func (d *Dense) check(x *graph.Node) error {
	if d.err != nil {
		return d.err
	}
	if x == nil {
		return fmt.Errorf("%s is applied to nil", d.name) // graph.Apply reports "input 0 is nil"
	}
	s := x.Shape()
	if len(s) < 2 || s[len(s)-1] < 1 {
		return fmt.Errorf("%s wants an input of rank 2 or more, (batch, features) or (..., features), got shape %v", d.name, s)
	}
	in := s[len(s)-1]
	if dt := x.DType(); dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("%s cannot compute in %v", d.name, dt)
	}
	if err := d.model.checkGraph(x.Graph()); err != nil {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	if d.w == nil {
		for _, n := range []string{d.name + "/W", d.name + "/b"} {
			if d.model.byName[n] != nil {
				return fmt.Errorf("the model already has a parameter named %q", n)
			}
		}
		kernel := graph.Shape{in, d.units}
		if err := graph.CheckShape(kernel); err != nil {
			return fmt.Errorf("%s's kernel: %w", d.name, err)
		}
		return nil
	}
	if built := d.w.Shape()[0]; in != built {
		return fmt.Errorf("%s was built for inputs of width %d; this input has width %d", d.name, built, in)
	}
	if x.DType() != d.w.DType() {
		return fmt.Errorf("%s was built for %v inputs; this input is %v", d.name, d.w.DType(), x.DType())
	}
	return nil
}

// build creates W and b for inputs like x.
func (d *Dense) build(x *graph.Node) {
	s := x.Shape()
	in, dt, g := s[len(s)-1], x.DType(), x.Graph()
	d.w = d.model.newParam(g, d.name+"/W", dt, graph.Shape{in, d.units}, in, d.units, d.opts.init, d.rng)
	if !d.opts.noBias {
		d.b = d.model.newParam(g, d.name+"/b", dt, graph.Shape{d.units}, in, d.units, d.opts.biasInit, d.rng)
	}
}

func (d *Dense) summary() (string, string, graph.Shape, []*graph.Node) {
	var params []*graph.Node
	if d.w != nil {
		params = append(params, d.w)
	}
	if d.b != nil {
		params = append(params, d.b)
	}
	return d.name, "Dense", d.out, params
}
