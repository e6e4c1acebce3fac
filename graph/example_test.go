package graph_test

import (
	"errors"
	"fmt"
	"math"
	"os"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// Build y = x·w + b, compile it once, and run it on two batches.
func Example() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	w := g.Param("w", tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{1, 10, 100})))
	b := g.Param("b", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0.5})))
	y := ops.Add(ops.MatMul(x, w), b)

	prog, err := graph.Compile(y)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, batch := range [][]float64{{1, 2, 3, 4, 5, 6}, {0, 0, 1, 1, 0, 0}} {
		out, err := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(batch))})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(out[0].Shape(), out[0].Float64s())
	}
	// Output:
	// (2, 1) [321.5 654.5]
	// (2, 1) [100.5 1.5]
}

// A mistake is reported by Compile with the op, the shapes and the line
// that built the node.
func ExampleCompile_buildError() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 4, 2)
	w := g.Input("w", tensor.Float64, 3, 1)
	y := ops.MatMul(x, w)
	_, err := graph.Compile(y)
	fmt.Println(err)
	// Output: graft: MatMul(x (4, 2) float64, w (3, 1) float64) at graph/example_test.go:48: inner dimensions differ: 2 and 3
}

// Run names the input whose feed is wrong.
func ExampleProgram_Run_wrongShape() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	prog, _ := graph.Compile(ops.Exp(x))
	_, err := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3}))})
	fmt.Println(err)
	// Output: graft: Run: input "x" wants shape (2,), the feed has shape (3,)
}

// Draw the graph of a small expression in Graphviz's DOT language.
func ExampleWriteDOT() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	w := g.Param("w", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})))
	y := ops.Sum(ops.Mul(x, w))
	if err := graph.WriteDOT(os.Stdout, g, y); err != nil {
		fmt.Println(err)
	}
	// Output:
	// digraph graft {
	//   rankdir=TB;
	//   node [fontname="Helvetica", fontsize=10];
	//   n0 [label="x\n(3,)", shape=box, style=filled, fillcolor="#c7e9c0"];
	//   n1 [label="w\n(3,)", shape=box, style=filled, fillcolor="#fdd0a2"];
	//   n2 [label="Mul#2\n(3,)", shape=ellipse];
	//   n3 [label="Sum#3\n()", shape=ellipse, peripheries=2];
	//   n0 -> n2 [label=0];
	//   n1 -> n2 [label=1];
	//   n2 -> n3 [];
	// }
}

// The graph keeps a parameter's own tensor: a change written into it, as an
// optimizer step does, is seen by the next run without recompiling.
func ExampleGraph_Param() {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})))
	y := ops.Sum(ops.Square(w))
	prog, err := graph.Compile(y)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := prog.Run(nil)
	fmt.Println(out[0].Float64s())

	data := w.Value().Float64s()
	for i := range data {
		data[i] -= 0.5 // a step of plain gradient descent, say
	}
	out, _ = prog.Run(nil)
	fmt.Println(out[0].Float64s())
	// Output:
	// [5]
	// [2.5]
}

func ExampleNew() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	y := ops.Sum(ops.Square(x))
	fmt.Println(len(g.Nodes()), "nodes:", x, "->", y)
	// Output: 3 nodes: x (3,) float64 -> Sum#2 () float64
}

// An input is fed on every run with a tensor of exactly its dtype and shape.
func ExampleGraph_Input() {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 2, 2)
	prog, _ := graph.Compile(ops.Mean(x))
	for _, batch := range [][]float32{{1, 2, 3, 4}, {0, 0, 0, 4}} {
		out, _ := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(batch))})
		fmt.Println(x, "mean:", out[0].Float32s())
	}
	// Output:
	// x (2, 2) float32 mean: [2.5]
	// x (2, 2) float32 mean: [1]
}

// A constant is part of the graph: it needs no feed and gets no gradient.
func ExampleGraph_Const() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	mean := g.Const("mean", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})))
	prog, _ := graph.Compile(ops.Sub(x, mean))
	out, _ := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 1, 1}))})
	fmt.Println(mean.Kind(), out[0].Float64s())
	// Output: constant [0 -1 -2]
}

// hypotOp computes √(a² + b²) of two inputs of the same shape: a new
// primitive is an Op with a shape rule, a kernel and a gradient rule.
type hypotOp struct{}

func (hypotOp) Name() string { return "Hypot" }

func (hypotOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	if len(in) != 2 || !in[0].Shape().Equal(in[1].Shape()) || in[0].DType() != in[1].DType() {
		return nil, graph.DType{}, errors.New("wants two inputs of one shape and dtype")
	}
	return in[0].Shape(), in[0].DType(), nil
}

func (hypotOp) Forward(out *graph.Value, in []*graph.Value) {
	for i := range out.F64 {
		out.F64[i] = math.Hypot(in[0].F64[i], in[1].F64[i])
	}
	for i := range out.F32 {
		out.F32[i] = float32(math.Hypot(float64(in[0].F32[i]), float64(in[1].F32[i])))
	}
}

// Grad: ∂y/∂a = a/y and ∂y/∂b = b/y, built from ops.
func (hypotOp) Grad(node, dy *graph.Node, i int) *graph.Node {
	return ops.Mul(dy, ops.Div(node.Inputs()[i], node))
}

func ExampleApply() {
	g := graph.New()
	a := g.Param("a", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 5})))
	b := g.Input("b", tensor.Float64, 2)
	y := graph.Apply(hypotOp{}, a, b)
	feeds := graph.Feeds{b: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{4, 12}))}
	prog, _ := graph.Compile(y)
	out, _ := prog.Run(feeds)
	fmt.Println(y, out[0].Float64s())
	fmt.Println("gradient check:", autodiff.CheckGrad(ops.Sum(y), []*graph.Node{a, b}, feeds, autodiff.DefaultTolerance))

	_, err := graph.Compile(graph.Apply(hypotOp{}, a, g.Input("c", tensor.Float64, 3)))
	fmt.Println(errors.Unwrap(err))
	// Output:
	// Hypot#2 (2,) float64 [5 13]
	// gradient check: <nil>
	// wants two inputs of one shape and dtype
}

// clip is a builder made of several ops; it reports a bad argument with
// Reject, as an op reports bad shapes.
func clip(x *graph.Node, lo, hi float64) *graph.Node {
	if lo > hi {
		return graph.Reject("Clip", fmt.Errorf("lo %v is above hi %v", lo, hi), x)
	}
	return ops.Minimum(ops.Maximum(x, ops.ScalarLike(x, lo)), ops.ScalarLike(x, hi))
}

func ExampleReject() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	y := ops.Square(clip(x, 1, -1)) // building goes on; Compile reports the mistake
	_, err := graph.Compile(y)
	// err.Error() also gives the file:line of the Reject call.
	var mistake *graph.BuildError
	if errors.As(err, &mistake) {
		fmt.Println(mistake.Op, mistake.Inputs, mistake.Err)
	}
	// Output: Clip [x (3,) float64] lo 1 is above hi -1
}

// Err reports the first mistake as soon as it is made, before Compile.
func ExampleGraph_Err() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	fmt.Println(g.Err())
	ops.Reshape(x, 4, -1)
	fmt.Println(errors.Unwrap(g.Err()))
	// Output:
	// <nil>
	// cannot reshape 6 elements to (4, -1)
}

// A result fed back as the next run's input, as an iterative method is
// written: Newton's step for √2, x ← (x + 2/x)/2, run on its own output.
func ExampleProgram_Run_feedback() {
	g := graph.New()
	x := g.Input("x", tensor.Float64)
	half := ops.ScalarLike(x, 0.5)
	next := ops.Mul(half, ops.Add(x, ops.Div(ops.ScalarLike(x, 2), x)))
	prog, err := graph.Compile(next, ops.Square(next))
	if err != nil {
		fmt.Println(err)
		return
	}
	feeds := graph.Feeds{x: tensor.New(tensor.FromScalar(1.0))}
	for range 4 {
		out, err := prog.Run(feeds)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("x = %.12f, x² = %.12f\n", out[0].Float64s()[0], out[1].Float64s()[0])
		feeds[x] = out[0] // the result itself, not a copy
	}
	// Output:
	// x = 1.500000000000, x² = 2.250000000000
	// x = 1.416666666667, x² = 2.006944444444
	// x = 1.414215686275, x² = 2.000006007305
	// x = 1.414213562375, x² = 2.000000000005
}

// CheckShape and CheckDType are the rules every node obeys, for a builder
// that makes its own tensor to check before it allocates.
func ExampleCheckShape() {
	fmt.Println(graph.CheckShape(graph.Shape{3, 4}))
	fmt.Println(graph.CheckShape(graph.Shape{3, 0}))
	fmt.Println(graph.CheckShape(graph.Shape{1 << 20, 1 << 20}))
	fmt.Println(graph.CheckDType(tensor.Int))
	// Output:
	// <nil>
	// shape (3, 0) has an axis of size 0: every axis must be at least 1
	// shape (1048576, 1048576) has more than 17179869184 (1<<34) elements, the most a tensor may hold (graph.MaxElements)
	// dtype int is not supported: graft computes in float32 and float64
}

// CheckValue tells whether a tensor can replace a parameter's: the same
// dtype and shape, contiguous, no mask.
func ExampleNode_CheckValue() {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})))
	fmt.Println(w.CheckValue(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{4, 5, 6}))))
	fmt.Println(w.CheckValue(tensor.New(tensor.WithShape(6), tensor.WithBacking(make([]float32, 6)))))
	// Output:
	// <nil>
	// parameter "w" (built at graph/example_test.go:272 as (3,) float64) cannot hold a float32 tensor of shape (6,)
}

// Compile runs a product, its bias and its activation as one step, the bias
// and the ReLU applied in the GEMM's write-out; SetFusion(false) runs them
// one by one. The numbers are the same either way. (Tensors of fewer than
// 256 elements are never fused: there a fused step's calls cost more than
// the passes over memory they save.)
func ExampleProgram_Steps() {
	xs := make([]float32, 128*3)
	for i := range xs {
		xs[i] = float32(i%7) - 3
	}
	for _, fuse := range []bool{true, false} {
		g := graph.New()
		g.SetFusion(fuse)
		x := g.Input("x", tensor.Float32, 128, 3)
		w := g.Param("w", tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{1, -1, 2, 0, -1, 1})))
		b := g.Param("b", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, -4})))
		y := ops.ReLU(ops.Add(ops.MatMul(x, w), b))
		prog, err := graph.Compile(y)
		if err != nil {
			fmt.Println(err)
			return
		}
		out, err := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(128, 3), tensor.WithBacking(xs))})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(prog.Steps(), out[0].Data().([]float32)[:6])
	}
	// Output:
	// [Fused(MatMul→Add→ReLU)] [0 0 0.5 0 0 0]
	// [MatMul Add ReLU] [0 0 0.5 0 0 0]
}

// A Dense layer's loss and gradients, drawn as the program runs them: the
// ops of each fused step are boxed together (docs/img/fused-dense-step.svg
// is this output, rendered with `dot -Tsvg`).
func ExampleProgram_WriteDOT() {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 128, 2)
	w := g.Param("w", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6))))
	b := g.Param("b", tensor.New(tensor.WithShape(3), tensor.WithBacking(make([]float32, 3))))
	loss := ops.Sum(ops.Square(ops.ReLU(ops.Add(ops.MatMul(x, w), b))))
	grads, err := autodiff.Grad(loss, w, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := prog.WriteDOT(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// digraph graft {
	//   rankdir=TB;
	//   node [fontname="Helvetica", fontsize=10];
	//   subgraph cluster_0 {
	//     label="one step"; fontname="Helvetica"; fontsize=9; style="rounded,filled"; fillcolor="#fff7bc"; color="#d95f0e";
	//     n3;
	//     n4;
	//     n5;
	//   }
	//   subgraph cluster_1 {
	//     label="one step"; fontname="Helvetica"; fontsize=9; style="rounded,filled"; fillcolor="#fff7bc"; color="#d95f0e";
	//     n12;
	//     n13;
	//     n14;
	//   }
	//   n0 [label="x\n(128, 2)", shape=box, style=filled, fillcolor="#c7e9c0"];
	//   n1 [label="w\n(2, 3)", shape=box, style=filled, fillcolor="#fdd0a2"];
	//   n2 [label="b\n(3,)", shape=box, style=filled, fillcolor="#fdd0a2"];
	//   n3 [label="MatMul#3\n(128, 3)", shape=ellipse];
	//   n4 [label="Add#4\n(128, 3)", shape=ellipse];
	//   n5 [label="ReLU#5\n(128, 3)", shape=ellipse];
	//   n6 [label="Square#6\n(128, 3)", shape=ellipse];
	//   n7 [label="Sum#7\n()", shape=ellipse, peripheries=2];
	//   n8 [label="1\n()", shape=box, style=filled, fillcolor="#e0e0e0"];
	//   n9 [label="Reshape#9\n(1, 1)", shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5"];
	//   n10 [label="BroadcastTo#10\n(128, 3)", shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5"];
	//   n11 [label="2\n()", shape=box, style=filled, fillcolor="#e0e0e0"];
	//   n12 [label="Mul#12\n(128, 3)", shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5"];
	//   n13 [label="Mul#13\n(128, 3)", shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5"];
	//   n14 [label="ReLUGrad#14\n(128, 3)", shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5"];
	//   n15 [label="Sum#15\n(3,)", shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5", peripheries=2];
	//   n16 [label="MatMulTN#16\n(2, 3)", shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5", peripheries=2];
	//   n0 -> n3 [label=0];
	//   n1 -> n3 [label=1];
	//   n3 -> n4 [label=0];
	//   n2 -> n4 [label=1];
	//   n4 -> n5 [];
	//   n5 -> n6 [];
	//   n6 -> n7 [];
	//   n8 -> n9 [color="#2171b5"];
	//   n9 -> n10 [color="#2171b5"];
	//   n11 -> n12 [label=0, color="#2171b5"];
	//   n5 -> n12 [label=1, color="#2171b5"];
	//   n10 -> n13 [label=0, color="#2171b5"];
	//   n12 -> n13 [label=1, color="#2171b5"];
	//   n5 -> n14 [label=0, color="#2171b5"];
	//   n13 -> n14 [label=1, color="#2171b5"];
	//   n14 -> n15 [color="#2171b5"];
	//   n0 -> n16 [label=0, color="#2171b5"];
	//   n14 -> n16 [label=1, color="#2171b5"];
	// }

}
