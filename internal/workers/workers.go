// Package workers is the process's pool of goroutines that help a calling
// goroutine with work cut into parts: the GEMM's products (internal/gemm)
// and the optimizers' update loops over large parameter sets (optim).
//
// The pool starts on first use with one goroutine per CPU besides the
// caller and lives as long as the process. A Job is one piece of work cut
// into parts: the caller and the workers claim parts with an atomic
// counter, so a worker that wakes late finds the work done instead of
// delaying the caller, whose own goroutine may compute every part.
//
// A worker that finishes a task polls for the next one for spinTime before
// it sleeps: waking a goroutine whose thread sleeps costs the caller about
// 10 µs in the system call and the worker 10 to 25 µs before it runs, on the
// 2-vCPU virtual machine this was tuned on, while handing a part to a
// polling worker costs a channel send. A network's products come back to
// back, a few elementwise passes apart, so a short spin catches the next
// one awake, as OpenMP runtimes do. Between tries a polling worker, and a
// caller waiting for a worker's last part, yield to other goroutines and
// their thread to other processes (sched_yield on Linux), and a worker
// stops polling once the system has preempted it between two tries, so
// that on a machine shared with other programs polling takes little CPU
// that another thread wants. Polling tells callers whether a split would
// find a worker awake.
package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Parts is work cut into parts that can be computed in any order and at
// the same time.
type Parts interface {
	// Part computes part i. slot is the pool worker computing it, in
	// [0, Size()), or -1 for the calling goroutine, so that each can use
	// its own scratch memory.
	Part(i, slot int)
}

// Job runs Parts on the calling goroutine and the pool. Its zero value is
// ready to use; a Job runs one Parts at a time, so each calling goroutine
// needs its own.
type Job struct {
	parts Parts
	count int

	gen     atomic.Uint64 // bumped when a use of the job starts and when it ends
	claimed atomic.Int64  // parts handed out
	done    atomic.Int64  // parts finished
	helpers atomic.Int64  // workers inside help
	joined  atomic.Int64  // when the first worker claimed a part, in ns since sent
	sent    time.Time
	hot     bool // a worker was polling when the job was sent
}

// Run computes parts 0 to count-1 of p, on the caller and on up to
// Threads()-1 workers, and returns when every part is done.
func (j *Job) Run(p Parts, count int) {
	j.parts, j.count = p, count
	j.claimed.Store(0)
	j.done.Store(0)
	j.joined.Store(0)
	j.sent, j.hot = time.Now(), Polling()
	gen := j.gen.Add(1) // publishes the fields above to helpers that see gen
	for range min(Threads()-1, count-1) {
		select {
		case pool.tasks <- task{job: j, gen: gen}:
		default: // the queue is full of other callers' tasks: do more here
		}
	}
	j.claim(-1)
	idle := time.Now()
	for j.done.Load() < int64(count) {
		// A worker is finishing a part: let it run if it shares our
		// thread, or if the system took its CPU for another process.
		runtime.Gosched()
		yieldThread()
	}
	if j.hot {
		j.observe(idle)
	}
	// Retire this use: a worker that has not looked at gen yet will drop its
	// task, and one that has is leaving with nothing to claim.
	j.gen.Add(1)
	for j.helpers.Load() > 0 {
		runtime.Gosched()
	}
	j.parts = nil // drop the caller's data
}

// help is what a worker does with a task: claim parts while the job is
// still the use the task was sent for.
func (j *Job) help(gen uint64, slot int) {
	j.helpers.Add(1)
	if j.gen.Load() == gen {
		j.claim(slot)
	}
	j.helpers.Add(-1)
}

// claim computes unclaimed parts until there are none.
func (j *Job) claim(slot int) {
	for {
		i := j.claimed.Add(1) - 1
		if i >= int64(j.count) {
			return
		}
		if slot >= 0 && j.joined.Load() == 0 {
			j.joined.CompareAndSwap(0, max(1, int64(time.Since(j.sent))))
		}
		j.parts.Part(int(i), slot)
		j.done.Add(1)
	}
}

// observe adds what a job sent to a polling worker cost the caller to the
// pool's Delay: the time
// until a worker joined (all of the job if none did) and the time the
// caller then waited for the workers' last parts, after it ran out of
// parts at idle.
func (j *Job) observe(idle time.Time) {
	end := time.Now()
	late := time.Duration(j.joined.Load())
	if late == 0 {
		late = end.Sub(j.sent)
	}
	sample := int64(late + end.Sub(idle))
	d := pool.delay.Load()
	pool.delay.Store(d + (sample-d)/8)
}

// Delay is how late the pool's polling workers have recently been, on
// average: the time from the caller handing out a job while a worker
// polled until a worker took a part, plus the time the caller then waited
// for the workers' last parts. On a quiet machine it is a microsecond or
// two; when other processes hold the CPUs it grows towards the scheduler's
// time slices, and a caller should split only work that leaves time for
// that. (A sleeping worker's wake-up is not counted: callers know it
// costs tens of microseconds.)
func Delay() time.Duration { return time.Duration(pool.delay.Load()) }

// Forget shrinks Delay by a thirtieth. A caller that ran work on its own
// because of Delay calls it, so that once the machine is quiet again the
// pool is tried again, and measured, within a few dozen such calls.
func Forget() {
	d := pool.delay.Load()
	pool.delay.Store(d - d/32)
}

// The cost of handing a Job's parts out: to a polling worker, until it has
// started on one; and to sleeping ones, the system call that wakes one and
// the wake-up itself (measured on the 2-vCPU virtual machine this was
// tuned on).
const (
	handOff = time.Microsecond
	wakeUp  = 35 * time.Microsecond
)

// Pays reports whether work that takes serial on one core, and is cut into
// parts each element of which is computed on its own (an elementwise loop,
// an optimizer's update), finishes sooner on the pool: whether half of it
// exceeds handing the parts out plus Delay. When Delay alone tips it,
// Pays calls Forget, so that the pool is tried again soon. The GEMM has a
// model of its own, which also counts the packing each part repeats.
func Pays(serial time.Duration) bool {
	if Threads() < 2 {
		return false
	}
	cost, half := wakeUp, serial/2
	if Polling() {
		cost = handOff
	}
	if cost+Delay() < half {
		return true
	}
	if cost < half {
		Forget() // a split but for the workers' lateness: try them again soon
	}
	return false
}

// task asks a worker to help with a job. gen identifies the use of the job
// the task was sent for; a task that arrives after that use ended is
// dropped.
type task struct {
	job *Job
	gen uint64
}

// workerPool is the fixed set of goroutines; idle ones wait on tasks.
type workerPool struct {
	once    sync.Once
	tasks   chan task
	workers int
	polling atomic.Int32 // workers polling for a task rather than sleeping
	delay   atomic.Int64 // Delay, a moving average in ns over the last jobs
}

var pool workerPool

func start() {
	pool.workers = max(runtime.GOMAXPROCS(0), runtime.NumCPU()) - 1
	pool.tasks = make(chan task, 4*max(pool.workers, 1))
	for slot := range pool.workers {
		go work(slot)
	}
}

// Size starts the pool if needed and returns its number of workers.
func Size() int {
	pool.once.Do(start)
	return pool.workers
}

// Threads is the number of goroutines a Job runs on now: the caller and as
// many workers as GOMAXPROCS leaves room for.
func Threads() int { return min(runtime.GOMAXPROCS(0), Size()+1) }

// Polling reports whether a worker is polling for a task, so that a part
// handed out now would start at once rather than after a wake-up.
func Polling() bool { return pool.polling.Load() > 0 }

// spinTime is how long a worker polls for the next task after finishing
// one before it sleeps; see the package documentation.
const spinTime = 100 * time.Microsecond

func work(slot int) {
	for {
		t, ok := poll()
		if !ok {
			t = <-pool.tasks
		}
		t.job.help(t.gen, slot)
	}
}

// preempted is the gap between two tries of poll that means the system
// ran another thread on the worker's CPU meanwhile: a try takes well under
// a microsecond.
const preempted = 20 * time.Microsecond

// poll waits up to spinTime for a task without blocking the thread,
// yielding to other goroutines and processes between tries. It gives up
// early if the worker's thread was preempted between two tries: other
// processes want the CPUs, and a polling thread would take a share of them
// from the caller it means to help.
func poll() (task, bool) {
	pool.polling.Add(1)
	defer pool.polling.Add(-1)
	start := time.Now()
	last := start
	for {
		select {
		case t := <-pool.tasks:
			return t, true
		default:
		}
		now := time.Now()
		if now.Sub(start) > spinTime || now.Sub(last) > preempted {
			return task{}, false
		}
		last = now
		runtime.Gosched()
		yieldThread()
	}
}
