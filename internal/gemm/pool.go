package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Products with at least parallelMin multiply-adds (in the whole batch) are
// split over goroutines: below it waking a worker costs more than it saves.
const parallelMin = 1 << 20

// task asks a worker to help with a job: to claim and compute parts of it
// until none is left. gen identifies the use of the job the task was sent
// for; a task that arrives after its job was finished and reused is dropped.
type task struct {
	job helper
	gen uint64
}

// helper is a job that workers can help with.
type helper interface {
	help(gen uint64, ws *workspace)
}

// workerPool is a fixed set of goroutines that compute parts of jobs, each
// with its own workspace, and a stock of workspaces lent to calling
// goroutines. It is started on first use and lives as long as the process;
// idle workers wait on the channel. A channel rather than a sync.Pool
// keeps the spare workspaces: a sync.Pool is emptied by the garbage
// collector, and refilling it would allocate half a megabyte now and then.
type workerPool struct {
	once    sync.Once
	tasks   chan task
	spare   chan *workspace
	workers int
}

var pool workerPool

// size starts the pool if needed and returns its number of workers.
func (wp *workerPool) size() int {
	wp.once.Do(startPool)
	return wp.workers
}

func startPool() {
	// One goroutine per CPU besides the caller, who computes parts too.
	pool.workers = max(runtime.GOMAXPROCS(0), runtime.NumCPU()) - 1
	pool.tasks = make(chan task, 4*pool.workers)
	pool.spare = make(chan *workspace, 2*(pool.workers+1))
	for range pool.workers {
		go work(pool.tasks)
	}
}

// borrow lends a workspace to a calling goroutine.
func (wp *workerPool) borrow() *workspace {
	wp.once.Do(startPool)
	select {
	case ws := <-wp.spare:
		return ws
	default:
		return new(workspace) // first calls, or more callers than ever before
	}
}

// giveBack returns a borrowed workspace. If more goroutines than the stock
// holds called at once, the surplus is left to the garbage collector.
func (wp *workerPool) giveBack(ws *workspace) {
	select {
	case wp.spare <- ws:
	default:
	}
}

// spinTime is how long a worker keeps polling for the next task after
// finishing one before it blocks. Waking a goroutine whose thread sleeps
// took 20 to 70 µs on the 2-vCPU virtual machine this was tuned on, as long
// as a whole mid-sized product; a network's products come back to back, so
// a short spin catches the next one awake, as OpenMP runtimes do.
const spinTime = 100 * time.Microsecond

func work(tasks <-chan task) {
	ws := new(workspace)
	for {
		t, ok := poll(tasks)
		if !ok {
			t = <-tasks
		}
		t.job.help(t.gen, ws)
	}
}

// poll waits up to spinTime for a task without blocking the thread,
// yielding to other goroutines between tries.
func poll(tasks <-chan task) (task, bool) {
	start := time.Now()
	for {
		select {
		case t := <-tasks:
			return t, true
		default:
		}
		if time.Since(start) > spinTime {
			return task{}, false
		}
		runtime.Gosched()
	}
}

// job is a batch split into parts: either ranges of the batch, or for every
// product of the batch the same range of tiles along n or m. The caller and
// the workers claim parts with an atomic counter, so that a worker that
// wakes late finds the work done instead of delaying the caller: the
// caller's own goroutine may compute every part.
type job[E Float] struct {
	bt         batched[E]
	kern       *microKernel[E]
	parts      int
	splitBatch bool
	alongN     bool // else along m
	tiles      int  // tiles along the split dimension

	gen     atomic.Uint64 // bumped when a use of the job starts and when it ends
	claimed atomic.Int64  // parts handed out
	done    atomic.Int64  // parts finished
	helpers atomic.Int64  // workers inside help
}

// parallel computes the batch on several goroutines if it is large enough
// and reports whether it did.
func (bt *batched[E]) parallel(kern *microKernel[E]) bool {
	work := bt.work()
	if work*int64(bt.count) < parallelMin {
		return false
	}
	workers := min(runtime.GOMAXPROCS(0)-1, pool.size())
	parts := workers + 1
	if parts < 2 {
		return false
	}
	var splitBatch, alongN bool
	var tiles int
	tilesN, tilesM := ceilDiv(bt.n, kern.nr), ceilDiv(bt.m, kern.mr)
	switch {
	case work < parallelMin && bt.count >= 2:
		splitBatch = true
		parts = min(parts, bt.count)
	case tilesM >= parts && (bt.m >= bt.n || tilesN < parts):
		// Every part packs all of the operand along the other dimension:
		// split the larger one. On a tie split m, since packing A without a
		// transpose gathers six rows and costs more than copying rows of B.
		tiles = tilesM
	case tilesN >= parts:
		alongN, tiles = true, tilesN
	case max(tilesN, tilesM) >= 2:
		alongN = tilesN >= tilesM
		tiles = max(tilesN, tilesM)
		parts = tiles
	default:
		return false // a single tile with a long k: nothing to split
	}

	ws := pool.borrow()
	j := jobOf[E](ws)
	j.bt, j.kern, j.parts = *bt, kern, parts
	j.splitBatch, j.alongN, j.tiles = splitBatch, alongN, tiles
	j.claimed.Store(0)
	j.done.Store(0)
	gen := j.gen.Add(1) // publishes the fields above to helpers that see gen
	for range min(workers, parts-1) {
		select {
		case pool.tasks <- task{job: j, gen: gen}:
		default: // the queue is full of other callers' tasks: do more here
		}
	}
	j.claimParts(ws)
	for j.done.Load() < int64(parts) {
		runtime.Gosched() // a worker is finishing a part; let it run if it shares our thread
	}
	// Retire this use: a worker that has not looked at gen yet will drop its
	// task, and one that has is leaving with nothing to claim.
	j.gen.Add(1)
	for j.helpers.Load() > 0 {
		runtime.Gosched()
	}
	j.bt, j.kern = batched[E]{}, nil // drop the caller's slices
	pool.giveBack(ws)
	return true
}

// help is what a worker does with a task: claim parts while the job is
// still the use the task was sent for.
func (j *job[E]) help(gen uint64, ws *workspace) {
	j.helpers.Add(1)
	if j.gen.Load() == gen {
		j.claimParts(ws)
	}
	j.helpers.Add(-1)
}

// claimParts computes unclaimed parts until there are none.
func (j *job[E]) claimParts(ws *workspace) {
	for {
		part := j.claimed.Add(1) - 1
		if part >= int64(j.parts) {
			return
		}
		j.runPart(int(part), ws)
		j.done.Add(1)
	}
}

func (j *job[E]) runPart(part int, ws *workspace) {
	if j.splitBatch {
		for i := part * j.bt.count / j.parts; i < (part+1)*j.bt.count/j.parts; i++ {
			p := j.bt.item(i)
			p.blocked(j.kern, 0, p.m, 0, p.n, ws)
		}
		return
	}
	first, last := part*j.tiles/j.parts, (part+1)*j.tiles/j.parts
	for i := range j.bt.count {
		p := j.bt.item(i)
		if j.alongN {
			p.blocked(j.kern, 0, p.m, first*j.kern.nr, min(last*j.kern.nr, p.n), ws)
		} else {
			p.blocked(j.kern, first*j.kern.mr, min(last*j.kern.mr, p.m), 0, p.n, ws)
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
