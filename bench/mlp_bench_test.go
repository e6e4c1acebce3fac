package bench

import (
	"testing"

	"gorgonia.org/tensor"
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
func BenchmarkXORStep(b *testing.B) { benchmarkStep(b, xorNet(tensor.Float64)) }

// BenchmarkMLP784Step times a 784-256-128-10 net (ReLU, ReLU, softmax cross
// entropy) at batch 64 in float32.
func BenchmarkMLP784Step(b *testing.B) { benchmarkStep(b, mnistNet(tensor.Float32)) }

func benchmarkStep(b *testing.B, s netSpec) {
	d := newNetData(s, 1)
	b.Run("graft", func(b *testing.B) {
		n, err := newGraftNet(s, d)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := n.prog.Run(n.feeds); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gorgonia", func(b *testing.B) {
		n, err := newGorgoniaNet(s, d)
		if err != nil {
			b.Fatal(err)
		}
		defer n.close()
		b.ReportAllocs()
		for b.Loop() {
			if err := n.machine.RunAll(); err != nil {
				b.Fatal(err)
			}
			n.machine.Reset()
		}
	})
}

// A graft step allocates nothing once compiled, small net or large.
func TestGraftStepAllocatesNothing(t *testing.T) {
	for _, net := range []netSpec{xorNet(tensor.Float64), mnistNet(tensor.Float32)} {
		t.Run(net.name, func(t *testing.T) {
			n, err := newGraftNet(net, newNetData(net, 1))
			if err != nil {
				t.Fatal(err)
			}
			var runErr error
			allocs := testing.AllocsPerRun(5, func() {
				if _, err := n.prog.Run(n.feeds); err != nil {
					runErr = err
				}
			})
			if runErr != nil {
				t.Fatal(runErr)
			}
			if allocs != 0 {
				t.Errorf("a step allocates %v times, want 0", allocs)
			}
		})
	}
}
