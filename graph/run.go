package graph

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Feeds maps each input node to the tensor it takes on one run.
type Feeds map[*Node]*tensor.Dense

// Run checks the feeds, computes the program's outputs and returns them in
// the order given to Compile.
//
// The returned tensors belong to the program: they stay valid until the next
// call to Run, which overwrites them. Clone one to keep it. Feeds are read in
// place, never copied or changed.
//
// Every input the outputs need must be fed with a tensor of the input's
// dtype and shape. Feeding an input of the same graph that these outputs do
// not need is allowed, so one Feeds map can serve several programs.
func (p *Program) Run(feeds Feeds) ([]*tensor.Dense, error) {
	if err := p.bind(feeds); err != nil {
		return nil, err
	}
	for i := range p.steps {
		s := &p.steps[i]
		s.op.Forward(s.out, s.in)
	}
	return p.results, nil
}

// bind points the input values at the feeds, and the parameter values at
// their tensors, whose backing an optimizer or a checkpoint load may have
// replaced since the last run.
func (p *Program) bind(feeds Feeds) error {
	for i, n := range p.inputs {
		t, ok := feeds[n]
		if !ok {
			return fmt.Errorf("graft: Run: input %q (%v %v, built at %s) is not fed", n.Name(), n.shape, n.dtype, n.origin)
		}
		if t == nil {
			return fmt.Errorf("graft: Run: input %q (%v %v, built at %s) is fed a nil tensor", n.Name(), n.shape, n.dtype, n.origin)
		}
		if err := checkFeed(n, t); err != nil {
			return err
		}
		setData(p.inVal[i], t)
	}
	// Every needed input was found, so if there are no more feeds than
	// inputs there is no stray key to report and the map need not be walked.
	if len(feeds) > len(p.inputs) {
		for n := range feeds {
			if err := p.checkKey(n); err != nil {
				return err
			}
		}
	}
	for i, n := range p.params {
		v := p.paramVal[i]
		setData(v, n.value)
		if len(v.F32)+len(v.F64) != n.shape.Size() {
			return fmt.Errorf("graft: Run: parameter %q (built at %s for shape %v %v) now holds a %v tensor of shape %v",
				n.Name(), n.origin, n.shape, n.dtype, n.value.Dtype(), Shape(n.value.Shape()))
		}
	}
	return nil
}

func (p *Program) checkKey(n *Node) error {
	switch {
	case n == nil:
		return fmt.Errorf("graft: Run: the feeds have a nil node as a key")
	case n.graph != p.graph:
		return fmt.Errorf("graft: Run: the feeds give %q, a node of another graph", n.Name())
	case n.kind != Input:
		return fmt.Errorf("graft: Run: the feeds give %q, which is a %v, not an input", n.Name(), n.kind)
	}
	return nil
}

func checkFeed(n *Node, t *tensor.Dense) error {
	if t.Dtype() != n.dtype {
		return fmt.Errorf("graft: Run: input %q wants dtype %v, the feed is %v", n.Name(), n.dtype, t.Dtype())
	}
	if !Shape(t.Shape()).Equal(n.shape) {
		return fmt.Errorf("graft: Run: input %q wants shape %v, the feed has shape %v", n.Name(), n.shape, Shape(t.Shape()))
	}
	if t.RequiresIterator() {
		return fmt.Errorf("graft: Run: the feed of input %q is a non-contiguous view; call Materialize() first", n.Name())
	}
	return nil
}

func setData(v *Value, t *tensor.Dense) {
	if v.DType == tensor.Float32 {
		v.F32 = t.Float32s()
	} else {
		v.F64 = t.Float64s()
	}
}
