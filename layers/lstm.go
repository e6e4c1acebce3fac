package layers

import (
	"graft/graph"
	"graft/ops"
)

// LSTM is a long short-term memory layer, torch.nn.LSTM(features, hidden,
// batch_first=True) with one layer, one direction and PyTorch's equations
// and gate order (i, f, g, o): for each step t, with x_t of shape (batch,
// features) and the previous state h, c of shape (batch, hidden),
//
//	i = σ(x_t·W_iiᵀ + b_ii + h·W_hiᵀ + b_hi)    input gate
//	f = σ(x_t·W_ifᵀ + b_if + h·W_hfᵀ + b_hf)    forget gate
//	g = tanh(x_t·W_igᵀ + b_ig + h·W_hgᵀ + b_hg) cell candidate
//	o = σ(x_t·W_ioᵀ + b_io + h·W_hoᵀ + b_ho)    output gate
//	c' = f ⊙ c + i ⊙ g
//	h' = o ⊙ tanh(c')
//
// The parameters are PyTorch's, in PyTorch's layout, named "<layer>/" and
// PyTorch's state_dict key:
//
//	<layer>/weight_ih_l0  (4·hidden, features)  rows W_ii, W_if, W_ig, W_io
//	<layer>/weight_hh_l0  (4·hidden, hidden)    rows W_hi, W_hf, W_hg, W_ho
//	<layer>/bias_ih_l0    (4·hidden,)
//	<layer>/bias_hh_l0    (4·hidden,)
//
// so loading a PyTorch state_dict is copying each tensor into the
// parameter of the same key: m.Lookup(layer.Name() + "/" + key). (For a
// PyTorch LSTM of num_layers > 1, layer k's keys end in _l<k>; apply one
// graft LSTM per layer and map _l<k> to the k-th.) The two biases only
// ever appear summed, so graft adds b_ih + b_hh once per application where
// PyTorch adds both at every step; the results differ only in rounding.
//
// Every weight and bias starts from U(-1/√hidden, 1/√hidden), PyTorch's
// initialisation, drawn from the model's seeded generator; WithInit and
// WithBiasInit replace it, WithoutBias (PyTorch's bias=False) leaves the
// biases out, and WithName names the layer. The parameters are created on
// the first application, with features and the dtype taken from its input.
//
// The input is batch-first, (batch, time, features), the layout of every
// other graft layer, whose first axis is the batch. The sequence is
// unrolled when the graph is built, one cell per step, so the time length
// is fixed by the input's shape (apply the layer again to an input of
// another length: both read the same parameters). Autodiff then
// differentiates through time like any graph, to any order.
type LSTM struct{ r recurrent }

// LSTMState is an LSTM's state between steps: H and C, each of shape
// (batch, hidden). A nil H or C stands for zeros, PyTorch's default when no
// (h_0, c_0) is passed.
type LSTMState struct{ H, C *graph.Node }

// LSTM returns a new LSTM layer of the given hidden size.
func (m *Model) LSTM(hidden int, opts ...Option) *LSTM {
	l := &LSTM{m.newRecurrent("LSTM", "lstm", hidden, 4, opts)}
	m.components = append(m.components, &l.r)
	return l
}

// Name returns the layer's name, such as "lstm1".
func (l *LSTM) Name() string { return l.r.name }

// Hidden returns the size of the hidden state.
func (l *LSTM) Hidden() int { return l.r.hidden }

// WeightIH returns weight_ih_l0, (4·hidden, features), or nil before the
// first application.
func (l *LSTM) WeightIH() *graph.Node { return l.r.wih }

// WeightHH returns weight_hh_l0, (4·hidden, hidden), or nil before the
// first application.
func (l *LSTM) WeightHH() *graph.Node { return l.r.whh }

// BiasIH returns bias_ih_l0, (4·hidden,), or nil before the first
// application or for a layer made WithoutBias.
func (l *LSTM) BiasIH() *graph.Node { return l.r.bih }

// BiasHH returns bias_hh_l0, (4·hidden,), or nil before the first
// application or for a layer made WithoutBias.
func (l *LSTM) BiasHH() *graph.Node { return l.r.bhh }

// Apply returns every step's output h_t, (batch, time, hidden), for x of
// shape (batch, time, features), starting from zero state. It makes the LSTM
// a Layer; Sequence also returns the final state.
func (l *LSTM) Apply(x *graph.Node) *graph.Node {
	y, _ := l.Sequence(x, LSTMState{})
	return y
}

// Sequence runs the LSTM over x, (batch, time, features), from the initial
// state (zeros where nil), and returns every step's output h_t as (batch,
// time, hidden), PyTorch's output, and the final state (h_n, c_n), each
// (batch, hidden). A mistake (an input that is not 3-D, a feature count or
// dtype other than the layer was built for, a state not (batch, hidden))
// makes every returned node a failed one, reported by graph.Compile with the
// caller's line.
func (l *LSTM) Sequence(x *graph.Node, initial LSTMState) (*graph.Node, LSTMState) {
	if err := l.r.check(x, 3, initial.H, initial.C); err != nil {
		bad := l.r.reject(err, x, initial.H, initial.C)
		return bad, LSTMState{bad, bad}
	}
	if l.r.wih == nil {
		l.r.build(x)
	}
	s, b := initial, l.bias()
	xs := steps(x)
	hs := make([]*graph.Node, len(xs))
	for t, xt := range xs {
		s = l.cell(xt, s, b)
		hs[t] = s.H
	}
	y := stack(hs)
	l.r.record(y)
	return y, s
}

// Step runs one step of the LSTM: x of shape (batch, features) and the
// state before it (zeros where nil) give the state after it, whose H is the
// step's output. It reads the same parameters as Sequence, so a model
// trained on sequences can be run a step at a time, as a decoder samples.
func (l *LSTM) Step(x *graph.Node, s LSTMState) LSTMState {
	if err := l.r.check(x, 2, s.H, s.C); err != nil {
		bad := l.r.reject(err, x, s.H, s.C)
		return LSTMState{bad, bad}
	}
	if l.r.wih == nil {
		l.r.build(x)
	}
	s = l.cell(x, s, l.bias())
	l.r.record(s.H)
	return s
}

// bias returns b_ih + b_hh, or nil for a layer made WithoutBias. Both
// biases only ever appear summed in an LSTM's gates, so a sequence adds
// them once, not at every step (PyTorch adds them at every step; the sums
// differ only in rounding).
func (l *LSTM) bias() *graph.Node {
	if l.r.bih == nil {
		return nil
	}
	return ops.Add(l.r.bih, l.r.bhh)
}

// cell is one step of the equations in LSTM's comment, with b = b_ih +
// b_hh. A nil H skips the recurrent product and a nil C the forget term,
// which is what zeros would give, without computing them.
func (l *LSTM) cell(x *graph.Node, s LSTMState, b *graph.Node) LSTMState {
	r := &l.r
	z := affine(x, r.wih, b)
	if s.H != nil {
		z = ops.Add(z, ops.MatMulT(s.H, r.whh, false, true))
	}
	i, g, o := ops.Sigmoid(r.gate(z, 0)), ops.Tanh(r.gate(z, 2)), ops.Sigmoid(r.gate(z, 3))
	c := ops.Mul(i, g)
	if s.C != nil {
		c = ops.Add(ops.Mul(ops.Sigmoid(r.gate(z, 1)), s.C), c)
	}
	return LSTMState{H: ops.Mul(o, ops.Tanh(c)), C: c}
}
