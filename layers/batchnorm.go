package layers

import (
	"fmt"
	"math"

	"graft/graph"
	"graft/ops"
)

// BatchNormConfig holds a batch-norm layer's options; its zero value is
// PyTorch's default.
type BatchNormConfig struct {
	// Axis is the channel axis: 1, PyTorch's layout for (N, C), (N, C, L)
	// and (N, C, H, W), or -1 for channels-last inputs such as
	// (N, H, W, C). 0, the batch axis, cannot be the channel axis, so it
	// means 1.
	Axis int
	// Momentum is the weight of each batch in the running statistics,
	// PyTorch's convention (Keras' momentum is 1 minus this); 0 means 0.1.
	Momentum float64
	// Eps is added to the variance before its square root; 0 means 1e-5.
	Eps float64
}

// BatchNorm normalizes each channel of its input, as torch.nn.BatchNorm1d
// and BatchNorm2d do with their defaults (affine, tracking running
// statistics):
//
//	y = (x - mean) / √(var + eps) · gamma + beta
//
// In a graph's training mode (graph.SetTraining) mean and var are the
// batch's own, over every axis but the channel axis, with the biased
// variance; and every run of a program that computes y updates the running
// statistics, with n the number of values per channel:
//
//	running_mean ← (1 - momentum)·running_mean + momentum·mean
//	running_var  ← (1 - momentum)·running_var + momentum·var·n/(n-1)
//
// (the running variance is unbiased, as PyTorch's is). In inference mode
// the running statistics take the place of the batch's and nothing is
// updated. gamma starts at ones and beta at zeros; the running mean starts
// at zeros and the running variance at ones. They are named "<layer>/gamma",
// "<layer>/beta", "<layer>/running_mean" and "<layer>/running_var"; the
// running statistics are states (Model.States), which no optimizer trains.
// PyTorch's num_batches_tracked, used only when momentum is None, has no
// counterpart.
type BatchNorm struct {
	model       *Model
	name        string
	cfg         BatchNormConfig
	err         error
	gamma, beta *graph.Node
	mean, vari  *graph.Node // the running statistics
	out         graph.Shape
}

// BatchNorm returns a batch-normalization layer. Only WithName applies to
// it among the options.
func (m *Model) BatchNorm(cfg BatchNormConfig, opts ...Option) *BatchNorm {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if cfg.Axis == 0 {
		cfg.Axis = 1
	}
	if cfg.Momentum == 0 {
		cfg.Momentum = 0.1
	}
	if cfg.Eps == 0 {
		cfg.Eps = 1e-5
	}
	b := &BatchNorm{model: m, cfg: cfg}
	b.name, b.err = m.name(o.name, "batchnorm")
	switch {
	case b.err != nil:
	case !(cfg.Momentum > 0 && cfg.Momentum <= 1):
		b.err = fmt.Errorf("%s has momentum %v; it must be in (0, 1]", b.name, cfg.Momentum)
	case !(cfg.Eps > 0) || math.IsInf(cfg.Eps, 1):
		b.err = fmt.Errorf("%s has eps %v; it must be a finite number above 0", b.name, cfg.Eps)
	}
	m.components = append(m.components, b)
	return b
}

// Name returns the layer's name, such as "batchnorm1".
func (b *BatchNorm) Name() string { return b.name }

// Gamma and Beta return the scale and shift, nil before the first Apply.
func (b *BatchNorm) Gamma() *graph.Node { return b.gamma }

// Beta returns the shift, nil before the first Apply.
func (b *BatchNorm) Beta() *graph.Node { return b.beta }

// RunningMean returns the running mean, nil before the first Apply.
func (b *BatchNorm) RunningMean() *graph.Node { return b.mean }

// RunningVar returns the running (unbiased) variance, nil before the first
// Apply.
func (b *BatchNorm) RunningVar() *graph.Node { return b.vari }

// Apply normalizes x in the graph's mode: with the batch's statistics
// (updating the running ones) in training, with the running statistics in
// inference.
func (b *BatchNorm) Apply(x *graph.Node) *graph.Node {
	axis, err := b.check(x)
	if err != nil {
		return graph.Reject("BatchNorm", err, x)
	}
	s := x.Shape()
	c := s[axis]
	if b.gamma == nil {
		g, dt, shape := x.Graph(), x.DType(), graph.Shape{c}
		b.gamma = b.model.newParam(g, b.name+"/gamma", dt, shape, c, c, Ones, nil)
		b.beta = b.model.newParam(g, b.name+"/beta", dt, shape, c, c, Zeros, nil)
		b.mean = b.model.newState(g, b.name+"/running_mean", dt, shape, 0)
		b.vari = b.model.newState(g, b.name+"/running_var", dt, shape, 1)
	}
	// perChannel is the shape that broadcasts a (C,) vector along axis.
	perChannel := make([]int, len(s))
	var others []int
	for i := range perChannel {
		perChannel[i] = 1
		if i != axis {
			others = append(others, i)
		}
	}
	perChannel[axis] = c
	column := func(v *graph.Node) *graph.Node { return ops.Reshape(v, perChannel...) }
	var y *graph.Node
	if x.Graph().Training() {
		n := s.Size() / c
		if n < 2 {
			return graph.Reject("BatchNorm", fmt.Errorf("%s needs more than one value per channel in training; shape %v has %d", b.name, s, n), x)
		}
		mean, variance := ops.Moments(x, others...)
		y = ops.Normalize(x, mean, variance, b.cfg.Eps)
		y = ops.Add(ops.Mul(y, column(b.gamma)), column(b.beta))
		m := b.cfg.Momentum
		blend := func(running, batch *graph.Node, scale float64) *graph.Node {
			return ops.Add(ops.Mul(ops.ScalarLike(running, 1-m), running),
				ops.Mul(ops.ScalarLike(running, m*scale), ops.Reshape(batch, c)))
		}
		graph.Update(b.mean, blend(b.mean, mean, 1), y)
		graph.Update(b.vari, blend(b.vari, variance, float64(n)/float64(n-1)), y)
	} else {
		y = ops.Normalize(x, column(b.mean), column(b.vari), b.cfg.Eps)
		y = ops.Add(ops.Mul(y, column(b.gamma)), column(b.beta))
	}
	if b.out == nil {
		b.out = y.Shape().Clone()
	}
	return y
}

// check returns the channel axis of x, or what is wrong with x.
func (b *BatchNorm) check(x *graph.Node) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if x == nil || x.Graph() == nil {
		return 0, fmt.Errorf("%s is applied to a node of no graph", b.name)
	}
	s := x.Shape()
	if len(s) < 2 {
		return 0, fmt.Errorf("%s wants an input (N, C, ...) or (N, ..., C), got shape %v", b.name, s)
	}
	axis := b.cfg.Axis
	if axis < 0 {
		axis += len(s)
	}
	if axis <= 0 || axis >= len(s) {
		return 0, fmt.Errorf("%s has channel axis %d, which shape %v lacks or which is the batch axis", b.name, b.cfg.Axis, s)
	}
	if err := graph.CheckDType(x.DType()); err != nil {
		return 0, fmt.Errorf("%s: %w", b.name, err)
	}
	if err := b.model.checkGraph(x.Graph()); err != nil {
		return 0, fmt.Errorf("%s: %w", b.name, err)
	}
	if b.gamma == nil {
		for _, suffix := range []string{"/gamma", "/beta", "/running_mean", "/running_var"} {
			if b.model.byName[b.name+suffix] != nil {
				return 0, fmt.Errorf("the model already has a parameter or state named %q", b.name+suffix)
			}
		}
		return axis, nil
	}
	if c := b.gamma.Shape()[0]; s[axis] != c || x.DType() != b.gamma.DType() {
		return 0, fmt.Errorf("%s was built for %d channels of %v; this input has %d of %v", b.name, c, b.gamma.DType(), s[axis], x.DType())
	}
	return axis, nil
}

func (b *BatchNorm) summary() (string, string, graph.Shape, []*graph.Node) {
	var params []*graph.Node
	if b.gamma != nil {
		params = []*graph.Node{b.gamma, b.beta}
	}
	return b.name, "BatchNorm", b.out, params
}
