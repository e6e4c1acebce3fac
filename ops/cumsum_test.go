package ops_test

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// cumsumGradCases are the Cumsum rows of the gradient-check table
// (gradCases). Cumsum is linear, so Square around it makes the second
// derivatives depend on x and reach the reversed cumsum's own rule.
func cumsumGradCases() []gradCase {
	cumsum := func(axis int, square bool) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node {
			y := ops.Cumsum(x[0], axis)
			if square {
				y = ops.Square(y)
			}
			return y
		}
	}
	return []gradCase{
		{name: "Cumsum axis 0", args: []gradArg{uniform(-1, 1, 4, 3)}, build: cumsum(0, false)},
		{name: "Cumsum last axis, squared", args: []gradArg{uniform(-1, 1, 3, 4)}, build: cumsum(-1, true)},
		{name: "Cumsum middle axis of 3-D, squared", args: []gradArg{uniform(-1, 1, 2, 3, 2)}, build: cumsum(1, true)},
		{name: "Cumsum of a vector, squared", args: []gradArg{uniform(-1, 1, 5)}, build: cumsum(0, true)},
	}
}

func TestCumsumOnHandWorkedNumbers(t *testing.T) {
	x := arg([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	checkOpCases(t, []opCase{
		{"rows", []inputArg{x}, unaryBuild(func(x *graph.Node) *graph.Node { return ops.Cumsum(x, 1) }), []int{2, 3}, []float64{1, 3, 6, 4, 9, 15}},
		{"columns", []inputArg{x}, unaryBuild(func(x *graph.Node) *graph.Node { return ops.Cumsum(x, 0) }), []int{2, 3}, []float64{1, 2, 3, 5, 7, 9}},
		{"negative axis", []inputArg{x}, unaryBuild(func(x *graph.Node) *graph.Node { return ops.Cumsum(x, -1) }), []int{2, 3}, []float64{1, 3, 6, 4, 9, 15}},
		// (2, 2, 2) along the middle axis: each (i, :, k) runs on its own.
		{"middle axis", []inputArg{arg(graftest.Integers(8, 1), 2, 2, 2)}, unaryBuild(func(x *graph.Node) *graph.Node { return ops.Cumsum(x, 1) }),
			[]int{2, 2, 2}, []float64{1, 2, 4, 6, 5, 6, 12, 14}},
		{"axis of one", []inputArg{arg([]float64{-2, 7}, 2, 1)}, unaryBuild(func(x *graph.Node) *graph.Node { return ops.Cumsum(x, 1) }), []int{2, 1}, []float64{-2, 7}},
	})
}

func TestCumsumGradientIsTheReversedCumsumOfDy(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, 2, 3)
		// dy = w, so dx[i] = Σ_{j≥i} w[j] along each row.
		w := constOf(g, dt, []float64{1, 0, 2, -1, 3, 5}, 2, 3)
		dx := gradNode(t, ops.Sum(ops.Mul(ops.Cumsum(x, 1), w)), x)
		feeds := graph.Feeds{x: graftest.Tensor(dt, graftest.Integers(6, 1), 2, 3)}
		graftest.AssertClose(t, dt.String()+" dx", graftest.Eval(t, feeds, dx)[0], []float64{3, 2, 2, 7, 8, 5}, 0, 0)
	}
}

// TestCumsumOfWideRowsAgreesWithARunningSum runs along an outer axis over
// 130 columns, more than one block of the kernel's running sums, both ways
// (the gradient is the reversed sum).
func TestCumsumOfWideRowsAgreesWithARunningSum(t *testing.T) {
	const rows, cols = 3, 130
	xs, ws := make([]float64, rows*cols), make([]float64, rows*cols)
	for i := range xs {
		xs[i], ws[i] = float64(i%7-3), float64(i%5-2)
	}
	want, wantDx := make([]float64, rows*cols), make([]float64, rows*cols)
	for j := range cols {
		sum, back := 0.0, 0.0
		for r := range rows {
			sum += xs[r*cols+j]
			want[r*cols+j] = sum
			back += ws[(rows-1-r)*cols+j]
			wantDx[(rows-1-r)*cols+j] = back
		}
	}
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, rows, cols)
		y := ops.Cumsum(x, 0)
		dx := gradNode(t, ops.Sum(ops.Mul(y, constOf(g, dt, ws, rows, cols))), x)
		out := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(dt, xs, rows, cols)}, y, dx)
		graftest.AssertClose(t, dt.String()+" y", out[0], want, 0, 0)
		graftest.AssertClose(t, dt.String()+" dx", out[1], wantDx, 0, 0)
	}
}

// TestCumsumSumsFloat32InFloat64 shows the running sum is kept in float64:
// in float32, 2^24 + 1 rounds back to 2^24, so a float32 accumulator would
// give 2^24 again for the third sum.
func TestCumsumSumsFloat32InFloat64(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 3)
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float32, []float64{1 << 24, 1, 1}, 3)}, ops.Cumsum(x, 0))[0]
	graftest.AssertClose(t, "cumsum", got, []float64{1 << 24, 1 << 24, 1<<24 + 2}, 0, 0)
}

func TestCumsumRunsWithoutAllocating(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, 4, 5, 3)
		grads, err := autodiff.Grad(ops.Sum(ops.Square(ops.Cumsum(x, 1))), x)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := graph.Compile(grads[0])
		if err != nil {
			t.Fatal(err)
		}
		feeds := graph.Feeds{x: graftest.Tensor(dt, graftest.Integers(60, 0), 4, 5, 3)}
		if allocs := testing.AllocsPerRun(20, func() { _, _ = prog.Run(feeds) }); allocs != 0 {
			t.Errorf("%v: Run allocates %v times per call, want 0", dt, allocs)
		}
	}
}

// A running total along the last axis.
func ExampleCumsum() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4, 10, 20, 30, 40}, 2, 4))
	runAndPrint(nil, ops.Cumsum(x, -1))
	// Output:
	// (2, 4) [1 3 6 10 10 30 60 100]
}

func BenchmarkCumsum(b *testing.B) {
	for _, axis := range []int{0, 1} {
		b.Run(fmt.Sprintf("(512, 512) float32 axis %d", axis), func(b *testing.B) {
			g := graph.New()
			x := g.Input("x", tensor.Float32, 512, 512)
			prog, err := graph.Compile(ops.Cumsum(x, axis))
			if err != nil {
				b.Fatal(err)
			}
			feeds := graph.Feeds{x: graftest.Tensor(tensor.Float32, graftest.Integers(512*512, 0), 512, 512)}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prog.Run(feeds); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
