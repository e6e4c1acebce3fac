package layers_test

import (
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
	"graft/optim"
)

// BenchmarkTransformerBlockTrainingStep measures one training step of a
// pre-norm block the size of examples/transformer's (d_model 64, 4 heads,
// causal, MLP 256) on a batch of 16 sequences of 32 steps, float32: the
// forward pass, the gradient of every parameter and an Adam update.
// scripts/torch_attention_bench.py times the same step in PyTorch.
func BenchmarkTransformerBlockTrainingStep(b *testing.B) {
	const batch, steps, width = 16, 32, 64
	g := graph.New()
	m := layers.NewModel(1)
	block := m.TransformerBlock(width, layers.BlockConfig{Heads: 4, Causal: true})
	x := g.Input("x", tensor.Float32, batch, steps, width)
	g.SetTraining(true)
	loss := ops.Mean(ops.Square(block.Apply(x)))
	grads, err := autodiff.Grad(loss, m.Params()...)
	if err != nil {
		b.Fatal(err)
	}
	prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
	if err != nil {
		b.Fatal(err)
	}
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float32, graftest.Ramp(batch*steps*width, -50), batch, steps, width)}
	opt := optim.NewAdam(1e-3)
	step := func() {
		out, err := prog.Run(feeds)
		if err != nil {
			b.Fatal(err)
		}
		if err := opt.Step(m.Params(), out[1:]); err != nil {
			b.Fatal(err)
		}
	}
	step() // the optimizer makes its slots on the first step
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}
