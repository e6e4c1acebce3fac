package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"graft/graph"
	"graft/ops"
)

// Embedding is a lookup table of learned vectors: for integer ids
// (graph.Int64) of any shape it returns their rows of the table W, of shape
// (ids..., dim), as torch.nn.Embedding(num, dim). W is (num, dim), named
// "<layer>/W", and starts from the standard normal distribution, PyTorch's
// default (Keras draws U(-0.05, 0.05)). An id outside [0, num) is a Run
// error naming the layer's Take. The gradient of W adds up the gradients of
// every position an id appears at.
type Embedding struct {
	model    *Model
	name     string
	num, dim int
	dtype    graph.DType
	opts     options
	err      error
	w        *graph.Node
	out      graph.Shape
	rng      *rand.Rand
}

// Embedding returns an embedding of num ids into vectors of size dim, of
// dtype dt (the ids carry none). WithName and WithInit apply to it.
func (m *Model) Embedding(num, dim int, dt graph.DType, opts ...Option) *Embedding {
	e := &Embedding{model: m, num: num, dim: dim, dtype: dt, rng: m.stream()}
	for _, o := range opts {
		o(&e.opts)
	}
	if e.opts.init == nil {
		e.opts.init = Normal(0, 1)
	}
	e.name, e.err = m.name(e.opts.name, "embedding")
	switch {
	case e.err != nil:
	case num < 1 || dim < 1:
		e.err = fmt.Errorf("%s embeds %d ids in %d dimensions; both must be at least 1", e.name, num, dim)
	default:
		if err := graph.CheckDType(dt); err != nil {
			e.err = fmt.Errorf("%s: %w", e.name, err)
		}
	}
	m.components = append(m.components, e)
	return e
}

// Name returns the layer's name, such as "embedding1".
func (e *Embedding) Name() string { return e.name }

// Table returns W, or nil before the first Apply.
func (e *Embedding) Table() *graph.Node { return e.w }

// Apply returns the rows of W at ids, of shape (ids..., dim).
func (e *Embedding) Apply(ids *graph.Node) *graph.Node {
	if err := e.check(ids); err != nil {
		return graph.Reject("Embedding", err, ids)
	}
	if e.w == nil {
		e.w = e.model.newParam(ids.Graph(), e.name+"/W", e.dtype, graph.Shape{e.num, e.dim}, e.num, e.dim, e.opts.init, e.rng)
	}
	y := ops.Take(e.w, ids, 0)
	if e.out == nil && y.Shape() != nil {
		e.out = y.Shape().Clone()
	}
	return y
}

func (e *Embedding) check(ids *graph.Node) error {
	switch {
	case e.err != nil:
		return e.err
	case ids == nil || ids.Graph() == nil:
		return fmt.Errorf("%s is applied to a node of no graph", e.name)
	case !graph.IsInteger(ids.DType()):
		return fmt.Errorf("%s looks up %v ids, not %s", e.name, graph.Int64, graph.DTypeName(ids.DType()))
	}
	if err := e.model.checkGraph(ids.Graph()); err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	if e.w == nil && e.model.byName[e.name+"/W"] != nil {
		return fmt.Errorf("the model already has a parameter named %q", e.name+"/W")
	}
	return nil
}

func (e *Embedding) summary() (string, string, graph.Shape, []*graph.Node) {
	var params []*graph.Node
	if e.w != nil {
		params = []*graph.Node{e.w}
	}
	return e.name, "Embedding", e.out, params
}

// SinusoidalPositions returns the (n, dim) constant of "Attention Is All You
// Need" (Vaswani et al., 2017), added to token embeddings to mark positions:
//
//	P[pos, 2i] = sin(pos / 10000^(2i/dim)),  P[pos, 2i+1] = cos(pos / 10000^(2i/dim))
//
// dim must be even. The constant is computed once, when the graph is built.
func SinusoidalPositions(g *graph.Graph, n, dim int, dt graph.DType) *graph.Node {
	switch {
	case n < 1 || dim < 2 || dim%2 != 0:
		err := fmt.Errorf("%d positions of %d dimensions: n must be at least 1 and dim even and at least 2", n, dim)
		return graph.Reject("SinusoidalPositions", err, ops.Scalar(g, 0, dt))
	case n > graph.MaxElements/dim:
		return graph.Reject("SinusoidalPositions", fmt.Errorf("%d positions of %d dimensions are too many", n, dim), ops.Scalar(g, 0, dt))
	}
	p := make([]float64, n*dim)
	for pos := range n {
		for i := 0; i < dim; i += 2 {
			angle := float64(pos) / math.Pow(10000, float64(i)/float64(dim))
			p[pos*dim+i], p[pos*dim+i+1] = math.Sin(angle), math.Cos(angle)
		}
	}
	t, err := graph.NewTensor(dt, p, n, dim)
	if err != nil {
		return graph.Reject("SinusoidalPositions", err, ops.Scalar(g, 0, dt))
	}
	if g == nil {
		return graph.Reject("SinusoidalPositions", fmt.Errorf("the graph is nil"))
	}
	return g.Const(fmt.Sprintf("positions(%d, %d)", n, dim), t)
}

// PositionalEmbedding is a learned position embedding for sequences
// (batch, time, dim) of at most maxLen steps: it adds row t of a (maxLen,
// dim) table, named "<layer>/P", to every step t, as GPT-2's wpe does. It
// starts from N(0, 0.02²), GPT-2's initialisation.
type PositionalEmbedding struct {
	table *Embedding
	err   error
}

// PositionalEmbedding returns a learned position embedding of up to maxLen
// steps of dim dimensions.
func (m *Model) PositionalEmbedding(maxLen, dim int, dt graph.DType, opts ...Option) *PositionalEmbedding {
	opts = append([]Option{WithInit(Normal(0, 0.02))}, opts...)
	return &PositionalEmbedding{table: m.Embedding(maxLen, dim, dt, opts...)}
}

// Name returns the layer's name, such as "embedding2".
func (p *PositionalEmbedding) Name() string { return p.table.Name() }

// Apply returns x plus the first T rows of the table, for x (batch, T, dim).
func (p *PositionalEmbedding) Apply(x *graph.Node) *graph.Node {
	e := p.table
	if x == nil || x.Graph() == nil {
		return graph.Reject("PositionalEmbedding", fmt.Errorf("%s is applied to a node of no graph", e.name), x)
	}
	s := x.Shape()
	if e.err == nil && (len(s) != 3 || s[1] > e.num || s[2] != e.dim) {
		e.err = fmt.Errorf("%s wants (batch, at most %d steps, %d), got shape %v", e.name, e.num, e.dim, s)
	}
	if e.err != nil {
		return graph.Reject("PositionalEmbedding", e.err, x)
	}
	if e.w == nil {
		e.w = e.model.newParam(x.Graph(), e.name+"/P", e.dtype, graph.Shape{e.num, e.dim}, e.num, e.dim, e.opts.init, e.rng)
		e.out = s.Clone()
	}
	return ops.Add(x, ops.Slice(e.w, 0, 0, s[1]))
}
