package optim

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Slots is the state an optimizer keeps for one parameter, copied out of
// it or into it so that a checkpoint can save and restore a training run:
// the number of Steps the parameter has taken (Adam's t) and its per-element
// vectors, Vectors[i] being the one SlotNames()[i] names, each with the
// parameter's dtype and shape. A parameter may hold fewer vectors than the
// optimizer names (SGD's momentum buffer exists only once a Step with
// Momentum above 0 has made it); the ones it holds come first.
type Slots struct {
	Steps   int
	Vectors []*tensor.Dense
}

// Stateful is an optimizer whose per-parameter state can be read and
// restored. Every optimizer of this package is one; package checkpoint's
// SaveTraining and LoadTraining take one.
type Stateful interface {
	Optimizer
	// SlotNames names the vectors the optimizer keeps per parameter, in
	// the order of Slots.Vectors.
	SlotNames() []string
	// Slots returns copies of p's state, and false if no Step has seen p.
	Slots(p *graph.Node) (Slots, bool)
	// SetSlots replaces p's state by copies of s, as if the optimizer had
	// taken s.Steps steps on p; Slots{} forgets p, as if no Step had seen
	// it. It checks s against p and the optimizer and changes nothing on
	// an error.
	SetSlots(p *graph.Node, s Slots) error
}

// SlotNames returns "m" and "v", the first and second moments.
func (o *Adam) SlotNames() []string { return []string{"m", "v"} }

// SlotNames returns "momentum", the velocity b.
func (o *SGD) SlotNames() []string { return []string{"momentum"} }

// SlotNames returns "v", the mean square, and "momentum", the buffer b.
func (o *RMSProp) SlotNames() []string { return []string{"v", "momentum"} }

// SlotNames returns "accumulator", the summed squared gradients a.
func (o *Adagrad) SlotNames() []string { return []string{"accumulator"} }

// Slots returns copies of p's state; see Stateful.
func (o *Adam) Slots(p *graph.Node) (Slots, bool) {
	if o == nil {
		return Slots{}, false
	}
	return o.copySlots(p)
}

// SetSlots replaces p's state; see Stateful.
func (o *Adam) SetSlots(p *graph.Node, s Slots) error {
	if o == nil {
		return errNilSlots("Adam")
	}
	return o.setSlots("Adam", o.SlotNames(), p, s)
}

// Slots returns copies of p's state; see Stateful.
func (o *SGD) Slots(p *graph.Node) (Slots, bool) {
	if o == nil {
		return Slots{}, false
	}
	return o.copySlots(p)
}

// SetSlots replaces p's state; see Stateful.
func (o *SGD) SetSlots(p *graph.Node, s Slots) error {
	if o == nil {
		return errNilSlots("SGD")
	}
	return o.setSlots("SGD", o.SlotNames(), p, s)
}

// Slots returns copies of p's state; see Stateful.
func (o *RMSProp) Slots(p *graph.Node) (Slots, bool) {
	if o == nil {
		return Slots{}, false
	}
	return o.copySlots(p)
}

// SetSlots replaces p's state; see Stateful.
func (o *RMSProp) SetSlots(p *graph.Node, s Slots) error {
	if o == nil {
		return errNilSlots("RMSProp")
	}
	return o.setSlots("RMSProp", o.SlotNames(), p, s)
}

// Slots returns copies of p's state; see Stateful.
func (o *Adagrad) Slots(p *graph.Node) (Slots, bool) {
	if o == nil {
		return Slots{}, false
	}
	return o.copySlots(p)
}

// SetSlots replaces p's state; see Stateful.
func (o *Adagrad) SetSlots(p *graph.Node, s Slots) error {
	if o == nil {
		return errNilSlots("Adagrad")
	}
	return o.setSlots("Adagrad", o.SlotNames(), p, s)
}

func errNilSlots(name string) error {
	return fmt.Errorf("graft: %s.SetSlots: the optimizer is nil; make one with New%s", name, name)
}

// copySlots returns copies of p's slots, and false if no Step has seen p.
func (s *state) copySlots(p *graph.Node) (Slots, bool) {
	sl := s.slots[p]
	if sl == nil || p == nil {
		return Slots{}, false
	}
	out := Slots{Steps: sl.steps}
	for _, v := range sl.f32 {
		out.Vectors = append(out.Vectors, tensor.New(tensor.WithShape(p.Shape()...), tensor.WithBacking(append([]float32(nil), v...))))
	}
	for _, v := range sl.f64 {
		out.Vectors = append(out.Vectors, tensor.New(tensor.WithShape(p.Shape()...), tensor.WithBacking(append([]float64(nil), v...))))
	}
	return out, true
}

// setSlots checks s against p and the slot names, then replaces p's slots
// by copies of s's vectors.
func (s *state) setSlots(name string, names []string, p *graph.Node, in Slots) error {
	if err := checkSlots(names, p, in); err != nil {
		return fmt.Errorf("graft: %s.SetSlots: %w", name, err)
	}
	if in.Steps == 0 && len(in.Vectors) == 0 {
		delete(s.slots, p)
		return nil
	}
	sl := &slots{steps: in.Steps}
	for _, v := range in.Vectors {
		if p.DType() == tensor.Float32 {
			sl.f32 = append(sl.f32, append([]float32(nil), v.Float32s()...))
		} else {
			sl.f64 = append(sl.f64, append([]float64(nil), v.Float64s()...))
		}
	}
	if s.slots == nil {
		s.slots = make(map[*graph.Node]*slots)
	}
	s.slots[p] = sl
	return nil
}

// checkSlots reports whether in can be p's state under an optimizer whose
// vectors are names.
func checkSlots(names []string, p *graph.Node, in Slots) error {
	switch {
	case p == nil:
		return fmt.Errorf("the parameter is nil")
	case p.Kind() != graph.Param:
		return fmt.Errorf("%s (built at %s) is of kind %v, not a parameter", p.Name(), p.Origin(), p.Kind())
	case in.Steps < 0:
		return fmt.Errorf("parameter %s: %d steps; a count of steps is at least 0", p.Name(), in.Steps)
	case len(in.Vectors) > len(names):
		return fmt.Errorf("parameter %s: %d slot vectors; this optimizer keeps at most %d (%v)", p.Name(), len(in.Vectors), len(names), names)
	}
	for i, v := range in.Vectors {
		switch {
		case v == nil:
			return fmt.Errorf("parameter %s: slot %s is nil", p.Name(), names[i])
		case v.Dtype() != p.DType():
			return fmt.Errorf("parameter %s: slot %s is %s, the parameter is %s", p.Name(), names[i], graph.DTypeName(v.Dtype()), graph.DTypeName(p.DType()))
		case !graph.Shape(v.Shape()).Equal(p.Shape()):
			return fmt.Errorf("parameter %s: slot %s has shape %v, the parameter has shape %v", p.Name(), names[i], graph.Shape(v.Shape()), p.Shape())
		case v.RequiresIterator():
			return fmt.Errorf("parameter %s: slot %s is a non-contiguous view; call Materialize() first", p.Name(), names[i])
		}
	}
	return nil
}
