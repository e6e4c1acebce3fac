package ops_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// At 0⁰ the gradient of Pow with respect to the base is 0 (a^0 is the
// constant 1), as in PyTorch and JAX, and the second derivative has no NaN.
func TestPowGradientAtZeroToTheZero(t *testing.T) {
	g := graph.New()
	a := g.Param("a", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 0, 2})))
	b := g.Param("b", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 2, 0})))
	y := ops.Sum(ops.Pow(a, b))
	dA := gradNode(t, y, a)
	d2A := gradNode(t, ops.Sum(dA), a)
	got := evaluate(t, nil, dA, d2A)
	assertExact(t, got[0].data, []float64{0, 0, 0}) // d/da: 0·a^-1 → 0; 2·0 = 0; 0·2^-1 → 0
	assertExact(t, got[1].data, []float64{0, 2, 0}) // d²/da²: 0; 2·1·0^0 = 2; 0
}

func TestElementwiseWithANilKernelIsABuildError(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	_, err := graph.Compile(ops.Elementwise("Cube", x, nil, nil))
	if err == nil || !strings.Contains(err.Error(), "Cube(x (2,) float64)") || !strings.Contains(err.Error(), "nil kernel") {
		t.Errorf("Compile error %v, want Cube's nil-kernel error", err)
	}
}

func TestFullOnANilGraphIsABuildError(t *testing.T) {
	_, err := graph.Compile(ops.Scalar(nil, 1, tensor.Float64))
	if err == nil || !strings.Contains(err.Error(), "Full") || !strings.Contains(err.Error(), "nil") {
		t.Errorf("Compile error %v, want Full's nil-graph error", err)
	}
}
