package layers

import (
	"graft/activations"
	"graft/graph"
	"graft/ops"
)

// BlockConfig holds the options of a TransformerBlock.
type BlockConfig struct {
	// Heads is the attention's number of heads; it must divide the width.
	// 0 means 1.
	Heads int
	// Causal masks the attention so that a step sees itself and the steps
	// before it only, as in a decoder.
	Causal bool
	// Hidden is the width of the MLP's inner layer; 0 means 4·d.
	Hidden int
	// Activation is the MLP's; nil means activations.GELU (the exact
	// erf form, torch.nn.GELU's default).
	Activation activations.Func
	// Dropout is the fraction dropped, in training mode, from the output
	// of each residual branch before it is added back (GPT-2's
	// resid_pdrop).
	Dropout float64
	// AttentionDropout is the fraction of attention weights dropped in
	// training mode (GPT-2's attn_pdrop).
	AttentionDropout float64
}

// TransformerBlock is a pre-norm transformer layer, as in GPT-2 and most
// models since:
//
//	h = x + Dropout(Attention(LayerNorm₁(x)))
//	y = h + Dropout(Dense₂(act(Dense₁(LayerNorm₂(h)))))
//
// for x of shape (batch, T, d). It is the worked example of a custom layer
// built from other layers: it holds a LayerNorm, a MultiHeadAttention, two
// Dense layers and two Dropouts, created by the model with names under the
// block's ("block1/ln1", "block1/attn", "block1/mlp1", "block1/mlp2",
// "block1/ln2", "block1/drop1", "block1/drop2"), so their parameters are
// "block1/attn/Wq", "block1/mlp1/W" and so on, and each shows as a row of
// the model's Summary. Its Apply is the two lines above written with
// ops.Add; it adds no math of its own, so its gradients, to any order, are
// those of its parts.
//
// Unlike torch.nn.TransformerEncoderLayer(norm_first=True), which also drops
// inside the MLP and uses ReLU by default, the block drops only the two
// branch outputs and the attention weights.
type TransformerBlock struct {
	name         string
	err          error
	ln1, ln2     *Norm
	attn         *MultiHeadAttention
	mlp1, mlp2   *Dense
	drop1, drop2 *Dropout
}

// TransformerBlock returns a pre-norm transformer block of width d.
// Only WithName applies to it; its automatic names are "block1",
// "block2", ...
func (m *Model) TransformerBlock(d int, cfg BlockConfig, opts ...Option) *TransformerBlock {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	b := &TransformerBlock{}
	b.name, b.err = m.name(o.name, "block")
	hidden, act := cfg.Hidden, cfg.Activation
	if hidden == 0 {
		hidden = 4 * d
	}
	if act == nil {
		act = activations.GELU
	}
	in := func(part string) Option { return WithName(b.name + "/" + part) }
	b.ln1 = m.LayerNorm(NormConfig{}, in("ln1"))
	b.attn = m.MultiHeadAttention(d, AttentionConfig{Heads: cfg.Heads, Causal: cfg.Causal, Dropout: cfg.AttentionDropout}, in("attn"))
	b.drop1 = m.Dropout(cfg.Dropout, in("drop1"))
	b.ln2 = m.LayerNorm(NormConfig{}, in("ln2"))
	b.mlp1 = m.Dense(hidden, act, in("mlp1"))
	b.mlp2 = m.Dense(d, nil, in("mlp2"))
	b.drop2 = m.Dropout(cfg.Dropout, in("drop2"))
	return b
}

// Name returns the block's name, such as "block1".
func (b *TransformerBlock) Name() string { return b.name }

// Attention returns the block's attention layer, to read its weights or
// call AttendWeights on a normalized input.
func (b *TransformerBlock) Attention() *MultiHeadAttention { return b.attn }

// Apply returns the block applied to x (batch, T, d), with no padding mask.
func (b *TransformerBlock) Apply(x *graph.Node) *graph.Node { return b.ApplyPadded(x, nil) }

// ApplyPadded returns the block applied to x (batch, T, d), its attention
// masked by keep: the sequences' lengths or a (batch, T) mask, as
// MultiHeadAttention.Attend takes them, or nil.
func (b *TransformerBlock) ApplyPadded(x, keep *graph.Node) *graph.Node {
	y, _ := b.ApplyWeights(x, keep)
	return y
}

// ApplyWeights is ApplyPadded that also returns the attention weights,
// (batch, heads, T, T), as MultiHeadAttention.AttendWeights does: to draw
// what a trained block attends to.
func (b *TransformerBlock) ApplyWeights(x, keep *graph.Node) (y, weights *graph.Node) {
	if b.err != nil {
		r := graph.Reject("TransformerBlock", b.err, x)
		return r, r
	}
	n := b.ln1.Apply(x)
	attended, weights := b.attn.AttendWeights(n, n, keep)
	h := ops.Add(x, b.drop1.Apply(attended))
	return ops.Add(h, b.drop2.Apply(b.mlp2.Apply(b.mlp1.Apply(b.ln2.Apply(h))))), weights
}
