package optim_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
	"graft/optim"
)

// Fit w to minimise (w - 3)² with Adam: compile the gradient once, then
// alternate Run and Step.
func ExampleAdam() {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})))
	loss := ops.Sum(ops.Square(ops.Sub(w, ops.ScalarLike(w, 3))))
	grads, err := autodiff.Grad(loss, w)
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := graph.Compile(grads...)
	if err != nil {
		fmt.Println(err)
		return
	}
	opt := optim.NewAdam(0.1)
	for step := 0; step < 300; step++ {
		out, _ := prog.Run(nil)
		if err := opt.Step([]*graph.Node{w}, out); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("w = %.3f\n", w.Value().Float64s()[0])
	// Output: w = 3.000
}

// SGD with Nesterov momentum, and a learning rate halved every 20 steps.
func ExampleSGD() {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{4, -4})))
	loss := ops.Sum(ops.Square(w)) // minimised at w = 0
	grads, _ := autodiff.Grad(loss, w)
	prog, _ := graph.Compile(grads...)

	opt := optim.NewSGD(0.1)
	opt.Momentum, opt.Nesterov = 0.5, true
	for step := 0; step < 60; step++ {
		if step > 0 && step%20 == 0 {
			opt.SetLearningRate(opt.LearningRate() / 2)
		}
		out, _ := prog.Run(nil)
		if err := opt.Step([]*graph.Node{w}, out); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("w = %.3f, lr = %v\n", w.Value().Float64s(), opt.LearningRate())
	// Output: w = [0.000 -0.000], lr = 0.025
}

// Choose an optimizer by name, as a --optimizer flag does; a learning rate
// of 0 takes the optimizer's default.
func ExampleNew() {
	opt, err := optim.New("rmsprop", 0)
	fmt.Printf("%T %v %v\n", opt, opt.LearningRate(), err)
	_, err = optim.New("lbfgs", 0.1)
	fmt.Println(err)
	// Output:
	// *optim.RMSProp 0.001 <nil>
	// graft: optim.New: unknown optimizer "lbfgs"; known: adagrad, adam, adamw, rmsprop, sgd
}

// Clip the gradients' global norm to 1 before the step.
func ExampleClipGlobalNorm() {
	grads := []*tensor.Dense{
		tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 4})),
		tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{12})),
	}
	norm, err := optim.ClipGlobalNorm(grads, 1)
	fmt.Println(norm, err)
	fmt.Printf("%.4f %.4f\n", grads[0].Float64s(), grads[1].Float64s())
	// Output:
	// 13 <nil>
	// [0.2308 0.3077] [0.9231]
}
