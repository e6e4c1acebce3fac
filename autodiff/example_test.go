package autodiff_test

import (
	"fmt"
	"strings"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// The gradient of y = Σ w·x with respect to w is x, and with respect to x
// it is w.
func ExampleGrad() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	w := g.Param("w", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0.5, -1, 2})))
	y := ops.Sum(ops.Mul(w, x))

	grads, err := autodiff.Grad(y, w, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := graph.Compile(y, grads[0], grads[1])
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3}))})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("y     =", out[0].Float64s())
	fmt.Println("dy/dw =", out[1].Float64s())
	fmt.Println("dy/dx =", out[2].Float64s())
	// Output:
	// y     = [4.5]
	// dy/dw = [1 2 3]
	// dy/dx = [0.5 -1 2]
}

// Gradients are graph nodes, so Grad applies to them again: the second
// derivative of x³ is 6x.
func ExampleGrad_secondDerivative() {
	g := graph.New()
	x := g.Input("x", tensor.Float64)
	y := ops.Mul(ops.Mul(x, x), x)

	dy, err := autodiff.Grad(y, x) // 3x²
	if err != nil {
		fmt.Println(err)
		return
	}
	d2y, err := autodiff.Grad(dy[0], x) // 6x
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := graph.Compile(dy[0], d2y[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := prog.Run(graph.Feeds{x: tensor.New(tensor.FromScalar(0.5))})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("dy/dx   at 0.5 =", out[0].Float64s()[0])
	fmt.Println("d²y/dx² at 0.5 =", out[1].Float64s()[0])
	// Output:
	// dy/dx   at 0.5 = 0.75
	// d²y/dx² at 0.5 = 3
}

// CheckGrad compares Grad's gradients with central differences.
func ExampleCheckGrad() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	w := g.Param("w", tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0.1, -0.2, 0.3, 0.4, -0.5, 0.6})))
	loss := ops.Mean(ops.Square(ops.Tanh(ops.MatMul(x, w))))
	feeds := graph.Feeds{x: tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, -1, 0, 1}))}

	err := autodiff.CheckGrad(loss, []*graph.Node{w, x}, feeds, autodiff.DefaultTolerance)
	fmt.Println("gradient check:", err)
	// Output: gradient check: <nil>
}

// CheckFunc checks an activation's first and second derivatives at a few
// points. Here a hand-written cube with a wrong gradient rule is caught.
func ExampleCheckFunc() {
	fmt.Println(autodiff.CheckFunc(ops.Tanh, []float64{-2, -0.5, 0.5, 2}, autodiff.DefaultTolerance))

	wrongCube := func(x *graph.Node) *graph.Node {
		return ops.Elementwise("Cube", x, func(v float64) float64 { return v * v * v },
			func(x, y, dy *graph.Node) *graph.Node { return ops.Mul(dy, ops.Square(x)) }) // should be 3x²
	}
	err := autodiff.CheckFunc(wrongCube, []float64{-1, 0.5, 2}, autodiff.DefaultTolerance)
	where, _, _ := strings.Cut(err.Error(), ": autodiff gives")
	fmt.Println(where) // the message goes on with the analytic and the numeric value
	// Output:
	// <nil>
	// graft: CheckGrad: dSum#4/dx at flat index 2
}

// CheckDerivatives checks the Hessian too, through gradients of gradients.
func ExampleCheckDerivatives() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	w := g.Param("w", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0.5, -1, 2})))
	y := ops.Sum(ops.Mul(ops.Sigmoid(ops.Mul(w, x)), ops.Square(x)))
	feeds := graph.Feeds{x: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, -2, 0.3}))}

	err := autodiff.CheckDerivatives(y, []*graph.Node{w, x}, feeds, autodiff.DefaultTolerance)
	fmt.Println("first and second derivatives:", err)
	// Output: first and second derivatives: <nil>
}
