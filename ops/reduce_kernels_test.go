package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// TestSumOfFourRunsAtOnceKeepsTheBits compares Sum with its four-run fold
// (lanes set by Infer) against the same plan folded one run at a time, bit
// for bit, on the layouts of a bias's gradient and on lanes that do not
// divide by four.
func TestSumOfFourRunsAtOnceKeepsTheBits(t *testing.T) {
	cases := []struct {
		shape     graph.Shape
		axes      []int
		wantLanes int
	}{
		{graph.Shape{3, 16, 5, 7}, []int{0, 2, 3}, 16}, // a conv bias's gradient
		{graph.Shape{2, 6, 9}, []int{0, 2}, 6},         // lanes not a multiple of 4
		{graph.Shape{5, 3, 4}, []int{0, 2}, 3},         // fewer than 4 lanes
		{graph.Shape{7, 33}, []int{1}, 7},              // row sums
		{graph.Shape{33, 7}, []int{0}, 0},              // column sums: no lanes
		{graph.Shape{4, 5}, nil, 0},                    // everything
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			g := graph.New()
			x := g.Input("x", dt, c.shape...)
			op := &reduceOp{reduction: sumReduction(), axes: c.axes}
			shape, _, err := op.Infer([]*graph.Node{x})
			if err != nil {
				t.Fatal(err)
			}
			if op.lanes != c.wantLanes {
				t.Errorf("%v over %v: lanes %d, want %d", c.shape, c.axes, op.lanes, c.wantLanes)
			}
			in := &graph.Value{Shape: c.shape, DType: dt}
			fast, slow := &graph.Value{Shape: shape, DType: dt}, &graph.Value{Shape: shape, DType: dt}
			if dt == tensor.Float32 {
				in.F32 = make([]float32, c.shape.Size())
				for i := range in.F32 {
					in.F32[i] = float32(rng.NormFloat64() * math.Exp(4*rng.NormFloat64()))
				}
				fast.F32, slow.F32 = make([]float32, shape.Size()), make([]float32, shape.Size())
			} else {
				in.F64 = make([]float64, c.shape.Size())
				for i := range in.F64 {
					in.F64[i] = rng.NormFloat64() * math.Exp(4*rng.NormFloat64())
				}
				fast.F64, slow.F64 = make([]float64, shape.Size()), make([]float64, shape.Size())
			}
			op.Forward(fast, []*graph.Value{in})
			op.lanes = 0
			op.Forward(slow, []*graph.Value{in})
			var got, want []uint64
			if dt == tensor.Float32 {
				got, want = bits32(fast.F32), bits32(slow.F32)
			} else {
				got, want = bits64(fast.F64), bits64(slow.F64)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%v %v over %v: element %d has bits %#x, one run at a time gives %#x", dt, c.shape, c.axes, i, got[i], want[i])
				}
			}
		}
	}
}
