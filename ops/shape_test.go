package ops_test

import (
	"testing"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// indexed returns the (2, 3, 4) tensor whose element [i][j][k] is 100i+10j+k,
// so that each value spells out where it came from.
func indexed() []float64 {
	var out []float64
	for i := range 2 {
		for j := range 3 {
			for k := range 4 {
				out = append(out, float64(100*i+10*j+k))
			}
		}
	}
	return out
}

func TestReshapeKeepsTheDataInRowMajorOrder(t *testing.T) {
	reshape := func(shape ...int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Reshape(x[0], shape...) }
	}
	m := arg(graftest.Integers(6, 1), 2, 3)
	checkOpCases(t, []opCase{
		{"(2,3) to (3,2)", []inputArg{m}, reshape(3, 2), []int{3, 2}, graftest.Integers(6, 1)},
		{"(2,3) to (3,-1)", []inputArg{m}, reshape(3, -1), []int{3, 2}, graftest.Integers(6, 1)},
		{"(2,3) to (-1,)", []inputArg{m}, reshape(-1), []int{6}, graftest.Integers(6, 1)},
		{"(2,3) to (1,6,1)", []inputArg{m}, reshape(1, 6, 1), []int{1, 6, 1}, graftest.Integers(6, 1)},
		{"(1,1) to scalar", []inputArg{arg([]float64{7}, 1, 1)}, reshape(), []int{}, []float64{7}},
	})
}

func TestTransposePermutesAxes(t *testing.T) {
	transpose := func(perm ...int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Transpose(x[0], perm...) }
	}
	x3 := arg(indexed(), 2, 3, 4)
	checkOpCases(t, []opCase{
		{"matrix, default perm", []inputArg{arg(graftest.Integers(6, 1), 2, 3)}, transpose(), []int{3, 2}, []float64{1, 4, 2, 5, 3, 6}},
		{"matrix, perm (1,0)", []inputArg{arg(graftest.Integers(6, 1), 2, 3)}, transpose(1, 0), []int{3, 2}, []float64{1, 4, 2, 5, 3, 6}},
		{"identity perm", []inputArg{x3}, transpose(0, 1, 2), []int{2, 3, 4}, indexed()},
		// out[k][i][j] = x[i][j][k] = 100i+10j+k.
		{"3-D perm (2,0,1)", []inputArg{x3}, transpose(2, 0, 1), []int{4, 2, 3}, []float64{
			0, 10, 20, 100, 110, 120,
			1, 11, 21, 101, 111, 121,
			2, 12, 22, 102, 112, 122,
			3, 13, 23, 103, 113, 123,
		}},
		// out[i][k][j] = x[i][j][k].
		{"3-D perm (0,2,1)", []inputArg{x3}, transpose(0, 2, 1), []int{2, 4, 3}, []float64{
			0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23,
			100, 110, 120, 101, 111, 121, 102, 112, 122, 103, 113, 123,
		}},
		// The default reverses the axes: out[k][j][i] = x[i][j][k].
		{"3-D default perm", []inputArg{x3}, transpose(), []int{4, 3, 2}, []float64{
			0, 100, 10, 110, 20, 120,
			1, 101, 11, 111, 21, 121,
			2, 102, 12, 112, 22, 122,
			3, 103, 13, 113, 23, 123,
		}},
	})
}

func TestBroadcastToStretchesSizeOneAndMissingAxes(t *testing.T) {
	to := func(shape ...int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.BroadcastTo(x[0], shape...) }
	}
	checkOpCases(t, []opCase{
		{"(3,) to (2,3)", []inputArg{arg([]float64{1, 2, 3}, 3)}, to(2, 3), []int{2, 3}, []float64{1, 2, 3, 1, 2, 3}},
		{"(2,1) to (2,3)", []inputArg{arg([]float64{1, 2}, 2, 1)}, to(2, 3), []int{2, 3}, []float64{1, 1, 1, 2, 2, 2}},
		{"scalar to (2,2)", []inputArg{arg([]float64{5})}, to(2, 2), []int{2, 2}, []float64{5, 5, 5, 5}},
		{"(3,1) to (2,3,2)", []inputArg{arg([]float64{1, 2, 3}, 3, 1)}, to(2, 3, 2), []int{2, 3, 2},
			[]float64{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}},
		{"same shape", []inputArg{arg([]float64{1, 2}, 2)}, to(2), []int{2}, []float64{1, 2}},
	})
}

func TestSliceTakesARangeAlongAnAxis(t *testing.T) {
	slice := func(axis, start, end int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Slice(x[0], axis, start, end) }
	}
	m := arg(graftest.Integers(12, 0), 3, 4) // rows [0 1 2 3], [4 5 6 7], [8 9 10 11]
	checkOpCases(t, []opCase{
		{"rows 1:3", []inputArg{m}, slice(0, 1, 3), []int{2, 4}, graftest.Integers(8, 4)},
		{"columns 1:3", []inputArg{m}, slice(1, 1, 3), []int{3, 2}, []float64{1, 2, 5, 6, 9, 10}},
		{"columns -3:-1", []inputArg{m}, slice(1, -3, -1), []int{3, 2}, []float64{1, 2, 5, 6, 9, 10}},
		{"axis -1, columns -1:4", []inputArg{m}, slice(-1, -1, 4), []int{3, 1}, []float64{3, 7, 11}},
		{"axis -2, rows -1:3", []inputArg{m}, slice(-2, -1, 3), []int{1, 4}, []float64{8, 9, 10, 11}},
		{"whole axis", []inputArg{m}, slice(0, 0, 3), []int{3, 4}, graftest.Integers(12, 0)},
		{"middle axis of 3-D", []inputArg{arg(indexed(), 2, 3, 4)}, slice(1, 1, 2), []int{2, 1, 4},
			[]float64{10, 11, 12, 13, 110, 111, 112, 113}},
	})
}

func TestPadSurroundsWithZeros(t *testing.T) {
	pad := func(axis, before, after int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Pad(x[0], axis, before, after) }
	}
	m := arg([]float64{1, 2, 3, 4}, 2, 2)
	checkOpCases(t, []opCase{
		{"axis 1, 1 before 2 after", []inputArg{m}, pad(1, 1, 2), []int{2, 5}, []float64{0, 1, 2, 0, 0, 0, 3, 4, 0, 0}},
		{"axis 0, 1 before", []inputArg{m}, pad(0, 1, 0), []int{3, 2}, []float64{0, 0, 1, 2, 3, 4}},
		{"axis -1, 0 before 1 after", []inputArg{m}, pad(-1, 0, 1), []int{2, 3}, []float64{1, 2, 0, 3, 4, 0}},
		{"no padding", []inputArg{m}, pad(0, 0, 0), []int{2, 2}, []float64{1, 2, 3, 4}},
	})
}

func TestConcatJoinsAlongAnAxis(t *testing.T) {
	concat := func(axis int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Concat(axis, x...) }
	}
	checkOpCases(t, []opCase{
		{"axis 0 of three", []inputArg{
			arg([]float64{1, 2}, 1, 2), arg([]float64{3, 4, 5, 6}, 2, 2), arg([]float64{7, 8}, 1, 2),
		}, concat(0), []int{4, 2}, graftest.Integers(8, 1)},
		{"axis 1 of three", []inputArg{
			arg([]float64{1, 2}, 2, 1), arg([]float64{3, 4, 5, 6}, 2, 2), arg([]float64{7, 8, 9, 10, 11, 12}, 2, 3),
		}, concat(1), []int{2, 6}, []float64{1, 3, 4, 7, 8, 9, 2, 5, 6, 10, 11, 12}},
		{"axis -1 of three", []inputArg{
			arg([]float64{1, 2}, 2, 1), arg([]float64{3, 4, 5, 6}, 2, 2), arg([]float64{7, 8, 9, 10, 11, 12}, 2, 3),
		}, concat(-1), []int{2, 6}, []float64{1, 3, 4, 7, 8, 9, 2, 5, 6, 10, 11, 12}},
		{"middle axis of 3-D", []inputArg{
			arg([]float64{1, 2, 3, 4}, 2, 1, 2), arg(graftest.Integers(8, 5), 2, 2, 2),
		}, concat(1), []int{2, 3, 2}, []float64{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}},
		{"one input", []inputArg{arg([]float64{1, 2}, 2)}, concat(0), []int{2}, []float64{1, 2}},
	})
}

func TestShapeOpGradientsRouteEachElementBack(t *testing.T) {
	// y = Σ w ⊙ op(x) with distinct weights: dy/dx shows where each element went.
	cases := []struct {
		name  string
		shape []int
		op    func(x *graph.Node) *graph.Node
		w     []float64 // weights of op(x)'s elements
		want  []float64 // dy/dx
	}{
		{"Reshape", []int{2, 3}, func(x *graph.Node) *graph.Node { return ops.Reshape(x, 3, 2) },
			graftest.Integers(6, 1), graftest.Integers(6, 1)},
		{"Transpose", []int{2, 3}, func(x *graph.Node) *graph.Node { return ops.Transpose(x) },
			graftest.Integers(6, 1), []float64{1, 3, 5, 2, 4, 6}},
		{"Slice", []int{2, 3}, func(x *graph.Node) *graph.Node { return ops.Slice(x, 1, -2, 3) },
			[]float64{1, 2, 3, 4}, []float64{0, 1, 2, 0, 3, 4}},
		{"Pad", []int{2, 2}, func(x *graph.Node) *graph.Node { return ops.Pad(x, 0, 1, 1) },
			graftest.Integers(8, 1), []float64{3, 4, 5, 6}},
		{"BroadcastTo", []int{2, 1}, func(x *graph.Node) *graph.Node { return ops.BroadcastTo(x, 3, 2, 2) },
			graftest.Integers(12, 1), []float64{1 + 2 + 5 + 6 + 9 + 10, 3 + 4 + 7 + 8 + 11 + 12}},
		{"Concat with itself", []int{2}, func(x *graph.Node) *graph.Node { return ops.Concat(0, x, ops.Neg(x), x) },
			graftest.Integers(6, 1), []float64{1 - 3 + 5, 2 - 4 + 6}},
	}
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, arg(graftest.Integers(graph.Shape(c.shape).Size(), 1), c.shape...))
				y := c.op(xs[0])
				w := constOf(g, dt, c.w, y.Shape()...)
				graftest.AssertExact(t, "gradient", gradientsOf(t, feeds, ops.Sum(ops.Mul(y, w)), xs[0])[0], c.want)
			})
		}
	}
}
