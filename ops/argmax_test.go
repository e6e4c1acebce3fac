package ops_test

import (
	"math"
	"testing"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// argBuild adapts ArgMax, ArgMin or their KeepDims to opCase.build.
func argBuild(f func(x *graph.Node, axis int) *graph.Node, axis int) func(x ...*graph.Node) *graph.Node {
	return func(x ...*graph.Node) *graph.Node { return f(x[0], axis) }
}

func TestArgMaxAndArgMinAlongAnAxis(t *testing.T) {
	m := arg([]float64{1, 5, 3, 4, 2, 6}, 2, 3) // rows [1 5 3], [4 2 6]
	x := counting()                             // x[i][j][k] = 12i+4j+k
	checkOpCases(t, []opCase{
		{"ArgMax axis 0", []inputArg{m}, argBuild(ops.ArgMax, 0), []int{3}, []float64{1, 0, 1}},
		{"ArgMax axis 1", []inputArg{m}, argBuild(ops.ArgMax, 1), []int{2}, []float64{1, 2}},
		{"ArgMax axis -1", []inputArg{m}, argBuild(ops.ArgMax, -1), []int{2}, []float64{1, 2}},
		{"ArgMaxKeepDims axis 0", []inputArg{m}, argBuild(ops.ArgMaxKeepDims, 0), []int{1, 3}, []float64{1, 0, 1}},
		{"ArgMaxKeepDims axis -1", []inputArg{m}, argBuild(ops.ArgMaxKeepDims, -1), []int{2, 1}, []float64{1, 2}},
		{"ArgMin axis 0", []inputArg{m}, argBuild(ops.ArgMin, 0), []int{3}, []float64{0, 1, 0}},
		{"ArgMin axis -1", []inputArg{m}, argBuild(ops.ArgMin, -1), []int{2}, []float64{0, 1}},
		{"ArgMinKeepDims axis 1", []inputArg{m}, argBuild(ops.ArgMinKeepDims, 1), []int{2, 1}, []float64{0, 1}},
		{"ArgMinKeepDims axis -2", []inputArg{m}, argBuild(ops.ArgMinKeepDims, -2), []int{1, 3}, []float64{0, 1, 0}},
		// Along the middle axis of the counting tensor the last j is the
		// largest and the first the smallest, for every i and k.
		{"ArgMax middle axis of 3-D", []inputArg{x}, argBuild(ops.ArgMax, 1), []int{2, 4}, []float64{2, 2, 2, 2, 2, 2, 2, 2}},
		{"ArgMinKeepDims middle axis of 3-D", []inputArg{x}, argBuild(ops.ArgMinKeepDims, 1), []int{2, 1, 4}, []float64{0, 0, 0, 0, 0, 0, 0, 0}},
		{"ArgMax last axis of 3-D", []inputArg{x}, argBuild(ops.ArgMax, -1), []int{2, 3}, []float64{3, 3, 3, 3, 3, 3}},
		{"ArgMax of a 1-D", []inputArg{arg([]float64{-5, -2, -7}, 3)}, argBuild(ops.ArgMax, 0), []int{}, []float64{1}},
		{"ArgMin of a 1-D", []inputArg{arg([]float64{-5, -2, -7}, 3)}, argBuild(ops.ArgMin, 0), []int{}, []float64{2}},
		{"ArgMax of an axis of 1", []inputArg{arg([]float64{4, 9}, 2, 1)}, argBuild(ops.ArgMax, 1), []int{2}, []float64{0, 0}},
		{"ArgMax first of ties", []inputArg{arg([]float64{1, 3, 3, 2}, 4)}, argBuild(ops.ArgMax, 0), []int{}, []float64{1}},
		{"ArgMin first of ties", []inputArg{arg([]float64{2, 0, 5, 0}, 4)}, argBuild(ops.ArgMin, 0), []int{}, []float64{1}},
		{"ArgMax of all equal", []inputArg{arg([]float64{7, 7, 7}, 3)}, argBuild(ops.ArgMax, 0), []int{}, []float64{0}},
		{"ArgMax of -Inf", []inputArg{arg([]float64{math.Inf(-1), math.Inf(-1)}, 2)}, argBuild(ops.ArgMax, 0), []int{}, []float64{0}},
		{"ArgMin of +Inf and -Inf", []inputArg{arg([]float64{math.Inf(1), math.Inf(-1)}, 2)}, argBuild(ops.ArgMin, 0), []int{}, []float64{1}},
	})
}

// NumPy's and PyTorch's argmax and argmin both return the index of the
// first NaN when a slice holds one.
func TestArgMaxAndArgMinPickTheFirstNaN(t *testing.T) {
	nan := math.NaN()
	x := arg([]float64{1, nan, 3, nan, nan, 1, 2, 0, 4, 5, 6, 7}, 3, 4)
	checkOpCases(t, []opCase{
		{"ArgMax", []inputArg{x}, argBuild(ops.ArgMax, -1), []int{3}, []float64{1, 0, 3}},
		{"ArgMin", []inputArg{x}, argBuild(ops.ArgMin, -1), []int{3}, []float64{1, 0, 0}},
		{"ArgMax down the columns", []inputArg{x}, argBuild(ops.ArgMax, 0), []int{4}, []float64{1, 0, 2, 0}},
		{"ArgMin down the columns", []inputArg{x}, argBuild(ops.ArgMin, 0), []int{4}, []float64{1, 0, 1, 0}},
	})
}

// An index is piecewise constant: nothing flows back through ArgMax or
// ArgMin, and a gradient through another path is unchanged.
func TestArgMaxAndArgMinPassNoGradient(t *testing.T) {
	for _, dt := range bothDTypes {
		for _, arg1 := range []func(x *graph.Node, axis int) *graph.Node{ops.ArgMaxKeepDims, ops.ArgMinKeepDims} {
			g := graph.New()
			xs, feeds := inputsOf(g, dt, arg([]float64{1, 5, 3, 4, 2, 6}, 2, 3))
			idx := arg1(xs[0], -1)                          // (2, 1): [1 2] for ArgMax, [0 1] for ArgMin
			y := ops.Sum(ops.Mul(xs[0], ops.Cast(idx, dt))) // d/dx: idx broadcast along each row
			want := graftest.Eval(t, feeds, idx)[0]         // the indices themselves
			grad := gradientsOf(t, feeds, y, xs[0])[0]      // the path through idx adds nothing
			graftest.AssertExact(t, "grad", grad, []float64{want[0], want[0], want[0], want[1], want[1], want[1]})
		}
	}
}
