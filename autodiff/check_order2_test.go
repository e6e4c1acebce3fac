package autodiff_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// order2Cube is x³ with the right first derivative, 3x²; with hideX2 its
// rule hides x² from differentiation, so the second derivative comes out
// as 0 instead of 6x.
func order2Cube(x *graph.Node, hideX2 bool) *graph.Node {
	return ops.Elementwise("Cube", x, func(v float64) float64 { return v * v * v },
		func(x, y, dy *graph.Node) *graph.Node {
			x2 := ops.Square(x)
			if hideX2 {
				x2 = ops.StopGradient(x2)
			}
			return ops.Mul(dy, ops.Mul(ops.ScalarLike(x, 3), x2))
		})
}

func order2Param(g *graph.Graph, name string, data ...float64) *graph.Node {
	return g.Param(name, tensor.New(tensor.WithShape(len(data)), tensor.WithBacking(data)))
}

func TestCheckDerivativesPassesACorrectGraphWithCrossTerms(t *testing.T) {
	// y = Σ x·sin(w·x) + cube(x): its Hessian couples x and w.
	g := graph.New()
	x := order2Param(g, "x", -1.2, 0.4, 2.1)
	w := order2Param(g, "w", 0.7, -1.5, 0.3)
	y := ops.Add(ops.Sum(ops.Mul(x, ops.Sin(ops.Mul(w, x)))), ops.Sum(order2Cube(x, false)))
	if err := autodiff.CheckDerivatives(y, []*graph.Node{x, w}, nil, autodiff.DefaultTolerance); err != nil {
		t.Error(err)
	}
}

func TestCheckDerivativesChecksInputsFromFeeds(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	y := ops.Sum(ops.Mul(ops.Exp(x), x))
	feeds := graph.Feeds{x: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{-0.3, 1.1}))}
	if err := autodiff.CheckDerivatives(y, []*graph.Node{x}, feeds, autodiff.DefaultTolerance); err != nil {
		t.Error(err)
	}
}

func TestCheckDerivativesCatchesAWrongSecondDerivative(t *testing.T) {
	g := graph.New()
	x := order2Param(g, "x", -1.2, 0.4, 2.1)
	y := ops.Sum(order2Cube(x, true))
	if err := autodiff.CheckGrad(y, []*graph.Node{x}, nil, autodiff.DefaultTolerance); err != nil {
		t.Fatalf("the first derivative is right, yet CheckGrad says %v", err)
	}
	err := autodiff.CheckDerivatives(y, []*graph.Node{x}, nil, autodiff.DefaultTolerance)
	if err == nil || !strings.Contains(err.Error(), "CheckDerivatives: second derivatives of Sum#") {
		t.Errorf("CheckDerivatives error %v, want one about second derivatives", err)
	}
}

func TestCheckDerivativesCatchesAWrongFirstDerivative(t *testing.T) {
	g := graph.New()
	x := order2Param(g, "x", 0.5, 1.5)
	wrong := ops.Elementwise("Square", x, func(v float64) float64 { return v * v },
		func(x, y, dy *graph.Node) *graph.Node { return ops.Mul(dy, x) }) // should be 2x
	err := autodiff.CheckDerivatives(ops.Sum(wrong), []*graph.Node{x}, nil, autodiff.DefaultTolerance)
	if err == nil || !strings.Contains(err.Error(), "CheckGrad: dSum#") {
		t.Errorf("CheckDerivatives error %v, want CheckGrad's report of the first derivative", err)
	}
}

func TestCheckDerivativesRejectsWhatCheckGradRejects(t *testing.T) {
	g := graph.New()
	x32 := g.Input("x32", tensor.Float32, 2)
	x := order2Param(g, "x", 1, 2)
	feeds := graph.Feeds{x32: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2}))}
	for _, tc := range []struct {
		name string
		y    *graph.Node
		xs   []*graph.Node
		want string
	}{
		{"float32 x", ops.Sum(x32), []*graph.Node{x32}, "gradient checks need float64"},
		{"non-scalar y", x, []*graph.Node{x}, "must be a scalar"},
	} {
		err := autodiff.CheckDerivatives(tc.y, tc.xs, feeds, autodiff.DefaultTolerance)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestCheckFuncChecksBothOrdersOfAFunction(t *testing.T) {
	points := []float64{-1.4, 0.3, 2.2}
	if err := autodiff.CheckFunc(func(x *graph.Node) *graph.Node { return order2Cube(x, false) }, points, autodiff.DefaultTolerance); err != nil {
		t.Errorf("correct cube: %v", err)
	}
	if err := autodiff.CheckFunc(func(x *graph.Node) *graph.Node { return order2Cube(x, true) }, points, autodiff.DefaultTolerance); err == nil {
		t.Error("cube with a wrong second derivative passed CheckFunc")
	}
	// Softmax's outputs always sum to 1; the random weights still see its
	// Jacobian.
	softmax := func(x *graph.Node) *graph.Node { return ops.Softmax(x, 0) }
	if err := autodiff.CheckFunc(softmax, points, autodiff.DefaultTolerance); err != nil {
		t.Errorf("softmax: %v", err)
	}
}

func TestCheckFuncRejectsBadFunctions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		f      func(*graph.Node) *graph.Node
		points []float64
		want   string
	}{
		{"no points", ops.Exp, nil, "no points"},
		{"shape-changing f", func(x *graph.Node) *graph.Node { return ops.Sum(x) }, []float64{1, 2}, "f must return a node of x's graph, shape and dtype"},
		{"nil result", func(x *graph.Node) *graph.Node { return nil }, []float64{1}, "it returned <nil>"},
		{"f that fails to build", func(x *graph.Node) *graph.Node { return ops.Slice(x, 0, 3, 5) }, []float64{1, 2}, "Slice(x (2,) float64)"},
	} {
		err := autodiff.CheckFunc(tc.f, tc.points, autodiff.DefaultTolerance)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}
