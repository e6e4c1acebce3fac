package ops_test

import (
	"testing"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

func TestComparisonsGiveOneWhereTrueAndZeroElsewhere(t *testing.T) {
	a := arg([]float64{1, 2, 3}, 3)
	b := arg([]float64{2, 2, 2}, 3)
	checkOpCases(t, []opCase{
		{"Equal", []inputArg{a, b}, binaryBuild(ops.Equal), []int{3}, []float64{0, 1, 0}},
		{"NotEqual", []inputArg{a, b}, binaryBuild(ops.NotEqual), []int{3}, []float64{1, 0, 1}},
		{"Less", []inputArg{a, b}, binaryBuild(ops.Less), []int{3}, []float64{1, 0, 0}},
		{"LessEqual", []inputArg{a, b}, binaryBuild(ops.LessEqual), []int{3}, []float64{1, 1, 0}},
		{"Greater", []inputArg{a, b}, binaryBuild(ops.Greater), []int{3}, []float64{0, 0, 1}},
		{"GreaterEqual", []inputArg{a, b}, binaryBuild(ops.GreaterEqual), []int{3}, []float64{0, 1, 1}},
		{"Less (3,1) with (3,)", []inputArg{
			arg([]float64{1, 2, 3}, 3, 1), arg([]float64{1, 2, 3}, 3),
		}, binaryBuild(ops.Less), []int{3, 3}, []float64{0, 1, 1, 0, 0, 1, 0, 0, 0}},
		{"GreaterEqual scalar with (4,)", []inputArg{
			arg([]float64{2}), arg([]float64{1, 2, 3, -1}, 4),
		}, binaryBuild(ops.GreaterEqual), []int{4}, []float64{1, 1, 0, 1}},
	})
}

func TestWhereChoosesByNonzeroConditionWithBroadcasting(t *testing.T) {
	where := func(x ...*graph.Node) *graph.Node { return ops.Where(x[0], x[1], x[2]) }
	checkOpCases(t, []opCase{
		{"same shapes", []inputArg{
			arg([]float64{1, 0, 0, 1}, 2, 2), arg([]float64{1, 2, 3, 4}, 2, 2), arg([]float64{-1, -2, -3, -4}, 2, 2),
		}, where, []int{2, 2}, []float64{1, -2, -3, 4}},
		{"cond (3,1), a (3,2), b (2,)", []inputArg{
			arg([]float64{1, 0, 1}, 3, 1), arg(graftest.Integers(6, 1), 3, 2), arg([]float64{-1, -2}, 2),
		}, where, []int{3, 2}, []float64{1, 2, -1, -2, 5, 6}},
		{"any nonzero cond is true", []inputArg{
			arg([]float64{-1, 0.5, 0}, 3), arg([]float64{7}), arg([]float64{1, 2, 3}, 3),
		}, where, []int{3}, []float64{7, 7, 3}},
		{"all three broadcast", []inputArg{
			arg([]float64{1, 0, 1}, 1, 3), arg([]float64{10, 20}, 2, 1), arg([]float64{-1}),
		}, where, []int{2, 3}, []float64{10, -1, 10, 20, -1, 20}},
		{"scalar cond", []inputArg{
			arg([]float64{0}), arg([]float64{1, 2}, 2), arg([]float64{3, 4}, 2),
		}, where, []int{2}, []float64{3, 4}},
	})
}

func TestComparisonsPassNoGradient(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		xs, feeds := inputsOf(g, dt, arg([]float64{1, 2, 3}, 3), arg([]float64{2, 2, 2}, 3))
		y := ops.Sum(ops.Mul(ops.Less(xs[0], xs[1]), xs[0]))
		grads := gradientsOf(t, feeds, y, xs...)
		graftest.AssertExact(t, "grads[0]", grads[0], []float64{1, 0, 0}) // the mask, through Mul only
		graftest.AssertExact(t, "grads[1]", grads[1], []float64{0, 0, 0})
	}
}

func TestWhereGradientFlowsToTheChosenOperandOnly(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		xs, feeds := inputsOf(g, dt,
			arg([]float64{1, 0, 1}, 3, 1), arg(graftest.Integers(6, 1), 3, 2), arg([]float64{-1, -2}, 2))
		weights := constOf(g, dt, graftest.Integers(6, 1), 3, 2)
		y := ops.Sum(ops.Mul(ops.Where(xs[0], xs[1], xs[2]), weights))
		grads := gradientsOf(t, feeds, y, xs...)
		graftest.AssertExact(t, "grads[0]", grads[0], []float64{0, 0, 0})          // cond gets none
		graftest.AssertExact(t, "grads[1]", grads[1], []float64{1, 2, 0, 0, 5, 6}) // rows 0 and 2 chose a
		graftest.AssertExact(t, "grads[2]", grads[2], []float64{3, 4})             // row 1 chose b, summed back to (2,)
	}
}
