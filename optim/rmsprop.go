package optim

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/vecmath"
)

// RMSProp divides each step by a running root mean square of the gradient
// (Hinton, 2012), in Keras' formulation. For each element with gradient g,
// mean square v and momentum buffer b (both 0 before the first step):
//
//	v = Rho·v + (1-Rho)·g²
//	step = lr·g / √(v + Epsilon)
//	without momentum: p -= step
//	with momentum:    b = Momentum·b + step;  p -= b
//
// PyTorch adds its epsilon outside the square root (lr·g/(√v + eps)) and
// keeps lr out of the momentum buffer; its defaults also differ (alpha 0.99,
// eps 1e-8).
type RMSProp struct {
	Rho      float64 // decay of the mean square, in [0, 1)
	Momentum float64 // in [0, 1]; 0 for none
	Epsilon  float64 // positive
	state
}

// NewRMSProp returns RMSProp with learning rate lr and Keras' defaults: Rho
// 0.9, Epsilon 1e-7, no momentum. Keras' default learning rate is 0.001.
func NewRMSProp(lr float64) *RMSProp {
	return &RMSProp{Rho: 0.9, Epsilon: 1e-7, state: state{lr: lr}}
}

// Step applies one RMSProp update; see Optimizer.
func (o *RMSProp) Step(params []*graph.Node, grads []*tensor.Dense) error {
	if o == nil {
		return errNil("RMSProp")
	}
	return o.step(o, params, grads)
}

func (o *RMSProp) name() string { return "RMSProp" }

func (o *RMSProp) check() error {
	switch {
	case !inUnit(o.Rho):
		return fmt.Errorf("Rho %v must be in [0, 1)", o.Rho)
	case !(o.Momentum >= 0 && o.Momentum <= 1):
		return fmt.Errorf("Momentum %v must be in [0, 1]", o.Momentum)
	case !positiveFinite(o.Epsilon):
		return fmt.Errorf("Epsilon %v must be positive", o.Epsilon)
	}
	return nil
}

func (o *RMSProp) slotCount() (int, float64) {
	if o.Momentum == 0 {
		return 1, 0
	}
	return 2, 0
}

func (o *RMSProp) prepare(t int) {}

func (o *RMSProp) update32(p, g []float32, s [][]float32, lo, hi, t int) {
	rmsProp(o, p, g, s, lo, hi)
}

func (o *RMSProp) update64(p, g []float64, s [][]float64, lo, hi, t int) {
	rmsProp(o, p, g, s, lo, hi)
}

func rmsProp[T graph.Float](o *RMSProp, p, g []T, s [][]T, lo, hi int) {
	p, g = p[lo:hi], g[lo:hi]
	lr, rho, mu, eps := T(o.lr), T(o.Rho), T(o.Momentum), T(o.Epsilon)
	if o.Momentum == 0 {
		vecmath.RMSProp(p, g, s[0][lo:hi], lr, rho, eps)
		return
	}
	vecmath.RMSPropMomentum(p, g, s[0][lo:hi], s[1][lo:hi], lr, rho, mu, eps)
}
