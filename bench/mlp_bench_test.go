package bench

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"graft/optim"
)

// Each benchmark times one training step, forward and backward, giving the
// loss and the gradient of every parameter, of one net in each framework.
// Building and compiling happen before the timed loop.
//
//   - graft: one prog.Run of the program compiled from the loss and the
//     gradients.
//   - gorgonia: m.RunAll() and m.Reset() of a TapeMachine made once, with
//     BindDualValues on the parameters as Gorgonia's examples train. The
//     machine adds each run's gradients into the dual values, as it does in
//     training before a solver zeroes them, so those adds are timed too.
//
// scripts/bench.sh runs them and prints the table of docs/performance.md.

// BenchmarkXORStep times the net of examples/xor (4×2 input, 2-10-1, ReLU
// then sigmoid, binary cross-entropy) in float64.
func BenchmarkXORStep(b *testing.B) { benchmarkStep(b, xorNet(tensor.Float64), false) }

// BenchmarkMLP784Step times a 784-256-128-10 net (ReLU, ReLU, softmax cross
// entropy) at batch 64 in float32.
func BenchmarkMLP784Step(b *testing.B) { benchmarkStep(b, mnistNet(tensor.Float32), false) }

// BenchmarkXORTrainStep times one whole training step of the XOR net in
// float64: forward, backward and an Adam update of every parameter (Keras'
// defaults: lr 0.001, β1 0.9, β2 0.999, ε 1e-7).
//
//   - graft: prog.Run, then optim.Adam's Step on the returned gradients.
//   - gorgonia: m.RunAll, an AdamSolver Step on the dual values (which also
//     zeroes them), and m.Reset.
//
// The net learns XOR within a few thousand of the timed steps and then
// keeps pushing its logits out. In graft the loss stays finite (4e-12 after
// 3 million steps, the probabilities still short of 0 and 1). Gorgonia's
// sigmoid returns exactly 1 above z = 19, so from about step 29,000 its
// loss and gradients are NaN (0·log 0); a one-second run makes about
// 11,000 Gorgonia steps, but a much longer -benchtime would time NaNs.
func BenchmarkXORTrainStep(b *testing.B) { benchmarkStep(b, xorNet(tensor.Float64), true) }

// BenchmarkMLP784TrainStep is the same for the 784-256-128-10 net at batch
// 64 in float32.
func BenchmarkMLP784TrainStep(b *testing.B) { benchmarkStep(b, mnistNet(tensor.Float32), true) }

// benchmarkStep times a step of net s in both frameworks; with train, each
// step also applies Adam with Keras' defaults.
func benchmarkStep(b *testing.B, s netSpec, train bool) {
	d := newNetData(s, 1)
	benchmarkBoth(b, func() (*graftNet, error) { return newGraftNet(s, d) }, func() (*gorgoniaNet, error) { return newGorgoniaNet(s, d) }, train)
}

// BenchmarkCNNTrainStep times one training step of the CNN of examples/mnist
// --model cnn at batch 64 in float32, dropout included: forward, backward
// and an Adam update of every parameter, as BenchmarkMLP784TrainStep does.
func BenchmarkCNNTrainStep(b *testing.B) {
	s := cnnSpec{batch: 64, dtype: tensor.Float32, dropout: true}
	d := newCNNData(s, 1)
	benchmarkBoth(b, func() (*graftNet, error) { return newGraftCNN(s, d) }, func() (*gorgoniaNet, error) { return newGorgoniaCNN(s, d) }, true)
}

// benchmarkBoth times the step of the net each builder makes, as the
// sub-benchmarks graft and gorgonia; with train, each step also applies
// Adam with Keras' defaults.
func benchmarkBoth(b *testing.B, newGraft func() (*graftNet, error), newGorgonia func() (*gorgoniaNet, error), train bool) {
	b.Run("graft", func(b *testing.B) {
		n, err := newGraft()
		if err != nil {
			b.Fatal(err)
		}
		step := n.stepper(train)
		b.ReportAllocs()
		for b.Loop() {
			if err := step(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gorgonia", func(b *testing.B) {
		n, err := newGorgonia()
		if err != nil {
			b.Fatal(err)
		}
		defer n.close()
		var solver gorgonia.Solver
		grads := gorgonia.NodesToValueGrads(n.params)
		if train {
			solver = gorgonia.NewAdamSolver(gorgonia.WithLearnRate(0.001), gorgonia.WithBeta1(0.9),
				gorgonia.WithBeta2(0.999), gorgonia.WithEps(1e-7))
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := n.machine.RunAll(); err != nil {
				b.Fatal(err)
			}
			if solver != nil {
				if err := solver.Step(grads); err != nil {
					b.Fatal(err)
				}
			}
			n.machine.Reset()
		}
	})
}

// stepper returns graft's step: prog.Run, and with train an Adam update
// (Keras' defaults) of every parameter from the returned gradients.
func (n *graftNet) stepper(train bool) func() error {
	adam := optim.NewAdam(0.001)
	return func() error {
		out, err := n.prog.Run(n.feeds)
		if err == nil && train {
			err = adam.Step(n.params, out[1:])
		}
		return err
	}
}

// A graft step allocates nothing once compiled, small net or large, and
// neither does a training step once Adam has made its state on the first.
func TestGraftStepAllocatesNothing(t *testing.T) {
	type builder struct {
		name string
		make func() (*graftNet, error)
	}
	var nets []builder
	for _, net := range []netSpec{xorNet(tensor.Float64), mnistNet(tensor.Float32)} {
		nets = append(nets, builder{net.name, func() (*graftNet, error) { return newGraftNet(net, newNetData(net, 1)) }})
	}
	cnn := cnnSpec{batch: 8, dtype: tensor.Float32, dropout: true} // the step's plan does not depend on the batch size
	nets = append(nets, builder{"cnn with dropout", func() (*graftNet, error) { return newGraftCNN(cnn, newCNNData(cnn, 1)) }})
	for _, net := range nets {
		for _, train := range []bool{false, true} {
			name := net.name
			if train {
				name += ", with Adam"
			}
			t.Run(name, func(t *testing.T) {
				n, err := net.make()
				if err != nil {
					t.Fatal(err)
				}
				step := n.stepper(train)
				var stepErr error
				if stepErr = step(); stepErr != nil {
					t.Fatal(stepErr)
				}
				allocs := testing.AllocsPerRun(5, func() {
					if err := step(); err != nil {
						stepErr = err
					}
				})
				if stepErr != nil {
					t.Fatal(stepErr)
				}
				if allocs != 0 {
					t.Errorf("a step allocates %v times, want 0", allocs)
				}
			})
		}
	}
}
