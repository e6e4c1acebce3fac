// Package bench holds graft's side-by-side benchmarks and oracle tests
// against Gorgonia (gorgonia.org/gorgonia), which is imported by the test
// files only.
//
// The tests build the same multilayer perceptrons, and the LeNet-style CNN
// of examples/mnist --model cnn, with the same weights, in graft and in
// Gorgonia, and check that the loss and every parameter gradient agree
// element by element. The benchmarks time one step of those networks in
// each framework: forward and backward (BenchmarkXORStep, the 4×2 XOR net,
// 2-10-1, float64; BenchmarkMLP784Step, 784-256-128-10 at batch 64,
// float32), and whole training steps with Adam (BenchmarkXORTrainStep,
// BenchmarkMLP784TrainStep, and BenchmarkCNNTrainStep, the CNN with dropout
// at batch 64, float32), each with sub-benchmarks named graft and gorgonia.
// scripts/bench.sh runs them and prints the table kept in docs/performance.md.
//
// The package has no code outside its tests.
package bench
