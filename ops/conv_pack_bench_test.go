package ops_test

import (
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// mnistFirstLayer is the first conv layer of examples/mnist's CNN: 64
// images of 28×28, 1 → 16 channels, a 5×5 kernel with padding 2, so that
// its taps meet the padding.
var mnistFirstLayer = convLayer{batch: 64, inC: 1, outC: 16, size: 28, k: 5, pad: 2}

// BenchmarkConvMNISTCNN measures the two conv layers of examples/mnist's
// CNN in float32 as its training step runs them: the forward pass and the
// gradients with respect to w and b for the first layer, and those and
// the gradient with respect to x for the second. Most of their time not
// in the GEMM's micro-kernel is spent packing patch matrices and in
// col2im.
func BenchmarkConvMNISTCNN(b *testing.B) {
	for _, bc := range []struct {
		name  string
		layer convLayer
		dx    bool
	}{
		{"first", mnistFirstLayer, false},
		{"second", mnistSecondLayer, true},
	} {
		y, grads, feeds := bc.layer.build(tensor.Float32)
		outputs := []*graph.Node{y, grads[0], grads[1]}
		if bc.dx {
			outputs = append(outputs, grads[2])
		}
		b.Run(bc.name, func(b *testing.B) {
			prog, err := graph.Compile(outputs...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prog.Run(feeds); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
