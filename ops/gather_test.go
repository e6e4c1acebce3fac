package ops_test

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// gatherGradCases are the Take, IndexSelect and Cast rows of the
// gradient-check table (gradCases). Repeated indices check that their
// gradients add up; Square makes dy depend on x, so the second-order check
// reaches TakeScatter's own gradient rule.
func gatherGradCases() []gradCase {
	take := func(axis int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Take(x[0], x[1], axis) }
	}
	return []gradCase{
		{name: "Take axis 0, repeated indices", args: []gradArg{uniform(-1, 1, 4, 3), indices([]float64{2, 0, 2}, 3)}, build: take(0)},
		{name: "Take axis 1, 2-D indices", args: []gradArg{uniform(-1, 1, 2, 4, 2), indices([]float64{3, 1, 1, 0}, 2, 2)}, build: take(1)},
		{name: "Take squared, last axis", args: []gradArg{uniform(-1, 1, 3, 4), indices([]float64{1, 3, 3}, 3)},
			build: func(x ...*graph.Node) *graph.Node { return ops.Square(ops.Take(x[0], x[1], -1)) }},
		{name: "IndexSelect axis 1", args: []gradArg{uniform(-1, 1, 3, 4), indices([]float64{0, 0, 2}, 3)},
			build: func(x ...*graph.Node) *graph.Node { return ops.Square(ops.IndexSelect(x[0], 1, x[1])) }},
		{name: "Cast of indices, weighing Square(x)", args: []gradArg{uniform(-1, 1, 2, 3), indices([]float64{3, 0, 1, 2, 5, 1}, 2, 3)},
			build: func(x ...*graph.Node) *graph.Node { return ops.Mul(ops.Square(x[0]), ops.Cast(x[1], tensor.Float64)) }},
	}
}

func TestTakeIndexSelectOneHotAndCastOnHandWorkedNumbers(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, 3, 2) // rows (1, 2), (3, 4), (5, 6)
		idx := g.Input("idx", graph.Int64, 2, 2)
		list := g.Input("list", graph.Int64, 3)
		xs, _ := graph.NewTensor(dt, []float64{1, 2, 3, 4, 5, 6}, 3, 2)
		feeds := graph.Feeds{x: xs, idx: graftest.Tensor(graph.Int64, []float64{2, 0, 1, 2}, 2, 2), list: graftest.Tensor(graph.Int64, []float64{1, 1, 0}, 3)}
		rows := ops.Take(x, idx, 0)
		cols := ops.IndexSelect(x, 1, list)
		hot := ops.OneHot(list, 3, dt)
		cast := ops.Cast(idx, dt)
		grads, err := autodiff.Grad(ops.Sum(rows), x)
		if err != nil {
			t.Fatal(err)
		}
		out := graftest.Eval(t, feeds, rows, cols, hot, cast, grads[0])
		want := [][]float64{
			{5, 6, 1, 2, 3, 4, 5, 6},    // (2, 2, 2): rows 2, 0 then 1, 2
			{2, 2, 1, 4, 4, 3, 6, 6, 5}, // (3, 3): columns 1, 1, 0
			{0, 1, 0, 0, 1, 0, 1, 0, 0}, // (3, 3)
			{2, 0, 1, 2},                // the indices as floats
			{1, 1, 1, 1, 2, 2},          // row 2 was taken twice
		}
		for i := range want {
			graftest.AssertClose(t, dt.String(), out[i], want[i], 0, 0)
		}
		if !rows.Shape().Equal(graph.Shape{2, 2, 2}) || !hot.Shape().Equal(graph.Shape{3, 3}) {
			t.Fatalf("shapes %v and %v", rows.Shape(), hot.Shape())
		}
	}
}

func TestAnIndexOutOfRangeIsARunErrorNamingTheOpAndItsLine(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3, 2)
	idx := g.Input("idx", graph.Int64, 2)
	xs, _ := graph.NewTensor(tensor.Float64, []float64{1, 2, 3, 4, 5, 6}, 3, 2)
	take, line := ops.Take(x, idx, 0), graftest.CallerLine()
	hot := ops.OneHot(idx, 3, tensor.Float64)
	for _, c := range []struct {
		out  *graph.Node
		idx  []float64
		want string
	}{
		{take, []float64{0, 3}, "index 3 (element 1 of the indices) is out of range for axis 0 of size 3"},
		{take, []float64{-1, 0}, "index -1 (element 0 of the indices) is out of range"},
		{hot, []float64{0, 7}, "OneHot"},
	} {
		prog, err := graph.Compile(c.out)
		if err != nil {
			t.Fatal(err)
		}
		_, err = prog.Run(graph.Feeds{x: xs, idx: graftest.Tensor(graph.Int64, c.idx, 2)})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "graft: Run: ") {
			t.Errorf("indices %v: got %v, want an error containing %q", c.idx, err, c.want)
		}
	}
	prog, _ := graph.Compile(take)
	_, err := prog.Run(graph.Feeds{x: xs, idx: graftest.Tensor(graph.Int64, []float64{5, 0}, 2)})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("gather_test.go:%d", line)) {
		t.Errorf("got %v, want the line that built Take", err)
	}
}

// The gradient of a float-to-float cast is the cast back: for y = Σ 3·x in
// float32, dy/dx is 3 in x's float64.
func TestCastBetweenFloatsSendsTheGradientBack(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	y := ops.Sum(ops.Mul(ops.Cast(x, tensor.Float32), ops.Scalar(g, 3, tensor.Float32)))
	grads, err := autodiff.Grad(ops.Cast(y, tensor.Float64), x)
	if err != nil {
		t.Fatal(err)
	}
	xs, _ := graph.NewTensor(tensor.Float64, []float64{0.1, 0.2}, 2)
	out := graftest.Eval(t, graph.Feeds{x: xs}, grads[0])
	if grads[0].DType() != tensor.Float64 {
		t.Fatalf("the gradient is %v", grads[0].DType())
	}
	graftest.AssertClose(t, "dy/dx", out[0], []float64{3, 3}, 0, 0)
}

func TestIntegersGoOnlyWhereAnOpTakesIndices(t *testing.T) {
	cases := []struct {
		name  string
		build func(g *graph.Graph) *graph.Node
		want  string
	}{
		{"Exp of indices", func(g *graph.Graph) *graph.Node { return ops.Exp(g.Input("i", graph.Int64, 2)) }, "input 0 is int64, and Exp computes on floats"},
		{"Take with float indices", func(g *graph.Graph) *graph.Node {
			return ops.Take(g.Input("x", tensor.Float64, 3), g.Input("i", tensor.Float64, 2), 0)
		}, "the indices must be int64"},
		{"Take of integers", func(g *graph.Graph) *graph.Node {
			return ops.Take(g.Input("x", graph.Int64, 3), g.Input("i", graph.Int64, 2), 0)
		}, "input 0 is int64"},
		{"Take along a missing axis", func(g *graph.Graph) *graph.Node {
			return ops.Take(g.Input("x", tensor.Float64, 3), g.Input("i", graph.Int64, 2), 1)
		}, "axis 1"},
		{"IndexSelect of 2-D indices", func(g *graph.Graph) *graph.Node {
			return ops.IndexSelect(g.Input("x", tensor.Float64, 3), 0, g.Input("i", graph.Int64, 2, 2))
		}, "must be 1-D"},
		{"OneHot of depth 0", func(g *graph.Graph) *graph.Node {
			return ops.OneHot(g.Input("i", graph.Int64, 2), 0, tensor.Float32)
		}, "depth 0"},
		{"OneHot of floats", func(g *graph.Graph) *graph.Node {
			return ops.OneHot(g.Input("i", tensor.Float32, 2), 3, tensor.Float32)
		}, "the indices must be int64"},
		{"Cast to int64", func(g *graph.Graph) *graph.Node { return ops.Cast(g.Input("x", tensor.Float64, 2), graph.Int64) }, "Cast converts to float32 or float64"},
		{"an int64 parameter", func(g *graph.Graph) *graph.Node { return g.Param("p", graftest.Tensor(graph.Int64, []float64{1}, 1)) }, "not supported"},
	}
	for _, c := range cases {
		_, err := graph.Compile(c.build(graph.New()))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "gather_test.go") {
			t.Errorf("%s: got %v, want an error at this file containing %q", c.name, err, c.want)
		}
	}
}

func TestGradWithRespectToIndicesIsAnError(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	idx := g.Input("idx", graph.Int64, 2)
	_, err := autodiff.Grad(ops.Sum(ops.Take(x, idx, 0)), idx)
	if err == nil || !strings.Contains(err.Error(), "indices and labels are not differentiated") {
		t.Fatalf("got %v", err)
	}
}

func TestTakeRunsWithoutAllocating(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 10, 4)
	idx := g.Input("idx", graph.Int64, 6)
	xs, _ := graph.NewTensor(tensor.Float32, make([]float64, 40), 10, 4)
	grads, err := autodiff.Grad(ops.Sum(ops.Square(ops.Take(x, idx, 0))), x)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := graph.Compile(grads[0])
	if err != nil {
		t.Fatal(err)
	}
	feeds := graph.Feeds{x: xs, idx: graftest.Tensor(graph.Int64, []float64{1, 9, 9, 0, 3, 2}, 6)}
	if allocs := testing.AllocsPerRun(20, func() { prog.Run(feeds) }); allocs != 0 {
		t.Fatalf("Run allocates %v times per call; want 0", allocs)
	}
}
