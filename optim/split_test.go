package optim_test

import (
	"math"
	"runtime"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/optim"
)

// TestSplitStepGivesTheSerialBits runs the same Steps of every optimizer on
// one goroutine (GOMAXPROCS 1) and split over the pool, on a parameter set
// large enough to be split, whose chunks straddle the tensors' ends; the
// parameters, which the slots steer, must come out bit for bit the same. The Steps
// are three of every parameter, one of the first parameter alone (so the
// parameters' step counts differ), and one more of all.
func TestSplitStepGivesTheSerialBits(t *testing.T) {
	shapes := [][]int{{3, 5000}, {1000, 1100}, {37}}
	for _, dt := range dtypes {
		for _, bo := range benchOptimizers {
			serial := stepsAt(t, 1, bo.make(), dt, shapes)
			split := stepsAt(t, max(2, runtime.NumCPU()), bo.make(), dt, shapes)
			for i := range serial {
				if serial[i] != split[i] {
					t.Fatalf("%s %s: element %d of the parameters is %x split, %x serial", bo.name, graph.DTypeName(dt), i, split[i], serial[i])
				}
			}
		}
	}
}

// stepsAt runs the test's Steps at GOMAXPROCS procs and returns the bits
// of the parameters.
func stepsAt(t *testing.T, procs int, opt optim.Optimizer, dt graph.DType, shapes [][]int) []uint64 {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	params, grads := benchParams(dt, shapes)
	steps := [][]int{{0, 1, 2}, {0, 1, 2}, {0, 1, 2}, {1}, {0, 1, 2}}
	for _, which := range steps {
		var ps []*graph.Node
		var gs []*tensor.Dense
		for _, i := range which {
			ps, gs = append(ps, params[i]), append(gs, grads[i])
		}
		if err := opt.Step(ps, gs); err != nil {
			t.Fatal(err)
		}
	}
	var bits []uint64
	for _, p := range params {
		if dt == tensor.Float32 {
			for _, v := range p.Value().Float32s() {
				bits = append(bits, uint64(math.Float32bits(v)))
			}
		} else {
			for _, v := range p.Value().Float64s() {
				bits = append(bits, math.Float64bits(v))
			}
		}
	}
	return bits
}
