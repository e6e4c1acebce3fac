package layers_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"

	"gorgonia.org/tensor"

	"graft/activations"
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
	residual := activations.Func(func(x *graph.Node) *graph.Node {
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

// Two models given the same seed start from the same weights.
func ExampleNewModel() {
	kernel := func(seed uint64) []float64 {
		g := graph.New()
		d := layers.NewModel(seed).Dense(2, nil)
		d.Apply(g.Input("x", tensor.Float64, 1, 2))
		return d.Kernel().Value().Float64s()
	}
	fmt.Printf("seed 1: %.4f\nseed 1: %.4f\nseed 2: %.4f\n", kernel(1), kernel(1), kernel(2))
	// Output:
	// seed 1: [-0.9390 -0.7034 -0.2284 -0.8623]
	// seed 1: [-0.9390 -0.7034 -0.2284 -0.8623]
	// seed 2: [0.3695 1.1111 -0.3855 -0.9506]
}

func ExampleWithName() {
	g := graph.New()
	m := layers.NewModel(1)
	encoder := m.Dense(8, ops.ReLU, layers.WithName("encoder"))
	encoder.Apply(g.Input("x", tensor.Float32, 4, 16))
	fmt.Println(encoder.Name(), m.Params())
	fmt.Println(m.Lookup("encoder/W"))
	// Output:
	// encoder [encoder/W (16, 8) float32 encoder/b (8,) float32]
	// encoder/W (16, 8) float32
}

func ExampleWithInit() {
	g := graph.New()
	m := layers.NewModel(1)
	d := m.Dense(2, nil, layers.WithInit(layers.Constant(0.5)))
	x := g.Input("x", tensor.Float64, 1, 3)
	prog, _ := graph.Compile(d.Apply(x))
	out, _ := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))})
	fmt.Println(d.Kernel().Value().Float64s(), out[0].Float64s())
	// Output:
	// [0.5 0.5 0.5 0.5 0.5 0.5] [3 3]
}

// A small positive bias keeps ReLU units active at the start of training.
func ExampleWithBiasInit() {
	g := graph.New()
	m := layers.NewModel(1)
	d := m.Dense(4, ops.ReLU, layers.WithBiasInit(layers.Constant(0.1)))
	d.Apply(g.Input("x", tensor.Float32, 8, 2))
	fmt.Println(d.Bias(), d.Bias().Value().Float32s())
	// Output:
	// dense1/b (4,) float32 [0.1 0.1 0.1 0.1]
}

// Without a bias the layer computes act(x·W), with a kernel only.
func ExampleWithoutBias() {
	g := graph.New()
	m := layers.NewModel(1)
	d := m.Dense(4, nil, layers.WithoutBias())
	d.Apply(g.Input("x", tensor.Float32, 8, 3))
	fmt.Println(m.Params(), d.Bias() == nil, m.NumParams())
	// Output:
	// [dense1/W (3, 4) float32] true 12
}

// spread fills a (fanIn, fanOut) kernel with init and prints the mean, the
// standard deviation and the range of its values.
func spread(init layers.Initializer, fanIn, fanOut int) {
	w := make([]float64, fanIn*fanOut)
	init(w, fanIn, fanOut, rand.New(rand.NewPCG(1, 2)))
	var sum, squares float64
	for _, v := range w {
		sum, squares = sum+v, squares+v*v
	}
	mean := sum / float64(len(w))
	std := math.Sqrt(squares/float64(len(w)) - mean*mean)
	fmt.Printf("mean %.4f, std %.4f, in [%.4f, %.4f]\n", mean, std, slices.Min(w), slices.Max(w))
}

func ExampleGlorotUniform() {
	// limit = √(6 / (200 + 400)) = 0.1; the std of U(-0.1, 0.1) is 0.1/√3.
	spread(layers.GlorotUniform, 200, 400)
	// Output:
	// mean 0.0001, std 0.0577, in [-0.1000, 0.1000]
}

func ExampleGlorotNormal() {
	// std = √(2 / (200 + 200)) = 0.0707, truncated at 2.27 std.
	spread(layers.GlorotNormal, 200, 200)
	// Output:
	// mean -0.0001, std 0.0708, in [-0.1607, 0.1607]
}

func ExampleHeUniform() {
	// limit = √(6 / 600) = 0.1, whatever the fan-out.
	spread(layers.HeUniform, 600, 100)
	// Output:
	// mean 0.0001, std 0.0577, in [-0.1000, 0.1000]
}

func ExampleHeNormal() {
	// std = √(2 / 200) = 0.1, truncated at 2.27 std.
	spread(layers.HeNormal, 200, 100)
	// Output:
	// mean -0.0011, std 0.1003, in [-0.2273, 0.2273]
}

func ExampleLeCunUniform() {
	// limit = √(3 / 300) = 0.1.
	spread(layers.LeCunUniform, 300, 100)
	// Output:
	// mean -0.0001, std 0.0579, in [-0.1000, 0.1000]
}

func ExampleLeCunNormal() {
	// std = √(1 / 100) = 0.1, truncated at 2.27 std.
	spread(layers.LeCunNormal, 100, 300)
	// Output:
	// mean -0.0004, std 0.1002, in [-0.2273, 0.2273]
}

func ExampleNormal() {
	spread(layers.Normal(1, 0.5), 100, 100) // untruncated
	// Output:
	// mean 1.0042, std 0.5006, in [-1.3190, 3.0148]
}

func ExampleUniform() {
	spread(layers.Uniform(0, 1), 100, 100)
	// Output:
	// mean 0.5002, std 0.2893, in [0.0001, 0.9999]
}

func ExampleConstant() {
	w := make([]float64, 3)
	layers.Constant(0.5)(w, 3, 1, nil) // a constant needs no random numbers
	fmt.Println(w)
	// Output: [0.5 0.5 0.5]
}

func ExampleOnes() {
	g := graph.New()
	m := layers.NewModel(1)
	scale := m.Param(g, "scale", tensor.Float64, layers.Ones, 4) // a gain that starts as the identity
	fmt.Println(scale, scale.Value().Float64s())
	// Output: scale (4,) float64 [1 1 1 1]
}

func ExampleZeros() {
	g := graph.New()
	m := layers.NewModel(1)
	// A last layer that starts at zero makes a residual block x + f(x) start as the identity.
	d := m.Dense(2, nil, layers.WithInit(layers.Zeros))
	d.Apply(g.Input("x", tensor.Float64, 1, 3))
	fmt.Println(d.Kernel().Value().Float64s(), d.Bias().Value().Float64s())
	// Output: [0 0 0 0 0 0] [0 0]
}

// A Dense layer applied to a sequence (batch, time, features) transforms
// every step along the last axis with the same W and b, as torch.nn.Linear.
func ExampleDense_Apply_sequence() {
	g := graph.New()
	m := layers.NewModel(1)
	d := m.Dense(8, nil)
	y := d.Apply(g.Input("steps", tensor.Float32, 2, 5, 3))
	fmt.Println(y.Shape(), d.Kernel())
	// Output: (2, 5, 8) dense1/W (3, 8) float32
}
