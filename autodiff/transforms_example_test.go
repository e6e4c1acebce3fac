package autodiff_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

func evalAndPrint(feeds graph.Feeds, nodes ...*graph.Node) {
	prog, err := graph.Compile(nodes...)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := prog.Run(feeds)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range out {
		fmt.Printf("%v %.4g\n", o.Shape(), o.Data())
	}
}

// The Jacobian of x ↦ x ⊙ x at (1, 2, 3) is diag(2, 4, 6).
func ExampleJacobian() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	j, _ := autodiff.Jacobian(ops.Square(x), x, autodiff.Auto)
	evalAndPrint(graph.Feeds{x: dense64([]float64{1, 2, 3}, 3)}, j)
	// Output: (3, 3) [2 0 0 0 4 0 0 0 6]
}

// The Hessian of x0²·x1 at (1, 2) is [[2x1, 2x0], [2x0, 0]].
func ExampleHessian() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	y := ops.Sum(ops.Mul(ops.Square(ops.Slice(x, 0, 0, 1)), ops.Slice(x, 0, 1, 2)))
	h, _ := autodiff.Hessian(y, x)
	evalAndPrint(graph.Feeds{x: dense64([]float64{1, 2}, 2)}, h)
	// Output: (2, 2) [4 2 2 0]
}

// J·v of x ↦ sin x, without forming J: cos(x) ⊙ v.
func ExampleJVP() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	v := g.Const("v", dense64([]float64{1, 10}, 2))
	jv, _ := autodiff.JVP(ops.Sin(x), []*graph.Node{x}, []*graph.Node{v})
	evalAndPrint(graph.Feeds{x: dense64([]float64{0, 3.14159265358979}, 2)}, jv)
	// Output: (2) [1 -10]
}

func ExampleVJP() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	u := g.Const("u", dense64([]float64{1, 10}, 2))
	vjp, _ := autodiff.VJP(ops.Square(x), u, x) // uᵀ·diag(2x)
	evalAndPrint(graph.Feeds{x: dense64([]float64{3, 4}, 2)}, vjp[0])
	// Output: (2) [6 80]
}

// H·v of Σ x³ is 6x ⊙ v.
func ExampleHVP() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	v := g.Const("v", dense64([]float64{1, -1}, 2))
	hv, _ := autodiff.HVP(ops.Sum(ops.Mul(ops.Square(x), x)), []*graph.Node{x}, []*graph.Node{v})
	evalAndPrint(graph.Feeds{x: dense64([]float64{1, 2}, 2)}, hv[0])
	// Output: (2) [6 -12]
}

// The gradient of each example's squared error of y = x·w, in one Run.
func ExamplePerExampleGradients() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 1)
	w := g.Param("w", dense64([]float64{0.5}, 1, 1))
	losses := ops.Reshape(ops.Square(ops.MatMul(x, w)), 2) // (x·w)²
	per, _ := autodiff.PerExampleGradients(losses, w)      // 2·(x·w)·x
	evalAndPrint(graph.Feeds{x: dense64([]float64{1, 2}, 2, 1)}, per[0])
	// Output: (2, 1, 1) [1 4]
}

// A differentially private update clips each example's gradient to norm C
// before averaging (Abadi et al., 2016), so no single example moves the
// parameters far: per-example gradients, their norms, a scale of
// min(1, C/‖g‖), the mean. (The noise DP-SGD adds is left out.)
func ExamplePerExampleGradients_clipped() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3, 2)
	w := g.Param("w", dense64([]float64{1, -1}, 2, 1))
	losses := ops.Reshape(ops.Square(ops.MatMul(x, w)), 3)
	per, _ := autodiff.PerExampleGradients(losses, w) // (3, 2, 1)
	norms := ops.Sqrt(ops.SumKeepDims(ops.Square(per[0]), 1, 2))
	const c = 1.0
	scale := ops.Minimum(ops.ScalarLike(norms, 1), ops.Div(ops.ScalarLike(norms, c), norms))
	update := ops.Mean(ops.Mul(per[0], scale), 0) // (2, 1)
	evalAndPrint(graph.Feeds{x: dense64([]float64{0.1, 0, 3, 1, 0, 0.2}, 3, 2)}, ops.Reshape(norms, 3), update)
	// Output:
	// (3) [0.02 12.65 0.08]
	// (2, 1) [0.3229 0.07874]
}
