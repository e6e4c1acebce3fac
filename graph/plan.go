package graph

import (
	"cmp"
	"fmt"
	"slices"

	"gorgonia.org/tensor"
)

// planBuffers gives every op node in order a region of one of the arenas
// (float32, float64, int64). A region is handed to a later node once the
// last step that reads it has run; the outputs keep theirs, so results stay
// valid until the next run. A node's region is taken before its inputs'
// regions are released, so an op never writes over what it reads.
//
// Free space is kept as regions that are split when a smaller node takes
// one (the rest stays free) and merged with their free neighbours when
// released, and a node that fits nowhere extends a free region at the top
// of its arena before the arena grows: without that, a scalar would hold a
// whole activation's region and the arena would grow with every such
// fragment.
//
// An arena that would pass MaxArenaElements is an error naming the node that
// crossed it. Every node holds at most MaxElements, so the sums stay exact.
//
// reads, when it has an entry for a node, lists what the node's step reads
// in place of the node's inputs: the inputs of a whole fused chain.
func (p *Program) planBuffers(order, outputs []*Node, values map[*Node]*Value, reads map[*Node][]*Node) error {
	inputsOf := func(n *Node) []*Node {
		if r, ok := reads[n]; ok {
			return r
		}
		return n.inputs
	}
	lastUse := make(map[*Node]int, len(order))
	for i, n := range order {
		for _, in := range inputsOf(n) {
			lastUse[in] = i
		}
	}
	for _, o := range outputs {
		lastUse[o] = len(order)
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
		switch top := topFree(free, arena, sizes[arena]); {
		case best >= 0:
			r = free[best]
			free = append(free[:best], free[best+1:]...)
			if r.size > want { // the rest stays free
				free = append(free, region{arena: arena, off: r.off + want, size: r.size - want})
				r.size = want
			}
		case top >= 0: // grow the free region at the top of the arena
			r = free[top]
			free = append(free[:top], free[top+1:]...)
			sizes[arena] += want - r.size
			r.size = want
		default:
			r = region{arena: arena, off: sizes[arena], size: want}
			sizes[arena] += want
		}
		if sizes[arena] > MaxArenaElements {
			return fmt.Errorf("graft: Compile: the %v buffers the outputs need reach more than %d (1<<36) elements, the most a program's arena may hold (graph.MaxArenaElements), at %s built at %s; compute in smaller pieces",
				n.dtype, MaxArenaElements, n, n.origin)
		}
		live[n], placed[n] = r, r
		for _, in := range inputsOf(n) {
			if r, ok := live[in]; ok && lastUse[in] == i {
				free = release(free, r)
				delete(live, in)
			}
		}
	}
	// The free list plans in one pass, in order, and can leave a hole that
	// no later node fits (a node that lives to the end taking the top while
	// a gap stays below it). Knowing every node's lifetime, packing the
	// largest first often does better: keep whichever needs less.
	// It compares each node with every one placed before it, so it is left
	// out for programs of more than packMaxNodes op nodes, whose Compile it
	// would slow by a large fraction of a second.
	if len(placed) <= packMaxNodes {
		if gp, gs := packBySize(order, lastUse); gs[arena32]+gs[arena64]+gs[arenaInt] < sizes[arena32]+sizes[arena64]+sizes[arenaInt] {
			placed, sizes = gp, gs
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

// packMaxNodes is the most op nodes packBySize is tried on: 2,000 take it
// about 40 ms.
const packMaxNodes = 2000

// packBySize places the op nodes of order by size, largest first, each at
// the lowest offset of its arena where it overlaps no node already placed
// whose lifetime overlaps its own: from its step to the last step that
// reads it (lastUse; len(order) for an output). Lifetimes that meet at a
// step overlap, so a node never shares memory with what its step reads.
func packBySize(order []*Node, lastUse map[*Node]int) (map[*Node]region, [3]int) {
	type item struct {
		n           *Node
		first, last int
		size, arena int
	}
	var items []item
	for i, n := range order {
		if n.kind != OpNode {
			continue
		}
		items = append(items, item{n: n, first: i, last: max(i, lastUse[n]), size: n.shape.Size(), arena: arenaOf(n.dtype)})
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(b.size, a.size) })
	placed := make(map[*Node]region, len(items))
	var sizes [3]int
	var done []item
	var offs []region // of the placed items that overlap the current one
	for _, it := range items {
		offs = offs[:0]
		for _, d := range done {
			if d.arena == it.arena && d.first <= it.last && it.first <= d.last {
				offs = append(offs, placed[d.n])
			}
		}
		slices.SortFunc(offs, func(a, b region) int { return cmp.Compare(a.off, b.off) })
		off := 0
		for _, r := range offs {
			if r.off-off >= it.size {
				break
			}
			off = max(off, r.off+r.size)
		}
		placed[it.n] = region{arena: it.arena, off: off, size: it.size}
		sizes[it.arena] = max(sizes[it.arena], off+it.size)
		done = append(done, it)
	}
	return placed, sizes
}

// region is a run of elements of one arena.
type region struct {
	arena     int // arena32, arena64 or arenaInt
	off, size int
}

// topFree returns the index of the free region of arena that ends at its
// top, or -1.
func topFree(free []region, arena, top int) int {
	for j, r := range free {
		if r.arena == arena && r.off+r.size == top {
			return j
		}
	}
	return -1
}

// release returns r to the free list, merged with the free regions next to
// it.
func release(free []region, r region) []region {
	for merged := true; merged; {
		merged = false
		for j, f := range free {
			if f.arena != r.arena || (f.off+f.size != r.off && r.off+r.size != f.off) {
				continue
			}
			r = region{arena: r.arena, off: min(f.off, r.off), size: f.size + r.size}
			free = append(free[:j], free[j+1:]...)
			merged = true
			break
		}
	}
	return append(free, r)
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
