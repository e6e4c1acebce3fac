package losses_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/losses"
)

func TestKLDivergenceMatchesHandComputedValues(t *testing.T) {
	ln := math.Log
	lp := []float64{ln(0.5), ln(0.5), ln(0.25), ln(0.75)}
	checkBuiltCases(t, []builtCase{
		{name: "KLDivergence", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.KLDivergence(constant(g, dt, []int{2, 2}, lp...), constant(g, dt, []int{2, 2}, 1, 0, 0.5, 0.5))
		}, want: (ln(2) + 0.5*ln(2) + 0.5*ln(2.0/3)) / 2,
			formula: "(1·(0 - ln ½) + 0 + ½(ln ½ - ln ¼) + ½(ln ½ - ln ¾))/2: a 0 in the target adds 0"},
		{name: "KLDivergence of equal distributions", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.KLDivergence(constant(g, dt, []int{1, 2}, ln(0.25), ln(0.75)), constant(g, dt, []int{1, 2}, 0.25, 0.75))
		}, want: 0, formula: "KL(p ‖ p) = 0"},
		{name: "KLDivergence of a scalar divides by 1", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.KLDivergence(constant(g, dt, nil, -1), constant(g, dt, nil, 0.5))
		}, want: 0.5 * (ln(0.5) + 1), formula: "½·(ln ½ - (-1)), as PyTorch's batchmean of a 0-d input"},
		{name: "KLDivergence sums a (batch, a, b) input over all but the batch", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			return losses.KLDivergence(constant(g, dt, []int{2, 1, 2}, lp...), constant(g, dt, []int{2, 1, 2}, 1, 0, 0.5, 0.5))
		}, want: (ln(2) + 0.5*ln(2) + 0.5*ln(2.0/3)) / 2, formula: "the (2, 2) case's value"},
		{name: "KLDivergenceLogTarget", build: func(g *graph.Graph, dt graph.DType) *graph.Node {
			target := constant(g, dt, []int{2, 2}, ln(0.5), ln(0.5), ln(0.5), ln(0.5))
			return losses.KLDivergenceLogTarget(constant(g, dt, []int{2, 2}, lp...), target)
		}, want: (0 + 0.5*ln(2) + 0.5*ln(2.0/3)) / 2, formula: "(0 + ½(ln ½ - ln ¼) + ½(ln ½ - ln ¾))/2"},
	})
}

// Where the target is 0 and the log-probability -Inf, the element is
// 0·Inf: NaN, as in PyTorch (F.kl_div gives nan there too).
func TestKLDivergenceIsNaNLikePyTorchForMinusInfWhereTheTargetIsZero(t *testing.T) {
	g := graph.New()
	lp := constant(g, tensor.Float64, []int{1, 2}, 0, math.Inf(-1))
	y := constant(g, tensor.Float64, []int{1, 2}, 1, 0)
	if got := graftest.Eval(t, nil, losses.KLDivergence(lp, y))[0][0]; !math.IsNaN(got) {
		t.Errorf("loss = %v, want NaN", got)
	}
}

func TestKLDivergenceDerivativesOfBothOrdersMatchCentralDifferences(t *testing.T) {
	lp := []float64{-1.2, -0.4, -2, -0.1, -3, -0.7}
	checkDerivativeCases(t, []derivativeCase{
		{name: "KLDivergence", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			x, y := param(g, "lp", []int{2, 3}, lp...), param(g, "t", []int{2, 3}, 0.2, 0.3, 0.5, 0.6, 0.1, 0.3)
			return losses.KLDivergence(x, y), []*graph.Node{x, y}
		}},
		{name: "KLDivergence, a 0 in the target", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			x := param(g, "lp", []int{2, 3}, lp...)
			y := constant(g, tensor.Float64, []int{2, 3}, 0.5, 0, 0.5, 0.6, 0.1, 0.3)
			return losses.KLDivergence(x, y), []*graph.Node{x}
		}, note: "the target's derivative at 0 is -Inf; only logProbs is checked"},
		{name: "KLDivergenceLogTarget", build: func(g *graph.Graph) (*graph.Node, []*graph.Node) {
			x, y := param(g, "lp", []int{2, 3}, lp...), param(g, "lt", []int{2, 3}, -1.6, -1.2, -0.7, -0.5, -2.3, -1.2)
			return losses.KLDivergenceLogTarget(x, y), []*graph.Node{x, y}
		}},
	})
}
