package gemm

import (
	"sync"

	"graft/internal/workers"
)

// The goroutines that help with a product are internal/workers' pool; the
// GEMM adds a workspace for each of them, and a stock of workspaces lent to
// calling goroutines. A channel rather than a sync.Pool keeps the spare
// workspaces: a sync.Pool is emptied by the garbage collector, and
// refilling it would allocate half a megabyte now and then. Both are made
// on first use and live as long as the process.
type workspaces struct {
	once    sync.Once
	workers []workspace // one per pool worker, indexed by its slot
	spare   chan *workspace
}

var pool workspaces

func (s *workspaces) start() {
	n := workers.Size()
	s.workers = make([]workspace, n)
	s.spare = make(chan *workspace, 2*(n+1))
}

// borrow lends a workspace to a calling goroutine.
func (s *workspaces) borrow() *workspace {
	s.once.Do(s.start)
	select {
	case ws := <-s.spare:
		return ws
	default:
		return new(workspace) // first calls, or more callers than ever before
	}
}

// giveBack returns a borrowed workspace. If more goroutines than the stock
// holds called at once, the surplus is left to the garbage collector.
func (s *workspaces) giveBack(ws *workspace) {
	select {
	case s.spare <- ws:
	default:
	}
}

// job is a batch cut into parts as a split says, run by a workers.Job.
type job[E Float] struct {
	workers.Job
	bt     batched[E]
	kern   *microKernel[E]
	caller *workspace // the calling goroutine's workspace, which holds the job
	split
}

// parallel computes the batch on several goroutines if split.go's cost
// model expects that to be faster than the caller alone, and reports
// whether it did.
func (bt *batched[E]) parallel(kern *microKernel[E]) bool {
	if bt.work()*int64(bt.count) < hotMin {
		return false
	}
	threads := workers.Threads()
	if threads < 2 {
		return false
	}
	hot, late := workers.Polling(), int64(workers.Delay())*1000
	s := bt.plan(kern, threads, hot, late)
	if s.parts < 2 {
		if late > 0 && bt.plan(kern, threads, hot, 0).parts >= 2 {
			workers.Forget() // split but for the workers' lateness: try them again soon
		}
		return false
	}
	bt.runSplit(kern, s)
	return true
}

// runSplit computes the batch in the parts of s.
func (bt *batched[E]) runSplit(kern *microKernel[E], s split) {
	ws := pool.borrow()
	j := jobOf[E](ws)
	j.bt, j.kern, j.caller, j.split = *bt, kern, ws, s
	j.Run(j, s.parts)
	j.bt, j.kern, j.caller = batched[E]{}, nil, nil // drop the caller's slices
	pool.giveBack(ws)
}

// Part computes part i of the job on the workspace of the goroutine slot.
func (j *job[E]) Part(part, slot int) {
	ws := j.caller
	if slot >= 0 {
		ws = &pool.workers[slot]
	}
	if j.along == alongBatch {
		for i := part * j.bt.count / j.parts; i < (part+1)*j.bt.count/j.parts; i++ {
			p := j.bt.item(i)
			p.blocked(j.kern, 0, p.m, 0, p.n, ws)
		}
		return
	}
	first, last := part*j.tiles/j.parts, (part+1)*j.tiles/j.parts
	for i := range j.bt.count {
		p := j.bt.item(i)
		if j.along == alongN {
			p.blocked(j.kern, 0, p.m, first*j.kern.nr, min(last*j.kern.nr, p.n), ws)
		} else {
			p.blocked(j.kern, first*j.kern.mr, min(last*j.kern.mr, p.m), 0, p.n, ws)
		}
	}
}
