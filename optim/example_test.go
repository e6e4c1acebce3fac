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

// param returns a float64 parameter holding values.
func param(g *graph.Graph, values ...float64) *graph.Node {
	return g.Param("w", tensor.New(tensor.WithShape(len(values)), tensor.WithBacking(values)))
}

// grad returns a float64 gradient tensor.
func grad(values ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(values)), tensor.WithBacking(values))
}

// steps applies opt n times with the same gradient and prints w after each.
func steps(opt optim.Optimizer, w *graph.Node, gradient *tensor.Dense, n int) {
	for range n {
		if err := opt.Step([]*graph.Node{w}, []*tensor.Dense{gradient}); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%.4f\n", w.Value().Float64s())
	}
}

// Adam's first steps are about the size of the learning rate, whatever the
// gradient's scale.
func ExampleNewAdam() {
	opt := optim.NewAdam(0.1)
	fmt.Println(opt.Beta1, opt.Beta2, opt.Epsilon, opt.WeightDecay)
	w := param(graph.New(), 1, 1)
	steps(opt, w, grad(0.001, 1000), 2)
	// Output:
	// 0.9 0.999 1e-07 0
	// [0.9003 0.9000]
	// [0.8005 0.8000]
}

// To follow torch.optim.Adam step for step, add Epsilon where PyTorch does
// and take its epsilon. Where gradients are as small as epsilon the two
// forms part: here the gradient is 1e-8, so PyTorch's first step is half of
// lr, while Keras' form, adding 1e-8 to the uncorrected √v = 3.2e-10, would
// move w by 0.003.
func ExampleAdam_pyTorchEpsilon() {
	opt := optim.NewAdam(0.1)
	opt.Epsilon, opt.PyTorchEpsilon = 1e-8, true
	w := param(graph.New(), 1, 1)
	steps(opt, w, grad(1e-8, 1), 1)
	// Output:
	// [0.9500 0.9000]
}

// AdamW's decoupled weight decay shrinks the weights even where the
// gradient is zero.
func ExampleNewAdamW() {
	opt := optim.NewAdamW(0.1)
	fmt.Println("weight decay", opt.WeightDecay)
	w := param(graph.New(), 1, -2)
	steps(opt, w, grad(0, 0), 2)
	// Output:
	// weight decay 0.01
	// [0.9990 -1.9980]
	// [0.9980 -1.9960]
}

func ExampleNewRMSProp() {
	opt := optim.NewRMSProp(0.01)
	fmt.Println(opt.Rho, opt.Momentum, opt.Epsilon)
	w := param(graph.New(), 1, 1)
	// The first step is √10 times the learning rate: after it v is 0.1·g².
	steps(opt, w, grad(0.5, -50), 3)
	// Output:
	// 0.9 0 1e-07
	// [0.9684 1.0316]
	// [0.9454 1.0546]
	// [0.9262 1.0738]
}

func ExampleNewAdagrad() {
	opt := optim.NewAdagrad(0.1)
	fmt.Println(opt.InitialAccumulator, opt.Epsilon)
	w := param(graph.New(), 1)
	// Each step is smaller than the last as squared gradients accumulate.
	steps(opt, w, grad(1), 3)
	// Output:
	// 0.1 1e-07
	// [0.9047]
	// [0.8356]
	// [0.7789]
}

func ExampleNewSGD() {
	opt := optim.NewSGD(0.1)
	w := param(graph.New(), 1, 1)
	steps(opt, w, grad(2, -1), 2) // w -= 0.1·g
	// Output:
	// [0.8000 1.1000]
	// [0.6000 1.2000]
}

func ExampleNames() {
	fmt.Println(optim.Names())
	// Output: [adagrad adam adamw rmsprop sgd]
}
