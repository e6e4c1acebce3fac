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

// BinaryAccuracy compares predictions with 0/1 targets at a threshold: 0.5
// for probabilities, 0 for logits.
func ExampleBinaryAccuracy() {
	probs := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0.9, 0.4, 0.6, 0.1}))
	logits := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{2.2, -0.4, 0.4, -2.2}))
	target := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{1, 1, 0, 0}))
	correct, total, err := train.BinaryAccuracy(0.5)(probs, target)
	fmt.Printf("probabilities: %d of %d right %v\n", correct, total, err)
	correct, total, err = train.BinaryAccuracy(0)(logits, target)
	fmt.Printf("logits:        %d of %d right %v\n", correct, total, err)
	softmax := tensor.New(tensor.WithShape(4, 2), tensor.Of(tensor.Float64))
	_, _, err = train.BinaryAccuracy(0.5)(softmax, target)
	fmt.Println(err)
	// Output:
	// probabilities: 2 of 4 right <nil>
	// logits:        2 of 4 right <nil>
	// graft: BinaryAccuracy: pred has shape (4, 2) and target (4, 1); it compares them element by element, so they need one shape (for a score per class use SparseCategoricalAccuracy)
}

// SparseCategoricalAccuracy takes the class index of each row's largest
// score; targets are class indices, not one-hot rows.
func ExampleSparseCategoricalAccuracy() {
	scores := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float32{
		0.1, 0.7, 0.1, 0.1, // class 1
		0.6, 0.2, 0.1, 0.1, // class 0
		0.2, 0.2, 0.1, 0.5, // class 3
	}))
	target := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1, 2, 3}))
	correct, total, err := train.SparseCategoricalAccuracy(scores, target)
	fmt.Printf("%d of %d right %v\n", correct, total, err)
	// Output:
	// 2 of 3 right <nil>
}

// The targets may be int64 class ids, as losses.SoftmaxCrossEntropy takes.
func ExampleSparseCategoricalAccuracy_int64Labels() {
	scores := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{
		0.1, 0.7, 0.2, // class 1
		0.6, 0.3, 0.1, // class 0
	}))
	target := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{1, 2}))
	correct, total, err := train.SparseCategoricalAccuracy(scores, target)
	fmt.Printf("%d of %d right %v\n", correct, total, err)
	// Output:
	// 1 of 2 right <nil>
}

// ParamsOf lists the parameters a loss depends on, the ones Fit trains by
// default; a parameter the loss does not use is left out.
func ExampleParamsOf() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 4, 2)
	w := g.Param("w", tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2})))
	b := g.Param("b", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})))
	g.Param("unused", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 0, 0})))
	loss := ops.Mean(ops.Square(ops.Add(ops.MatMul(x, w), b)))
	fmt.Println(train.ParamsOf(loss))
	// Output:
	// [w (2, 1) float64 b (1,) float64]
}
