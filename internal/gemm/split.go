package gemm

// A product is split over goroutines when a cost model says the split
// finishes sooner than the caller alone would. The model counts, in
// picoseconds of one core:
//
//   - the multiply-adds, at about 7 a nanosecond per lane of the
//     micro-kernel's vectors: 112 for the float32 AVX-512 kernel (225
//     GFLOP/s measured on one of this machine's Zen 5 cores), 56 for AVX2;
//   - packing, which every part repeats for all of the operand along the
//     dimension it does not split: all of B when the parts are ranges of
//     rows of C, all of A when they are ranges of columns (about 0.15 ns an
//     element of B and 0.3 ns of A, whose slivers gather six rows, from
//     profiles of the 784-256-128-10 MLP's products);
//   - handing the parts out: a channel send when a worker is polling
//     (workers.Polling), and, when every worker sleeps, the system call that
//     wakes one (about 10 µs on the caller, measured on the 2-vCPU virtual
//     machine) and the 10 to 25 µs before the woken worker runs.
//
// The caller starts at once and the workers late; each thread claims the
// next part when it is free, and the split finishes with its last part. So
// a split into as many parts as threads suits a product whose workers are
// polling, and more, smaller parts one whose workers start late, at the
// price of packing the other operand once more per part. The model picks
// the fastest of: no split, or along the batch, the rows or the columns of
// C into one, two or four parts per thread.
//
// Every part computes a disjoint rectangle of C (whole products, or whole
// tiles of every product) with blocked's loop nest, so each element of C
// is summed in the same order whatever the split: the results do not
// depend on the number of cores.

// hotMin is the least work (multiply-adds of the whole batch) that the
// cost model is asked about: below it a split never pays.
const hotMin = 1 << 17

// The costs of the model in picoseconds.
const (
	packAps       = 300        // packing one element of A
	packBps       = 150        // packing one element of B
	sendHotps     = 200_000    // the caller hands a part to a polling worker
	startHotps    = 1_000_000  // until a polling worker has started on it
	sendColdps    = 10_000_000 // the caller wakes a sleeping worker
	startColdps   = 25_000_000 // until the woken worker has started
	macsPerNsLane = 7          // multiply-adds a nanosecond per vector lane
)

// axis names the dimension a split cuts.
type axis uint8

const (
	alongBatch axis = iota // ranges of the batch's products
	alongM                 // ranges of whole tiles of rows of every product
	alongN                 // ranges of whole tiles of columns of every product
)

// split is how a job is cut: parts parts along an axis of tiles tiles (or
// of the batch's products). parts < 2 means no split.
type split struct {
	parts int
	along axis
	tiles int
}

// plan returns the split of bt over threads goroutines (the caller and
// threads-1 workers) that the cost model expects to finish first; hot
// reports whether a worker is polling, and late how late the workers have
// been of late (workers.Delay, in ps), which counts when it exceeds the
// model's start-up time: on a machine shared with other programs the
// workers' threads wait for a CPU.
func (bt *batched[E]) plan(kern *microKernel[E], threads int, hot bool, late int64) split {
	sendPs, startPs := int64(sendColdps), int64(startColdps)
	if hot {
		sendPs, startPs = sendHotps, startHotps
	}
	startPs = max(startPs, late)
	m, n, k, count := int64(bt.m), int64(bt.n), int64(bt.k), int64(bt.count)
	macPs := 1000 / float64(macsPerNsLane*max(kern.lanes, 1))
	// cost is the time of one product's rows×cols corner, packing included.
	cost := func(rows, cols int64) int64 {
		return int64(float64(rows*cols*k)*macPs) + rows*k*packAps + k*cols*packBps
	}
	serial := count * cost(m, n)
	best, bestTime := split{}, serial
	try := func(s split, partPs int64) {
		if s.parts < 2 {
			return
		}
		if t := finish(s.parts, partPs, threads, sendPs, startPs); t < bestTime {
			best, bestTime = s, t
		}
	}
	tilesM, tilesN := int64(ceilDiv(bt.m, kern.mr)), int64(ceilDiv(bt.n, kern.nr))
	for _, perThread := range []int64{1, 2, 4} {
		parts := perThread * int64(threads)
		if count >= 2 {
			p := min(parts, count)
			try(split{parts: int(p), along: alongBatch}, ceilDiv64(count, p)*cost(m, n))
		}
		if p := min(parts, tilesM); p >= 2 {
			rows := min(ceilDiv64(tilesM, p)*int64(kern.mr), m)
			try(split{parts: int(p), along: alongM, tiles: int(tilesM)}, count*cost(rows, n))
		}
		if p := min(parts, tilesN); p >= 2 {
			cols := min(ceilDiv64(tilesN, p)*int64(kern.nr), n)
			try(split{parts: int(p), along: alongN, tiles: int(tilesN)}, count*cost(m, cols))
		}
	}
	return best
}

// finish is the model's time for parts parts of partPs each on threads
// threads: the caller starts after sending the tasks, the workers startPs
// later, and each thread claims the next part when it is free, so parts are
// claimed in time order and the last one claimed ends last.
func finish(parts int, partPs int64, threads int, sendPs, startPs int64) int64 {
	workers := int64(min(threads-1, parts-1))
	caller := workers * sendPs
	// The parts the caller claims before the workers start.
	alone := int64(parts)
	if startPs > caller {
		alone = min(alone, ceilDiv64(startPs-caller, partPs))
	}
	left := int64(parts) - alone
	if left == 0 || workers == 0 {
		return caller + int64(parts)*partPs
	}
	// From then on each round of partPs sees every worker claim a part,
	// then the caller: the last part is the left-th claim.
	round, i := (left-1)/(workers+1), (left-1)%(workers+1)
	if i < workers {
		return startPs + (round+1)*partPs
	}
	return caller + (alone+round+1)*partPs
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func ceilDiv64(a, b int64) int64 { return (a + b - 1) / b }
