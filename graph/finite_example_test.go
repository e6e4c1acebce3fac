package graph_test

import (
	"fmt"
	"strings"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// A log of 0 is found at the node that computed it, not at the loss.
func ExampleProgram_CheckFinite() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	loss := ops.Mean(ops.Log(x))
	prog, _ := graph.Compile(loss)
	prog.CheckFinite(true)
	xs := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 0, 2}))
	_, err := prog.Run(graph.Feeds{x: xs})
	msg := err.Error()
	fmt.Println(msg[:strings.Index(msg, ", built at")])
	// Output: graft: Run: -Inf at element 1 of Log#1 (3,) float64, a forward node
}

func ExampleProgram_Memory() {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 64, 784)
	w := g.Param("w", tensor.New(tensor.WithShape(784, 10), tensor.WithBacking(make([]float32, 7840))))
	prog, _ := graph.Compile(ops.Softmax(ops.MatMul(x, w), -1))
	fmt.Printf("%+v\n", prog.Memory())
	// Output: {Arena:5120 Params:31360 Constants:0}
}

// The same net with its middle layer rematerialized: its activations are
// recomputed in the backward pass, so the arena holds fewer of them.
func ExampleGraph_Rematerialize() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 256, 16)
	w := g.Param("w", tensor.New(tensor.WithShape(16, 16), tensor.WithBacking(make([]float64, 256))))
	h := ops.Tanh(ops.MatMul(x, w))
	g.Rematerialize(func() { h = ops.Tanh(ops.MatMul(ops.Tanh(ops.MatMul(h, w)), w)) })
	h = ops.Tanh(ops.MatMul(h, w))
	fmt.Println(h.Shape(), "rematerialized:", h.Inputs()[0].Inputs()[0].Rematerialized())
	// Output: (256, 16) rematerialized: true
}
