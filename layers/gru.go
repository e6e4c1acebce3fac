package layers

import (
	"graft/graph"
	"graft/ops"
)

// GRU is a gated recurrent unit layer, torch.nn.GRU(features, hidden,
// batch_first=True) with one layer, one direction and PyTorch's equations
// and gate order (r, z, n): for each step t, with x_t of shape (batch,
// features) and the previous state h of shape (batch, hidden),
//
//	r = σ(x_t·W_irᵀ + b_ir + h·W_hrᵀ + b_hr)           reset gate
//	z = σ(x_t·W_izᵀ + b_iz + h·W_hzᵀ + b_hz)           update gate
//	n = tanh(x_t·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn))  candidate
//	h' = (1 - z) ⊙ n + z ⊙ h
//
// Note that r multiplies h·W_hnᵀ + b_hn, after the product, as in PyTorch
// (and cuDNN), not h before it as in Cho et al.'s paper. h' is computed as
// n + z ⊙ (h - n), the same value in one product fewer, as PyTorch's CPU
// kernel does.
//
// The parameters are PyTorch's, in PyTorch's layout, named "<layer>/" and
// PyTorch's state_dict key:
//
//	<layer>/weight_ih_l0  (3·hidden, features)  rows W_ir, W_iz, W_in
//	<layer>/weight_hh_l0  (3·hidden, hidden)    rows W_hr, W_hz, W_hn
//	<layer>/bias_ih_l0    (3·hidden,)
//	<layer>/bias_hh_l0    (3·hidden,)
//
// so loading a PyTorch state_dict is copying each tensor into the
// parameter of the same key: m.Lookup(layer.Name() + "/" + key).
//
// Initialisation, options, the batch-first input and the unrolling at build
// time are as for LSTM: every weight and bias from U(-1/√hidden,
// 1/√hidden), drawn from the model's seeded generator.
type GRU struct{ r recurrent }

// GRU returns a new GRU layer of the given hidden size.
func (m *Model) GRU(hidden int, opts ...Option) *GRU {
	l := &GRU{m.newRecurrent("GRU", "gru", hidden, 3, opts)}
	m.components = append(m.components, &l.r)
	return l
}

// Name returns the layer's name, such as "gru1".
func (l *GRU) Name() string { return l.r.name }

// Hidden returns the size of the hidden state.
func (l *GRU) Hidden() int { return l.r.hidden }

// WeightIH returns weight_ih_l0, (3·hidden, features), or nil before the
// first application.
func (l *GRU) WeightIH() *graph.Node { return l.r.wih }

// WeightHH returns weight_hh_l0, (3·hidden, hidden), or nil before the
// first application.
func (l *GRU) WeightHH() *graph.Node { return l.r.whh }

// BiasIH returns bias_ih_l0, (3·hidden,), or nil before the first
// application or for a layer made WithoutBias.
func (l *GRU) BiasIH() *graph.Node { return l.r.bih }

// BiasHH returns bias_hh_l0, (3·hidden,), or nil before the first
// application or for a layer made WithoutBias.
func (l *GRU) BiasHH() *graph.Node { return l.r.bhh }

// Apply returns every step's output h_t, (batch, time, hidden), for x of
// shape (batch, time, features), starting from h = 0. It makes the GRU a
// Layer; Sequence also returns the final state.
func (l *GRU) Apply(x *graph.Node) *graph.Node {
	y, _ := l.Sequence(x, nil)
	return y
}

// Sequence runs the GRU over x, (batch, time, features), from the initial
// state h0, (batch, hidden) (nil: zeros, PyTorch's default), and returns
// every step's output h_t as (batch, time, hidden), PyTorch's output, and
// the final state h_n, (batch, hidden). A mistake makes both returned nodes
// failed ones, reported by graph.Compile with the caller's line.
func (l *GRU) Sequence(x, h0 *graph.Node) (y, h *graph.Node) {
	if err := l.r.check(x, 3, h0); err != nil {
		bad := l.r.reject(err, x, h0)
		return bad, bad
	}
	if l.r.wih == nil {
		l.r.build(x)
	}
	h = h0
	xs := steps(x)
	hs := make([]*graph.Node, len(xs))
	for t, xt := range xs {
		h = l.cell(xt, h)
		hs[t] = h
	}
	y = stack(hs)
	l.r.record(y)
	return y, h
}

// Step runs one step of the GRU: x of shape (batch, features) and the state
// before it (nil: zeros) give the state after it, which is also the step's
// output.
func (l *GRU) Step(x, h *graph.Node) *graph.Node {
	if err := l.r.check(x, 2, h); err != nil {
		return l.r.reject(err, x, h)
	}
	if l.r.wih == nil {
		l.r.build(x)
	}
	h = l.cell(x, h)
	l.r.record(h)
	return h
}

// cell is one step of the equations in GRU's comment. A nil h skips the
// recurrent product, leaving only b_hh (or nothing) in its place, which is
// what zeros would give.
func (l *GRU) cell(x, h *graph.Node) *graph.Node {
	r := &l.r
	gi := affine(x, r.wih, r.bih)
	gh := r.bhh // h·W_hhᵀ + b_hh, which is b_hh alone (or nothing) for h = 0
	if h != nil {
		gh = affine(h, r.whh, r.bhh)
	}
	pre := func(k int) *graph.Node { // the gate's input and hidden parts summed
		if gh == nil {
			return r.gate(gi, k)
		}
		return ops.Add(r.gate(gi, k), r.gate(gh, k))
	}
	z := ops.Sigmoid(pre(1))
	candidate := r.gate(gi, 2)
	if gh != nil {
		reset := ops.Sigmoid(pre(0))
		candidate = ops.Add(candidate, ops.Mul(reset, r.gate(gh, 2)))
	}
	n := ops.Tanh(candidate)
	if h == nil {
		return ops.Sub(n, ops.Mul(z, n)) // (1 - z) ⊙ n
	}
	return ops.Add(n, ops.Mul(z, ops.Sub(h, n)))
}
