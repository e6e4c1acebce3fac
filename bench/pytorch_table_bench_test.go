package bench

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"
)

// The benchmarks of this file are graft's column of issue 12's table, which
// scripts/torch_mlp_bench.py measures for PyTorch; docs/performance.md
// ("The MLP against PyTorch") runs both. Run with -cpu 1,2 for graft's one-
// and two-core settings.

// BenchmarkMLP784TrainStepBatch times one training step (forward, backward,
// Adam with Keras' defaults) of the float32 784-256-128-10 net, graft only,
// at batch 1, 64 and 256.
func BenchmarkMLP784TrainStepBatch(b *testing.B) {
	for _, batch := range []int{1, 64, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := mnistNet(tensor.Float32)
			s.batch = batch
			benchmarkGraftTrainStep(b, s)
		})
	}
}

// BenchmarkDeep50TrainStep times one training step of a deep, narrow net in
// float32 at batch 64, graft only: a 128-wide input through 50 Dense(128)
// layers, ReLU between them, softmax cross-entropy over the last layer's 128
// outputs.
func BenchmarkDeep50TrainStep(b *testing.B) {
	widths := make([]int, 51)
	for i := range widths {
		widths[i] = 128
	}
	benchmarkGraftTrainStep(b, netSpec{name: "50 x Dense(128)", batch: 64, widths: widths, hidden: relu, loss: softmaxCrossEntropy, dtype: tensor.Float32})
}

// BenchmarkWide1024TrainStep times one training step (forward, backward,
// Adam with Keras' defaults) of a wide float32 net, 784-1024-1024-10 with
// ReLU and softmax cross-entropy, graft only, at batch 64 and 256: products
// large enough that both cores should share them, and 1.86M parameters for
// Adam. Run with -cpu 1,2 to compare one core with two.
func BenchmarkWide1024TrainStep(b *testing.B) {
	for _, batch := range []int{64, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := netSpec{name: "784-1024-1024-10 relu, softmax cross-entropy", batch: batch, widths: []int{784, 1024, 1024, 10}, hidden: relu, loss: softmaxCrossEntropy, dtype: tensor.Float32}
			benchmarkGraftTrainStep(b, s)
		})
	}
}

// benchmarkGraftTrainStep times graft's training step of net s.
func benchmarkGraftTrainStep(b *testing.B, s netSpec) {
	n, err := newGraftNet(s, newNetData(s, 1))
	if err != nil {
		b.Fatal(err)
	}
	step := n.stepper(true)
	b.ReportAllocs()
	for b.Loop() {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
}
