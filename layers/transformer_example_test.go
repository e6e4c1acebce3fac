package layers_test

import (
	"fmt"
	"os"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/layers"
)

// A pre-norm transformer block is a custom layer made of other layers; its
// parts are named under the block's name and listed in the summary.
func ExampleModel_TransformerBlock() {
	g := graph.New()
	m := layers.NewModel(1)
	block := m.TransformerBlock(16, layers.BlockConfig{Heads: 4, Causal: true, Dropout: 0.1})
	y := block.Apply(g.Input("x", tensor.Float32, 2, 10, 16))
	fmt.Println("y:", y.Shape())
	_ = m.Summary(os.Stdout)
	// Output:
	// y: (2, 10, 16)
	// Layer (type)                      Output shape  Param #
	// =======================================================
	// block1/ln1 (LayerNorm)            (2, 10, 16)        32
	// block1/attn (MultiHeadAttention)  (2, 10, 16)     1,088
	// block1/drop1 (Dropout)            (2, 10, 16)         0
	// block1/ln2 (LayerNorm)            (2, 10, 16)        32
	// block1/mlp1 (Dense)               (2, 10, 64)     1,088
	// block1/mlp2 (Dense)               (2, 10, 16)     1,040
	// block1/drop2 (Dropout)            (2, 10, 16)         0
	// =======================================================
	// Total params: 3,280 (12.81 KiB)
}

// ApplyPadded masks the keys past each sequence's length; ApplyWeights
// also returns the attention weights, (batch, heads, T, T).
func ExampleTransformerBlock_ApplyWeights() {
	g := graph.New()
	block := layers.NewModel(1).TransformerBlock(8, layers.BlockConfig{Heads: 2})
	x := g.Input("x", tensor.Float64, 3, 5, 8)
	lengths := g.Input("lengths", graph.Int64, 3)
	y, weights := block.ApplyWeights(x, lengths)
	fmt.Println(y.Shape(), weights.Shape())
	// Output: (3, 5, 8) (3, 2, 5, 5)
}

// Stacking blocks is a loop: each is a Layer.
func ExampleTransformerBlock_Apply() {
	g := graph.New()
	m := layers.NewModel(1)
	var stack layers.Sequential
	for range 3 {
		stack = append(stack, m.TransformerBlock(8, layers.BlockConfig{Heads: 2, Causal: true}))
	}
	y := stack.Apply(g.Input("x", tensor.Float32, 1, 4, 8))
	fmt.Println(y.Shape(), len(m.Params()), "parameters")
	// Output: (1, 4, 8) 48 parameters
}

// ApplyPadded runs the block with a padding mask: here a (batch, T) float
// mask, 1 where a step is real.
func ExampleTransformerBlock_ApplyPadded() {
	g := graph.New()
	block := layers.NewModel(1).TransformerBlock(8, layers.BlockConfig{Heads: 2})
	x := g.Input("x", tensor.Float32, 2, 4, 8)
	keep := g.Input("keep", tensor.Float32, 2, 4)
	fmt.Println(block.ApplyPadded(x, keep).Shape())
	// Output: (2, 4, 8)
}

// Attention gives the block's MultiHeadAttention layer, named under the
// block's name.
func ExampleTransformerBlock_Attention() {
	block := layers.NewModel(1).TransformerBlock(8, layers.BlockConfig{Heads: 2}, layers.WithName("enc"))
	fmt.Println(block.Name(), block.Attention().Name(), block.Attention().Heads())
	// Output: enc enc/attn 2
}
