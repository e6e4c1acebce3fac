package ops_test

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// elementwiseCube is a user-defined primitive written with ops.Elementwise.
func elementwiseCube(x *graph.Node) *graph.Node {
	return ops.Elementwise("Cube", x, func(v float64) float64 { return v * v * v },
		func(x, y, dy *graph.Node) *graph.Node {
			return ops.Mul(dy, ops.Mul(ops.ScalarLike(x, 3), ops.Square(x)))
		})
}

// elementwiseCubeWrongSecond has the right first derivative, 3x², but hides x² from
// differentiation, so its second derivative comes out as 0.
func elementwiseCubeWrongSecond(x *graph.Node) *graph.Node {
	return ops.Elementwise("CubeWrongSecond", x, func(v float64) float64 { return v * v * v },
		func(x, y, dy *graph.Node) *graph.Node {
			return ops.Mul(dy, ops.Mul(ops.ScalarLike(x, 3), ops.StopGradient(ops.Square(x))))
		})
}

func TestElementwiseComputesTheKernelInBothDTypes(t *testing.T) {
	for _, dt := range bothDTypes {
		got := specialEval(t, elementwiseCube, dt, -2, 0.5, 3)
		want := []float64{-8, 0.125, 27}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%v: cube = %v, want %v", dt, got, want)
				break
			}
		}
	}
}

func TestElementwiseFloat32IsTheFloat64ResultRoundedOnce(t *testing.T) {
	third := func(x *graph.Node) *graph.Node {
		return ops.Elementwise("Third", x, func(v float64) float64 { return v / 3 }, nil)
	}
	got := specialEval(t, third, tensor.Float32, 1)[0]
	if want := float64(float32(1.0 / 3)); got != want {
		t.Errorf("third(1) in float32 = %.17g, want %.17g", got, want)
	}
}

func TestElementwiseGradientRuleGivesFirstAndSecondDerivatives(t *testing.T) {
	points := []float64{-1.7, -0.2, 0.6, 2.3}
	if err := autodiff.CheckFunc(elementwiseCube, points, autodiff.DefaultTolerance); err != nil {
		t.Error(err)
	}
	err := autodiff.CheckFunc(elementwiseCubeWrongSecond, points, autodiff.DefaultTolerance)
	if err == nil || !strings.Contains(err.Error(), "second derivatives") {
		t.Errorf("a rule whose second derivative is wrong: error %v, want one about second derivatives", err)
	}
}

func TestElementwiseWithoutGradRulePassesNoGradient(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	y := ops.Elementwise("Floor", x, func(v float64) float64 { return float64(int(v)) }, nil)
	grads, err := autodiff.Grad(ops.Sum(y), x)
	if err != nil {
		t.Fatal(err)
	}
	if got := specialRun(t, x, grads[0], tensor.Float64, 1.5, 2.5); got[0] != 0 || got[1] != 0 {
		t.Errorf("gradient through an op without a rule = %v, want zeros", got)
	}
}

func TestElementwiseNilInputIsABuildError(t *testing.T) {
	y := elementwiseCube(nil)
	_, err := graph.Compile(y)
	if err == nil || !strings.Contains(err.Error(), "Cube(nil) at ops/elementwise_test.go:") || !strings.Contains(err.Error(), "input 0 is nil") {
		t.Errorf("Compile error %v, want Cube(nil) with the caller's line", err)
	}
}

func ExampleElementwise() {
	// Cube is a new primitive: a kernel, and a gradient rule written with
	// ops so that it can be differentiated again.
	cube := func(x *graph.Node) *graph.Node {
		return ops.Elementwise("Cube", x, func(v float64) float64 { return v * v * v },
			func(x, y, dy *graph.Node) *graph.Node {
				return ops.Mul(dy, ops.Mul(ops.ScalarLike(x, 3), ops.Square(x)))
			})
	}
	fmt.Println(specialExampleEval(cube, -1, 2))
	fmt.Println(autodiff.CheckFunc(cube, []float64{-1, 0.5, 2}, autodiff.DefaultTolerance))
	// Output:
	// [-1 8]
	// <nil>
}

func TestElementwiseWithANilKernelIsABuildError(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	_, err := graph.Compile(ops.Elementwise("Cube", x, nil, nil))
	if err == nil || !strings.Contains(err.Error(), "Cube(x (2,) float64)") || !strings.Contains(err.Error(), "nil kernel") {
		t.Errorf("Compile error %v, want Cube's nil-kernel error", err)
	}
}
