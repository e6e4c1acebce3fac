package train_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
	"graft/train"
)

// Fit trains a model given as a function of its input node.
func ExampleFit() {
	g := graph.New()
	model := linear(g) // y = x·w + b
	x, y := lineData(10)
	h, err := train.Fit(g, model, mse, sgd{lr: 0.1}, x, y, train.Config{Epochs: 300, BatchSize: 5, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d steps, final loss below 1e-6: %v\n", h.Steps, h.Loss[len(h.Loss)-1] < 1e-6)
	// Output: 600 steps, final loss below 1e-6: true
}

// The loop Fit runs, written by hand: build the loss, add its gradients,
// compile once, then run and step.
func Example_handWrittenLoop() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 10, 1)
	t := g.Input("t", tensor.Float64, 10, 1)
	w := g.Param("w", tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0})))
	b := g.Param("b", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})))
	loss := ops.Mean(ops.Square(ops.Sub(ops.Add(ops.MatMul(x, w), b), t)))
	grads, _ := autodiff.Grad(loss, w, b)
	prog, _ := graph.Compile(append([]*graph.Node{loss}, grads...)...)
	xs, ts := lineData(10)
	for step := 0; step < 2000; step++ {
		out, _ := prog.Run(graph.Feeds{x: xs, t: ts})
		_ = sgd{lr: 0.1}.Step([]*graph.Node{w, b}, out[1:])
	}
	fmt.Printf("w = %.3f, b = %.3f\n", w.Value().Float64s()[0], b.Value().Float64s()[0])
	// Output: w = 2.000, b = 1.000
}
