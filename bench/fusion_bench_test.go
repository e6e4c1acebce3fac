package bench

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"
)

// BenchmarkFusionMLP784TrainStep times the training step of
// BenchmarkMLP784TrainStepBatch compiled with fusion (the default: each
// layer's product, bias and ReLU one step, and the ReLU mask applied in the
// write-out of the product before it) and without (graph.SetFusion(false)),
// in one run, so that the pair shows what fusion buys.
func BenchmarkFusionMLP784TrainStep(b *testing.B) {
	for _, batch := range []int{1, 64, 256} {
		for _, unfused := range []bool{false, true} {
			name := fmt.Sprintf("batch=%d/fused", batch)
			if unfused {
				name = fmt.Sprintf("batch=%d/unfused", batch)
			}
			b.Run(name, func(b *testing.B) {
				s := mnistNet(tensor.Float32)
				s.batch, s.unfused = batch, unfused
				benchmarkGraftTrainStep(b, s)
			})
		}
	}
}
