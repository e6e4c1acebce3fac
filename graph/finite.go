package graph

import (
	"fmt"
	"math"
	"strings"
)

// CheckFinite turns on (or off) a run mode for finding where a NaN or an
// infinity comes from: each Run then scans every step's output as it is
// computed, and stops at the first that holds a NaN or an infinity with an
// error naming the op, whether it is a forward node or part of a gradient,
// the range of each of its inputs, and the line of the user's code that
// built it; for a gradient node, also the forward node whose gradient it
// is, and the line that built that one. The state updates of a stopped run
// are not performed. Off, the default, it costs nothing: Run takes the
// plain loop. On, it costs one pass over every step's output.
//
// PyTorch's anomaly mode reports the backward op's traceback; graft knows
// the origin of every node, forward or gradient.
func (p *Program) CheckFinite(on bool) {
	if p != nil {
		p.finite = on
	}
}

// runFinite runs the steps, checking each output.
func (p *Program) runFinite() error {
	for i := range p.steps {
		s := &p.steps[i]
		s.op.Forward(s.out, s.in)
		if bad, at := firstNonFinite(s.out); bad != 0 {
			if f, ok := s.op.(*fusedOp); ok {
				if first, bad, at := f.locate(); first != nil {
					return nonFiniteError(first, bad, at)
				}
			}
			return nonFiniteError(s, bad, at)
		}
	}
	return nil
}

// firstNonFinite returns the first NaN or infinity of v and its index, or 0.
func firstNonFinite(v *Value) (float64, int) {
	for i, x := range v.F32 {
		if x-x != 0 { // NaN - NaN and Inf - Inf are NaN
			return float64(x), i
		}
	}
	for i, x := range v.F64 {
		if x-x != 0 {
			return x, i
		}
	}
	return 0, -1
}

func nonFiniteError(s *step, bad float64, at int) error {
	n := s.node
	var b strings.Builder
	fmt.Fprintf(&b, "graft: Run: %v at element %d of %s", bad, at, n)
	if n.gradient {
		b.WriteString(", a gradient node")
		if f := n.of; f != nil {
			fmt.Fprintf(&b, " of %s (built at %s)", f, f.origin)
		}
	} else {
		b.WriteString(", a forward node")
	}
	fmt.Fprintf(&b, ", built at %s", n.origin)
	for i, in := range s.in {
		lo, hi, nan := valueRange(in)
		fmt.Fprintf(&b, "; input %d (%s) in [%g, %g]", i, n.inputs[i].Name(), lo, hi)
		if nan > 0 {
			fmt.Fprintf(&b, " with %d NaN", nan)
		}
	}
	return fmt.Errorf("%s", b.String())
}

// valueRange returns the smallest and largest number of v, and how many
// NaNs it holds.
func valueRange(v *Value) (lo, hi float64, nan int) {
	lo, hi = math.Inf(1), math.Inf(-1)
	see := func(x float64) {
		if x != x {
			nan++
			return
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	for _, x := range v.F32 {
		see(float64(x))
	}
	for _, x := range v.F64 {
		see(x)
	}
	for _, x := range v.I64 {
		see(float64(x))
	}
	return lo, hi, nan
}

// Memory is what a compiled program holds, in bytes.
type Memory struct {
	Arena     int // the buffers every op's output lives in, of every dtype
	Params    int // the parameters and states the outputs need
	Constants int // the constants they need
}

// Memory reports the program's arena and the parameters and constants it
// reads. The arena is planned at Compile (buffers are reused once their
// last reader has run) and allocated once.
func (p *Program) Memory() Memory {
	var m Memory
	if p == nil {
		return m
	}
	m.Arena = 4*len(p.f32) + 8*len(p.f64) + 8*len(p.i64)
	for _, n := range p.params {
		m.Params += n.shape.Size() * int(n.dtype.Size())
	}
	seen := map[*Node]bool{}
	for _, s := range p.steps {
		for _, n := range s.nodes() {
			for _, in := range n.inputs {
				if in.kind == Constant && !seen[in] {
					seen[in] = true
					m.Constants += in.shape.Size() * int(in.dtype.Size())
				}
			}
		}
	}
	return m
}
