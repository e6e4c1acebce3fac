package layers_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/layers"
)

// Self-attention of a batch of sequences: 2 sequences of 5 steps of width
// 8, split over 2 heads of width 4, each step seeing itself and the steps
// before it.
func ExampleModel_MultiHeadAttention() {
	g := graph.New()
	m := layers.NewModel(1)
	mha := m.MultiHeadAttention(8, layers.AttentionConfig{Heads: 2, Causal: true})
	y := mha.Apply(g.Input("x", tensor.Float32, 2, 5, 8))
	fmt.Println("y:", y.Shape())
	for _, p := range m.Params()[:4] {
		fmt.Println(p)
	}
	fmt.Println(m.NumParams(), "parameters")
	// Output:
	// y: (2, 5, 8)
	// mha1/Wq (8, 8) float32
	// mha1/bq (8,) float32
	// mha1/Wk (8, 8) float32
	// mha1/bk (8,) float32
	// 288 parameters
}

// Cross-attention: queries from one sequence, keys and values from another
// of a different length, with the keys of each context padded past its
// length (given as graph.Int64 lengths).
func ExampleMultiHeadAttention_Attend() {
	g := graph.New()
	mha := layers.NewModel(1).MultiHeadAttention(4, layers.AttentionConfig{Heads: 2})
	query := g.Input("decoder", tensor.Float64, 2, 3, 4)
	context := g.Input("encoder", tensor.Float64, 2, 6, 4)
	lengths := g.Input("lengths", graph.Int64, 2)
	y := mha.Attend(query, context, lengths)
	fmt.Println(y.Shape())
	// Output: (2, 3, 4)
}

// AttendWeights also returns every head's weights. A masked key gets
// exactly 0, and a query with no key left (a length of 0) gets a row of
// zeros where PyTorch gives NaN. With Wq zeroed every score is 0, so the
// weights share a row evenly among the keys it may attend to.
func ExampleMultiHeadAttention_AttendWeights() {
	g := graph.New()
	mha := layers.NewModel(1).MultiHeadAttention(2, layers.AttentionConfig{})
	x := g.Input("x", tensor.Float64, 2, 3, 2)
	lengths := g.Input("lengths", graph.Int64, 2)
	_, weights := mha.AttendWeights(x, x, lengths)
	wq, _, _, _ := mha.Kernels()
	clear(wq.Value().Float64s())
	prog, _ := graph.Compile(weights)
	out, _ := prog.Run(graph.Feeds{
		x:       tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1})),
		lengths: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{2, 0})),
	})
	w := out[0].Float64s()
	fmt.Printf("sequence 1, query 1: %.3f\n", w[0:3])
	fmt.Printf("sequence 2, query 1: %.3f\n", w[9:12])
	// Output:
	// sequence 1, query 1: [0.500 0.500 0.000]
	// sequence 2, query 1: [0.000 0.000 0.000]
}

// SetTorchWeights loads a torch.nn.MultiheadAttention's weights, flattened
// in PyTorch's order:
//
//	mha.SetTorchWeights(t.in_proj_weight.flatten().tolist(), t.in_proj_bias.flatten().tolist(),
//		t.out_proj.weight.flatten().tolist(), t.out_proj.bias.flatten().tolist())
//
// Here a width of 2: Wq is the transpose of in_proj_weight's first block.
func ExampleMultiHeadAttention_SetTorchWeights() {
	g := graph.New()
	mha := layers.NewModel(1).MultiHeadAttention(2, layers.AttentionConfig{})
	mha.Apply(g.Input("x", tensor.Float64, 1, 1, 2)) // makes the parameters
	inProj := []float64{
		1, 2, 3, 4, // the query block, (Wq)ᵀ
		5, 6, 7, 8, // the key block
		9, 10, 11, 12, // the value block
	}
	err := mha.SetTorchWeights(inProj, make([]float64, 6), []float64{1, 0, 0, 1}, make([]float64, 2))
	wq, _, _, _ := mha.Kernels()
	fmt.Println(wq.Value().Float64s(), err)
	// Output: [1 3 2 4] <nil>
}

// Kernels and Biases return the parameters once the layer has been applied;
// a layer made with NoBias has none.
func ExampleMultiHeadAttention_Kernels() {
	g := graph.New()
	mha := layers.NewModel(1).MultiHeadAttention(6, layers.AttentionConfig{Heads: 3, NoBias: true}, layers.WithName("cross"))
	wq, _, _, _ := mha.Kernels()
	fmt.Println(mha.Name(), mha.Heads(), wq)
	mha.Apply(g.Input("x", tensor.Float32, 1, 2, 6))
	wq, wk, wv, wo := mha.Kernels()
	bq, _, _, _ := mha.Biases()
	fmt.Println(wq, wk, wv, wo, bq == nil)
	// Output:
	// cross 3 <nil>
	// cross/Wq (6, 6) float32 cross/Wk (6, 6) float32 cross/Wv (6, 6) float32 cross/Wo (6, 6) float32 true
}

// Apply is causal self-attention when the layer is made Causal: the first
// step can only attend to itself, so with Wv = Wo = I and no bias its
// output is its own input.
func ExampleMultiHeadAttention_Apply() {
	g := graph.New()
	mha := layers.NewModel(1).MultiHeadAttention(2, layers.AttentionConfig{Causal: true, NoBias: true})
	x := g.Input("x", tensor.Float64, 1, 3, 2)
	y := mha.Apply(x)
	_, _, wv, wo := mha.Kernels()
	copy(wv.Value().Float64s(), []float64{1, 0, 0, 1})
	copy(wo.Value().Float64s(), []float64{1, 0, 0, 1})
	prog, _ := graph.Compile(y)
	out, _ := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(1, 3, 2), tensor.WithBacking([]float64{0.5, -2, 1, 1, 3, 0}))})
	fmt.Printf("%.4f\n", out[0].Float64s()[:2])
	// Output: [0.5000 -2.0000]
}
