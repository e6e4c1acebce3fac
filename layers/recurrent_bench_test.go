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

// lstmStep builds a training step of an LSTM layer of the benchmark's
// sizes in float32, batch 32, time 20, 16 features, hidden 64: the loss
// mean(y²) over every step's output, its gradients with respect to the
// four parameters, and an Adam update. scripts/torch_lstm_bench.py times
// the same step in PyTorch. unfused compiles it with fusion off.
func lstmStep(tb testing.TB, cell string, unfused bool) func() error {
	const B, T, I, H = 32, 20, 16, 64
	g := graph.New()
	g.SetFusion(!unfused)
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float32, B, T, I)
	r := newRNN(m, cell, H, x, nil, nil)
	loss := ops.Mean(ops.Square(r.y))
	params := r.params()
	grads, err := autodiff.Grad(loss, params...)
	if err != nil {
		tb.Fatal(err)
	}
	prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
	if err != nil {
		tb.Fatal(err)
	}
	// The inputs of scripts/torch_lstm_bench.py: n values evenly spaced in
	// [-2, 2).
	const n = B * T * I
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = (float64(i) + 1 - n/2) / n * 4
	}
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float32, xs, B, T, I)}
	adam := optim.NewAdam(0.001)
	return func() error {
		out, err := prog.Run(feeds)
		if err == nil {
			err = adam.Step(params, out[1:])
		}
		return err
	}
}

// BenchmarkLSTMTrainStep times one training step (forward, backward through
// the 20 steps, Adam) of an LSTM, and of a GRU, of the sizes above, as
// Compile makes it (lstm, gru) and with fusion off (lstm/unfused,
// gru/unfused).
func BenchmarkLSTMTrainStep(b *testing.B) {
	for _, cell := range []string{"lstm", "gru"} {
		for _, unfused := range []bool{false, true} {
			name := cell
			if unfused {
				name += "/unfused"
			}
			b.Run(name, func(b *testing.B) {
				step := lstmStep(b, cell, unfused)
				b.ReportAllocs()
				for b.Loop() {
					if err := step(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// The benchmark's step, Adam included, allocates nothing once Adam has made
// its state on the first step.
func TestLSTMTrainStepAllocatesNothing(t *testing.T) {
	for _, cell := range []string{"lstm", "gru"} {
		t.Run(cell, func(t *testing.T) {
			step := lstmStep(t, cell, false)
			if err := step(); err != nil {
				t.Fatal(err)
			}
			if allocs := testing.AllocsPerRun(3, func() { _ = step() }); allocs != 0 {
				t.Errorf("a step allocates %v times, want 0", allocs)
			}
		})
	}
}
