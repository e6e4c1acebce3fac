package optim

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync/atomic"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Step moves each of params against its gradient grads[i], which must
	// have the parameter's shape and dtype (the outputs of a program that
	// computes autodiff.Grad's nodes do). It checks everything before it
	// changes anything: on an error no parameter has moved.
	Step(params []*graph.Node, grads []*tensor.Dense) error
	// LearningRate returns the learning rate the next Step uses.
	LearningRate() float64
	// SetLearningRate changes the learning rate from the next Step on, so a
	// schedule can set it between steps. Step rejects a negative or
	// non-finite rate.
	SetLearningRate(lr float64)
}

// New returns the optimizer named name (case does not matter) with its
// Keras defaults and learning rate lr; lr 0 means the optimizer's default
// learning rate. It suits a command-line flag such as --optimizer.
func New(name string, lr float64) (Optimizer, error) {
	build, ok := constructors[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("graft: optim.New: unknown optimizer %q; known: %s", name, strings.Join(Names(), ", "))
	}
	if math.IsNaN(lr) || math.IsInf(lr, 0) || lr < 0 {
		return nil, fmt.Errorf("graft: optim.New: learning rate %v for %s must be positive (or 0 for the default)", lr, name)
	}
	return build(lr), nil
}

// Names returns the names New knows, sorted.
func Names() []string { return slices.Sorted(maps.Keys(constructors)) }

// constructors make each optimizer with its Keras default learning rate when
// lr is 0.
var constructors = map[string]func(lr float64) Optimizer{
	"sgd":     func(lr float64) Optimizer { return NewSGD(orDefault(lr, 0.01)) },
	"adam":    func(lr float64) Optimizer { return NewAdam(orDefault(lr, 0.001)) },
	"adamw":   func(lr float64) Optimizer { return NewAdamW(orDefault(lr, 0.001)) },
	"rmsprop": func(lr float64) Optimizer { return NewRMSProp(orDefault(lr, 0.001)) },
	"adagrad": func(lr float64) Optimizer { return NewAdagrad(orDefault(lr, 0.001)) },
}

func orDefault(lr, def float64) float64 {
	if lr == 0 {
		return def
	}
	return lr
}

// slots is one parameter's optimizer state: the number of steps it has
// taken and the optimizer's per-element vectors, in the parameter's dtype.
type slots struct {
	steps int
	call  uint64 // the Step call that last visited the parameter
	index int    // its position in that call's params
	f32   [][]float32
	f64   [][]float64
}

// rule is what one optimizer adds to the shared Step: its hyperparameter
// check, its slots, and its update loop for each dtype. An update sees the
// parameter, its gradient, its slots and the step number t (1 on the first
// step), and updates elements lo to hi-1. Updates of one Step may run on
// several goroutines at once, each on its own elements, after prepare has
// been called with their t: they must then only read the rule.
type rule interface {
	name() string
	check() error
	slotCount() (n int, init float64)
	prepare(t int)
	update32(p, g []float32, s [][]float32, lo, hi, t int)
	update64(p, g []float64, s [][]float64, lo, hi, t int)
}

// state is the part every optimizer shares: the learning rate and each
// parameter's slots.
type state struct {
	lr    float64
	calls uint64
	slots map[*graph.Node]*slots
	// stepping is set while a Step runs, so that a second Step of the same
	// optimizer from another goroutine returns an error instead of racing
	// on the slots. It is only a tripwire: it does not make concurrent use
	// safe, and SetLearningRate does not look at it.
	stepping atomic.Bool
	split    splitStep
}

// LearningRate returns the learning rate the next Step uses.
func (s *state) LearningRate() float64 { return s.lr }

// SetLearningRate changes the learning rate from the next Step on.
func (s *state) SetLearningRate(lr float64) { s.lr = lr }

// step checks the call, then runs the rule's update on each parameter.
func (s *state) step(r rule, params []*graph.Node, grads []*tensor.Dense) error {
	if !s.stepping.CompareAndSwap(false, true) {
		return fmt.Errorf("graft: %s.Step: another Step of this optimizer is running; an optimizer must not be used from two goroutines at once", r.name())
	}
	defer s.stepping.Store(false)
	if err := s.check(r, params, grads); err != nil {
		return err
	}
	if s.split.run(r, s.slots, params, grads) { // counts the step itself
		return nil
	}
	for i, p := range params {
		sl := s.slots[p]
		sl.steps++
		if p.DType() == tensor.Float32 {
			pv := p.Value().Float32s()
			r.update32(pv, grads[i].Float32s(), sl.f32, 0, len(pv), sl.steps)
		} else {
			pv := p.Value().Float64s()
			r.update64(pv, grads[i].Float64s(), sl.f64, 0, len(pv), sl.steps)
		}
	}
	return nil
}

// errNil is the error of Step on a nil optimizer, such as a *Adam declared
// and never made.
func errNil(name string) error {
	return fmt.Errorf("graft: %s.Step: the optimizer is nil; make one with New%s", name, name)
}

// check validates the hyperparameters and every (param, grad) pair, and
// makes the slots of parameters seen for the first time.
func (s *state) check(r rule, params []*graph.Node, grads []*tensor.Dense) error {
	if math.IsNaN(s.lr) || math.IsInf(s.lr, 0) || s.lr < 0 {
		return fmt.Errorf("graft: %s.Step: learning rate %v must be finite and not negative", r.name(), s.lr)
	}
	if err := r.check(); err != nil {
		return fmt.Errorf("graft: %s.Step: %w", r.name(), err)
	}
	if len(params) != len(grads) {
		return fmt.Errorf("graft: %s.Step: %d params but %d grads", r.name(), len(params), len(grads))
	}
	s.calls++
	for i, p := range params {
		if err := checkPair(p, grads[i]); err != nil {
			return fmt.Errorf("graft: %s.Step: params[%d]: %w", r.name(), i, err)
		}
		sl := s.slotsOf(p, r)
		if sl.call == s.calls {
			return fmt.Errorf("graft: %s.Step: params[%d] and params[%d] are both %s; give each parameter once", r.name(), sl.index, i, p.Name())
		}
		sl.call, sl.index = s.calls, i
	}
	return nil
}

func checkPair(p *graph.Node, g *tensor.Dense) error {
	switch {
	case p == nil:
		return fmt.Errorf("the parameter is nil")
	case p.Kind() != graph.Param:
		return fmt.Errorf("%s (built at %s) is of kind %v, not a parameter", p.Name(), p.Origin(), p.Kind())
	case p.Value() == nil:
		return fmt.Errorf("parameter %s (built at %s) has no tensor", p.Name(), p.Origin())
	}
	if err := checkTensor(p); err != nil {
		return err
	}
	switch {
	case g == nil:
		return fmt.Errorf("the gradient of %s is nil", p.Name())
	case g.Dtype() != p.DType():
		return fmt.Errorf("the gradient of %s is %s, the parameter is %s", p.Name(), graph.DTypeName(g.Dtype()), graph.DTypeName(p.DType()))
	case !graph.Shape(g.Shape()).Equal(p.Shape()):
		return fmt.Errorf("the gradient of %s has shape %v, the parameter has shape %v", p.Name(), graph.Shape(g.Shape()), p.Shape())
	case g.RequiresIterator():
		return fmt.Errorf("the gradient of %s is a non-contiguous view; call Materialize() first", p.Name())
	}
	return nil
}

// checkTensor reports whether p's tensor can still be p's value
// (graph.Node.CheckValue: the dtype, shape and layout p was built with). The
// tensor is the caller's, and can be reshaped or replaced behind the graph;
// the updates and the slots (sized when p is first seen) assume the node's
// dtype and shape, so a tensor that differs is an error here rather than an
// index out of range or a wrong reading of its bytes.
func checkTensor(p *graph.Node) error {
	if err := p.CheckValue(p.Value()); err != nil {
		return fmt.Errorf("%w; change a parameter's values, not its tensor", err)
	}
	return nil
}

// slotsOf returns p's slots, making them (and any the rule now wants that
// p lacks, as when SGD's momentum is turned on later) filled with the rule's
// initial value.
func (s *state) slotsOf(p *graph.Node, r rule) *slots {
	if s.slots == nil {
		s.slots = make(map[*graph.Node]*slots)
	}
	sl := s.slots[p]
	if sl == nil {
		sl = &slots{}
		s.slots[p] = sl
	}
	n, init := r.slotCount()
	size := p.Shape().Size()
	if p.DType() == tensor.Float32 {
		for len(sl.f32) < n {
			sl.f32 = append(sl.f32, filled(size, float32(init)))
		}
	} else {
		for len(sl.f64) < n {
			sl.f64 = append(sl.f64, filled(size, init))
		}
	}
	return sl
}

func filled[T graph.Float](n int, v T) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// inUnit reports whether 0 <= x < 1 (false for NaN).
func inUnit(x float64) bool { return x >= 0 && x < 1 }

// positiveFinite reports whether x > 0 and finite (false for NaN).
func positiveFinite(x float64) bool { return x > 0 && !math.IsInf(x, 1) }

// nonNegative reports whether x >= 0 and finite (false for NaN).
func nonNegative(x float64) bool { return x >= 0 && !math.IsInf(x, 1) }
