package train_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/layers"
	"graft/losses"
	"graft/optim"
	"graft/train"
)

// A model written once runs on any number of rows: each new batch size is
// built and compiled on first use, and a size seen before costs nothing.
func ExampleNewModel() {
	g := graph.New()
	m := layers.NewModel(1)
	net := layers.Sequential{m.Dense(4, activations.ReLU), m.Dense(1, nil)}
	model := train.NewModel(g, net.Apply, losses.MeanSquaredError)
	for _, rows := range []int{1, 1000, 1} {
		x := tensor.New(tensor.WithShape(rows, 3), tensor.Of(tensor.Float64))
		pred, err := model.Predict(x, rows)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(graph.Shape(pred.Shape()), model.CacheStats().Compiles, "compiles")
	}
	// Output:
	// (1, 1) 1 compiles
	// (1000, 1) 2 compiles
	// (1, 1) 2 compiles
}

// Predict runs every row in batches; a last batch of fewer rows gets a
// program of its own size.
func ExampleModel_Predict() {
	g := graph.New()
	model := train.NewModel(g, linear(g), nil) // y = x·w + b, with w = b = 0
	x, _ := lineData(10)
	pred, err := model.Predict(x, 4) // batches of 4, 4 and 2
	fmt.Println(graph.Shape(pred.Shape()), err, model.CacheStats().Programs, "programs")
	// Output: (10, 1) <nil> 2 programs
}

// Evaluate reports the loss averaged over the rows and each meter.
func ExampleModel_Evaluate() {
	g := graph.New()
	model := train.NewModel(g, linear(g), mse) // predicts 0; the targets are 2x + 1
	x, y := lineData(3)                        // targets 1, 1.2 and 1.4
	scores, err := model.Evaluate(x, y, 2, train.MeanAbsoluteError())
	fmt.Printf("loss %.4f, mae %.1f %v\n", scores["loss"], scores["mae"], err)
	// Output: loss 1.4667, mae 1.2 <nil>
}

// Model.Fit trains through the model's cache, so Predict afterwards reuses
// the model's parameters, and a second Fit of the same shapes compiles
// nothing new.
func ExampleModel_Fit() {
	g := graph.New()
	model := train.NewModel(g, linear(g), mse)
	x, y := lineData(10)
	cfg := train.Config{Epochs: 150, BatchSize: 4, Seed: 1}
	for range 2 {
		if _, err := model.Fit(optim.NewSGD(0.1), x, y, cfg); err != nil {
			fmt.Println(err)
			return
		}
	}
	pred, _ := model.Predict(x, 0)
	fmt.Printf("f(0.9) = %.3f after %d compiles\n", pred.Float64s()[9], model.CacheStats().Compiles)
	// Output: f(0.9) = 2.800 after 3 compiles
}

// SetCacheSize bounds how many programs a model keeps; CacheStats shows
// what it did.
func ExampleModel_SetCacheSize() {
	g := graph.New()
	model := train.NewModel(g, linear(g), nil)
	model.SetCacheSize(1)
	x, _ := lineData(6)
	for _, batch := range []int{6, 3, 6} {
		model.Predict(x, batch)
	}
	fmt.Printf("%+v\n", model.CacheStats())
	// Output: {Programs:1 Size:1 Compiles:3 Hits:0 Evictions:2}
}

// CacheStats counts compiles: a call that finds its shape compiled is a
// hit.
func ExampleModel_CacheStats() {
	g := graph.New()
	model := train.NewModel(g, linear(g), nil)
	x, _ := lineData(8)
	model.Predict(x, 4)
	model.Predict(x, 4)
	s := model.CacheStats()
	fmt.Println(s.Compiles, "compile,", s.Hits, "hit")
	// Output: 1 compile, 1 hit
}

// Graph returns the graph a model builds in.
func ExampleModel_Graph() {
	g := graph.New()
	fmt.Println(train.NewModel(g, linear(g), nil).Graph() == g)
	// Output: true
}
