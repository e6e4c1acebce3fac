package ops_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

func TestConstantBuildersFillShapeAndDType(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, 2, 1)
		cases := []struct {
			name  string
			node  *graph.Node
			shape []int
			want  []float64
		}{
			{"Full", ops.Full(g, 2.5, dt, 2, 3), []int{2, 3}, []float64{2.5, 2.5, 2.5, 2.5, 2.5, 2.5}},
			{"Scalar", ops.Scalar(g, -1, dt), []int{}, []float64{-1}},
			{"ScalarLike", ops.ScalarLike(x, 3), []int{}, []float64{3}},
			{"ZerosLike", ops.ZerosLike(x), []int{2, 1}, []float64{0, 0}},
			{"OnesLike", ops.OnesLike(x), []int{2, 1}, []float64{1, 1}},
		}
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				if c.node.Kind() != graph.Constant {
					t.Errorf("kind %v, want constant", c.node.Kind())
				}
				got := graftest.Results(t, nil, c.node)[0]
				if got.DType != dt || !got.Shape.Equal(c.shape) {
					t.Fatalf("%v %v, want %v %v", got.Shape, got.DType, graph.Shape(c.shape), dt)
				}
				graftest.AssertExact(t, "value", got.Data, c.want)
			})
		}
	}
}

func TestStopGradientPassesTheValueButNoGradient(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		xs, feeds := inputsOf(g, dt, arg([]float64{1, -2, 3}, 3))
		x := xs[0]
		stopped := ops.StopGradient(x)
		graftest.AssertExact(t, "value", graftest.Eval(t, feeds, stopped)[0], []float64{1, -2, 3})
		// y = Σ stop(x)·x: only the second factor is differentiated, so dy/dx = x, not 2x.
		graftest.AssertExact(t, "gradient", gradientsOf(t, feeds, ops.Sum(ops.Mul(stopped, x)), x)[0], []float64{1, -2, 3})
		graftest.AssertExact(t, "gradient", gradientsOf(t, feeds, ops.Sum(stopped), x)[0], []float64{0, 0, 0})
	}
}

func TestFullOnANilGraphIsABuildError(t *testing.T) {
	_, err := graph.Compile(ops.Scalar(nil, 1, tensor.Float64))
	if err == nil || !strings.Contains(err.Error(), "Full") || !strings.Contains(err.Error(), "nil") {
		t.Errorf("Compile error %v, want Full's nil-graph error", err)
	}
}
