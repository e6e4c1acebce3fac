package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// AttentionConfig holds the options of a MultiHeadAttention layer.
type AttentionConfig struct {
	// Heads splits the model width into this many heads of width
	// dModel/Heads, each attending on its own; it must divide dModel.
	// 0 means 1.
	Heads int
	// Causal lets query position i attend to key positions j ≤ i only, as
	// a decoder (GPT) does: PyTorch's attn_mask of
	// torch.triu(ones(Tq, Tk), 1).bool(), or is_causal=True.
	Causal bool
	// NoBias leaves out the four biases (PyTorch's bias=False).
	NoBias bool
	// Dropout is the fraction of attention weights dropped in the graph's
	// training mode (PyTorch's dropout), in [0, 1).
	Dropout float64
}

// MultiHeadAttention is scaled dot-product attention with several heads,
// torch.nn.MultiheadAttention(d, heads, batch_first=True) with its
// projections written in x·W form:
//
//	Q = query·Wq + bq,  K = context·Wk + bk,  V = context·Wv + bv
//	head h = softmax(Q_h·K_hᵀ / √d_head + mask) · V_h
//	out = concat(heads)·Wo + bo
//
// for a query (batch, Tq, d) and a context (batch, Tk, d); the output is
// (batch, Tq, d). Q_h is the h-th slice of d_head = d/heads columns of Q.
// The four kernels W are (d, d), named "<layer>/Wq", "/Wk", "/Wv" and
// "/Wo", the biases (d,) "/bq", "/bk", "/bv", "/bo"; they are created on the
// first application. The kernels start Glorot-uniform over (d, d) each,
// Keras' MultiHeadAttention default, and the biases at zero, as in both
// (PyTorch draws its stacked (3d, d) input projection Glorot-uniform over
// that shape, so its bound is √(6/4d) where graft's is √(6/2d), and its
// output projection from nn.Linear's default).
//
// # PyTorch's weights
//
// PyTorch stores its projections as y = x·Wᵀ + b, the three input ones
// stacked: in_proj_weight (3d, d) = [Wqᵀ; Wkᵀ; Wvᵀ], in_proj_bias (3d,) =
// [bq; bk; bv], out_proj.weight (d, d) = Woᵀ and out_proj.bias = bo. So
// graft's Wq is in_proj_weight[:d].T, Wk is in_proj_weight[d:2d].T, Wv is
// in_proj_weight[2d:].T and Wo is out_proj.weight.T. SetTorchWeights does
// that copy, given the four arrays in PyTorch's row-major order.
//
// # Masks
//
// The masks are ops' keep-masks (ops.CausalMask, ops.PaddingMask), applied
// by ops.MaskedSoftmax: a masked position gets exactly 0 weight, and where
// a query row has nothing left to attend to (a sequence of length 0)
// PyTorch gives NaN but graft gives that row all-zero weights, so its
// output is bo and its gradients are zero, never NaN.
type MultiHeadAttention struct {
	model   *Model
	name    string
	d       int
	cfg     AttentionConfig
	opts    options
	err     error
	seed    uint64 // dropout's, as the Dropout layer draws its own
	applied uint64 // applications in training mode so far
	rng     *rand.Rand
	// the parameters, nil before the first application (biases also
	// with NoBias)
	wq, wk, wv, wo *graph.Node
	bq, bk, bv, bo *graph.Node
	out            graph.Shape
}

// MultiHeadAttention returns an attention layer of model width dModel.
// WithName, WithInit (the kernels') and WithBiasInit apply to it; its
// automatic names are "mha1", "mha2", ...
func (m *Model) MultiHeadAttention(dModel int, cfg AttentionConfig, opts ...Option) *MultiHeadAttention {
	a := &MultiHeadAttention{model: m, d: dModel, cfg: cfg, rng: m.stream(), seed: m.rng.Uint64()}
	for _, o := range opts {
		o(&a.opts)
	}
	if a.opts.init == nil {
		a.opts.init = GlorotUniform
	}
	if a.opts.biasInit == nil {
		a.opts.biasInit = Zeros
	}
	if a.cfg.Heads == 0 {
		a.cfg.Heads = 1
	}
	a.name, a.err = m.name(a.opts.name, "mha")
	switch {
	case a.err != nil:
	case dModel < 1:
		a.err = fmt.Errorf("%s has width %d; it must be at least 1", a.name, dModel)
	case a.cfg.Heads < 1 || dModel%a.cfg.Heads != 0:
		a.err = fmt.Errorf("%s has %d heads, which do not divide its width %d", a.name, a.cfg.Heads, dModel)
	case !(cfg.Dropout >= 0 && cfg.Dropout < 1):
		a.err = fmt.Errorf("%s has dropout %v; a dropout rate is in [0, 1)", a.name, cfg.Dropout)
	}
	m.components = append(m.components, a)
	return a
}

// Name returns the layer's name, such as "mha1".
func (a *MultiHeadAttention) Name() string { return a.name }

// Heads returns the number of heads.
func (a *MultiHeadAttention) Heads() int { return a.cfg.Heads }

// Kernels returns Wq, Wk, Wv and Wo, nil before the first application.
func (a *MultiHeadAttention) Kernels() (wq, wk, wv, wo *graph.Node) { return a.wq, a.wk, a.wv, a.wo }

// Biases returns bq, bk, bv and bo, nil before the first application or
// with NoBias.
func (a *MultiHeadAttention) Biases() (bq, bk, bv, bo *graph.Node) { return a.bq, a.bk, a.bv, a.bo }

// Apply is self-attention of x (batch, T, d) with itself, with the
// causal mask if the layer has one and no padding mask.
func (a *MultiHeadAttention) Apply(x *graph.Node) *graph.Node {
	out, _ := a.AttendWeights(x, x, nil)
	return out
}

// Attend returns the attention of query (batch, Tq, d) over context
// (batch, Tk, d), of shape (batch, Tq, d). Pass the same node twice for
// self-attention. keep is the padding mask, or nil for none: either the
// lengths of the batch's sequences, graph.Int64 of shape (batch,), so that
// key positions j < length are attended and the rest masked, or a float
// mask (batch, Tk) of the layer's dtype, nonzero where a key is attended.
// (PyTorch's key_padding_mask is the opposite: True where a key is
// masked.) The lengths become ops.PaddingMask: each must lie in [0, Tk],
// and Run reports one that does not. The causal mask, if the layer has
// one, applies on top.
func (a *MultiHeadAttention) Attend(query, context, keep *graph.Node) *graph.Node {
	out, _ := a.AttendWeights(query, context, keep)
	return out
}

// AttendWeights is Attend that also returns the attention weights of every
// head, (batch, heads, Tq, Tk), each row summing to 1 (or 0 where it is
// fully masked), before dropout (PyTorch returns them after): its
// need_weights=True, average_attn_weights=False.
func (a *MultiHeadAttention) AttendWeights(query, context, keep *graph.Node) (out, weights *graph.Node) {
	if err := a.check(query, context, keep); err != nil {
		r := graph.Reject("MultiHeadAttention", err, query, context)
		return r, r
	}
	if a.wq == nil {
		a.build(query)
	}
	qs, ks := query.Shape(), context.Shape()
	batch, tq, tk, heads := qs[0], qs[1], ks[1], a.cfg.Heads
	dh := a.d / heads
	// Head h of a step is its h-th run of d_head columns, as in PyTorch:
	// (batch, T, d) is read as (batch, T, heads, d_head).
	split := func(x *graph.Node, t int) *graph.Node { return ops.Reshape(x, batch, t, heads, dh) }
	// The scale goes on Q before the product, as PyTorch applies it: the
	// same numbers, and fewer of them than the scores when T > d_head.
	q := ops.Mul(a.project(query, a.wq, a.bq), ops.ScalarLike(query, 1/math.Sqrt(float64(dh))))
	k := a.project(context, a.wk, a.bk)
	v := a.project(context, a.wv, a.bv)
	scores := ops.Einsum("bqhd,bkhd->bhqk", split(q, tq), split(k, tk))
	weights = a.softmax(scores, keep)
	dropped := weights
	if a.cfg.Dropout > 0 && query.Graph().Training() {
		a.applied++
		dropped = ops.Dropout(weights, a.cfg.Dropout, a.seed+a.applied*0x9e3779b97f4a7c15)
	}
	concat := ops.Reshape(ops.Einsum("bhqk,bkhd->bqhd", dropped, split(v, tk)), batch, tq, a.d)
	out = a.project(concat, a.wo, a.bo)
	if a.out == nil && out.Shape() != nil {
		a.out = out.Shape().Clone()
	}
	return out, weights
}

// project returns x·w + b over the last axis of x (batch, T, d), as one
// (batch·T, d)·(d, d) product.
func (a *MultiHeadAttention) project(x, w, b *graph.Node) *graph.Node {
	s := x.Shape()
	y := ops.MatMul(ops.Reshape(x, s[0]*s[1], s[2]), w)
	if b != nil {
		y = ops.Add(y, b)
	}
	return ops.Reshape(y, s[0], s[1], a.d)
}

// softmax returns the weights softmax(scores) along the keys, with the
// causal and padding masks applied by ops.MaskedSoftmax: exactly 0 at a
// masked key, and a row of zeros, not NaN, where every key is masked.
func (a *MultiHeadAttention) softmax(scores, keep *graph.Node) *graph.Node {
	s := scores.Shape()
	batch, tq, tk, dt := s[0], s[2], s[3], scores.DType()
	var allowed *graph.Node // a keep-mask that broadcasts to (batch, heads, Tq, Tk)
	if a.cfg.Causal {
		allowed = causalMask(scores.Graph(), tq, tk, dt)
	}
	if keep != nil {
		padding := keep
		if graph.IsInteger(keep.DType()) {
			padding = ops.PaddingMask(keep, tk, dt)
		} else {
			// Any nonzero value keeps its key, and does not scale its row.
			padding = ops.NotEqual(keep, ops.ScalarLike(keep, 0))
		}
		padding = ops.Reshape(padding, batch, 1, 1, tk)
		if allowed == nil {
			allowed = padding
		} else {
			allowed = ops.Mul(allowed, padding)
		}
	}
	if allowed == nil {
		return ops.Softmax(scores, -1)
	}
	return ops.MaskedSoftmax(scores, allowed, -1)
}

// causalMask returns the (Tq, Tk) keep-mask that is 1 where key j ≤ query
// i: ops.CausalMask, cut to Tq rows and Tk columns when they differ (as
// PyTorch's attn_mask of torch.triu(ones(Tq, Tk), 1) is).
func causalMask(g *graph.Graph, tq, tk int, dt graph.DType) *graph.Node {
	m := ops.CausalMask(g, max(tq, tk), dt)
	if tq < tk {
		m = ops.Slice(m, 0, 0, tq)
	} else if tk < tq {
		m = ops.Slice(m, 1, 0, tk)
	}
	return m
}

func (a *MultiHeadAttention) check(query, context, keep *graph.Node) error {
	switch {
	case a.err != nil:
		return a.err
	case query == nil || context == nil || query.Graph() == nil:
		return fmt.Errorf("%s is applied to nil", a.name)
	case context.Graph() != query.Graph() || (keep != nil && keep.Graph() != query.Graph()):
		return fmt.Errorf("%s: the query, context and mask are nodes of different graphs", a.name)
	}
	qs, ks := query.Shape(), context.Shape()
	switch {
	case len(qs) != 3 || qs[2] != a.d:
		return fmt.Errorf("%s wants a query (batch, T, %d), got shape %v", a.name, a.d, qs)
	case len(ks) != 3 || ks[2] != a.d || ks[0] != qs[0]:
		return fmt.Errorf("%s wants a context (%d, T, %d) for the query %v, got shape %v", a.name, qs[0], a.d, qs, ks)
	case query.DType() != context.DType():
		return fmt.Errorf("%s: the query is %v and the context %v", a.name, query.DType(), context.DType())
	}
	if dt := query.DType(); dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("%s cannot compute in %s", a.name, graph.DTypeName(dt))
	}
	if keep != nil {
		s := keep.Shape()
		switch {
		case graph.IsInteger(keep.DType()) && !s.Equal(graph.Shape{qs[0]}):
			return fmt.Errorf("%s wants the lengths of the %d sequences as %v (%d,), got shape %v", a.name, qs[0], graph.Int64, qs[0], s)
		case !graph.IsInteger(keep.DType()) && (!s.Equal(graph.Shape{ks[0], ks[1]}) || keep.DType() != query.DType()):
			return fmt.Errorf("%s wants a padding mask (%d, %d) %v or lengths (%d,) %v, got %v %s", a.name, ks[0], ks[1], query.DType(), qs[0], graph.Int64, s, graph.DTypeName(keep.DType()))
		}
	}
	if err := a.model.checkGraph(query.Graph()); err != nil {
		return fmt.Errorf("%s: %w", a.name, err)
	}
	if a.wq == nil {
		for _, n := range a.paramNames() {
			if a.model.byName[n] != nil {
				return fmt.Errorf("the model already has a parameter named %q", n)
			}
		}
		return nil
	}
	if query.DType() != a.wq.DType() {
		return fmt.Errorf("%s was built for %v inputs; this input is %v", a.name, a.wq.DType(), query.DType())
	}
	return nil
}

func (a *MultiHeadAttention) paramNames() []string {
	var names []string
	for _, p := range []string{"q", "k", "v", "o"} {
		names = append(names, a.name+"/W"+p, a.name+"/b"+p)
	}
	return names
}

// build creates the kernels and biases, in the order Wq, bq, Wk, bk, Wv,
// bv, Wo, bo.
func (a *MultiHeadAttention) build(x *graph.Node) {
	g, dt, d := x.Graph(), x.DType(), a.d
	param := func(suffix string, shape graph.Shape, init Initializer) *graph.Node {
		return a.model.newParam(g, a.name+"/"+suffix, dt, shape, d, d, init, a.rng)
	}
	ws := []**graph.Node{&a.wq, &a.wk, &a.wv, &a.wo}
	bs := []**graph.Node{&a.bq, &a.bk, &a.bv, &a.bo}
	for i, p := range []string{"q", "k", "v", "o"} {
		*ws[i] = param("W"+p, graph.Shape{d, d}, a.opts.init)
		if !a.cfg.NoBias {
			*bs[i] = param("b"+p, graph.Shape{d}, a.opts.biasInit)
		}
	}
}

func (a *MultiHeadAttention) summary() (string, string, graph.Shape, []*graph.Node) {
	var params []*graph.Node
	for _, p := range []*graph.Node{a.wq, a.bq, a.wk, a.bk, a.wv, a.bv, a.wo, a.bo} {
		if p != nil {
			params = append(params, p)
		}
	}
	return a.name, "MultiHeadAttention", a.out, params
}

// SetTorchWeights copies the weights of a torch.nn.MultiheadAttention of
// the same width into the layer, which must have been applied once (so
// that its parameters exist). The arguments are PyTorch's tensors
// flattened in row-major order, as .flatten().tolist() gives them:
// in_proj_weight (3d·d), in_proj_bias (3d), out_proj.weight (d·d) and
// out_proj.bias (d); the biases are ignored (and may be nil) for a layer
// made with NoBias. Each kernel is the transpose of its block (see the
// type's documentation).
func (a *MultiHeadAttention) SetTorchWeights(inProjWeight, inProjBias, outProjWeight, outProjBias []float64) error {
	d := a.d
	switch {
	case a.wq == nil:
		return fmt.Errorf("graft: %s has no parameters yet; apply it once first", a.name)
	case len(inProjWeight) != 3*d*d || len(outProjWeight) != d*d:
		return fmt.Errorf("graft: %s wants in_proj_weight of %d values and out_proj.weight of %d, got %d and %d", a.name, 3*d*d, d*d, len(inProjWeight), len(outProjWeight))
	case !a.cfg.NoBias && (len(inProjBias) != 3*d || len(outProjBias) != d):
		return fmt.Errorf("graft: %s wants in_proj_bias of %d values and out_proj.bias of %d, got %d and %d", a.name, 3*d, d, len(inProjBias), len(outProjBias))
	}
	transposed := func(block []float64) []float64 {
		t := make([]float64, d*d)
		for r := range d {
			for c := range d {
				t[c*d+r] = block[r*d+c]
			}
		}
		return t
	}
	for i, w := range []*graph.Node{a.wq, a.wk, a.wv} {
		setParam(w, transposed(inProjWeight[i*d*d:(i+1)*d*d]))
		if !a.cfg.NoBias {
			setParam([]*graph.Node{a.bq, a.bk, a.bv}[i], inProjBias[i*d:(i+1)*d])
		}
	}
	setParam(a.wo, transposed(outProjWeight))
	if !a.cfg.NoBias {
		setParam(a.bo, outProjBias)
	}
	return nil
}

// setParam overwrites a float parameter's values.
func setParam(p *graph.Node, data []float64) {
	if p.DType() == tensor.Float32 {
		for i, v := range data {
			p.Value().Float32s()[i] = float32(v)
		}
		return
	}
	copy(p.Value().Float64s(), data)
}
