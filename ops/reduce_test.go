package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// reduceBuild adapts a reduction builder with fixed axes to opCase.build.
func reduceBuild(f func(x *graph.Node, axes ...int) *graph.Node, axes ...int) func(x ...*graph.Node) *graph.Node {
	return func(x ...*graph.Node) *graph.Node { return f(x[0], axes...) }
}

// counting returns the (2, 3, 4) tensor whose element [i][j][k] is 12i+4j+k.
func counting() inputArg { return arg(graftest.Integers(24, 0), 2, 3, 4) }

func TestReductionsOverAxes(t *testing.T) {
	m := arg([]float64{1, 5, 3, 4, 2, 6}, 2, 3) // rows [1 5 3], [4 2 6]
	checkOpCases(t, []opCase{
		{"Sum axis 0", []inputArg{m}, reduceBuild(ops.Sum, 0), []int{3}, []float64{5, 7, 9}},
		{"Sum axis -1", []inputArg{m}, reduceBuild(ops.Sum, -1), []int{2}, []float64{9, 12}},
		{"Sum axes 0 and 1", []inputArg{m}, reduceBuild(ops.Sum, 0, 1), []int{}, []float64{21}},
		{"Sum all", []inputArg{m}, reduceBuild(ops.Sum), []int{}, []float64{21}},
		{"SumKeepDims axis 0", []inputArg{m}, reduceBuild(ops.SumKeepDims, 0), []int{1, 3}, []float64{5, 7, 9}},
		{"SumKeepDims axis -1", []inputArg{m}, reduceBuild(ops.SumKeepDims, -1), []int{2, 1}, []float64{9, 12}},
		{"SumKeepDims all", []inputArg{m}, reduceBuild(ops.SumKeepDims), []int{1, 1}, []float64{21}},
		{"Mean axis 0", []inputArg{m}, reduceBuild(ops.Mean, 0), []int{3}, []float64{2.5, 3.5, 4.5}},
		{"Mean axis -1", []inputArg{m}, reduceBuild(ops.Mean, -1), []int{2}, []float64{3, 4}},
		{"Mean all", []inputArg{m}, reduceBuild(ops.Mean), []int{}, []float64{3.5}},
		{"MeanKeepDims axis 1", []inputArg{m}, reduceBuild(ops.MeanKeepDims, 1), []int{2, 1}, []float64{3, 4}},
		{"MeanKeepDims all", []inputArg{m}, reduceBuild(ops.MeanKeepDims), []int{1, 1}, []float64{3.5}},
		{"Max axis 0", []inputArg{m}, reduceBuild(ops.Max, 0), []int{3}, []float64{4, 5, 6}},
		{"Max axis -1", []inputArg{m}, reduceBuild(ops.Max, -1), []int{2}, []float64{5, 6}},
		{"Max all", []inputArg{m}, reduceBuild(ops.Max), []int{}, []float64{6}},
		{"MaxKeepDims axis 0", []inputArg{m}, reduceBuild(ops.MaxKeepDims, 0), []int{1, 3}, []float64{4, 5, 6}},
		{"MaxKeepDims all", []inputArg{m}, reduceBuild(ops.MaxKeepDims), []int{1, 1}, []float64{6}},
		{"Max of negatives", []inputArg{arg([]float64{-5, -2, -7}, 3)}, reduceBuild(ops.Max), []int{}, []float64{-2}},
		{"Max with ties", []inputArg{arg([]float64{3, 1, 3}, 3)}, reduceBuild(ops.Max), []int{}, []float64{3}},
		{"Sum of a scalar", []inputArg{arg([]float64{4})}, reduceBuild(ops.Sum), []int{}, []float64{4}},
		{"Min axis 0", []inputArg{m}, reduceBuild(ops.Min, 0), []int{3}, []float64{1, 2, 3}},
		{"Min axis -1", []inputArg{m}, reduceBuild(ops.Min, -1), []int{2}, []float64{1, 2}},
		{"Min all", []inputArg{m}, reduceBuild(ops.Min), []int{}, []float64{1}},
		{"MinKeepDims axis 0", []inputArg{m}, reduceBuild(ops.MinKeepDims, 0), []int{1, 3}, []float64{1, 2, 3}},
		{"MinKeepDims axis 1", []inputArg{m}, reduceBuild(ops.MinKeepDims, 1), []int{2, 1}, []float64{1, 2}},
		{"MinKeepDims all", []inputArg{m}, reduceBuild(ops.MinKeepDims), []int{1, 1}, []float64{1}},
		{"Min of negatives", []inputArg{arg([]float64{-5, -2, -7}, 3)}, reduceBuild(ops.Min), []int{}, []float64{-7}},
		{"Min with ties", []inputArg{arg([]float64{1, 3, 1}, 3)}, reduceBuild(ops.Min), []int{}, []float64{1}},
		{"Min of +Inf", []inputArg{arg([]float64{math.Inf(1), math.Inf(1)}, 2)}, reduceBuild(ops.Min), []int{}, []float64{math.Inf(1)}},
		{"Min of a scalar", []inputArg{arg([]float64{4})}, reduceBuild(ops.Min), []int{}, []float64{4}},
	})
}

func TestReductionsOverSeveralAxesOf3D(t *testing.T) {
	// x[i][j][k] = 12i+4j+k. Over i and k: Σ = 60+32j, mean = 7.5+4j,
	// max = 15+4j. Over j: Σ = 36i+12+3k. Over i: Σ = 12+8j+2k.
	x := counting()
	checkOpCases(t, []opCase{
		{"Sum axes 0,2", []inputArg{x}, reduceBuild(ops.Sum, 0, 2), []int{3}, []float64{60, 92, 124}},
		{"Sum axes -1,0", []inputArg{x}, reduceBuild(ops.Sum, -1, 0), []int{3}, []float64{60, 92, 124}},
		{"SumKeepDims axes 0,2", []inputArg{x}, reduceBuild(ops.SumKeepDims, 0, 2), []int{1, 3, 1}, []float64{60, 92, 124}},
		{"Sum axis 1", []inputArg{x}, reduceBuild(ops.Sum, 1), []int{2, 4}, []float64{12, 15, 18, 21, 48, 51, 54, 57}},
		{"Sum axis 0", []inputArg{x}, reduceBuild(ops.Sum, 0), []int{3, 4},
			[]float64{12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}},
		{"Sum axes 1,2", []inputArg{x}, reduceBuild(ops.Sum, 1, 2), []int{2}, []float64{66, 210}},
		{"Mean axes 0,2", []inputArg{x}, reduceBuild(ops.Mean, 0, 2), []int{3}, []float64{7.5, 11.5, 15.5}},
		{"Mean all", []inputArg{x}, reduceBuild(ops.Mean), []int{}, []float64{11.5}},
		{"Max axes 0,2", []inputArg{x}, reduceBuild(ops.Max, 0, 2), []int{3}, []float64{15, 19, 23}},
		{"MaxKeepDims axis 1", []inputArg{x}, reduceBuild(ops.MaxKeepDims, 1), []int{2, 1, 4},
			[]float64{8, 9, 10, 11, 20, 21, 22, 23}},
		{"Max axes 0,1,2", []inputArg{x}, reduceBuild(ops.Max, 0, 1, 2), []int{}, []float64{23}},
		// min over i and k = 4j; over j: 12i+k.
		{"Min axes 0,2", []inputArg{x}, reduceBuild(ops.Min, 0, 2), []int{3}, []float64{0, 4, 8}},
		{"MinKeepDims axis 1", []inputArg{x}, reduceBuild(ops.MinKeepDims, 1), []int{2, 1, 4},
			[]float64{0, 1, 2, 3, 12, 13, 14, 15}},
		{"Min axes 2,0", []inputArg{x}, reduceBuild(ops.Min, 2, 0), []int{3}, []float64{0, 4, 8}},
	})
}

// Max and Min give each of the tied extremes an equal share of the gradient,
// as PyTorch's amax and amin do.
func TestMaxAndMinSplitTheGradientAmongTies(t *testing.T) {
	cases := []struct {
		name  string
		x     inputArg
		build func(x *graph.Node) *graph.Node
		want  []float64
	}{
		{"Max: two of three tie", arg([]float64{3, 1, 3}, 3), func(x *graph.Node) *graph.Node { return ops.Max(x) },
			[]float64{0.5, 0, 0.5}},
		{"Max: all tie", arg([]float64{1, 1, 1, 1}, 4), func(x *graph.Node) *graph.Node { return ops.Max(x) },
			[]float64{0.25, 0.25, 0.25, 0.25}},
		{"Max: per row", arg([]float64{2, 2, 1, 0, 5, 5}, 2, 3), func(x *graph.Node) *graph.Node { return ops.Max(x, -1) },
			[]float64{0.5, 0.5, 0, 0, 0.5, 0.5}},
		{"Max: per column, kept", arg([]float64{2, 7, 1, 2, 5, 1}, 2, 3), func(x *graph.Node) *graph.Node { return ops.MaxKeepDims(x, 0) },
			[]float64{0.5, 1, 0.5, 0.5, 0, 0.5}},
		{"Max: no tie", arg([]float64{2, 7, 1}, 3), func(x *graph.Node) *graph.Node { return ops.Max(x) },
			[]float64{0, 1, 0}},
		{"Min: two of three tie", arg([]float64{1, 3, 1}, 3), func(x *graph.Node) *graph.Node { return ops.Min(x) },
			[]float64{0.5, 0, 0.5}},
		{"Min: all tie", arg([]float64{2, 2, 2, 2}, 4), func(x *graph.Node) *graph.Node { return ops.Min(x) },
			[]float64{0.25, 0.25, 0.25, 0.25}},
		{"Min: per row", arg([]float64{1, 1, 2, 7, 5, 5}, 2, 3), func(x *graph.Node) *graph.Node { return ops.Min(x, -1) },
			[]float64{0.5, 0.5, 0, 0, 0.5, 0.5}},
		{"Min: per column, kept", arg([]float64{2, 1, 1, 2, 5, 1}, 2, 3), func(x *graph.Node) *graph.Node { return ops.MinKeepDims(x, 0) },
			[]float64{0.5, 1, 0.5, 0.5, 0, 0.5}},
		{"Min: no tie", arg([]float64{2, -7, 1}, 3), func(x *graph.Node) *graph.Node { return ops.Min(x) },
			[]float64{0, 1, 0}},
	}
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, c.x)
				graftest.AssertExact(t, "gradient", gradientsOf(t, feeds, ops.Sum(c.build(xs[0])), xs[0])[0], c.want)
			})
		}
	}
}

// Min and Max let a NaN win, as NumPy's min and max and PyTorch's amin and
// amax do: a NaN is never silently skipped.
func TestMinAndMaxOfANaNAreNaN(t *testing.T) {
	x := arg([]float64{1, math.NaN(), -3, 2, 0, 5}, 2, 3) // rows [1 NaN -3], [2 0 5]
	for _, dt := range bothDTypes {
		for _, c := range []struct {
			name string
			op   func(x *graph.Node, axes ...int) *graph.Node
			row1 float64
		}{{"Min", ops.Min, 0}, {"Max", ops.Max, 5}} {
			g := graph.New()
			xs, feeds := inputsOf(g, dt, x)
			got := graftest.Eval(t, feeds, c.op(xs[0], 1))[0]
			if !math.IsNaN(got[0]) || got[1] != c.row1 {
				t.Errorf("%v %s: got %v, want [NaN %v]", dt, c.name, got, c.row1)
			}
		}
	}
}

func TestSumAndMeanGradientsSpreadEvenly(t *testing.T) {
	for _, dt := range bothDTypes {
		tol := graftest.Tolerance(dt)
		g := graph.New()
		xs, feeds := inputsOf(g, dt, arg([]float64{1, 5, 3, 4, 2, 6}, 2, 3))
		w := constOf(g, dt, []float64{1, 2, 3}, 3)
		sum := ops.Sum(ops.Mul(ops.Sum(xs[0], 0), w))
		graftest.AssertExact(t, "gradient", gradientsOf(t, feeds, sum, xs[0])[0], []float64{1, 2, 3, 1, 2, 3})
		w2 := constOf(g, dt, []float64{3, 6}, 2, 1)
		mean := ops.Sum(ops.Mul(ops.MeanKeepDims(xs[0], 1), w2))
		graftest.AssertClose(t, "gradient", gradientsOf(t, feeds, mean, xs[0])[0], []float64{1, 1, 1, 2, 2, 2}, tol, tol)
	}
}

func TestFloat32SumKeepsPrecisionOverLongRuns(t *testing.T) {
	// 2^24 + 1 is not a float32; adding 1s to 2^24 one at a time in float32
	// would never move. The kernel accumulates a run in float64.
	n := 1 << 12
	data := make([]float64, n)
	for i := range data {
		data[i] = 1
	}
	data[0] = 1 << 24
	g := graph.New()
	xs, feeds := inputsOf(g, tensor.Float32, arg(data, n))
	got := graftest.Eval(t, feeds, ops.Sum(xs[0]))[0]
	graftest.AssertExact(t, "got", got, []float64{float64(float32(1<<24 + n - 1))})
}
