package graph_test

import (
	"fmt"
	"os"

	"gorgonia.org/tensor"

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
	// Output: graft: MatMul(x (4, 2) float64, w (3, 1) float64) at graph/example_test.go:45: inner dimensions differ: 2 and 3
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
