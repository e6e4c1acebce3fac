package optim

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/vecmath"
)

// SGD is stochastic gradient descent, optionally with momentum, in
// PyTorch's formulation (dampening 0). For each element, with gradient g,
// velocity b (0 before the first step) and learning rate lr:
//
//	plain:    p -= lr·g
//	momentum: b = Momentum·b + g;  p -= lr·b
//	Nesterov: b = Momentum·b + g;  p -= lr·(g + Momentum·b)
//
// Keras keeps the velocity with lr folded in (v = Momentum·v - lr·g;
// p += v). With a constant learning rate the two give the same steps; when
// a schedule changes lr, PyTorch's form (this one) applies the new rate to
// the whole velocity at once.
type SGD struct {
	Momentum float64 // in [0, 1]; 0 is plain SGD
	Nesterov bool    // look ahead along the velocity; needs Momentum > 0
	state
}

// NewSGD returns plain SGD with learning rate lr (Keras' default is 0.01);
// set Momentum and Nesterov on the result for the other forms.
func NewSGD(lr float64) *SGD { return &SGD{state: state{lr: lr}} }

// Step applies one SGD update; see Optimizer.
func (o *SGD) Step(params []*graph.Node, grads []*tensor.Dense) error {
	if o == nil {
		return errNil("SGD")
	}
	return o.step(o, params, grads)
}

func (o *SGD) name() string { return "SGD" }

func (o *SGD) check() error {
	if !(o.Momentum >= 0 && o.Momentum <= 1) {
		return fmt.Errorf("Momentum %v must be in [0, 1]", o.Momentum)
	}
	if o.Nesterov && o.Momentum == 0 {
		return errors.New("Nesterov needs a Momentum above 0")
	}
	return nil
}

func (o *SGD) slotCount() (int, float64) {
	if o.Momentum == 0 {
		return 0, 0
	}
	return 1, 0
}

func (o *SGD) prepare(t int) {}

func (o *SGD) update32(p, g []float32, s [][]float32, lo, hi, t int) { sgd(o, p, g, s, lo, hi) }
func (o *SGD) update64(p, g []float64, s [][]float64, lo, hi, t int) { sgd(o, p, g, s, lo, hi) }

func sgd[T graph.Float](o *SGD, p, g []T, s [][]T, lo, hi int) {
	p, g = p[lo:hi], g[lo:hi]
	lr, mu := T(o.lr), T(o.Momentum)
	switch {
	case o.Momentum == 0:
		vecmath.SGD(p, g, lr)
	case o.Nesterov:
		vecmath.SGDNesterov(p, g, s[0][lo:hi], lr, mu)
	default:
		vecmath.SGDMomentum(p, g, s[0][lo:hi], lr, mu)
	}
}
