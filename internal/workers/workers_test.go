package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// counted is work whose parts count how often each was computed and check
// the slot they were given.
type counted struct {
	t     *testing.T
	times []atomic.Int32
}

func (c *counted) Part(i, slot int) {
	if slot < -1 || slot >= Size() {
		c.t.Errorf("part %d ran on slot %d; the pool has %d workers", i, slot, Size())
	}
	c.times[i].Add(1)
}

// TestRunComputesEveryPartOnce runs jobs of several sizes, one after
// another on one Job and at once on several, and checks that every part
// was computed exactly once before Run returned.
func TestRunComputesEveryPartOnce(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			var j Job
			for _, count := range []int{1, 2, 3, 7, 100} {
				for range 20 {
					c := &counted{t: t, times: make([]atomic.Int32, count)}
					j.Run(c, count)
					for i := range c.times {
						if n := c.times[i].Load(); n != 1 {
							t.Errorf("goroutine %d, %d parts: part %d computed %d times", g, count, i, n)
						}
					}
				}
			}
		})
	}
	wg.Wait()
}

type nothing struct{}

func (nothing) Part(i, slot int) {}

// TestRunAllocatesNothing checks that a Job allocates nothing once the
// pool has started.
func TestRunAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	var j Job
	var p Parts = nothing{}
	j.Run(p, 4)
	if allocs := testing.AllocsPerRun(100, func() { j.Run(p, 4) }); allocs != 0 {
		t.Errorf("Run made %v allocations", allocs)
	}
}

// TestForgetShrinksDelay checks that Forget brings a large Delay down.
func TestForgetShrinksDelay(t *testing.T) {
	defer pool.delay.Store(pool.delay.Load())
	pool.delay.Store(1_000_000)
	for range 100 {
		Forget()
	}
	if d := Delay(); d > 50_000 {
		t.Errorf("Delay after 100 Forgets from 1 ms: %v", d)
	}
}

// Pays never splits work shorter than handing it out, nor anything on one
// thread, and splits work far longer than any delay when there are two.
func TestPaysWeighsTheWorkAgainstHandingItOut(t *testing.T) {
	if Pays(0) || Pays(handOff) {
		t.Error("Pays splits work no longer than a hand-off")
	}
	if got := Pays(time.Hour); got != (Threads() >= 2) {
		t.Errorf("Pays(1h) = %v with %d threads", got, Threads())
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if Pays(time.Hour) {
		t.Error("Pays splits at GOMAXPROCS 1")
	}
}
