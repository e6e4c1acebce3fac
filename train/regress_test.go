package train_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
	"graft/train"
)

func TestFitRejectsEmptyData(t *testing.T) {
	g := graph.New()
	x := tensor.New(tensor.WithShape(0, 1), tensor.Of(tensor.Float64))
	y := tensor.New(tensor.WithShape(0, 1), tensor.Of(tensor.Float64))
	_, err := train.Fit(g, linear(g), mse, sgd{lr: 0.1}, x, y, train.Config{Epochs: 1, BatchSize: 1})
	if err == nil || !strings.Contains(err.Error(), "holds no examples") {
		t.Errorf("Fit error %v, want it to say there are no examples", err)
	}
}

// ParamsOf walks a graph with a build error (an op given a nil input)
// without panicking, and still finds the parameters it can reach.
func TestParamsOfToleratesANilInput(t *testing.T) {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})))
	y := ops.Add(ops.Mul(w, nil), w)
	if got := train.ParamsOf(y); len(got) != 1 || got[0] != w {
		t.Errorf("ParamsOf = %v, want [w]", got)
	}
}
