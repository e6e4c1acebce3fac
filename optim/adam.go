package optim

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/vecmath"
)

// Adam is the Adam optimizer (Kingma and Ba, 2015) in Keras' formulation,
// or PyTorch's with PyTorchEpsilon, optionally with AdamW's decoupled
// weight decay. At step t (the parameter's own count of steps, 1 on its
// first, as PyTorch counts; Keras counts the optimizer's iterations, the
// same when every Step is given every parameter), for each element with
// gradient g and moments m and v (0 before the first step):
//
//	p -= lr·WeightDecay·p                        (only when WeightDecay > 0)
//	m = Beta1·m + (1-Beta1)·g
//	v = Beta2·v + (1-Beta2)·g²
//	p -= lr·√(1-Beta2ᵗ)/(1-Beta1ᵗ) · m/(√v + Epsilon)   (Keras)
//	p -= lr/(1-Beta1ᵗ) · m/(√v/√(1-Beta2ᵗ) + Epsilon)   (PyTorchEpsilon)
//
// In Keras' form the bias correction is folded into the step size, and
// Epsilon is added to √v rather than to the bias-corrected √v̂ =
// √v/√(1-Beta2ᵗ) (Keras calls it "epsilon hat"): the two forms agree but for
// the size of the effective epsilon, which in Keras' form is
// Epsilon·√(1-Beta2ᵗ) in PyTorch's terms, different at every step. With
// PyTorchEpsilon, Epsilon 1e-8 and Beta1, Beta2 and the learning rate of
// torch.optim.Adam (or AdamW), the steps are PyTorch's up to rounding.
//
// The weight decay is PyTorch's and Keras' AdamW: it shrinks the parameter
// directly, before the Adam step, instead of adding WeightDecay·p to the
// gradient (which Adam would rescale).
type Adam struct {
	Beta1       float64 // decay of the first moment, in [0, 1)
	Beta2       float64 // decay of the second moment, in [0, 1)
	Epsilon     float64 // keeps the step finite where v is 0; positive
	WeightDecay float64 // decoupled weight decay; 0 for Adam, at least 0
	// PyTorchEpsilon adds Epsilon to the bias-corrected √v̂, as
	// torch.optim.Adam does, instead of to √v, as Keras does.
	PyTorchEpsilon bool
	state
	bias biasCorrection
}

// biasCorrection caches the bias correction of step t: every parameter of
// a step usually shares t, and math.Pow costs more than a small layer's
// update.
type biasCorrection struct {
	t            int
	beta1, beta2 float64
	first        float64 // 1-Beta1ᵗ
	root         float64 // √(1-Beta2ᵗ)
}

func (c *biasCorrection) at(t int, beta1, beta2 float64) *biasCorrection {
	if t != c.t || beta1 != c.beta1 || beta2 != c.beta2 {
		c.t, c.beta1, c.beta2 = t, beta1, beta2
		c.first = 1 - math.Pow(beta1, float64(t))
		c.root = math.Sqrt(1 - math.Pow(beta2, float64(t)))
	}
	return c
}

// NewAdam returns Adam with learning rate lr and Keras' defaults: Beta1
// 0.9, Beta2 0.999, Epsilon 1e-7. Keras' default learning rate is 0.001.
func NewAdam(lr float64) *Adam {
	return &Adam{Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7, state: state{lr: lr}}
}

// NewAdamW returns Adam with decoupled weight decay 0.01 (PyTorch's AdamW
// default; Keras' is 0.004) and otherwise NewAdam's defaults.
func NewAdamW(lr float64) *Adam {
	o := NewAdam(lr)
	o.WeightDecay = 0.01
	return o
}

// Step applies one Adam update; see Optimizer.
func (o *Adam) Step(params []*graph.Node, grads []*tensor.Dense) error {
	if o == nil {
		return errNil("Adam")
	}
	return o.step(o, params, grads)
}

func (o *Adam) name() string {
	if o.WeightDecay != 0 {
		return "AdamW"
	}
	return "Adam"
}

func (o *Adam) check() error {
	switch {
	case !inUnit(o.Beta1):
		return fmt.Errorf("Beta1 %v must be in [0, 1)", o.Beta1)
	case !inUnit(o.Beta2):
		return fmt.Errorf("Beta2 %v must be in [0, 1)", o.Beta2)
	case !positiveFinite(o.Epsilon):
		return fmt.Errorf("Epsilon %v must be positive", o.Epsilon)
	case !nonNegative(o.WeightDecay):
		return fmt.Errorf("WeightDecay %v must be finite and not negative", o.WeightDecay)
	}
	return nil
}

func (o *Adam) slotCount() (int, float64) { return 2, 0 }

// prepare fills the bias correction cache for step t, so that the updates
// of a Step split over goroutines only read it.
func (o *Adam) prepare(t int) { o.bias.at(t, o.Beta1, o.Beta2) }

func (o *Adam) update32(p, g []float32, s [][]float32, lo, hi, t int) {
	adam(o, p[lo:hi], g[lo:hi], s[0][lo:hi], s[1][lo:hi], t)
}

func (o *Adam) update64(p, g []float64, s [][]float64, lo, hi, t int) {
	adam(o, p[lo:hi], g[lo:hi], s[0][lo:hi], s[1][lo:hi], t)
}

// adam runs the update loop of internal/vecmath, whose vector kernels give
// the bits of the scalar loop.
func adam[T graph.Float](o *Adam, p, g, m, v []T, t int) {
	bias := o.bias.at(t, o.Beta1, o.Beta2)
	b1, b2 := T(o.Beta1), T(o.Beta2)
	c := vecmath.AdamCoefficients[T]{
		// Keep is 1 without weight decay, and p·1 changes no bit;
		// float64() rounds the product, so that no compiler fuses it
		// with the subtraction.
		Keep:    T(1 - float64(o.lr*o.WeightDecay)),
		Beta1:   b1,
		Beta2:   b2,
		Epsilon: T(o.Epsilon),
	}
	if o.PyTorchEpsilon {
		// PyTorch computes 1-β, the step size and the root in float64
		// and rounds them to the parameter's dtype.
		c.OneMinusBeta1, c.OneMinusBeta2 = T(1-o.Beta1), T(1-o.Beta2)
		c.Step, c.Root = T(o.lr/bias.first), T(bias.root)
		vecmath.AdamPyTorch(p, g, m, v, c)
		return
	}
	// Keras' form as graft always computed it, 1-β in the dtype.
	c.OneMinusBeta1, c.OneMinusBeta2 = 1-b1, 1-b2
	c.Step = T(o.lr * (bias.root / bias.first))
	vecmath.Adam(p, g, m, v, c)
}
