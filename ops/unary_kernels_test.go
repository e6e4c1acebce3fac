package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"graft/graph"
)

// The branch-free ReLU loops against the loops they replaced, bit for bit,
// on the values where a select and a product differ: ±0, ±Inf and NaNs of
// either sign (x86 makes negative ones), besides random numbers.

func reluWithABranch[T graph.Float](out, x []T) {
	for i, v := range x {
		if v <= 0 {
			out[i] = 0
		} else {
			out[i] = v
		}
	}
}

// reluGradAsTwoOps is Mul(dy, Greater(x, 0)), the rule reluGrad replaced.
func reluGradAsTwoOps[T graph.Float](out, x, dy []T) {
	for i := range out {
		out[i] = dy[i] * greater(x[i], 0)
	}
}

func reluTestValues() []float64 {
	special := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0xfff8000000000000), 5e-324, -5e-324, math.MaxFloat64, -math.MaxFloat64}
	rng := rand.New(rand.NewPCG(1, 2))
	var vs []float64
	for range 200 {
		vs = append(vs, rng.NormFloat64())
	}
	// Every special value as x against every special value as dy.
	for _, a := range special {
		for range special {
			vs = append(vs, a)
		}
	}
	return vs
}

func reluTestDy(n int) []float64 {
	special := []float64{0, math.Copysign(0, -1), 2, -3, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0xfff8000000000000), 5e-324, -5e-324, math.MaxFloat64, -math.MaxFloat64}
	rng := rand.New(rand.NewPCG(3, 4))
	dy := make([]float64, n)
	for i := range dy {
		if i < 200 {
			dy[i] = rng.NormFloat64()
		} else {
			dy[i] = special[(i-200)%len(special)]
		}
	}
	return dy
}

func TestReLUKernelsMatchTheBranchingLoopsBitForBit(t *testing.T) {
	x64 := reluTestValues()
	dy64 := reluTestDy(len(x64))
	x32, dy32 := make([]float32, len(x64)), make([]float32, len(x64))
	for i := range x64 {
		x32[i], dy32[i] = float32(x64[i]), float32(dy64[i])
	}
	check := func(name string, got, want []uint64) {
		t.Helper()
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: element %d (x %v, dy %v): got bits %#x, want %#x", name, i, x64[i], dy64[i], got[i], want[i])
			}
		}
	}
	n := len(x64)
	got64, want64 := make([]float64, n), make([]float64, n)
	relu64(got64, x64)
	reluWithABranch(want64, x64)
	check("relu64", bits64(got64), bits64(want64))
	reluGrad64(got64, x64, dy64)
	reluGradAsTwoOps(want64, x64, dy64)
	check("reluGrad64", bits64(got64), bits64(want64))

	got32, want32 := make([]float32, n), make([]float32, n)
	relu32(got32, x32)
	reluWithABranch(want32, x32)
	check("relu32", bits32(got32), bits32(want32))
	reluGrad32(got32, x32, dy32)
	reluGradAsTwoOps(want32, x32, dy32)
	check("reluGrad32", bits32(got32), bits32(want32))
}

func bits64(v []float64) []uint64 {
	b := make([]uint64, len(v))
	for i, f := range v {
		b[i] = math.Float64bits(f)
	}
	return b
}

func bits32(v []float32) []uint64 {
	b := make([]uint64, len(v))
	for i, f := range v {
		b[i] = uint64(math.Float32bits(f))
	}
	return b
}
