package train_test

import (
	"testing"

	"graft/graph"
	"graft/layers"
	"graft/train"
)

// Fit builds its steps in training mode: batch norm's running statistics
// move and dropout drops, and the graph is back in inference mode after.
func TestFitTrainsInTrainingModeAndRestoresTheMode(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	dense, bn, drop := m.Dense(1, nil), m.BatchNorm(layers.BatchNormConfig{}), m.Dropout(0.5)
	var built []bool
	forward := func(x *graph.Node) *graph.Node {
		built = append(built, x.Graph().Training())
		return dense.Apply(drop.Apply(bn.Apply(x)))
	}
	x, y := lineData(10)
	if _, err := train.Fit(g, forward, mse, sgd{0.1}, x, y, train.Config{Epochs: 2, BatchSize: 4}); err != nil {
		t.Fatal(err)
	}
	if len(built) != 2 || !built[0] || !built[1] {
		t.Fatalf("forward was built in training mode %v times of %v", built, len(built))
	}
	if g.Training() {
		t.Fatal("the graph is left in training mode")
	}
	// lineData's x average 0.45; six steps at momentum 0.1 move the running
	// mean from 0 to about 0.2.
	if got := bn.RunningMean().Value().Float64s()[0]; got <= 0.1 {
		t.Fatalf("running mean %v did not move", got)
	}
}
