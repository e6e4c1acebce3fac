package layers

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// NormConfig holds the options of LayerNorm, RMSNorm and GroupNorm; its
// zero value is PyTorch's default.
type NormConfig struct {
	// Axes is how many trailing axes LayerNorm and RMSNorm normalize over
	// together (the length of PyTorch's normalized_shape); 0 means 1, the
	// last axis. GroupNorm ignores it.
	Axes int
	// Eps is added to the variance (or the mean square) before its square
	// root. 0 means PyTorch's default: 1e-5 for LayerNorm and GroupNorm,
	// and for RMSNorm the machine epsilon of the input's dtype
	// (torch.finfo(dtype).eps: 2^-23 in float32, 2^-52 in float64).
	Eps float64
	// NoAffine leaves out the learned scale and shift
	// (elementwise_affine=False, or affine=False for GroupNorm).
	NoAffine bool
}

// Norm is a normalization layer: LayerNorm, RMSNorm or GroupNorm. Its
// scale starts at ones and its shift (none for RMSNorm) at zeros, named
// "<layer>/gamma" and "<layer>/beta". Unlike BatchNorm it keeps no
// running statistics, so training and inference compute the same.
type Norm struct {
	model       *Model
	name, kind  string
	cfg         NormConfig
	groups      int // GroupNorm's
	err         error
	gamma, beta *graph.Node
	out         graph.Shape
}

// LayerNorm returns a layer normalization over the last cfg.Axes axes,
// torch.nn.LayerNorm(normalized_shape) with the biased variance:
//
//	y = (x - mean) / √(var + eps) · gamma + beta
//
// with mean and var over those axes, and gamma and beta of their shape.
func (m *Model) LayerNorm(cfg NormConfig, opts ...Option) *Norm {
	return m.newNorm("LayerNorm", "layernorm", cfg, 0, opts)
}

// RMSNorm returns a root-mean-square normalization over the last cfg.Axes
// axes, as torch.nn.RMSNorm (PyTorch 2.4) and T5's and LLaMA's layers:
//
//	y = x / √(mean(x²) + eps) · gamma
//
// It neither centres x nor adds a shift.
func (m *Model) RMSNorm(cfg NormConfig, opts ...Option) *Norm {
	return m.newNorm("RMSNorm", "rmsnorm", cfg, 0, opts)
}

// GroupNorm returns a group normalization of an (N, C, *) input: the C
// channels are split into groups, each normalized over its channels and
// every spatial position, then each channel is scaled and shifted:
// torch.nn.GroupNorm(groups, C). groups must divide C; groups = 1 is a
// layer norm over (C, *), groups = C an instance norm.
func (m *Model) GroupNorm(groups int, cfg NormConfig, opts ...Option) *Norm {
	return m.newNorm("GroupNorm", "groupnorm", cfg, groups, opts)
}

func (m *Model) newNorm(kind, prefix string, cfg NormConfig, groups int, opts []Option) *Norm {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if cfg.Axes == 0 {
		cfg.Axes = 1
	}
	n := &Norm{model: m, kind: kind, cfg: cfg, groups: groups}
	n.name, n.err = m.name(o.name, prefix)
	switch {
	case n.err != nil:
	case cfg.Axes < 1:
		n.err = fmt.Errorf("%s normalizes over %d axes; it needs at least 1", n.name, cfg.Axes)
	case !(cfg.Eps >= 0) || math.IsInf(cfg.Eps, 1):
		n.err = fmt.Errorf("%s has eps %v; it must be a finite number at least 0", n.name, cfg.Eps)
	case kind == "GroupNorm" && groups < 1:
		n.err = fmt.Errorf("%s has %d groups; it needs at least 1", n.name, groups)
	}
	m.components = append(m.components, n)
	return n
}

// Name returns the layer's name, such as "layernorm1".
func (n *Norm) Name() string { return n.name }

// Gamma returns the scale, nil before the first Apply or without affine.
func (n *Norm) Gamma() *graph.Node { return n.gamma }

// Beta returns the shift, nil before the first Apply, without affine, or
// for RMSNorm.
func (n *Norm) Beta() *graph.Node { return n.beta }

// Apply normalizes x.
func (n *Norm) Apply(x *graph.Node) *graph.Node {
	affine, err := n.check(x)
	if err != nil {
		return graph.Reject(n.kind, err, x)
	}
	if n.gamma == nil && !n.cfg.NoAffine {
		g, dt := x.Graph(), x.DType()
		n.gamma = n.model.newParam(g, n.name+"/gamma", dt, affine, 1, 1, Ones, nil)
		if n.kind != "RMSNorm" {
			n.beta = n.model.newParam(g, n.name+"/beta", dt, affine, 1, 1, Zeros, nil)
		}
	}
	s := x.Shape()
	var y *graph.Node
	switch n.kind {
	case "GroupNorm":
		grouped := ops.Reshape(x, s[0], n.groups, -1)
		mean, variance := ops.Moments(grouped, 2)
		y = ops.Reshape(ops.Normalize(grouped, mean, variance, n.eps(x.DType())), s...)
	case "RMSNorm":
		ms := ops.MeanKeepDims(ops.Square(x), n.trailing(len(s))...)
		y = ops.Div(x, ops.Sqrt(ops.Add(ms, ops.ScalarLike(ms, n.eps(x.DType())))))
	default:
		mean, variance := ops.Moments(x, n.trailing(len(s))...)
		y = ops.Normalize(x, mean, variance, n.eps(x.DType()))
	}
	if n.gamma != nil {
		// A (C,) scale broadcasts along GroupNorm's channel axis as
		// (C, 1, ...); LayerNorm's and RMSNorm's trailing shape as it is.
		bcast := func(p *graph.Node) *graph.Node {
			if n.kind != "GroupNorm" {
				return p
			}
			shape := make([]int, len(s)-1)
			for i := range shape {
				shape[i] = 1
			}
			shape[0] = s[1]
			return ops.Reshape(p, shape...)
		}
		y = ops.Mul(y, bcast(n.gamma))
		if n.beta != nil {
			y = ops.Add(y, bcast(n.beta))
		}
	}
	if n.out == nil && y.Shape() != nil {
		n.out = y.Shape().Clone()
	}
	return y
}

func (n *Norm) eps(dt graph.DType) float64 {
	switch {
	case n.cfg.Eps != 0:
		return n.cfg.Eps
	case n.kind != "RMSNorm":
		return 1e-5
	case dt == tensor.Float32:
		return 0x1p-23
	}
	return 0x1p-52
}

// trailing returns the last cfg.Axes axes of a rank-r input.
func (n *Norm) trailing(r int) []int {
	axes := make([]int, n.cfg.Axes)
	for i := range axes {
		axes[i] = r - n.cfg.Axes + i
	}
	return axes
}

// check returns the shape of the scale and shift for x, or what is wrong.
func (n *Norm) check(x *graph.Node) (graph.Shape, error) {
	if n.err != nil {
		return nil, n.err
	}
	if x == nil || x.Graph() == nil {
		return nil, fmt.Errorf("%s is applied to a node of no graph", n.name)
	}
	s := x.Shape()
	if err := graph.CheckDType(x.DType()); err != nil {
		return nil, fmt.Errorf("%s: %w", n.name, err)
	}
	if err := n.model.checkGraph(x.Graph()); err != nil {
		return nil, fmt.Errorf("%s: %w", n.name, err)
	}
	var affine graph.Shape
	switch {
	case n.kind == "GroupNorm" && len(s) < 2:
		return nil, fmt.Errorf("%s wants an input (N, C, ...), got shape %v", n.name, s)
	case n.kind == "GroupNorm" && s[1]%n.groups != 0:
		return nil, fmt.Errorf("%s has %d groups, which do not divide the %d channels of shape %v", n.name, n.groups, s[1], s)
	case n.kind == "GroupNorm":
		affine = graph.Shape{s[1]}
	case len(s) < n.cfg.Axes:
		return nil, fmt.Errorf("%s normalizes over the last %d axes; shape %v has %d", n.name, n.cfg.Axes, s, len(s))
	default:
		affine = s[len(s)-n.cfg.Axes:].Clone()
	}
	if n.gamma != nil && (!n.gamma.Shape().Equal(affine) || n.gamma.DType() != x.DType()) {
		return nil, fmt.Errorf("%s was built for %v %v; this input needs %v %v", n.name, n.gamma.Shape(), n.gamma.DType(), affine, x.DType())
	}
	if n.gamma == nil && !n.cfg.NoAffine {
		for _, suffix := range []string{"/gamma", "/beta"} {
			if n.model.byName[n.name+suffix] != nil {
				return nil, fmt.Errorf("the model already has a parameter named %q", n.name+suffix)
			}
		}
	}
	return affine, nil
}

func (n *Norm) summary() (string, string, graph.Shape, []*graph.Node) {
	var params []*graph.Node
	for _, p := range []*graph.Node{n.gamma, n.beta} {
		if p != nil {
			params = append(params, p)
		}
	}
	return n.name, n.kind, n.out, params
}
