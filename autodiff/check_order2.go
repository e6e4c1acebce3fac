package autodiff

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// CheckDerivatives checks the first and the second derivatives of the scalar
// y with respect to xs, in one call.
//
// First it runs CheckGrad. Then it checks the Hessian H of y through its
// product with a fixed pseudo-random vector v: s = Σ v·∇y is built from the
// gradient nodes, and CheckGrad compares ∇s = H·v, which autodiff gets by
// differentiating its own gradient rules, with central differences of s. A
// wrong second derivative anywhere in H shows up in H·v unless it is
// cancelled by another, which a random v makes unlikely. v is the same on
// every call, so a check passes or fails the same way every time.
//
// The xs are float64 parameters or inputs, as for CheckGrad. Gradient nodes
// are added to y's graph.
func CheckDerivatives(y *graph.Node, xs []*graph.Node, feeds graph.Feeds, tol Tolerance) error {
	if err := CheckGrad(y, xs, feeds, tol); err != nil {
		return err
	}
	grads, err := Grad(y, xs...)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2, 3))
	var s *graph.Node
	for i, gr := range grads {
		v := ops.Sum(ops.Mul(gr, randomConst(y.Graph(), fmt.Sprintf("v%d", i), gr.Shape(), rng)))
		if s == nil {
			s = v
		} else {
			s = ops.Add(s, v)
		}
	}
	if err := CheckGrad(s, xs, feeds, tol); err != nil {
		return fmt.Errorf("graft: CheckDerivatives: second derivatives of %s, checked as ∇(Σ v·∇%s) for a fixed random v: %w", y.Name(), y.Name(), err)
	}
	return nil
}

// CheckFunc checks the first and second derivatives of f, a function from a
// tensor to a tensor of the same shape such as an activation, at the given
// points, in one call. It feeds the points as one float64 vector x and runs
// CheckDerivatives on y = Σ w·f(x), with fixed pseudo-random weights w (so
// that a function whose outputs always sum to the same number, such as
// softmax, is still checked).
//
// Choose points away from f's kinks, where central differences straddle two
// pieces and disagree with any one-sided choice.
func CheckFunc(f func(x *graph.Node) *graph.Node, points []float64, tol Tolerance) error {
	if len(points) == 0 {
		return fmt.Errorf("graft: CheckFunc: no points to check at")
	}
	g := graph.New()
	x := g.Input("x", tensor.Float64, len(points))
	fx := f(x)
	if err := g.Err(); err != nil {
		return err
	}
	if fx == nil || fx.Graph() != g || !fx.Shape().Equal(x.Shape()) || fx.DType() != x.DType() {
		return fmt.Errorf("graft: CheckFunc: f must return a node of x's graph, shape and dtype; for x %v it returned %v", x, fx)
	}
	rng := rand.New(rand.NewPCG(4, 5))
	y := ops.Sum(ops.Mul(fx, randomConst(g, "w", x.Shape(), rng)))
	feeds := graph.Feeds{x: tensor.New(tensor.WithShape(len(points)), tensor.WithBacking(append([]float64(nil), points...)))}
	return CheckDerivatives(y, []*graph.Node{x}, feeds, tol)
}

// randomConst adds a float64 constant of the given shape whose elements have
// magnitudes in [0.5, 1.5) and random signs.
func randomConst(g *graph.Graph, name string, shape graph.Shape, rng *rand.Rand) *graph.Node {
	data := make([]float64, shape.Size())
	for i := range data {
		data[i] = 0.5 + rng.Float64()
		if rng.IntN(2) == 0 {
			data[i] = -data[i]
		}
	}
	return g.Const(name, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)))
}
