package ops_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// maskGradCases are the MaskedSoftmax rows of the gradient-check table
// (gradCases), among them a fully masked row, whose zeros must have zero
// derivatives to second order.
func maskGradCases() []gradCase {
	u := func(shape ...int) gradArg { return uniform(-1, 1, shape...) }
	masked := func(axis int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.MaskedSoftmax(x[0], x[1], axis) }
	}
	return []gradCase{
		{name: "MaskedSoftmax causal, last axis", args: []gradArg{uniform(-2, 2, 3, 3), condition([]float64{1, 0, 0, 1, 1, 0, 1, 1, 1}, 3, 3)}, build: masked(-1)},
		{name: "MaskedSoftmax with a fully masked row", args: []gradArg{uniform(-2, 2, 3, 4), condition([]float64{1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1}, 3, 4)}, build: masked(1)},
		{name: "MaskedSoftmax padding mask (2,1,3) over (2,2,3)", args: []gradArg{uniform(-2, 2, 2, 2, 3), condition([]float64{1, 1, 0, 1, 0, 0}, 2, 1, 3)}, build: masked(-1)},
		// Attention of q, k, v (batch 1, 2 heads, 3 positions, dim 2)
		// under a causal mask whose first query sees nothing.
		{name: "composition: masked attention of Einsum and MaskedSoftmax",
			args: []gradArg{u(1, 2, 3, 2), u(1, 2, 3, 2), u(1, 2, 3, 2), condition([]float64{0, 0, 0, 1, 1, 0, 1, 1, 1}, 3, 3)},
			build: func(x ...*graph.Node) *graph.Node {
				p := ops.MaskedSoftmax(ops.Einsum("bhqd,bhkd->bhqk", x[0], x[1]), x[3], -1)
				return ops.Einsum("bhqk,bhkd->bhqd", p, x[2])
			}},
		{name: "MaskedSoftmax axis 0", args: []gradArg{uniform(-2, 2, 3, 2), condition([]float64{0, 1, 1, 0, 1, 0}, 3, 2)}, build: masked(0)},
	}
}

func TestCausalAndPaddingMasksOnHandWorkedNumbers(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		lengths := g.Input("lengths", graph.Int64, 3)
		feeds := graph.Feeds{lengths: graftest.Tensor(graph.Int64, []float64{2, 0, 4}, 3)}
		causal, padding := ops.CausalMask(g, 3, dt), ops.PaddingMask(lengths, 4, dt)
		out := graftest.Eval(t, feeds, causal, padding, ops.CausalMask(g, 1, dt))
		for i, want := range [][]float64{
			{1, 0, 0, 1, 1, 0, 1, 1, 1},
			{1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1},
			{1},
		} {
			graftest.AssertClose(t, dt.String(), out[i], want, 0, 0)
		}
		if causal.DType() != dt || !causal.Shape().Equal(graph.Shape{3, 3}) || !padding.Shape().Equal(graph.Shape{3, 4}) {
			t.Errorf("%v: shapes %v %v %v", dt, causal.DType(), causal.Shape(), padding.Shape())
		}
	}
}

// TestMaskedSoftmaxGivesExactZerosAndNoNaN checks the two promises of the
// masks: a masked position gets exactly 0, with a plain Softmax of -Inf
// scores too; a fully masked row gets zeros from MaskedSoftmax (and its
// gradient is finite), where the plain Softmax gives NaN, as PyTorch does.
func TestMaskedSoftmaxGivesExactZerosAndNoNaN(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, 3, 3)
		lengths := g.Input("lengths", graph.Int64, 3)
		// Rows: keys 0..1 kept; none kept; all kept.
		mask := ops.PaddingMask(lengths, 3, dt)
		p := ops.MaskedSoftmax(x, mask, -1)
		additive := ops.Where(mask, ops.ZerosLike(x), ops.ScalarLike(x, math.Inf(-1)))
		plain := ops.Softmax(ops.Add(x, additive), -1)
		dx := gradNode(t, ops.Sum(ops.Mul(p, constOf(g, dt, graftest.Integers(9, 1), 3, 3))), x)
		feeds := graph.Feeds{x: graftest.Tensor(dt, []float64{0, math.Log(3), 5, 1, 2, 3, 0, 0, 0}, 3, 3), lengths: graftest.Tensor(graph.Int64, []float64{2, 0, 3}, 3)}
		out := graftest.Eval(t, feeds, p, plain, dx)
		third := 1.0 / 3
		// Row 0: softmax of (0, log 3) is (1/4, 3/4); row 2 is uniform. A
		// want of 0 admits only an exact 0.
		graftest.AssertClose(t, "MaskedSoftmax", out[0], []float64{0.25, 0.75, 0, 0, 0, 0, third, third, third}, 0, graftest.Tolerance(dt))
		if out[1][2] != 0 {
			t.Errorf("%v: Softmax(x + additive mask) gives %v at a masked position, want exactly 0", dt, out[1][2])
		}
		for i := 3; i < 6; i++ {
			if !math.IsNaN(out[1][i]) {
				t.Errorf("%v: Softmax of a fully -Inf row gives %v, want NaN as documented", dt, out[1][i])
			}
		}
		// dx = p·(w - Σ w·p) on kept positions: row 0 is (1/4)(1 - 7/4),
		// (3/4)(2 - 7/4); row 1 nothing; row 2 (1/3)(w - 8).
		graftest.AssertClose(t, "dx", out[2], []float64{-0.1875, 0.1875, 0, 0, 0, 0, -third, 0, third}, 1e-6, graftest.Tolerance(dt))
	}
}

func TestPaddingMaskRejectsALengthOutOfRangeAtRunTime(t *testing.T) {
	g := graph.New()
	lengths := g.Input("lengths", graph.Int64, 2)
	prog, err := graph.Compile(ops.PaddingMask(lengths, 3, tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []float64{4, -1} {
		_, err := prog.Run(graph.Feeds{lengths: graftest.Tensor(graph.Int64, []float64{1, bad}, 2)})
		if err == nil || !strings.Contains(err.Error(), "PaddingMask") || !strings.Contains(err.Error(), "outside [0, 3]") {
			t.Errorf("length %v: Run gave %v, want PaddingMask's range error", bad, err)
		}
	}
}

func TestMasksRunWithoutAllocating(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, 2, 4, 4)
		lengths := g.Input("lengths", graph.Int64, 2)
		keep := ops.Mul(ops.Reshape(ops.PaddingMask(lengths, 4, dt), 2, 1, 4), ops.CausalMask(g, 4, dt))
		grads, err := autodiff.Grad(ops.Sum(ops.Square(ops.MaskedSoftmax(x, keep, -1))), x)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := graph.Compile(grads[0])
		if err != nil {
			t.Fatal(err)
		}
		feeds := graph.Feeds{x: graftest.Tensor(dt, graftest.Integers(32, 0), 2, 4, 4), lengths: graftest.Tensor(graph.Int64, []float64{3, 0}, 2)}
		if allocs := testing.AllocsPerRun(20, func() { _, _ = prog.Run(feeds) }); allocs != 0 {
			t.Errorf("%v: Run allocates %v times per call, want 0", dt, allocs)
		}
	}
}

func ExampleCausalMask() {
	g := graph.New()
	runAndPrint(nil, ops.CausalMask(g, 3, tensor.Float64))
	// Output:
	// (3, 3) [1 0 0 1 1 0 1 1 1]
}

// Two sequences, of 2 and 3 tokens, padded to 4.
func ExamplePaddingMask() {
	g := graph.New()
	lengths := g.Input("lengths", graph.Int64, 2)
	feed, _ := graph.NewTensor(graph.Int64, []float64{2, 3}, 2)
	runAndPrint(graph.Feeds{lengths: feed}, ops.PaddingMask(lengths, 4, tensor.Float64))
	// Output:
	// (2, 4) [1 1 0 0 1 1 1 0]
}

// Attention weights under a causal mask, and a query whose every key is
// masked (its row of the mask is all zeros): it gets zeros, not NaN.
func ExampleMaskedSoftmax() {
	g := graph.New()
	scores := g.Const("scores", float64Tensor([]float64{0, 0, 0, 0, 0, 0, 0, 0, 0}, 3, 3))
	mask := ops.Mul(ops.CausalMask(g, 3, tensor.Float64), g.Const("rows", float64Tensor([]float64{1, 0, 1}, 3, 1)))
	runAndPrint(nil, ops.MaskedSoftmax(scores, mask, -1))
	// Output:
	// (3, 3) [1 0 0 0 0 0 0.3333 0.3333 0.3333]
}
