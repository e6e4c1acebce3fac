package autodiff

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// The transforms below are a few calls each on Grad, so every result is an
// ordinary node: it compiles with the rest of the graph, and transforms of
// transforms work (a Hessian is the Jacobian of a gradient).

// VJP returns the vector-Jacobian product uᵀ·∂y/∂x for each x: the
// gradients of Σ y ⊙ u, where u has y's shape and dtype. It is Grad for a y
// of any shape, with u in place of the seed of ones.
func VJP(y, u *graph.Node, xs ...*graph.Node) ([]*graph.Node, error) {
	if y == nil || u == nil {
		return nil, errors.New("graft: VJP: y and u must not be nil")
	}
	if !u.Shape().Equal(y.Shape()) || u.DType() != y.DType() {
		return nil, fmt.Errorf("graft: VJP: u is %v; it must have y's shape and dtype, %v %v", u, y.Shape(), y.DType())
	}
	return Grad(ops.Sum(ops.Mul(y, u)), xs...)
}

// JVP returns the Jacobian-vector product Σᵢ ∂y/∂xᵢ · vᵢ, of y's shape: how y
// moves when each xᵢ moves along vᵢ (each vᵢ has its xᵢ's shape).
//
// It uses the double-VJP construction rather than a second set of rules
// (a tangent rule per op): the VJP u ↦ Jᵀu is linear in u, so the gradient
// of ⟨Jᵀu, v⟩ with respect to u is J·v, whatever u is (graft takes zeros).
// Every op's gradient rule is written in ops, so this needs nothing new per
// op; it costs about two reverse passes where a forward mode would cost one,
// and the program keeps the reverse pass's intermediate values.
func JVP(y *graph.Node, xs, vs []*graph.Node) (*graph.Node, error) {
	if err := checkTangents("JVP", y, xs, vs); err != nil {
		return nil, err
	}
	u := ops.BroadcastTo(ops.ScalarLike(y, 0), y.Shape()...)
	vjp, err := VJP(y, u, xs...)
	if err != nil {
		return nil, err
	}
	grads, err := Grad(dot(vjp, vs), u)
	if err != nil {
		return nil, err
	}
	return grads[0], nil
}

// HVP returns the Hessian-vector product H·v of the scalar y, one node per
// x: the gradient of ⟨∇y, v⟩, which costs two reverse passes and never
// forms H.
func HVP(y *graph.Node, xs, vs []*graph.Node) ([]*graph.Node, error) {
	if err := checkTangents("HVP", y, xs, vs); err != nil {
		return nil, err
	}
	grads, err := Grad(y, xs...)
	if err != nil {
		return nil, err
	}
	return Grad(dot(grads, vs), xs...)
}

// Mode chooses how Jacobian builds its rows.
type Mode int

// The modes: Auto takes reverse when y has no more elements than x (one
// reverse pass per element of y), forward otherwise (one JVP per element of
// x).
const (
	Auto Mode = iota
	Reverse
	Forward
)

// Jacobian returns ∂y/∂x, of shape y.shape + x.shape: element (i..., j...)
// is ∂y[i...]/∂x[j...], as jax.jacrev and jax.jacfwd give. In Reverse mode
// each row is a VJP with a one-hot u (jacrev), in Forward mode each column a
// JVP with a one-hot v (jacfwd); the graph grows with the number of rows or
// columns, so it is meant for the small functions where a whole Jacobian is
// wanted.
func Jacobian(y, x *graph.Node, mode Mode) (*graph.Node, error) {
	if y == nil || x == nil {
		return nil, errors.New("graft: Jacobian: y and x must not be nil")
	}
	m, n := y.Shape().Size(), x.Shape().Size()
	if mode == Auto {
		mode = Reverse
		if m > n {
			mode = Forward
		}
	}
	var parts []*graph.Node
	switch mode {
	case Reverse:
		for i := range m {
			row, err := VJP(y, oneHot(y, i), x)
			if err != nil {
				return nil, err
			}
			parts = append(parts, ops.Reshape(row[0], 1, n))
		}
	case Forward:
		for j := range n {
			col, err := JVP(y, []*graph.Node{x}, []*graph.Node{oneHot(x, j)})
			if err != nil {
				return nil, err
			}
			parts = append(parts, ops.Reshape(col, m, 1))
		}
	default:
		return nil, fmt.Errorf("graft: Jacobian: unknown mode %d", mode)
	}
	axis := 0
	if mode == Forward {
		axis = 1
	}
	shape := append(y.Shape().Clone(), x.Shape()...)
	return ops.Reshape(ops.Concat(axis, parts...), shape...), y.Graph().Err()
}

// Hessian returns the second derivatives of the scalar y with respect to x,
// of shape x.shape + x.shape: the Jacobian of the gradient, in reverse mode
// (jax.hessian takes forward over reverse; for the small x a whole Hessian
// is wanted for, the two differ only in graph size).
func Hessian(y, x *graph.Node) (*graph.Node, error) {
	grads, err := Grad(y, x)
	if err != nil {
		return nil, err
	}
	return Jacobian(grads[0], x, Reverse)
}

// PerExampleGradients returns, for a vector of per-example losses (B,) and
// each parameter p, the gradient of each example's loss with respect to p,
// stacked as (B, p.shape...): what vmap(grad) gives in JAX, and what a
// differentially private update clips before averaging. Their sum over the
// first axis is the gradient of Sum(losses).
//
// It builds one reverse pass per example, all in one graph and one
// program, so a single Run computes every example's gradient; a vmap-style
// rewrite that batches the parameters is cheaper for large B, and
// layer-specific tricks (a Dense layer's per-example gradient is an outer
// product of its input and its output's gradient) cheaper still.
func PerExampleGradients(losses *graph.Node, params ...*graph.Node) ([]*graph.Node, error) {
	if losses == nil || losses.Shape().Rank() != 1 {
		return nil, fmt.Errorf("graft: PerExampleGradients: the losses must be a vector (B,), got %v", losses)
	}
	b := losses.Shape()[0]
	rows := make([][]*graph.Node, len(params))
	for e := range b {
		grads, err := Grad(ops.Slice(losses, 0, e, e+1), params...)
		if err != nil {
			return nil, err
		}
		for i, gr := range grads {
			rows[i] = append(rows[i], ops.Reshape(gr, append([]int{1}, params[i].Shape()...)...))
		}
	}
	out := make([]*graph.Node, len(params))
	for i := range params {
		out[i] = ops.Concat(0, rows[i]...)
	}
	return out, losses.Graph().Err()
}

// checkTangents checks that each v has its x's shape and dtype.
func checkTangents(name string, y *graph.Node, xs, vs []*graph.Node) error {
	if y == nil {
		return fmt.Errorf("graft: %s: y is nil", name)
	}
	if len(xs) != len(vs) {
		return fmt.Errorf("graft: %s: %d xs but %d vs; give one v for each x", name, len(xs), len(vs))
	}
	for i := range xs {
		if xs[i] == nil || vs[i] == nil {
			return fmt.Errorf("graft: %s: x %d or v %d is nil", name, i, i)
		}
		if !vs[i].Shape().Equal(xs[i].Shape()) || vs[i].DType() != xs[i].DType() {
			return fmt.Errorf("graft: %s: v %d is %v; it must have x %d's shape and dtype, %v %v", name, i, vs[i], i, xs[i].Shape(), xs[i].DType())
		}
	}
	return nil
}

// dot returns Σᵢ Σ aᵢ ⊙ bᵢ.
func dot(as, bs []*graph.Node) *graph.Node {
	var s *graph.Node
	for i := range as {
		t := ops.Sum(ops.Mul(as[i], bs[i]))
		if s == nil {
			s = t
		} else {
			s = ops.Add(s, t)
		}
	}
	return s
}

// oneHot returns a constant of like's shape and dtype with a 1 at flat
// index i and zeros elsewhere.
func oneHot(like *graph.Node, i int) *graph.Node {
	data := make([]float64, like.Shape().Size())
	data[i] = 1
	t, err := graph.NewTensor(like.DType(), data, like.Shape()...)
	if err != nil {
		return graph.Reject("Jacobian", err, like)
	}
	if like.Shape().Rank() == 0 {
		t = tensor.New(tensor.WithShape(), tensor.WithBacking(t.Data()))
	}
	return like.Graph().Const(fmt.Sprintf("e%d", i), t)
}
