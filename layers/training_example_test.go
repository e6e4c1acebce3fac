package layers_test

import (
	"fmt"
	"os"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/layers"
	"graft/ops"
)

// A batch-norm layer applied once in each mode: the training program
// normalizes with the batch's statistics and updates the running ones,
// which the inference program then uses.
func ExampleModel_BatchNorm() {
	g := graph.New()
	m := layers.NewModel(1)
	bn := m.BatchNorm(layers.BatchNormConfig{}) // PyTorch's defaults: momentum 0.1, eps 1e-5
	x := g.Input("x", tensor.Float64, 4, 1)

	g.SetTraining(true)
	train, _ := graph.Compile(bn.Apply(x))
	g.SetTraining(false)
	eval, _ := graph.Compile(bn.Apply(x))

	xs, _ := graph.NewTensor(tensor.Float64, []float64{1, 2, 3, 4}, 4, 1)
	out, _ := train.Run(graph.Feeds{x: xs})
	fmt.Printf("training:  %.4f\n", out[0].Data())
	fmt.Printf("running:   mean %.4f, var %.4f\n", bn.RunningMean().Value().Data(), bn.RunningVar().Value().Data())
	out, _ = eval.Run(graph.Feeds{x: xs})
	fmt.Printf("inference: %.4f\n", out[0].Data())
	// Output:
	// training:  [-1.3416 -0.4472 0.4472 1.3416]
	// running:   mean [0.2500], var [1.0667]
	// inference: [0.7262 1.6944 2.6627 3.6309]
}

// Dropout drops only in training mode; in inference it is the identity.
func ExampleModel_Dropout() {
	g := graph.New()
	m := layers.NewModel(1)
	drop := m.Dropout(0.5)
	x := g.Input("x", tensor.Float64, 6)
	xs, _ := graph.NewTensor(tensor.Float64, []float64{1, 1, 1, 1, 1, 1}, 6)

	fmt.Println("inference returns x itself:", drop.Apply(x) == x)
	g.SetTraining(true)
	prog, _ := graph.Compile(drop.Apply(x))
	out, _ := prog.Run(graph.Feeds{x: xs})
	fmt.Println("training:", out[0].Data())
	// Output:
	// inference returns x itself: true
	// training: [0 2 0 0 0 2]
}

func ExampleModel_Flatten() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("images", tensor.Float32, 64, 8, 5, 5)
	flatten, dense := m.Flatten(), m.Dense(10, nil)
	y := dense.Apply(flatten.Apply(x))
	fmt.Println(y.Shape())
	m.Summary(os.Stdout)
	// Output:
	// (64, 10)
	// Layer (type)        Output shape  Param #
	// =========================================
	// flatten1 (Flatten)  (64, 200)           0
	// dense1 (Dense)      (64, 10)        2,010
	// =========================================
	// Total params: 2,010 (7.85 KiB)
}

func ExampleModel_MaxPool2D() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("images", tensor.Float32, 64, 8, 24, 24)
	pool := m.MaxPool2D(2, 0, 0) // stride 0 means the kernel size, as in PyTorch
	fmt.Println(pool.Apply(x).Shape())
	// Output: (64, 8, 12, 12)
}

func ExampleModel_GlobalAvgPool2D() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("features", tensor.Float32, 64, 32, 7, 7)
	fmt.Println(m.GlobalAvgPool2D().Apply(x).Shape())
	// Output: (64, 32)
}

// A LeNet-style block: a ReLU convolution, then max pooling. The weight has
// PyTorch's layout (C_out, C_in, kH, kW), so a torch.nn.Conv2d's weight
// loads into it as it is.
func ExampleModel_Conv2D() {
	g := graph.New()
	m := layers.NewModel(1)
	conv := m.Conv2D(16, 5, activations.ReLU, ops.ConvConfig{Padding: ops.SymmetricPadding(2)})
	pool := m.MaxPool2D(2, 0, 0)
	x := g.Input("images", tensor.Float32, 64, 1, 28, 28)
	y := pool.Apply(conv.Apply(x))
	fmt.Println(conv.Kernel().Name(), conv.Kernel().Shape(), "->", y.Shape())
	// Output: conv1/W (16, 1, 5, 5) -> (64, 16, 14, 14)
}

func ExampleModel_Conv1D() {
	g := graph.New()
	m := layers.NewModel(1)
	conv := m.Conv1D(8, 3, nil, ops.ConvConfig{Stride: []int{2}})
	fmt.Println(conv.Apply(g.Input("signal", tensor.Float64, 4, 2, 100)).Shape())
	// Output: (4, 8, 49)
}

// With stride 2 a transposed convolution doubles the image, as a decoder's
// upsampling step does.
func ExampleModel_ConvTranspose2D() {
	g := graph.New()
	m := layers.NewModel(1)
	up := m.ConvTranspose2D(3, 2, nil, ops.ConvTransposeConfig{Stride: []int{2}})
	y := up.Apply(g.Input("features", tensor.Float32, 1, 16, 7, 7))
	fmt.Println(up.Kernel().Shape(), "->", y.Shape())
	// Output: (16, 3, 2, 2) -> (1, 3, 14, 14)
}

// Token ids become vectors: an Embedding, then sinusoidal positions and a
// layer norm, as a transformer's input does.
func ExampleModel_Embedding() {
	g := graph.New()
	m := layers.NewModel(1)
	ids := g.Input("ids", graph.Int64, 8, 16) // 8 sequences of 16 tokens
	embed := m.Embedding(100, 32, tensor.Float32)
	x := ops.Add(embed.Apply(ids), layers.SinusoidalPositions(g, 16, 32, tensor.Float32))
	y := m.LayerNorm(layers.NormConfig{}).Apply(x)
	fmt.Println(embed.Table().Shape(), y.Shape())
	// Output: (100, 32) (8, 16, 32)
}

func ExampleModel_LayerNorm() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float64, 2, 3)
	xs, _ := graph.NewTensor(tensor.Float64, []float64{1, 2, 6, 4, 4, 4}, 2, 3)
	prog, _ := graph.Compile(m.LayerNorm(layers.NormConfig{}).Apply(x))
	out, _ := prog.Run(graph.Feeds{x: xs})
	fmt.Printf("%.4f\n", out[0].Data())
	// Output: [-0.9258 -0.4629 1.3887 0.0000 0.0000 0.0000]
}

func ExampleModel_RMSNorm() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float64, 1, 2)
	xs, _ := graph.NewTensor(tensor.Float64, []float64{3, 4}, 1, 2)
	prog, _ := graph.Compile(m.RMSNorm(layers.NormConfig{}).Apply(x))
	out, _ := prog.Run(graph.Feeds{x: xs})
	fmt.Printf("%.4f\n", out[0].Data()) // x / √((9 + 16)/2)
	// Output: [0.8485 1.1314]
}

func ExampleModel_GroupNorm() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("features", tensor.Float32, 8, 32, 7, 7)
	fmt.Println(m.GroupNorm(4, layers.NormConfig{}).Apply(x).Shape())
	// Output: (8, 32, 7, 7)
}

func ExampleModel_PositionalEmbedding() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("tokens", tensor.Float32, 8, 10, 32)
	pe := m.PositionalEmbedding(64, 32, tensor.Float32) // up to 64 steps
	fmt.Println(pe.Apply(x).Shape(), m.Params()[0].Name(), m.Params()[0].Shape())
	// Output: (8, 10, 32) embedding1/P (64, 32)
}

func ExampleSinusoidalPositions() {
	g := graph.New()
	p := layers.SinusoidalPositions(g, 50, 16, tensor.Float32)
	fmt.Println(p.Shape(), p.Kind())
	// Output: (50, 16) constant
}
