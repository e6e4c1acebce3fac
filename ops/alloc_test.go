package ops_test

import (
	"math"
	"testing"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// everyOp builds, on x (2, 3) and w (3, 4), a scalar y that uses every kind
// of op, and returns y with its gradients with respect to x and w (which use
// the gradient rules' ops too).
func everyOp(t *testing.T, x, w *graph.Node) []*graph.Node {
	g := x.Graph()
	half := ops.ScalarLike(x, 0.5)
	h := ops.MatMul(x, w) // (2, 4)
	h = ops.Add(h, ops.Full(g, 0.1, x.DType(), 4))
	h = ops.Sub(ops.Mul(h, half), ops.Div(h, ops.OnesLike(h)))
	h = ops.Maximum(ops.Minimum(h, ops.ScalarLike(h, 3)), ops.Neg(ops.ScalarLike(h, 3)))
	pos := ops.Pow(ops.Add(ops.Square(h), ops.ScalarLike(h, 1)), half) // √(h²+1)
	u := ops.Add(ops.Exp(ops.Neg(pos)), ops.Log(pos))
	u = ops.Add(u, ops.Sqrt(pos))
	u = ops.Add(u, ops.Mul(ops.Abs(h), ops.Sign(h)))
	u = ops.Add(u, ops.Sin(ops.Cos(h)))
	u = ops.Add(u, ops.Tanh(ops.Sigmoid(ops.ReLU(h))))
	masks := ops.Add(ops.Add(ops.Equal(h, h), ops.NotEqual(h, u)), ops.Add(ops.Less(h, u), ops.LessEqual(h, u)))
	masks = ops.Add(masks, ops.Add(ops.Greater(h, u), ops.GreaterEqual(h, u)))
	u = ops.Where(ops.Greater(h, ops.ZerosLike(h)), u, ops.Mul(masks, u)) // (2, 4)

	t3 := ops.Transpose(ops.Reshape(u, 2, 2, 2), 2, 0, 1)                                 // (2, 2, 2)
	b := ops.MatMulT(t3, ops.Reshape(x, 1, 2, 3), true, false)                            // (2, 2, 3), broadcast batch
	b = ops.MatMulT(b, ops.Transpose(w), false, true)                                     // (2, 2, 4)
	b = ops.MatMul(b, ops.BroadcastTo(ops.Reshape(w, 1, 4, 3), 2, 4, 3))                  // (2, 2, 3)
	c := ops.Concat(1, ops.Slice(b, 1, 0, 1), ops.Pad(ops.Slice(b, -1, -2, 3), -1, 1, 0)) // (2, 3, 3)
	c = ops.Add(c, ops.Reshape(ops.StopGradient(x), 2, 1, 3))
	s := ops.Add(ops.Softmax(c, 1), ops.LogSoftmax(c, -1))
	r := ops.Add(ops.Sum(s, 0), ops.MeanKeepDims(s, 0, 2)) // (1, 3, 3)
	r = ops.Add(r, ops.MaxKeepDims(s, 1, 0))
	r = ops.Add(r, ops.MinKeepDims(s, 0, 1))
	y := ops.Add(ops.Mean(r), ops.Max(ops.Sum(r, -1)))
	// 1-D operands of MatMul, and indices that pass no gradient.
	v := ops.Min(ops.Sum(r, 0), -1)                                                                       // (3,)
	idx := ops.Add(ops.Cast(ops.ArgMaxKeepDims(s, -1), s.DType()), ops.Cast(ops.ArgMin(s, 0), s.DType())) // (2, 3, 1) + (3, 3)
	y = ops.Add(y, ops.MatMul(v, ops.MatMul(ops.Mean(idx, 0), v)))                                        // (3,)·((3, 3)·(3,))
	y = ops.Add(y, ops.Sum(ops.MatMulT(ops.Sum(x, 0), w, false, false)))                                  // (3,)·(3, 4)
	grads, err := autodiff.Grad(y, x, w)
	if err != nil {
		t.Fatal(err)
	}
	return append([]*graph.Node{y}, grads...)
}

func TestRunAllocatesNothingAndRepeatsBitForBit(t *testing.T) {
	for _, dt := range bothDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			x := g.Input("x", dt, 2, 3)
			w := g.Param("w", graftest.Tensor(dt, []float64{0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, -0.1, 0.7, -0.3, 0.4, 0.05}, 3, 4))
			prog, err := graph.Compile(everyOp(t, x, w)...)
			if err != nil {
				t.Fatal(err)
			}
			feeds := graph.Feeds{x: graftest.Tensor(dt, []float64{0.5, -1, 1.5, 2, -0.5, 0.25}, 2, 3)}
			first := runBits(t, prog, feeds)
			if allocs := testing.AllocsPerRun(20, func() { _, _ = prog.Run(feeds) }); allocs != 0 {
				t.Errorf("Run allocates %v times per call, want 0", allocs)
			}
			second := runBits(t, prog, feeds)
			for i := range first {
				if first[i] != second[i] {
					t.Fatalf("value %d differs between runs: %x then %x", i, first[i], second[i])
				}
			}
		})
	}
}

// runBits runs prog and returns the bits of every output value, checking
// that each is finite.
func runBits(t *testing.T, prog *graph.Program, feeds graph.Feeds) []uint64 {
	t.Helper()
	outs, err := prog.Run(feeds)
	if err != nil {
		t.Fatal(err)
	}
	var bits []uint64
	for _, o := range outs {
		vs := graph.Float64s(o)
		assertFinite(t, "output", vs)
		for _, v := range vs {
			bits = append(bits, math.Float64bits(v))
		}
	}
	return bits
}
