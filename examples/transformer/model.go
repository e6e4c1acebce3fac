package main

import (
	"math"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/layers"
	"graft/ops"
	"graft/optim"
)

// config sizes the decoder and its two programs.
type config struct {
	vocab, context   int // token ids in [0, vocab), at most context steps
	dModel, heads    int
	blocks           int
	dropout          float64
	dtype            graph.DType
	batch, evalBatch int
}

// decoder is a GPT-style decoder-only transformer: a token embedding plus a
// learned position embedding, causal pre-norm blocks, a final layer norm
// and a linear head giving the logits of the next token at every step.
type decoder struct {
	cfg    config
	model  *layers.Model
	embed  *layers.Embedding
	pos    *layers.PositionalEmbedding
	blocks []*layers.TransformerBlock
	norm   *layers.Norm
	head   *layers.Dense
}

func newDecoder(seed uint64, cfg config) *decoder {
	m := layers.NewModel(seed)
	d := &decoder{cfg: cfg, model: m}
	// GPT-2 draws both embeddings from N(0, 0.02²).
	d.embed = m.Embedding(cfg.vocab, cfg.dModel, cfg.dtype, layers.WithName("tokens"), layers.WithInit(layers.Normal(0, 0.02)))
	d.pos = m.PositionalEmbedding(cfg.context, cfg.dModel, cfg.dtype, layers.WithName("positions"))
	for range cfg.blocks {
		d.blocks = append(d.blocks, m.TransformerBlock(cfg.dModel, layers.BlockConfig{Heads: cfg.heads, Causal: true, Dropout: cfg.dropout}))
	}
	d.norm = m.LayerNorm(layers.NormConfig{}, layers.WithName("ln_f"))
	d.head = m.Dense(cfg.vocab, nil, layers.WithName("head"))
	return d
}

// forward returns the (batch, T, vocab) next-token logits for ids
// (batch, T), and the attention weights (batch, heads, T, T) of every block.
func (d *decoder) forward(ids *graph.Node) (logits *graph.Node, attention []*graph.Node) {
	h := d.pos.Apply(d.embed.Apply(ids))
	for _, b := range d.blocks {
		var w *graph.Node
		h, w = b.ApplyWeights(h, nil)
		attention = append(attention, w)
	}
	return d.head.Apply(d.norm.Apply(h)), attention
}

// maskedCrossEntropy is the mean, over the steps where weight is 1, of
// -log softmax(logits)[target]: logits (batch, T, vocab), targets Int64
// (batch, T) and weight (batch, T) of 0s and 1s.
func maskedCrossEntropy(logits, targets, weight *graph.Node, vocab int) *graph.Node {
	logp := ops.LogSoftmax(logits, -1)
	picked := ops.Sum(ops.Mul(ops.OneHot(targets, vocab, logits.DType()), logp), 2)
	return ops.Neg(ops.Div(ops.Sum(ops.Mul(picked, weight)), ops.Sum(weight)))
}

// trainer holds the compiled training step and the evaluation program.
type trainer struct {
	dec                  *decoder
	ids, targets, weight *graph.Node // the training step's inputs
	step                 *graph.Program
	evalIDs              *graph.Node
	eval                 *graph.Program // logits, then each block's attention weights
	params               []*graph.Node
	opt                  *optim.Adam
	lr                   float64
}

// newTrainer builds the graph: the evaluation logits in inference mode
// (first, so that --load finds the parameters made), then the training
// step in training mode: the loss and the gradient of every parameter.
func newTrainer(dec *decoder, lr float64) (*trainer, error) {
	cfg := dec.cfg
	g := graph.New()
	tr := &trainer{dec: dec, opt: optim.NewAdam(lr), lr: lr}
	tr.evalIDs = g.Input("eval_ids", graph.Int64, cfg.evalBatch, cfg.context)
	evalLogits, attention := dec.forward(tr.evalIDs)
	tr.ids = g.Input("ids", graph.Int64, cfg.batch, cfg.context)
	tr.targets = g.Input("targets", graph.Int64, cfg.batch, cfg.context)
	tr.weight = g.Input("weight", cfg.dtype, cfg.batch, cfg.context)
	g.SetTraining(true)
	logits, _ := dec.forward(tr.ids)
	loss := maskedCrossEntropy(logits, tr.targets, tr.weight, cfg.vocab)
	g.SetTraining(false)
	tr.params = dec.model.Params()
	grads, err := autodiff.Grad(loss, tr.params...)
	if err != nil {
		return nil, err
	}
	if tr.step, err = graph.Compile(append([]*graph.Node{loss}, grads...)...); err != nil {
		return nil, err
	}
	if tr.eval, err = graph.Compile(append([]*graph.Node{evalLogits}, attention...)...); err != nil {
		return nil, err
	}
	return tr, nil
}

// trainStep runs one step of Adam on a batch, with the learning rate of
// step k of n: a linear warm-up over the first 5 % of the steps, then a
// cosine decay to a tenth, GPT-style. It returns the batch's loss.
func (tr *trainer) trainStep(k, n int, b *batch) (float64, error) {
	warm := max(1, n/20)
	lr := tr.lr
	if k < warm {
		lr *= float64(k+1) / float64(warm)
	} else {
		lr *= 0.1 + 0.9*0.5*(1+math.Cos(math.Pi*float64(k-warm)/float64(max(1, n-warm))))
	}
	tr.opt.SetLearningRate(lr)
	out, err := tr.step.Run(graph.Feeds{tr.ids: b.idsT, tr.targets: b.targetsT, tr.weight: b.weightT})
	if err != nil {
		return 0, err
	}
	loss := graph.Float64s(out[0])[0]
	if _, err := optim.ClipGlobalNorm(out[1:], 1); err != nil {
		return 0, err
	}
	return loss, tr.opt.Step(tr.params, out[1:])
}

// batch holds the tensors of one training step, refilled in place.
type batch struct {
	ids, targets   []int64
	idsT, targetsT *tensor.Dense
	weightT        *tensor.Dense
	rows, context  int
}

// newBatch returns a batch of rows sequences of context steps whose loss
// counts the steps where weight (of length context) is 1.
func newBatch(rows, context int, weight []float64, dt graph.DType) *batch {
	b := &batch{ids: make([]int64, rows*context), targets: make([]int64, rows*context), rows: rows, context: context}
	b.idsT = tensor.New(tensor.WithShape(rows, context), tensor.WithBacking(b.ids))
	b.targetsT = tensor.New(tensor.WithShape(rows, context), tensor.WithBacking(b.targets))
	w := make([]float64, rows*context)
	for r := range rows {
		copy(w[r*context:], weight)
	}
	b.weightT, _ = graph.NewTensor(dt, w, rows, context) // dt is float32 or float64
	return b
}
