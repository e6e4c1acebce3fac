package layers_test

import (
	"fmt"
	"os"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/layers"
	"graft/ops"
)

// A Dense layer takes its input width from the node it is applied to and
// creates its parameters then.
func ExampleModel_Dense() {
	g := graph.New()
	m := layers.NewModel(1)
	hidden := m.Dense(10, ops.ReLU) // Glorot-uniform kernel, zero bias
	out := m.Dense(1, ops.Sigmoid, layers.WithName("out"), layers.WithInit(layers.HeUniform))

	x := g.Input("x", tensor.Float64, 4, 2)
	y := out.Apply(hidden.Apply(x))
	fmt.Println("y:", y.Shape())
	for _, p := range m.Params() {
		fmt.Println(p)
	}
	fmt.Println("values:", m.NumParams())
	// Output:
	// y: (4, 1)
	// dense1/W (2, 10) float64
	// dense1/b (10,) float64
	// out/W (10, 1) float64
	// out/b (1,) float64
	// values: 41
}

// A Sequential applied twice (to a training batch and to one evaluation
// row) builds its parameters once; both outputs read the same weights.
func ExampleSequential() {
	g := graph.New()
	m := layers.NewModel(1)
	net := layers.Sequential{m.Dense(10, ops.ReLU), m.Dense(1, ops.Sigmoid)}

	train := net.Apply(g.Input("batch", tensor.Float32, 4, 2))
	eval := net.Apply(g.Input("row", tensor.Float32, 1, 2))
	fmt.Println(train.Shape(), eval.Shape(), len(m.Params()), "params")
	// Output: (4, 1) (1, 1) 4 params
}

// A custom layer is a plain function of nodes: here a residual block,
// x + Dense(Dense(x)). Its two Dense layers are created once, outside the
// function, so every application shares them.
func ExampleFunc() {
	g := graph.New()
	m := layers.NewModel(1)
	inner, outer := m.Dense(3, ops.Tanh), m.Dense(3, nil)
	residual := layers.Func(func(x *graph.Node) *graph.Node {
		return ops.Add(x, outer.Apply(inner.Apply(x)))
	})

	x := g.Input("x", tensor.Float64, 1, 3)
	y := residual.Apply(x)

	// With the outer layer zeroed the block passes its input through.
	clear(outer.Kernel().Value().Float64s())
	prog, _ := graph.Compile(y)
	out, _ := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))})
	fmt.Println(out[0].Float64s())
	// Output: [1 2 3]
}

// Summary prints a table like Keras' model.summary().
func ExampleModel_Summary() {
	g := graph.New()
	m := layers.NewModel(1)
	net := layers.Sequential{m.Dense(10, ops.ReLU), m.Dense(1, ops.Sigmoid)}
	net.Apply(g.Input("x", tensor.Float32, 4, 2))
	m.Summary(os.Stdout)
	// Output:
	// Layer (type)    Output shape  Param #
	// =====================================
	// dense1 (Dense)  (4, 10)            30
	// dense2 (Dense)  (4, 1)             11
	// =====================================
	// Total params: 41 (164 B)
}

// Model.Param gives a custom layer a parameter of its own, seeded, named and
// listed with the rest of the model's.
func ExampleModel_Param() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float64, 2, 3)
	gain := m.Param(g, "gain", tensor.Float64, layers.Ones, 3)
	y := ops.Mul(x, gain) // a learnable per-feature scale
	fmt.Println(y.Shape(), m.Lookup("gain"), m.NumParams())
	// Output: (2, 3) gain (3,) float64 3
}
