package graph

import (
	"fmt"

	"gorgonia.org/tensor"
)

// planBuffers gives every op node in order a region of one of two arenas
// (float32 and float64). A region is handed to a later node once the last
// step that reads it has run; the outputs keep theirs, so results stay valid
// until the next run. A node's region is taken before its inputs' regions are
// released, so an op never writes over what it reads.
//
// An arena that would pass MaxArenaElements is an error naming the node that
// crossed it. Every node holds at most MaxElements, so the sums stay exact.
func (p *Program) planBuffers(order, outputs []*Node, values map[*Node]*Value) error {
	lastUse := make(map[*Node]int, len(order))
	for i, n := range order {
		for _, in := range n.inputs {
			lastUse[in] = i
		}
	}
	for _, o := range outputs {
		lastUse[o] = len(order)
	}
	type region struct {
		f32       bool
		off, size int
	}
	var free []region
	live := make(map[*Node]region, len(order))
	placed := make(map[*Node]region, len(order))
	var size32, size64 int
	for i, n := range order {
		if n.kind != OpNode {
			continue
		}
		want, is32 := n.shape.Size(), n.dtype == tensor.Float32
		best := -1
		for j, r := range free {
			if r.f32 == is32 && r.size >= want && (best < 0 || r.size < free[best].size) {
				best = j
			}
		}
		var r region
		switch {
		case best >= 0:
			r = free[best]
			free = append(free[:best], free[best+1:]...)
		case is32:
			r = region{f32: true, off: size32, size: want}
			size32 += want
		default:
			r = region{off: size64, size: want}
			size64 += want
		}
		if size32 > MaxArenaElements || size64 > MaxArenaElements {
			return fmt.Errorf("graft: Compile: the %v buffers the outputs need reach more than %d (1<<36) elements, the most a program's arena may hold (graph.MaxArenaElements), at %s built at %s; compute in smaller pieces",
				n.dtype, MaxArenaElements, n, n.origin)
		}
		live[n], placed[n] = r, r
		for _, in := range n.inputs {
			if r, ok := live[in]; ok && lastUse[in] == i {
				free = append(free, r)
				delete(live, in)
			}
		}
	}
	p.f32 = make([]float32, size32)
	p.f64 = make([]float64, size64)
	for n, r := range placed {
		size := n.shape.Size()
		if r.f32 {
			values[n].F32 = p.f32[r.off : r.off+size : r.off+size]
		} else {
			values[n].F64 = p.f64[r.off : r.off+size : r.off+size]
		}
	}
	return nil
}
