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
		arena     int // arena32, arena64 or arenaInt
		off, size int
	}
	var free []region
	live := make(map[*Node]region, len(order))
	placed := make(map[*Node]region, len(order))
	var sizes [3]int
	for i, n := range order {
		if n.kind != OpNode {
			continue
		}
		want, arena := n.shape.Size(), arenaOf(n.dtype)
		best := -1
		for j, r := range free {
			if r.arena == arena && r.size >= want && (best < 0 || r.size < free[best].size) {
				best = j
			}
		}
		var r region
		if best >= 0 {
			r = free[best]
			free = append(free[:best], free[best+1:]...)
		} else {
			r = region{arena: arena, off: sizes[arena], size: want}
			sizes[arena] += want
		}
		if sizes[arena] > MaxArenaElements {
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
	p.f32 = make([]float32, sizes[arena32])
	p.f64 = make([]float64, sizes[arena64])
	p.i64 = make([]int64, sizes[arenaInt])
	for n, r := range placed {
		lo, hi := r.off, r.off+n.shape.Size()
		switch r.arena {
		case arena32:
			values[n].F32 = p.f32[lo:hi:hi]
		case arena64:
			values[n].F64 = p.f64[lo:hi:hi]
		default:
			values[n].I64 = p.i64[lo:hi:hi]
		}
	}
	return nil
}

// The arenas, one per dtype.
const (
	arena32 = iota
	arena64
	arenaInt
)

func arenaOf(dt DType) int {
	switch {
	case dt == tensor.Float32:
		return arena32
	case IsInteger(dt):
		return arenaInt
	}
	return arena64
}
