package layers_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/layers"
	"graft/ops"
)

// An LSTM takes its feature count from the (batch, time, features) input it
// is first applied to, and names its parameters after PyTorch's state_dict
// keys, in PyTorch's layout.
func ExampleModel_LSTM() {
	g := graph.New()
	m := layers.NewModel(1)
	lstm := m.LSTM(8)
	y := lstm.Apply(g.Input("x", tensor.Float32, 4, 10, 3)) // 4 sequences of 10 steps
	fmt.Println("y:", y.Shape())
	for _, p := range m.Params() {
		fmt.Println(p)
	}
	// Output:
	// y: (4, 10, 8)
	// lstm1/weight_ih_l0 (32, 3) float32
	// lstm1/weight_hh_l0 (32, 8) float32
	// lstm1/bias_ih_l0 (32,) float32
	// lstm1/bias_hh_l0 (32,) float32
}

// Sequence returns every step's output and the final (h, c), from an
// initial state or from zeros; a sequence classifier reads the final h.
func ExampleLSTM_Sequence() {
	g := graph.New()
	m := layers.NewModel(1)
	lstm, head := m.LSTM(16), m.Dense(5, nil)
	x := g.Input("x", tensor.Float64, 2, 7, 3)
	h0, c0 := g.Input("h0", tensor.Float64, 2, 16), g.Input("c0", tensor.Float64, 2, 16)
	y, final := lstm.Sequence(x, layers.LSTMState{H: h0, C: c0})
	logits := head.Apply(final.H)
	fmt.Println(y.Shape(), final.H.Shape(), final.C.Shape(), logits.Shape())
	// Output: (2, 7, 16) (2, 16) (2, 16) (2, 5)
}

// Step runs one step at a time, with the parameters Sequence uses: here
// two steps by hand give the same final h as a sequence of two.
func ExampleLSTM_Step() {
	g := graph.New()
	m := layers.NewModel(1)
	lstm := m.LSTM(2)
	x := g.Input("x", tensor.Float64, 1, 2, 1)
	_, whole := lstm.Sequence(x, layers.LSTMState{})
	var s layers.LSTMState
	for t := range 2 {
		s = lstm.Step(ops.Reshape(ops.Slice(x, 1, t, t+1), 1, 1), s)
	}
	prog, _ := graph.Compile(whole.H, s.H)
	out, _ := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(1, 2, 1), tensor.WithBacking([]float64{0.5, -1}))})
	fmt.Println(out[0].Float64s()[0] == out[1].Float64s()[0], len(m.Params()))
	// Output: true 4
}

// Loading a PyTorch state_dict is copying each tensor into the parameter
// of the same key under the layer's name. Here the dict is written out: an
// LSTM of hidden size 1 on one feature whose every weight and bias is 0.5,
// run for one step on x = 1 from zeros.
func ExampleLSTM_loadPyTorch() {
	g := graph.New()
	m := layers.NewModel(1)
	lstm := m.LSTM(1)
	x := g.Input("x", tensor.Float64, 1, 1, 1)
	y := lstm.Apply(x)
	stateDict := map[string][]float64{ // torch.nn.LSTM(1, 1).state_dict(), as lists
		"weight_ih_l0": {0.5, 0.5, 0.5, 0.5},
		"weight_hh_l0": {0.5, 0.5, 0.5, 0.5},
		"bias_ih_l0":   {0.5, 0.5, 0.5, 0.5},
		"bias_hh_l0":   {0.5, 0.5, 0.5, 0.5},
	}
	for key, values := range stateDict {
		copy(m.Lookup(lstm.Name()+"/"+key).Value().Float64s(), values)
	}
	prog, _ := graph.Compile(y)
	out, _ := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(1, 1, 1), tensor.WithBacking([]float64{1}))})
	// Every gate sees 1·0.5 + 0.5 + 0.5 = 1.5, so h = σ(1.5)·tanh(σ(1.5)·tanh(1.5)),
	// which is what PyTorch prints for this LSTM.
	fmt.Printf("%.6f\n", out[0].Float64s()[0])
	// Output: 0.514386
}

// A GRU is made and applied like an LSTM; its state is h alone.
func ExampleModel_GRU() {
	g := graph.New()
	m := layers.NewModel(1)
	gru := m.GRU(8, layers.WithName("encoder"))
	y := gru.Apply(g.Input("x", tensor.Float32, 4, 10, 3))
	fmt.Println("y:", y.Shape())
	for _, p := range m.Params() {
		fmt.Println(p)
	}
	// Output:
	// y: (4, 10, 8)
	// encoder/weight_ih_l0 (24, 3) float32
	// encoder/weight_hh_l0 (24, 8) float32
	// encoder/bias_ih_l0 (24,) float32
	// encoder/bias_hh_l0 (24,) float32
}

// Sequence returns every step's output and the final h. Feeding the final
// h of one sequence as the initial state of the next continues it: two
// halves give the same final h as the whole.
func ExampleGRU_Sequence() {
	g := graph.New()
	m := layers.NewModel(1)
	gru := m.GRU(3)
	x := g.Input("x", tensor.Float64, 2, 6, 2)
	_, whole := gru.Sequence(x, nil)
	_, half := gru.Sequence(ops.Slice(x, 1, 0, 3), nil)
	y, h := gru.Sequence(ops.Slice(x, 1, 3, 6), half)
	prog, _ := graph.Compile(whole, h)
	xs := make([]float64, 24)
	for i := range xs {
		xs[i] = float64(i%5) - 2
	}
	out, _ := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(2, 6, 2), tensor.WithBacking(xs))})
	a, b := out[0].Float64s(), out[1].Float64s()
	fmt.Println(y.Shape(), h.Shape(), a[0] == b[0] && a[5] == b[5])
	// Output: (2, 3, 3) (2, 3) true
}

// Step runs one step: x (batch, features) and h (nil: zeros) give the new
// h, which is also the step's output.
func ExampleGRU_Step() {
	g := graph.New()
	m := layers.NewModel(1)
	gru := m.GRU(4)
	x := g.Input("x", tensor.Float32, 2, 3)
	h1 := gru.Step(x, nil)
	h2 := gru.Step(x, h1)
	fmt.Println(h1.Shape(), h2.Shape(), len(m.Params()))
	// Output: (2, 4) (2, 4) 4
}
