package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// shape is one product to check against the reference loop.
type shape struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	pad            int // added to every leading dimension
	batch          int
	broadcast      string // operands with batch stride 0: "", "a", "b"
}

func (s shape) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%g beta=%g pad=%d batch=%d bcast=%q",
		s.transA, s.transB, s.m, s.n, s.k, s.alpha, s.beta, s.pad, s.batch, s.broadcast)
}

// operands is the memory of one test product, with every slot outside the
// matrices set to a sentinel so that stray writes show.
type operands[E Float] struct {
	a, b, c                   []E
	lda, ldb, ldc             int
	strideA, strideB, strideC int
}

const sentinel = -12345.5

func newOperands[E Float](rng *rand.Rand, s shape) operands[E] {
	rowsA, colsA := s.m, s.k
	if s.transA {
		rowsA, colsA = s.k, s.m
	}
	rowsB, colsB := s.k, s.n
	if s.transB {
		rowsB, colsB = s.n, s.k
	}
	var o operands[E]
	o.lda, o.ldb, o.ldc = colsA+s.pad, colsB+s.pad, s.n+s.pad
	o.strideA, o.strideB, o.strideC = rowsA*o.lda+s.pad, rowsB*o.ldb+s.pad, s.m*o.ldc+s.pad
	batchA, batchB := s.batch, s.batch
	switch s.broadcast {
	case "a":
		o.strideA, batchA = 0, 1
	case "b":
		o.strideB, batchB = 0, 1
	}
	o.a = randomMatrix[E](rng, batchA, o.strideA, rowsA, colsA, o.lda, false)
	o.b = randomMatrix[E](rng, batchB, o.strideB, rowsB, colsB, o.ldb, false)
	o.c = randomMatrix[E](rng, s.batch, o.strideC, s.m, s.n, o.ldc, s.beta == 0)
	return o
}

// randomMatrix fills count matrices of rows×cols (row stride ld, matrix
// stride stride) with values in [-1, 1), or NaN if nan is set, and the gaps
// with the sentinel. The slice ends exactly at the last element.
func randomMatrix[E Float](rng *rand.Rand, count, stride, rows, cols, ld int, nan bool) []E {
	if rows == 0 || cols == 0 {
		return nil
	}
	s := make([]E, (count-1)*stride+(rows-1)*ld+cols)
	for i := range s {
		s[i] = sentinel
	}
	for b := range count {
		for i := range rows {
			for j := range cols {
				v := E(2*rng.Float64() - 1)
				if nan {
					v = E(math.NaN())
				}
				s[b*stride+i*ld+j] = v
			}
		}
	}
	return s
}

// checkProduct compares got (the c of o after the call) with a float64
// triple loop over the inputs in o and the original c, element by element,
// with a bound that grows with k, and checks that no gap was written.
func checkProduct[E Float](t *testing.T, s shape, o operands[E], origC, got []E) {
	t.Helper()
	eps := 0x1p-52
	if isFloat32[E]() {
		eps = 0x1p-23
	}
	written := make([]bool, len(got))
	for b := range s.batch {
		a := o.a[min(b*o.strideA, len(o.a)):]
		bm := o.b[min(b*o.strideB, len(o.b)):]
		for i := range s.m {
			for j := range s.n {
				var sum, abs float64
				for l := range s.k {
					var av, bv float64
					if s.transA {
						av = float64(a[l*o.lda+i])
					} else {
						av = float64(a[i*o.lda+l])
					}
					if s.transB {
						bv = float64(bm[j*o.ldb+l])
					} else {
						bv = float64(bm[l*o.ldb+j])
					}
					sum += av * bv
					abs += math.Abs(av * bv)
				}
				at := b*o.strideC + i*o.ldc + j
				want := s.alpha * sum
				bound := math.Abs(s.alpha) * abs
				if s.beta != 0 {
					want += s.beta * float64(origC[at])
					bound += math.Abs(s.beta * float64(origC[at]))
				}
				tol := 4*float64(s.k+2)*eps*bound + 1e-30
				if g := float64(got[at]); !(math.Abs(g-want) <= tol) {
					t.Fatalf("%v: C[%d][%d][%d] = %v, want %v (tolerance %g)", s, b, i, j, g, want, tol)
				}
				written[at] = true
			}
		}
	}
	for i, w := range written {
		if !w && got[i] != sentinel {
			t.Fatalf("%v: c[%d] outside the matrices changed to %v", s, i, got[i])
		}
	}
}

// runShape computes s with kernel kind and checks it.
func runShape[E Float](t *testing.T, rng *rand.Rand, kind kernelKind, s shape) {
	t.Helper()
	o := newOperands[E](rng, s)
	orig := append([]E(nil), o.c...)
	gemmBatched(kind, s.transA, s.transB, s.m, s.n, s.k, E(s.alpha), o.a, o.lda, o.strideA,
		o.b, o.ldb, o.strideB, E(s.beta), o.c, o.ldc, o.strideC, s.batch)
	checkProduct(t, s, o, orig, o.c)
}

// forEachKernel runs test for both element types and every kernel this CPU
// supports, the pure-Go one included, each as a subtest.
func forEachKernel(t *testing.T, test func(t *testing.T, kind kernelKind, f32 bool)) {
	for _, kind := range supportedKernels() {
		for _, f32 := range []bool{true, false} {
			name := kind.String() + "/float64"
			if f32 {
				name = kind.String() + "/float32"
			}
			t.Run(name, func(t *testing.T) { test(t, kind, f32) })
		}
	}
}

func run(t *testing.T, rng *rand.Rand, kind kernelKind, f32 bool, s shape) {
	t.Helper()
	if f32 {
		runShape[float32](t, rng, kind, s)
	} else {
		runShape[float64](t, rng, kind, s)
	}
}

var (
	alphas = []float64{1, -0.5, 0, 2.25}
	betas  = []float64{0, 1, -1.5, 0.5}
)

// randomShape picks transposes, scalars, padding of the leading dimensions.
func randomShape(rng *rand.Rand, m, n, k int) shape {
	return shape{
		transA: rng.IntN(2) == 1, transB: rng.IntN(2) == 1,
		m: m, n: n, k: k,
		alpha: alphas[rng.IntN(len(alphas))], beta: betas[rng.IntN(len(betas))],
		pad: rng.IntN(3) * 3, batch: 1,
	}
}

// TestEverySmallShape runs every m, n, k in 1..40 (1..24 with -short)
// through every kernel this CPU supports, the pure-Go one included, in both
// element types, with transposes, scalars and padding drawn at random for
// each product and each combination. This covers the small-product loops and every
// ragged-edge combination of each kernel's tiles. The six combinations run
// in parallel.
func TestEverySmallShape(t *testing.T) {
	limit := 40
	if testing.Short() {
		limit = 24
	}
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		t.Parallel()
		stream := 2 * uint64(kind)
		if f32 {
			stream++
		}
		rng := rand.New(rand.NewPCG(1, stream))
		for m := 1; m <= limit; m++ {
			for n := 1; n <= limit; n++ {
				for k := 1; k <= limit; k++ {
					run(t, rng, kind, f32, randomShape(rng, m, n, k))
				}
			}
		}
	})
}

// TestOddLargeShapes crosses the cache blocks (kc = 256, mc = 96, nc = 256
// or 512) and the parallel split, with every transpose and scalar case.
func TestOddLargeShapes(t *testing.T) {
	sizes := [][3]int{
		{300, 300, 300}, {97, 131, 257}, {1, 300, 299}, {299, 1, 263}, {263, 277, 1},
		{7, 530, 65}, {193, 65, 513}, {64, 256, 784}, {6, 64, 1000},
	}
	if testing.Short() {
		sizes = sizes[1:6]
	}
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		rng := rand.New(rand.NewPCG(4, uint64(kind)))
		for _, sz := range sizes {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					s := randomShape(rng, sz[0], sz[1], sz[2])
					s.transA, s.transB = tA, tB
					run(t, rng, kind, f32, s)
				}
			}
		}
	})
}

// TestVectorShapes checks the matrix-vector path (gemv.go): one row or one
// column of C, lengths on both sides of the vector kernels' strips of one
// and four vectors, every transpose, alpha and beta, and a batch.
func TestVectorShapes(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		rng := rand.New(rand.NewPCG(7, uint64(kind)))
		for _, length := range []int{1, 3, 4, 8, 15, 16, 17, 33, 64, 65, 100, 131} {
			for _, k := range []int{1, 5, 64} {
				for _, rowOfC := range []bool{true, false} {
					for _, alpha := range alphas {
						for _, beta := range betas {
							m, n := 1, length
							if !rowOfC {
								m, n = length, 1
							}
							s := randomShape(rng, m, n, k)
							s.alpha, s.beta = alpha, beta
							run(t, rng, kind, f32, s)
						}
					}
				}
			}
		}
		for _, broadcast := range []string{"", "a", "b"} {
			s := randomShape(rng, 1, 70, 40)
			s.batch, s.broadcast = 3, broadcast
			run(t, rng, kind, f32, s)
		}
	})
}

// runVector is runShape through gemv alone, whatever the size (run sends
// products of up to smallMax multiply-adds to small.go instead).
func runVector[E Float](t *testing.T, rng *rand.Rand, kind kernelKind, s shape) {
	t.Helper()
	o := newOperands[E](rng, s)
	o.a, o.b = sentinelsAfter(o.a), sentinelsAfter(o.b)
	orig := append([]E(nil), o.c...)
	p := problem[E]{
		transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: E(s.alpha), beta: E(s.beta),
		a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, c: o.c, ldc: o.ldc,
	}
	p.gemv(kernelFor[E](kind))
	checkProduct(t, s, o, orig, o.c)
}

// sentinelsAfter returns a copy of s whose capacity beyond its length holds
// sentinels, so that a kernel reading past the end of an operand (a masked
// last vector with a lane too many) adds a wrong term rather than the zero
// the allocator's rounding often leaves there.
func sentinelsAfter[E Float](s []E) []E {
	buf := make([]E, len(s)+64)
	copy(buf, s)
	for i := len(s); i < len(buf); i++ {
		buf[i] = sentinel
	}
	return buf[:len(s)]
}

// TestDotRowsEveryShortShape checks gemv's dotRows, each element of C a dot
// product of length k, for every k in 1..70 and every count of rows in
// 1..9: on both sides of each kernel's vector of 4 to 16 lanes, its steps
// of two and four vectors, its groups of four rows and its masked last
// vector. Both products that reach it run, one row of C with transB and one
// column of C without transA (its y strided by ldc), each also with a
// strided x (which takes the plain loop), through every alpha and beta.
//
// The kernels add the k products in another order than the scalar loop
// (lanes and chains apart, then the lanes pairwise) and fuse each multiply
// with its add. That changes the rounding, not the sum: whatever the
// order, recursive summation of k products computed with or without
// fusing is within (k+1)·u·Σ|a_l·b_l| of the exact sum, u the unit
// roundoff (Higham, Accuracy and Stability of Numerical Algorithms, §3.1
// and §4.2), and scaling by alpha and adding beta·c cost two roundings
// more. checkProduct compares with the float64 sum and allows 4·(k+2)·u
// times |alpha|·Σ|a_l·b_l| + |beta·c|, which covers every order; a
// dropped, doubled or misplaced product would be off by a whole term.
func TestDotRowsEveryShortShape(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		rng := rand.New(rand.NewPCG(8, uint64(kind)))
		combo := 0
		for rows := 1; rows <= 9; rows++ {
			for k := 1; k <= 70; k++ {
				for _, rowOfC := range []bool{true, false} {
					for _, stridedX := range []bool{false, true} {
						s := randomShape(rng, 1, rows, k)
						s.transA, s.transB = stridedX, true
						if !rowOfC {
							s = randomShape(rng, rows, 1, k)
							s.transA, s.transB = false, !stridedX
						}
						s.alpha, s.beta = alphas[combo%len(alphas)], betas[combo/len(alphas)%len(betas)]
						combo++
						if f32 {
							runVector[float32](t, rng, kind, s)
						} else {
							runVector[float64](t, rng, kind, s)
						}
					}
				}
			}
		}
	})
}

// TestDotRowsPropagatesNaN checks that dotRows treats a NaN as the scalar
// loop does: a NaN anywhere in a row of the matrix, in a whole vector or in
// the masked last one, makes that row's result NaN and no other, and a NaN
// anywhere in x makes every result NaN.
func TestDotRowsPropagatesNaN(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		if f32 {
			dotRowsNaN[float32](t, kind)
		} else {
			dotRowsNaN[float64](t, kind)
		}
	})
}

func dotRowsNaN[E Float](t *testing.T, kind kernelKind) {
	kern := kernelFor[E](kind)
	nan := E(math.NaN())
	for _, rows := range []int{1, 5, 9} {
		for _, k := range []int{1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 70} {
			for l := range k {
				for _, inX := range []bool{false, true} {
					// y = W·x for W rows×k, as the product x·Wᵀ of one row.
					x, w, y := make([]E, k), make([]E, rows*k), make([]E, rows)
					for i := range x {
						x[i] = 0.5
					}
					for i := range w {
						w[i] = 0.25
					}
					hit := l % rows
					if inX {
						x[l] = nan
					} else {
						w[hit*k+l] = nan
					}
					p := problem[E]{m: 1, n: rows, k: k, transB: true, alpha: 1, beta: 0, a: x, lda: k, b: w, ldb: k, c: y, ldc: rows}
					p.gemv(kern)
					for i, v := range y {
						if want := inX || i == hit; isNaN(v) != want {
							t.Fatalf("rows=%d k=%d, NaN at %d of %s: y[%d] = %v", rows, k, l, map[bool]string{true: "x", false: "row " + fmt.Sprint(hit)}[inX], i, v)
						}
					}
				}
			}
		}
	}
}

func isNaN[E Float](v E) bool { return v != v }

// TestScalars checks every alpha and beta on a blocked, a parallel and a
// small shape, and that beta = 0 ignores NaNs already in C.
func TestScalars(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		rng := rand.New(rand.NewPCG(5, uint64(kind)))
		for _, sz := range [][3]int{{3, 5, 4}, {37, 45, 50}, {130, 140, 150}} {
			for _, alpha := range alphas {
				for _, beta := range betas {
					s := shape{m: sz[0], n: sz[1], k: sz[2], alpha: alpha, beta: beta, pad: 2, batch: 1}
					run(t, rng, kind, f32, s)
				}
			}
		}
	})
}

// TestBatched checks batches with separate operands, with A or B
// broadcast by a stride of 0, and big enough to be split over the batch.
func TestBatched(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		rng := rand.New(rand.NewPCG(6, uint64(kind)))
		for _, bcast := range []string{"", "a", "b"} {
			for _, sz := range [][4]int{{3, 4, 5, 7}, {33, 17, 29, 5}, {40, 50, 60, 20}, {150, 70, 120, 3}} {
				s := randomShape(rng, sz[0], sz[1], sz[2])
				s.batch, s.broadcast = sz[3], bcast
				run(t, rng, kind, f32, s)
			}
		}
	})
}

// TestDegenerate checks k = 0 (C = beta·C) and m = 0 or n = 0 (no-op).
func TestDegenerate(t *testing.T) {
	c := []float64{1, 2, math.NaN(), 4}
	Gemm(false, false, 2, 2, 0, 1, nil, 0, nil, 2, 0.5, c, 2)
	if c[0] != 0.5 || c[1] != 1 || !math.IsNaN(c[2]) || c[3] != 2 {
		t.Fatalf("k = 0, beta = 0.5: got %v", c)
	}
	Gemm(false, false, 2, 2, 0, 1, nil, 0, nil, 2, 0, c, 2)
	for i, v := range c {
		if v != 0 {
			t.Fatalf("k = 0, beta = 0: c[%d] = %v, want 0", i, v)
		}
	}
	Gemm[float32](false, false, 0, 5, 5, 1, nil, 5, nil, 5, 0, nil, 5)
	Gemm[float32](false, false, 5, 0, 5, 1, make([]float32, 25), 5, nil, 0, 0, nil, 0)
}

// TestShortSlicesPanic checks the messages for operands that do not fit.
func TestShortSlicesPanic(t *testing.T) {
	cases := []struct {
		name string
		call func()
		want string
	}{
		{"short a", func() {
			Gemm[float32](false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}, "len(a) = 3"},
		{"short b", func() {
			Gemm[float32](false, true, 2, 3, 2, 1, make([]float32, 4), 2, make([]float32, 5), 2, 0, make([]float32, 6), 3)
		}, "len(b) = 5"},
		{"short c", func() {
			Gemm[float64](false, false, 2, 2, 2, 1, make([]float64, 4), 2, make([]float64, 4), 2, 0, make([]float64, 3), 2)
		}, "len(c) = 3"},
		{"small ldc", func() {
			Gemm[float64](false, false, 2, 2, 2, 1, make([]float64, 4), 2, make([]float64, 4), 2, 0, make([]float64, 4), 1)
		}, "ldc = 1"},
		{"short batch", func() {
			GemmBatched[float32](false, false, 2, 2, 2, 1, make([]float32, 4), 2, 0, make([]float32, 4), 2, 4, 0, make([]float32, 8), 2, 4, 2)
		}, "len(b) = 4"},
		{"c stride 0", func() {
			GemmBatched[float32](false, false, 2, 2, 2, 1, make([]float32, 4), 2, 0, make([]float32, 4), 2, 0, 0, make([]float32, 4), 2, 0, 2)
		}, "strideC is 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %q, want one containing %q", msg, tc.want)
				}
			}()
			tc.call()
		})
	}
}

// TestConcurrentCalls runs large products from several goroutines at once
// (go test -race checks the pool) and compares them with a serial run.
func TestConcurrentCalls(t *testing.T) {
	const m, n, k, callers = 150, 200, 130, 4
	rng := rand.New(rand.NewPCG(7, 8))
	a := randomMatrix[float32](rng, 1, 0, m, k, k, false)
	b := randomMatrix[float32](rng, 1, 0, k, n, n, false)
	want := make([]float32, m*n)
	Gemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	var wg sync.WaitGroup
	results := make([][]float32, callers)
	for g := range callers {
		results[g] = make([]float32, m*n)
		wg.Go(func() {
			for range 5 {
				Gemm(false, false, m, n, k, 1, a, k, b, n, 0, results[g], n)
			}
		})
	}
	wg.Wait()
	for g, got := range results {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("caller %d: c[%d] = %v, want %v", g, i, got[i], want[i])
			}
		}
	}
}

// TestNoAllocations checks that small, blocked, parallel and batched calls
// allocate nothing once buffers and workers exist.
func TestNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, sz := range [][4]int{{4, 10, 2, 1}, {40, 40, 40, 1}, {512, 512, 512, 1}, {64, 64, 64, 16}} {
		m, n, k, batch := sz[0], sz[1], sz[2], sz[3]
		a32, b32, c32 := make([]float32, batch*m*k), make([]float32, batch*k*n), make([]float32, batch*m*n)
		a64, b64, c64 := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
		allocs := testing.AllocsPerRun(10, func() {
			GemmBatched(false, true, m, n, k, 1, a32, k, m*k, b32, k, k*n, 0, c32, n, m*n, batch)
			Gemm(true, false, m, n, k, 1, a64, m, b64, n, 1, c64, n)
		})
		if allocs != 0 {
			t.Errorf("%d×%d×%d batch %d: %v allocations per call", m, n, k, batch, allocs)
		}
	}
}

// TestPackedOperandsGiveTheSameProducts runs products through GemmPacked
// with both operands as Matrix packers: small (which GemmPacked still
// packs), blocked, batched and parallel shapes, every transpose.
func TestPackedOperandsGiveTheSameProducts(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kind kernelKind, f32 bool) {
		rng := rand.New(rand.NewPCG(7, uint64(kind)))
		for _, sz := range [][4]int{{3, 4, 5, 1}, {7, 70, 13, 3}, {33, 17, 290, 5}, {150, 170, 120, 2}, {32, 200, 1100, 1}} {
			for _, bcast := range []string{"", "a", "b"} {
				s := randomShape(rng, sz[0], sz[1], sz[2])
				s.batch, s.broadcast = sz[3], bcast
				if f32 {
					runPacked[float32](t, rng, kind, s)
				} else {
					runPacked[float64](t, rng, kind, s)
				}
			}
		}
	})
}

func runPacked[E Float](t *testing.T, rng *rand.Rand, kind kernelKind, s shape) {
	t.Helper()
	o := newOperands[E](rng, s)
	orig := append([]E(nil), o.c...)
	a := Matrix[E]{Data: o.a, Ld: o.lda, Stride: o.strideA, Trans: s.transA}
	b := Matrix[E]{Data: o.b, Ld: o.ldb, Stride: o.strideB, Trans: !s.transB}
	gemmPacked[E](kind, s.m, s.n, s.k, E(s.alpha), a, b, E(s.beta), o.c, o.ldc, o.strideC, s.batch)
	checkProduct(t, s, o, orig, o.c)
}
