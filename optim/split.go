package optim

import (
	"time"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/workers"
)

// A Step over many elements is one parallel loop: the parameters are laid
// end to end as one flat set, cut into chunks of chunkSize elements, and
// the chunks are updated by the caller and internal/workers' pool. Each
// element's update depends only on its own parameter, gradient and slots,
// and the update loops give the same bits wherever a run of elements
// starts (internal/vecmath), so the result is the serial loop's bit for
// bit, whatever the number of cores.
//
// The loops move memory at about 0.15 ns an element on one core while the
// four arrays of a set stay in the caches (Adam on the 784 MLP's 235,146
// float32 parameters: 37.5 µs), and the second core nearly halves that:
// BenchmarkStep at -cpu 1,2 gave 1.74× for Adam there, 1.90× on the wide
// MLP's 1.86M, and 1.32× on 4M elements, which come from memory (see
// docs/performance.md). A Step is split when the set has at least
// splitMin elements and workers.Pays says so for its estimated time,
// stepTimePs per element.
const (
	splitMin   = 1 << 16
	chunkSize  = 1 << 16 // a multiple of every vector width
	stepTimePs = 200     // stepTime, in picoseconds
)

// splitStep is the state of a Step run over the pool: the updates it
// makes, reused from Step to Step so that a Step does not allocate.
type splitStep struct {
	job     workers.Job
	rule    rule
	updates []flatUpdate
	total   int
}

// flatUpdate is one parameter's update and where it starts in the flat set.
type flatUpdate struct {
	at       int
	sl       *slots
	p32, g32 []float32
	p64, g64 []float64
}

// run makes the Step's updates over the pool and reports whether it did:
// it does not when the pool has no worker to spare, the parameters are at
// different steps (prepare readies a rule for one t), or the split would
// not pay, as said above. When it does, it counts the Step in each
// parameter's slots; when it does not, the caller does.
func (st *splitStep) run(r rule, slots map[*graph.Node]*slots, params []*graph.Node, grads []*tensor.Dense) bool {
	total := 0
	for _, p := range params {
		total += p.Shape().Size()
	}
	// The cheap tests first: a small net's Step (XOR's) pays for nothing
	// more than this loop.
	if total < splitMin {
		return false
	}
	t := slots[params[0]].steps
	for _, p := range params {
		if slots[p].steps != t {
			return false
		}
	}
	if !workers.Pays(time.Duration(total * stepTimePs / 1000)) {
		return false
	}
	t++ // this Step's
	st.updates = st.updates[:0]
	at := 0
	for i, p := range params {
		slots[p].steps = t
		u := flatUpdate{at: at, sl: slots[p]}
		if p.DType() == tensor.Float32 {
			u.p32, u.g32 = p.Value().Float32s(), grads[i].Float32s()
		} else {
			u.p64, u.g64 = p.Value().Float64s(), grads[i].Float64s()
		}
		st.updates = append(st.updates, u)
		at += p.Shape().Size()
	}
	r.prepare(t)
	st.rule, st.total = r, total
	st.job.Run(st, (total+chunkSize-1)/chunkSize)
	st.rule = nil
	clear(st.updates) // drop the tensors' memory
	return true
}

// Part updates chunk i of the flat set.
func (st *splitStep) Part(i, slot int) {
	lo, hi := i*chunkSize, min((i+1)*chunkSize, st.total)
	for _, u := range st.updates {
		n := max(len(u.p32), len(u.p64))
		if u.at >= hi || u.at+n <= lo {
			continue
		}
		from, to := max(lo-u.at, 0), min(hi-u.at, n)
		if u.p32 != nil {
			st.rule.update32(u.p32, u.g32, u.sl.f32, from, to, u.sl.steps)
		} else {
			st.rule.update64(u.p64, u.g64, u.sl.f64, from, to, u.sl.steps)
		}
	}
}
