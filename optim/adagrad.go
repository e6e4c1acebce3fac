package optim

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/vecmath"
)

// Adagrad scales each element's step by the root of its summed squared
// gradients (Duchi et al., 2011), in Keras' formulation. For each element
// with gradient g and accumulator a (InitialAccumulator before the first
// step):
//
//	a += g²
//	p -= lr·g / √(a + Epsilon)
//
// PyTorch starts a at 0 and adds its epsilon (1e-10) outside the root.
type Adagrad struct {
	InitialAccumulator float64 // the accumulator's starting value; at least 0
	Epsilon            float64 // positive
	state
}

// NewAdagrad returns Adagrad with learning rate lr and Keras' defaults:
// InitialAccumulator 0.1, Epsilon 1e-7. Keras' default learning rate is
// 0.001; Adagrad often wants more.
func NewAdagrad(lr float64) *Adagrad {
	return &Adagrad{InitialAccumulator: 0.1, Epsilon: 1e-7, state: state{lr: lr}}
}

// Step applies one Adagrad update; see Optimizer. A parameter's
// accumulator starts from the InitialAccumulator set at its first Step.
func (o *Adagrad) Step(params []*graph.Node, grads []*tensor.Dense) error {
	if o == nil {
		return errNil("Adagrad")
	}
	return o.step(o, params, grads)
}

func (o *Adagrad) name() string { return "Adagrad" }

func (o *Adagrad) check() error {
	switch {
	case !nonNegative(o.InitialAccumulator):
		return fmt.Errorf("InitialAccumulator %v must be finite and not negative", o.InitialAccumulator)
	case !positiveFinite(o.Epsilon):
		return fmt.Errorf("Epsilon %v must be positive", o.Epsilon)
	}
	return nil
}

func (o *Adagrad) slotCount() (int, float64) { return 1, o.InitialAccumulator }

func (o *Adagrad) prepare(t int) {}

func (o *Adagrad) update32(p, g []float32, s [][]float32, lo, hi, t int) {
	adagrad(o, p[lo:hi], g[lo:hi], s[0][lo:hi])
}

func (o *Adagrad) update64(p, g []float64, s [][]float64, lo, hi, t int) {
	adagrad(o, p[lo:hi], g[lo:hi], s[0][lo:hi])
}

func adagrad[T graph.Float](o *Adagrad, p, g, a []T) {
	vecmath.Adagrad(p, g, a, T(o.lr), T(o.Epsilon))
}
