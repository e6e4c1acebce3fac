package bench

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"graft/optim"
)

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
func BenchmarkXORTrainStep(b *testing.B) { benchmarkTrainStep(b, xorNet(tensor.Float64)) }

// BenchmarkMLP784TrainStep is the same for the 784-256-128-10 net at batch
// 64 in float32.
func BenchmarkMLP784TrainStep(b *testing.B) { benchmarkTrainStep(b, mnistNet(tensor.Float32)) }

func benchmarkTrainStep(b *testing.B, s netSpec) {
	d := newNetData(s, 1)
	b.Run("graft", func(b *testing.B) {
		n, err := newGraftNet(s, d)
		if err != nil {
			b.Fatal(err)
		}
		adam := optim.NewAdam(0.001)
		b.ReportAllocs()
		for b.Loop() {
			out, err := n.prog.Run(n.feeds)
			if err != nil {
				b.Fatal(err)
			}
			if err := adam.Step(n.params, out[1:]); err != nil {
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
		solver := gorgonia.NewAdamSolver(gorgonia.WithLearnRate(0.001), gorgonia.WithBeta1(0.9),
			gorgonia.WithBeta2(0.999), gorgonia.WithEps(1e-7))
		grads := gorgonia.NodesToValueGrads(n.params)
		b.ReportAllocs()
		for b.Loop() {
			if err := n.machine.RunAll(); err != nil {
				b.Fatal(err)
			}
			if err := solver.Step(grads); err != nil {
				b.Fatal(err)
			}
			n.machine.Reset()
		}
	})
}

// A whole graft training step, Adam included, allocates nothing once the
// optimizer has made its state on the first step.
func TestGraftTrainStepAllocatesNothing(t *testing.T) {
	s := xorNet(tensor.Float64)
	n, err := newGraftNet(s, newNetData(s, 1))
	if err != nil {
		t.Fatal(err)
	}
	adam := optim.NewAdam(0.001)
	var stepErr error
	step := func() {
		out, err := n.prog.Run(n.feeds)
		if err == nil {
			err = adam.Step(n.params, out[1:])
		}
		if err != nil {
			stepErr = err
		}
	}
	step()
	if allocs := testing.AllocsPerRun(20, step); allocs != 0 || stepErr != nil {
		t.Errorf("a training step allocates %v times (error %v), want 0", allocs, stepErr)
	}
}
