package ops_test

import (
	"math"
	"testing"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

func TestMaxPoolIndicesMatchHandComputedValues(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	indices := func(c ops.PoolConfig) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.MaxPoolIndices(x[0], c) }
	}
	checkOpCases(t, []opCase{
		// Two planes of 2x4, 2x2 windows. Plane 0: 3 ties 3 at 1 (the
		// first wins) and 3 at 2 ties 3 at 7. Plane 1, from index 8:
		// NaNs at 8 and 13 (the last NaN wins), and a NaN at 10 beats 7.
		{"2x2 windows with ties and NaNs", []inputArg{arg([]float64{
			1, 3, 3, 0,
			3, 2, 1, 3,
			nan, 5, nan, 1,
			2, nan, 7, 7,
		}, 1, 2, 2, 4)}, indices(ops.PoolConfig{Kernel: []int{2}}), []int{1, 2, 1, 2}, []float64{1, 2, 13, 10}},
		// 3x3 windows, padding 1: only the middle one holds nine
		// elements; every window's first 2 wins.
		{"3x3 windows, padding 1", []inputArg{arg([]float64{
			2, 2, 1,
			0, 2, 2,
			1, 0, 2,
		}, 1, 1, 3, 3)}, indices(ops.PoolConfig{Kernel: []int{3}, Stride: []int{1}, Padding: []int{1}}), []int{1, 1, 3, 3},
			[]float64{0, 0, 1, 0, 0, 1, 4, 4, 4}},
		// +Inf beats everything but NaN; a window of -Inf only gives its
		// first element.
		{"infinities", []inputArg{arg([]float64{1, inf, -inf, -inf, nan, inf}, 1, 1, 6)}, indices(ops.PoolConfig{Kernel: []int{2}}),
			[]int{1, 1, 3}, []float64{1, 2, 4}},
		// Kernel 2 dilated by 3 and padding 1 on an axis of 2: the one
		// window covers positions -1 and 2, padding only.
		{"a window of padding only", []inputArg{arg([]float64{4, 5, 6, 7}, 1, 2, 2)},
			indices(ops.PoolConfig{Kernel: []int{2}, Dilation: []int{3}, Padding: []int{1}}), []int{1, 2, 1}, []float64{-1, -1}},
		// Ceil mode: the last window holds 5 alone.
		{"ceil mode", []inputArg{arg([]float64{1, 2, 4, 3, 5}, 1, 1, 5)}, indices(ops.PoolConfig{Kernel: []int{2}, CeilMode: true}),
			[]int{1, 1, 3}, []float64{1, 2, 4}},
	})
}

// MaxPool is a gather of x at MaxPoolIndices: Take of the flattened x at
// them gives the same numbers wherever no window lies in the padding.
func TestMaxPoolIsTakeAtMaxPoolIndices(t *testing.T) {
	data := make([]float64, 2*3*7*6)
	for i := range data {
		data[i] = math.Round(4 * math.Sin(float64(i*i))) // many ties
	}
	for _, dt := range bothDTypes {
		for _, c := range []ops.PoolConfig{
			{Kernel: []int{2}},
			{Kernel: []int{3}, Stride: []int{2}, Padding: []int{1}},
			{Kernel: []int{2, 3}, Stride: []int{1, 2}, Dilation: []int{2, 1}, CeilMode: true},
		} {
			g := graph.New()
			xs, feeds := inputsOf(g, dt, arg(data, 2, 3, 7, 6))
			idx := ops.MaxPoolIndices(xs[0], c)
			got := graftest.Eval(t, feeds, ops.Take(ops.Reshape(xs[0], -1), idx, 0), ops.MaxPool(xs[0], c))
			graftest.AssertExact(t, "Take at the indices", got[0], got[1])
		}
	}
}

// The gradient adds dy at the forward pass's indices node, and the second
// derivative gathers at that node again: no window is searched twice.
func TestMaxPoolGradientsReuseTheForwardIndices(t *testing.T) {
	g := graph.New()
	x := in64(g, "x", 1, 2, 4, 4)
	y := ops.MaxPool2D(x, 2, 2, 0)
	idx := y.Inputs()[1]
	if y.Op().Name() != "MaxPoolGather" || idx.Op().Name() != "MaxPool2D" || idx.DType() != graph.Int64 {
		t.Fatalf("MaxPool2D is %s of %s %v, want MaxPoolGather of int64 MaxPool2D indices", y.Op().Name(), idx.Op().Name(), idx.DType())
	}
	gx, err := autodiff.Grad(ops.Sum(ops.Square(y)), x)
	if err != nil {
		t.Fatal(err)
	}
	if gx[0].Op().Name() != "MaxPoolScatter" || gx[0].Inputs()[1] != idx {
		t.Fatalf("the gradient is %s, want MaxPoolScatter at the forward's indices", gx[0].Op().Name())
	}
	hv, err := autodiff.Grad(ops.Sum(ops.Mul(gx[0], gx[0])), x)
	if err != nil {
		t.Fatal(err)
	}
	searches, seen := 0, map[*graph.Node]bool{}
	var walk func(n *graph.Node)
	walk = func(n *graph.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if n.Op() != nil && n.Op().Name() == "MaxPool2D" {
			searches++
		}
		for _, in := range n.Inputs() {
			walk(in)
		}
	}
	walk(hv[0])
	if searches != 1 {
		t.Errorf("the second derivative holds %d MaxPool2D index nodes, want the forward's one", searches)
	}
}

func TestMaxPoolIndicesRejectBadInput(t *testing.T) {
	checkBuildErrors(t, []buildErrorCase{
		{"MaxPoolIndices nil input", "MaxPoolIndices", []string{"MaxPoolIndices(nil)", "input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPoolIndices(nil, ops.PoolConfig{Kernel: []int{2}}), graftest.CallerLine()
			}},
		{"MaxPoolIndices of a matrix", "MaxPoolIndices", []string{"x (4, 5) float64", "at least one spatial axis, got 2-D"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPoolIndices(in64(g, "x", 4, 5), ops.PoolConfig{Kernel: []int{2}}), graftest.CallerLine()
			}},
		{"MaxPoolIndices without a kernel", "MaxPoolIndices", []string{"x (1, 2, 3, 3) float32", "Kernel is empty"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPoolIndices(in32(g, "x", 1, 2, 3, 3), ops.PoolConfig{}), graftest.CallerLine()
			}},
		{"MaxPoolIndices excluding padding", "MaxPoolIndices", []string{"ExcludePadding applies to AvgPool only"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPoolIndices(in64(g, "x", 1, 2, 3, 3), ops.PoolConfig{Kernel: []int{2}, ExcludePadding: true}), graftest.CallerLine()
			}},
		{"MaxPoolIndices no window fits", "MaxPoolIndices", []string{"x (1, 1, 3) float64", "no window fits"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPoolIndices(in64(g, "x", 1, 1, 3), ops.PoolConfig{Kernel: []int{4}}), graftest.CallerLine()
			}},
		{"MaxPoolIndices of indices", "MaxPoolIndices", []string{"input 0 is int64", "ops.Cast"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPoolIndices(g.Input("i", graph.Int64, 1, 1, 4), ops.PoolConfig{Kernel: []int{2}}), graftest.CallerLine()
			}},
		{"MaxPool2D of indices", "MaxPool2D", []string{"input 0 is int64", "ops.Cast"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool2D(g.Input("i", graph.Int64, 1, 1, 4, 4), 2, 2, 0), graftest.CallerLine()
			}},
	})
}

// The unrolled 2x2 and 3x3 windows of maxPoolIndicesKernel (full windows
// between padded edges, stride 1 or more) against PyTorch's loop, on values
// full of ties, NaNs and infinities: a window where +Inf meets -Inf sums to
// NaN without holding one, which must not change its choice.
func TestMaxPoolUnrolledWindowsMatchPyTorchsLoop(t *testing.T) {
	set := []float64{-1, 0, 1, 2, math.NaN(), math.Inf(-1), math.Inf(1)}
	var configs []ops.PoolConfig
	for _, c := range []struct{ k, s, p int }{{2, 2, 0}, {2, 1, 0}, {2, 3, 1}, {3, 1, 1}, {3, 2, 0}, {3, 1, 0}} {
		configs = append(configs, ops.PoolConfig{Kernel: []int{c.k}, Stride: []int{c.s}, Padding: []int{c.p}})
	}
	matchPyTorchsMaxPoolLoop(t, set, configs, []int{2, 3, 7, 8}, 9, 10)
}
