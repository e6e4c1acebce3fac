package graph

import (
	"errors"
	"fmt"
	"unsafe"

	"gorgonia.org/tensor"
)

// Feeds maps each input node to the tensor it takes on one run.
type Feeds map[*Node]*tensor.Dense

// Run checks the feeds, computes the program's outputs and returns them in
// the order given to Compile.
//
// The returned tensors belong to the program: they stay valid until the next
// call to Run, which overwrites them. Clone one to keep it. Feeds are read in
// place, never changed, and copied only when a feed's backing lies in this
// program's own buffers: a result fed back as an input (an RNN's state, an
// iterative solver's estimate) is copied into a buffer kept for that input
// before any step runs, because a step may overwrite a result's region before
// a later step reads the input. The copy is exact, so feeding a result back
// gives the numbers a fresh tensor would; the buffer is made on the first
// such run and reused, so steady-state runs still allocate nothing. A
// parameter whose tensor is backed by the program's buffers is copied the
// same way.
//
// Every input the outputs need must be fed with a tensor of the input's
// dtype and shape. Feeding an input of the same graph that these outputs do
// not need is allowed, so one Feeds map can serve several programs. Every
// parameter's tensor must still have the dtype and shape it had when the
// node was built (see Node.CheckValue); a parameter resized or replaced
// behind the graph is an error naming it.
//
// After the last step Run performs the program's state updates (see Update):
// each state's tensor gets its new value, so the next run reads it.
//
// Run on a nil Program (what a failed Compile returns) is an error, and so
// is a Run that starts while another Run of the program is in progress (see
// Program).
func (p *Program) Run(feeds Feeds) ([]*tensor.Dense, error) {
	if p == nil {
		return nil, errors.New("graft: Run: the program is nil; check the error Compile returned")
	}
	if !p.running.CompareAndSwap(false, true) {
		return nil, errors.New("graft: Run: program is already running in another goroutine")
	}
	defer p.running.Store(false)
	if err := p.bind(feeds); err != nil {
		return nil, err
	}
	for _, c := range p.checks {
		if err := c.op.CheckRun(c.in); err != nil {
			return nil, fmt.Errorf("graft: Run: %s built at %s: %w", c.op.Name(), c.node.origin, err)
		}
	}
	if p.finite {
		if err := p.runFinite(); err != nil {
			return nil, err
		}
	} else {
		for i := range p.steps {
			s := &p.steps[i]
			s.op.Forward(s.out, s.in)
		}
	}
	p.applyUpdates()
	return p.results, nil
}

// bind points the input values at the feeds, and the parameter values at
// their tensors, whose backing an optimizer or a checkpoint load may have
// replaced since the last run.
func (p *Program) bind(feeds Feeds) error {
	for i, n := range p.inputs {
		t, ok := feeds[n]
		if !ok {
			return fmt.Errorf("graft: Run: input %q (%v %s, built at %s) is not fed", n.Name(), n.shape, DTypeName(n.dtype), n.origin)
		}
		if t == nil {
			return fmt.Errorf("graft: Run: input %q (%v %s, built at %s) is fed a nil tensor", n.Name(), n.shape, DTypeName(n.dtype), n.origin)
		}
		if err := checkFeed(n, t); err != nil {
			return err
		}
		p.bindLeaf(i, p.inVal[i], t)
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
		if what := n.valueMismatch(n.value); what != "" {
			return fmt.Errorf("graft: Run: %s now holds %s", n.described(), what)
		}
		p.bindLeaf(len(p.inputs)+i, p.paramVal[i], n.value)
	}
	return nil
}

// bindLeaf points v at t's backing, or at a copy of it in staging buffer k
// when the backing lies in one of the program's arenas.
func (p *Program) bindLeaf(k int, v *Value, t *tensor.Dense) {
	setData(v, t)
	switch {
	case overlaps(v.F32, p.f32):
		if p.staging32[k] == nil {
			p.staging32[k] = make([]float32, len(v.F32))
		}
		v.F32 = p.staging32[k][:copy(p.staging32[k], v.F32)]
	case overlaps(v.F64, p.f64):
		if p.staging64[k] == nil {
			p.staging64[k] = make([]float64, len(v.F64))
		}
		v.F64 = p.staging64[k][:copy(p.staging64[k], v.F64)]
	case overlaps(v.I64, p.i64):
		if p.stagingI[k] == nil {
			p.stagingI[k] = make([]int64, len(v.I64))
		}
		v.I64 = p.stagingI[k][:copy(p.stagingI[k], v.I64)]
	}
}

// overlaps reports whether a and b share memory. Comparing addresses is the
// only way to tell, and the arenas never move (Go's heap does not move
// objects), so it holds for the whole run.
func overlaps[T float32 | float64 | int64](a, b []T) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	size := unsafe.Sizeof(a[0])
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+uintptr(len(b))*size && b0 < a0+uintptr(len(a))*size
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
		return fmt.Errorf("graft: Run: input %q wants dtype %s, the feed is %s", n.Name(), DTypeName(n.dtype), DTypeName(t.Dtype()))
	}
	if !Shape(t.Shape()).Equal(n.shape) {
		return fmt.Errorf("graft: Run: input %q wants shape %v, the feed has shape %v", n.Name(), n.shape, Shape(t.Shape()))
	}
	if what := layoutProblem(t); what != "" {
		return fmt.Errorf("graft: Run: the feed of input %q is %s", n.Name(), what)
	}
	return nil
}

func setData(v *Value, t *tensor.Dense) {
	switch {
	case v.DType == tensor.Float32:
		v.F32 = t.Float32s()
	case IsInteger(v.DType):
		v.I64 = t.Int64s()
	default:
		v.F64 = t.Float64s()
	}
}
