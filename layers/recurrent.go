package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"graft/graph"
	"graft/ops"
)

// recurrent is what LSTM and GRU share: their four parameters in PyTorch's
// layout and names, the checks of an input and a state, and the slicing of
// a (batch, time, features) input into steps and the stacking of the steps'
// outputs back into (batch, time, hidden).
type recurrent struct {
	model              *Model
	name, kind         string
	hidden, gates      int // gates is 4 for an LSTM (i, f, g, o), 3 for a GRU (r, z, n)
	opts               options
	err                error
	wih, whh, bih, bhh *graph.Node
	out                graph.Shape // the output shape of the first application
	rng                *rand.Rand
}

// paramNames are PyTorch's state_dict keys of a one-layer torch.nn.LSTM or
// GRU, in its order; the layer's parameters are named "<layer>/<key>".
var paramNames = [4]string{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}

func (m *Model) newRecurrent(kind, prefix string, hidden, gates int, opts []Option) recurrent {
	r := recurrent{model: m, kind: kind, hidden: hidden, gates: gates, rng: m.stream()}
	for _, o := range opts {
		o(&r.opts)
	}
	if r.opts.init == nil || r.opts.biasInit == nil {
		// PyTorch's reset_parameters: every weight and bias from
		// U(-1/√hidden, 1/√hidden).
		k := 1 / math.Sqrt(float64(max(hidden, 1)))
		if r.opts.init == nil {
			r.opts.init = Uniform(-k, k)
		}
		if r.opts.biasInit == nil {
			r.opts.biasInit = Uniform(-k, k)
		}
	}
	r.name, r.err = m.name(r.opts.name, prefix)
	if r.err == nil && hidden < 1 {
		r.err = fmt.Errorf("%s has hidden size %d; it needs at least 1", r.name, hidden)
	}
	return r
}

// check reports what is wrong with applying the layer to x, an input of
// rank 3 (a sequence) or 2 (one step), from the given states (nil ones are
// zeros).
func (r *recurrent) check(x *graph.Node, rank int, states ...*graph.Node) error {
	if r.err != nil {
		return r.err
	}
	if x == nil || x.Graph() == nil {
		return fmt.Errorf("%s is applied to a node of no graph", r.name)
	}
	s := x.Shape()
	if len(s) != rank {
		if rank == 3 {
			return fmt.Errorf("%s wants a 3-D input (batch, time, features), got shape %v", r.name, s)
		}
		return fmt.Errorf("%s's Step wants a 2-D input (batch, features), got shape %v", r.name, s)
	}
	if err := graph.CheckDType(x.DType()); err != nil {
		return fmt.Errorf("%s: %w", r.name, err)
	}
	if err := r.model.checkGraph(x.Graph()); err != nil {
		return fmt.Errorf("%s: %w", r.name, err)
	}
	features := s[len(s)-1]
	if r.wih == nil {
		for _, key := range paramNames {
			if n := r.name + "/" + key; r.model.byName[n] != nil {
				return fmt.Errorf("the model already has a parameter named %q", n)
			}
		}
		// Sizes are checked before the initializer allocates, the rows'
		// count first so that gates·hidden cannot overflow.
		rows := graph.Shape{r.gates, r.hidden}
		if err := graph.CheckShape(rows); err != nil {
			return fmt.Errorf("%s has hidden size %d: %w", r.name, r.hidden, err)
		}
		for _, shape := range []graph.Shape{{rows.Size(), features}, {rows.Size(), r.hidden}} {
			if err := graph.CheckShape(shape); err != nil {
				return fmt.Errorf("%s's weights: %w", r.name, err)
			}
		}
	} else if in := r.wih.Shape()[1]; features != in || x.DType() != r.wih.DType() {
		return fmt.Errorf("%s was built for %d features of %v; this input has %d of %v", r.name, in, r.wih.DType(), features, x.DType())
	}
	want := graph.Shape{s[0], r.hidden}
	for i, st := range states {
		switch {
		case st == nil:
		case st.Graph() != x.Graph():
			return fmt.Errorf("%s's initial state %d belongs to another graph than its input", r.name, i)
		case !st.Shape().Equal(want) || st.DType() != x.DType():
			return fmt.Errorf("%s wants an initial state of shape %v and dtype %v (batch, hidden); state %d (%s) is %v %v",
				r.name, want, x.DType(), i, st.Name(), st.Shape(), st.DType())
		}
	}
	return nil
}

// reject records err against x and the states given, and returns the
// failed node. A state of another graph is left out of the error's inputs,
// which must share a graph for the error to be recorded.
func (r *recurrent) reject(err error, x *graph.Node, states ...*graph.Node) *graph.Node {
	inputs := []*graph.Node{x}
	for _, s := range states {
		if s != nil && x != nil && s.Graph() == x.Graph() {
			inputs = append(inputs, s)
		}
	}
	return graph.Reject(r.kind, err, inputs...)
}

// build creates the parameters for inputs like x, in PyTorch's layout:
// weight_ih (gates·hidden, features), weight_hh (gates·hidden, hidden),
// bias_ih and bias_hh (gates·hidden,).
func (r *recurrent) build(x *graph.Node) {
	g, dt, in, rows := x.Graph(), x.DType(), x.Shape()[x.Shape().Rank()-1], r.gates*r.hidden
	p := func(key string, shape graph.Shape, fanIn int, init Initializer) *graph.Node {
		return r.model.newParam(g, r.name+"/"+key, dt, shape, fanIn, rows, init, r.rng)
	}
	r.wih = p(paramNames[0], graph.Shape{rows, in}, in, r.opts.init)
	r.whh = p(paramNames[1], graph.Shape{rows, r.hidden}, r.hidden, r.opts.init)
	if !r.opts.noBias {
		r.bih = p(paramNames[2], graph.Shape{rows}, in, r.opts.biasInit)
		r.bhh = p(paramNames[3], graph.Shape{rows}, r.hidden, r.opts.biasInit)
	}
}

// affine returns v·Wᵀ + b for v of shape (batch, n) and W of shape
// (rows, n), as torch.nn.functional.linear does; a nil b is left out.
func affine(v, w, b *graph.Node) *graph.Node {
	y := ops.MatMulT(v, w, false, true)
	if b != nil {
		y = ops.Add(y, b)
	}
	return y
}

// gate returns the k-th block of hidden columns of z (..., gates·hidden):
// PyTorch stacks the gates' rows of each weight in that order.
func (r *recurrent) gate(z *graph.Node, k int) *graph.Node {
	return ops.Slice(z, -1, k*r.hidden, (k+1)*r.hidden)
}

// steps returns x's time steps, each of shape (batch, features).
func steps(x *graph.Node) []*graph.Node {
	s := x.Shape()
	xs := make([]*graph.Node, s[1])
	for t := range xs {
		step := x
		if s[1] > 1 {
			step = ops.Slice(x, 1, t, t+1)
		}
		xs[t] = ops.Reshape(step, s[0], s[2])
	}
	return xs
}

// stack joins the steps' outputs, each (batch, hidden), into (batch, time,
// hidden).
func stack(hs []*graph.Node) *graph.Node {
	for t, h := range hs {
		s := h.Shape()
		hs[t] = ops.Reshape(h, s[0], 1, s[1])
	}
	if len(hs) == 1 {
		return hs[0]
	}
	return ops.Concat(1, hs...)
}

// record keeps the shape of the first application for the summary.
func (r *recurrent) record(y *graph.Node) {
	if r.out == nil && y.Shape() != nil {
		r.out = y.Shape().Clone()
	}
}

func (r *recurrent) summary() (string, string, graph.Shape, []*graph.Node) {
	var params []*graph.Node
	for _, p := range []*graph.Node{r.wih, r.whh, r.bih, r.bhh} {
		if p != nil {
			params = append(params, p)
		}
	}
	return r.name, r.kind, r.out, params
}
