package bench

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// BenchmarkMLP784Inference times graft's forward pass of the 784-256-128-10
// net in float32, to the class probabilities and no further, at batch 1
// (where each layer is a vector-matrix product) and at batch 64.
func BenchmarkMLP784Inference(b *testing.B) {
	for _, batch := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := mnistNet(tensor.Float32)
			s.batch = batch
			d := newNetData(s, 1)
			g := graph.New()
			x := g.Input("x", s.dtype, s.batch, s.widths[0])
			h := x
			for l := range d.weights {
				in, out := s.widths[l], s.widths[l+1]
				w := g.Param(fmt.Sprintf("w%d", l), graftest.Tensor(s.dtype, d.weights[l], in, out))
				bias := g.Param(fmt.Sprintf("b%d", l), graftest.Tensor(s.dtype, d.biases[l], out))
				h = ops.Add(ops.MatMul(h, w), bias)
				if l+1 < len(d.weights) {
					h = ops.ReLU(h)
				}
			}
			prog, err := graph.Compile(ops.Softmax(h, 1))
			if err != nil {
				b.Fatal(err)
			}
			feeds := graph.Feeds{x: graftest.Tensor(s.dtype, d.x, s.batch, s.widths[0])}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prog.Run(feeds); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
