package graph

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// packBySize never gives two nodes whose lifetimes overlap (meeting at a
// step counts) memory in common, and keeps every node inside its arena.
func TestPackBySizeNeverSharesMemoryBetweenLiveNodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 200 {
		count := 1 + rng.IntN(60)
		order := make([]*Node, count)
		lastUse := map[*Node]int{}
		for i := range order {
			dt := tensor.Float32
			if rng.IntN(3) == 0 {
				dt = tensor.Float64
			}
			kind := OpNode
			if rng.IntN(8) == 0 {
				kind = Input
			}
			order[i] = &Node{id: i, kind: kind, dtype: dt, shape: Shape{1 + rng.IntN(100)}}
			switch rng.IntN(4) {
			case 0: // read by nothing
			case 1: // an output
				lastUse[order[i]] = count
			default:
				lastUse[order[i]] = i + rng.IntN(count-i)
			}
		}
		placed, sizes := packBySize(order, lastUse)
		for i, a := range order {
			ra, ok := placed[a]
			if a.kind != OpNode {
				if ok {
					t.Fatalf("trial %d: leaf %d was given a region", trial, i)
				}
				continue
			}
			if !ok || ra.off < 0 || ra.off+ra.size > sizes[ra.arena] || ra.size != a.shape.Size() {
				t.Fatalf("trial %d: node %d has region %+v in an arena of %d", trial, i, ra, sizes[ra.arena])
			}
			for j := i + 1; j < count; j++ {
				b := order[j]
				rb, ok := placed[b]
				if !ok || ra.arena != rb.arena {
					continue
				}
				lastA := max(i, lastUse[a])
				if j > lastA { // b starts after a's last reader
					continue
				}
				if ra.off < rb.off+rb.size && rb.off < ra.off+ra.size {
					t.Fatalf("trial %d: nodes %d (live %d-%d, %+v) and %d (from %d, %+v) share memory", trial, i, i, lastA, ra, j, j, rb)
				}
			}
		}
	}
}
