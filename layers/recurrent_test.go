package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

// rnn is an LSTM or a GRU applied to x from (h0, c0) (c0 only for an LSTM),
// so that one test covers both.
type rnn struct {
	y, h, c            *graph.Node // c is nil for a GRU
	wih, whh, bih, bhh *graph.Node
}

func newRNN(m *layers.Model, cell string, hidden int, x, h0, c0 *graph.Node, opts ...layers.Option) rnn {
	var r rnn
	if cell == "lstm" {
		l := m.LSTM(hidden, opts...)
		var s layers.LSTMState
		r.y, s = l.Sequence(x, layers.LSTMState{H: h0, C: c0})
		r.h, r.c = s.H, s.C
		r.wih, r.whh, r.bih, r.bhh = l.WeightIH(), l.WeightHH(), l.BiasIH(), l.BiasHH()
		return r
	}
	l := m.GRU(hidden, opts...)
	r.y, r.h = l.Sequence(x, h0)
	r.wih, r.whh, r.bih, r.bhh = l.WeightIH(), l.WeightHH(), l.BiasIH(), l.BiasHH()
	return r
}

func (r rnn) params() []*graph.Node {
	ps := []*graph.Node{r.wih, r.whh}
	if r.bih != nil {
		ps = append(ps, r.bih, r.bhh)
	}
	return ps
}

// reference computes a cell's equations, written out in plain loops from
// the doc comments of LSTM and GRU, in float64: x is (batch, time,
// features), the weights are in PyTorch's layout, h0 and c0 (nil: zeros)
// are (batch, hidden). It returns the outputs (batch, time, hidden) and the
// final h and c.
func reference(cell string, B, T, I, H int, x, wih, whh, bih, bhh, h0, c0 []float64) (out, h, c []float64) {
	sigmoid := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	h, c = make([]float64, B*H), make([]float64, B*H)
	copy(h, h0)
	copy(c, c0)
	if bih == nil {
		bih, bhh = make([]float64, 4*H), make([]float64, 4*H)
	}
	out = make([]float64, B*T*H)
	gates := 4
	if cell == "gru" {
		gates = 3
	}
	for t := range T {
		next := make([]float64, B*H)
		for b := range B {
			// gi[k][j] = x_t·W_ih[kH+j]ᵀ + b_ih[kH+j], gh likewise from h.
			gi, gh := make([]float64, gates*H), make([]float64, gates*H)
			for row := range gates * H {
				gi[row], gh[row] = bih[row], bhh[row]
				for f := range I {
					gi[row] += x[(b*T+t)*I+f] * wih[row*I+f]
				}
				for k := range H {
					gh[row] += h[b*H+k] * whh[row*H+k]
				}
			}
			for j := range H {
				if cell == "lstm" {
					i := sigmoid(gi[j] + gh[j])
					f := sigmoid(gi[H+j] + gh[H+j])
					g := math.Tanh(gi[2*H+j] + gh[2*H+j])
					o := sigmoid(gi[3*H+j] + gh[3*H+j])
					c[b*H+j] = f*c[b*H+j] + i*g
					next[b*H+j] = o * math.Tanh(c[b*H+j])
				} else {
					r := sigmoid(gi[j] + gh[j])
					z := sigmoid(gi[H+j] + gh[H+j])
					n := math.Tanh(gi[2*H+j] + r*gh[2*H+j])
					next[b*H+j] = (1-z)*n + z*h[b*H+j]
				}
				out[(b*T+t)*H+j] = next[b*H+j]
			}
		}
		h = next
	}
	return out, h, c
}

func TestLSTMAndGRUMatchTheirEquationsWrittenOut(t *testing.T) {
	const B, I, H = 2, 3, 5
	for _, cell := range []string{"lstm", "gru"} {
		for _, dt := range dtypes {
			for _, initial := range []bool{false, true} {
				for _, bias := range []bool{true, false} {
					T := 4
					if !bias {
						T = 1 // a sequence of one step is neither sliced nor joined
					}
					t.Run(fmt.Sprintf("%s %v initial %v bias %v time %d", cell, dt, initial, bias, T), func(t *testing.T) {
						g := graph.New()
						m := layers.NewModel(11)
						x := g.Input("x", dt, B, T, I)
						feeds := graph.Feeds{x: graftest.Tensor(dt, graftest.Ramp(B*T*I, -1.1), B, T, I)}
						var h0, c0 *graph.Node
						var h0v, c0v []float64
						if initial {
							h0v, c0v = graftest.Ramp(B*H, -0.45), graftest.Ramp(B*H, -0.6)
							h0, c0 = g.Input("h0", dt, B, H), g.Input("c0", dt, B, H)
							feeds[h0] = graftest.Tensor(dt, h0v, B, H)
							feeds[c0] = graftest.Tensor(dt, c0v, B, H)
						}
						var opts []layers.Option
						if !bias {
							opts = append(opts, layers.WithoutBias())
						}
						r := newRNN(m, cell, H, x, h0, c0, opts...)
						if cell == "gru" {
							c0v = nil
						}
						outputs := []*graph.Node{r.y, r.h}
						if r.c != nil {
							outputs = append(outputs, r.c)
						}
						got := graftest.Eval(t, feeds, outputs...)
						values := func(p *graph.Node) []float64 {
							if p == nil {
								return nil
							}
							return graph.Float64s(p.Value())
						}
						out, h, c := reference(cell, B, T, I, H, graftest.Ramp(B*T*I, -1.1), values(r.wih), values(r.whh), values(r.bih), values(r.bhh), h0v, c0v)
						tol := 1e-14
						if dt == tensor.Float32 {
							tol = 2e-6
						}
						graftest.AssertClose(t, "out", got[0], out, tol, tol)
						graftest.AssertClose(t, "h_n", got[1], h, tol, tol)
						if r.c != nil {
							graftest.AssertClose(t, "c_n", got[2], c, tol, tol)
						}
					})
				}
			}
		}
	}
}

// torchCase is one case of testdata/rnn_torch.json, written by
// scripts/torch_rnn_reference.py.
type torchCase struct {
	Name, Cell            string
	Batch, Time, Features int
	Hidden                int
	Initial               bool
	Params                map[string][]float64
	DParams               map[string][]float64 `json:"dparams"`
	X, Out, R, H0, C0     []float64
	HN                    []float64 `json:"h_n"`
	CN                    []float64 `json:"c_n"`
	RH                    []float64 `json:"r_h"`
	RC                    []float64 `json:"r_c"`
	DX, DH0, DC0          []float64
}

func loadTorchCases(t *testing.T) []torchCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/rnn_torch.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Cases []torchCase }
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) == 0 {
		t.Fatal("no cases in testdata/rnn_torch.json")
	}
	return file.Cases
}

// The parameters are loaded from PyTorch's state_dict by key: the layer's
// parameter "<layer>/<key>" takes the tensor of key as it is.
func TestLSTMAndGRUMatchPyTorch(t *testing.T) {
	for _, c := range loadTorchCases(t) {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s %v", c.Name, dt), func(t *testing.T) {
				B, T, I, H := c.Batch, c.Time, c.Features, c.Hidden
				g := graph.New()
				m := layers.NewModel(1)
				x := g.Input("x", dt, B, T, I)
				feeds := graph.Feeds{x: graftest.Tensor(dt, c.X, B, T, I)}
				var h0, c0 *graph.Node
				if c.Initial {
					h0 = g.Input("h0", dt, B, H)
					feeds[h0] = graftest.Tensor(dt, c.H0, B, H)
					if c.Cell == "lstm" {
						c0 = g.Input("c0", dt, B, H)
						feeds[c0] = graftest.Tensor(dt, c.C0, B, H)
					}
				}
				r := newRNN(m, c.Cell, H, x, h0, c0)
				var name string
				if c.Cell == "lstm" {
					name = "lstm1"
				} else {
					name = "gru1"
				}
				for key, v := range c.Params {
					p := m.Lookup(name + "/" + key)
					if p == nil {
						t.Fatalf("no parameter %s/%s", name, key)
					}
					setValues(p, v)
				}
				weigh := func(n *graph.Node, w []float64) *graph.Node {
					return ops.Sum(ops.Mul(n, g.Const("r", graftest.Tensor(dt, w, n.Shape()...))))
				}
				loss := ops.Add(weigh(r.y, c.R), weigh(r.h, c.RH))
				if r.c != nil {
					loss = ops.Add(loss, weigh(r.c, c.RC))
				}
				wrt := append([]*graph.Node{x}, r.params()...)
				want := [][]float64{c.DX, c.DParams["weight_ih_l0"], c.DParams["weight_hh_l0"], c.DParams["bias_ih_l0"], c.DParams["bias_hh_l0"]}
				if h0 != nil {
					wrt, want = append(wrt, h0), append(want, c.DH0)
				}
				if c0 != nil {
					wrt, want = append(wrt, c0), append(want, c.DC0)
				}
				grads, err := autodiff.Grad(loss, wrt...)
				if err != nil {
					t.Fatal(err)
				}
				outputs := append([]*graph.Node{r.y, r.h}, grads...)
				if r.c != nil {
					outputs = append(outputs, r.c)
				}
				got := graftest.Eval(t, feeds, outputs...)
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				graftest.AssertClose(t, "out", got[0], c.Out, tol, tol)
				graftest.AssertClose(t, "h_n", got[1], c.HN, tol, tol)
				for i, w := range want {
					graftest.AssertClose(t, "gradient of "+wrt[i].Name(), got[2+i], w, tol, tol)
				}
				if r.c != nil {
					graftest.AssertClose(t, "c_n", got[len(got)-1], c.CN, tol, tol)
				}
			})
		}
	}
}

func TestRecurrentDerivativesFirstAndSecondOrder(t *testing.T) {
	const B, T, I, H = 2, 3, 2, 2
	for _, cell := range []string{"lstm", "gru"} {
		for _, initial := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s initial %v", cell, initial), func(t *testing.T) {
				g := graph.New()
				m := layers.NewModel(5)
				x := g.Input("x", tensor.Float64, B, T, I)
				feeds := graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(B*T*I, -0.6), B, T, I)}
				var h0, c0 *graph.Node
				if initial {
					h0, c0 = g.Input("h0", tensor.Float64, B, H), g.Input("c0", tensor.Float64, B, H)
					feeds[h0] = graftest.Tensor(tensor.Float64, graftest.Ramp(B*H, -0.3), B, H)
					feeds[c0] = graftest.Tensor(tensor.Float64, graftest.Ramp(B*H, -0.25), B, H)
				}
				r := newRNN(m, cell, H, x, h0, c0)
				weigh := func(n *graph.Node, offset float64) *graph.Node {
					return ops.Sum(ops.Mul(n, g.Const("w", graftest.Tensor(tensor.Float64, graftest.Ramp(n.Shape().Size(), offset), n.Shape()...))))
				}
				loss := ops.Add(weigh(r.y, -0.7), weigh(r.h, -0.2))
				wrt := append([]*graph.Node{x}, r.params()...)
				if initial {
					wrt = append(wrt, h0)
				}
				if r.c != nil {
					loss = ops.Add(loss, weigh(r.c, -0.35))
					if initial {
						wrt = append(wrt, c0)
					}
				}
				if err := autodiff.CheckDerivatives(loss, wrt, feeds, autodiff.DefaultTolerance); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// Step is Sequence one step at a time: the same parameters, the same
// numbers.
func TestStepByStepEqualsTheSequence(t *testing.T) {
	const B, T, I, H = 2, 3, 2, 3
	g := graph.New()
	m := layers.NewModel(2)
	x := g.Input("x", tensor.Float64, B, T, I)
	lstm, gru := m.LSTM(H), m.GRU(H)
	ySeq, sSeq := lstm.Sequence(x, layers.LSTMState{})
	zSeq, hSeq := gru.Sequence(x, nil)
	var s layers.LSTMState
	var h *graph.Node
	var ys, zs []*graph.Node
	for t := range T {
		xt := ops.Reshape(ops.Slice(x, 1, t, t+1), B, I)
		s, h = lstm.Step(xt, s), gru.Step(xt, h)
		ys, zs = append(ys, ops.Reshape(s.H, B, 1, H)), append(zs, ops.Reshape(h, B, 1, H))
	}
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(B*T*I, -0.5), B, T, I)},
		ySeq, ops.Concat(1, ys...), sSeq.C, s.C, zSeq, ops.Concat(1, zs...), hSeq, h)
	for i := 0; i < len(got); i += 2 {
		graftest.AssertClose(t, fmt.Sprint("output ", i/2), got[i+1], got[i], 0, 0)
	}
	if len(m.Params()) != 8 {
		t.Errorf("%d params, want 8: Step made new ones", len(m.Params()))
	}
}

// PyTorch's reset_parameters: U(-1/√H, 1/√H) for every weight and bias;
// the same seed gives the same bits.
func TestRecurrentParamsArePyTorchShapedNamedAndUniform(t *testing.T) {
	const I, H = 7, 16
	build := func(seed uint64) *layers.Model {
		g := graph.New()
		m := layers.NewModel(seed)
		m.LSTM(H).Apply(g.Input("x", tensor.Float64, 2, 3, I))
		m.GRU(H, layers.WithName("enc")).Apply(g.Input("y", tensor.Float32, 2, 3, I))
		return m
	}
	m := build(3)
	want := []string{
		"lstm1/weight_ih_l0 (64, 7) float64", "lstm1/weight_hh_l0 (64, 16) float64", "lstm1/bias_ih_l0 (64,) float64", "lstm1/bias_hh_l0 (64,) float64",
		"enc/weight_ih_l0 (48, 7) float32", "enc/weight_hh_l0 (48, 16) float32", "enc/bias_ih_l0 (48,) float32", "enc/bias_hh_l0 (48,) float32",
	}
	if len(m.Params()) != len(want) {
		t.Fatalf("%d params, want %d", len(m.Params()), len(want))
	}
	bound := 1 / math.Sqrt(H)
	again := build(3)
	for i, p := range m.Params() {
		if p.String() != want[i] {
			t.Errorf("param %d is %s, want %s", i, p, want[i])
		}
		vs := graph.Float64s(p.Value())
		lo, hi := 0.0, 0.0
		for _, v := range vs {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo < -bound || hi > bound || hi < 0.8*bound || lo > -0.8*bound {
			t.Errorf("%s in [%v, %v], want it to fill [-%v, %v]", p.Name(), lo, hi, bound, bound)
		}
		graftest.AssertClose(t, p.Name()+" with the same seed", graph.Float64s(again.Params()[i].Value()), vs, 0, 0)
	}
}

func TestSummaryShowsRecurrentLayers(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float32, 32, 20, 16)
	lstm := m.LSTM(64)
	m.GRU(8).Apply(lstm.Apply(x))
	var b strings.Builder
	if err := m.Summary(&b); err != nil {
		t.Fatal(err)
	}
	// LSTM: 4·64·(16 + 64) + 2·4·64 = 20,992; GRU: 3·8·(64 + 8) + 2·3·8 = 1,776.
	want := `Layer (type)  Output shape  Param #
===================================
lstm1 (LSTM)  (32, 20, 64)   20,992
gru1 (GRU)    (32, 20, 8)     1,776
===================================
Total params: 22,768 (88.94 KiB)
`
	if b.String() != want {
		t.Errorf("Summary wrote\n%s\nwant\n%s", b.String(), want)
	}
}

// outputOf and finalOf pick one result of Sequence, so that a test can
// call it on the line it names.
func outputOf(y *graph.Node, _ layers.LSTMState) *graph.Node { return y }
func finalOf(_, h *graph.Node) *graph.Node                   { return h }

func TestRecurrentMistakesAreBuildErrorsNamingTheLayerAndLine(t *testing.T) {
	in := func(g *graph.Graph, dt graph.DType, shape ...int) *graph.Node { return g.Input("x", dt, shape...) }
	f64 := tensor.Float64
	cases := []struct {
		name  string
		build func(g *graph.Graph, m *layers.Model) (*graph.Node, int)
		want  []string
	}{
		{"2-D input", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.LSTM(3).Apply(in(g, f64, 4, 5)), graftest.CallerLine()
		}, []string{"LSTM(x (4, 5) float64)", "lstm1 wants a 3-D input (batch, time, features), got shape (4, 5)"}},
		{"4-D input", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.GRU(3).Apply(in(g, f64, 1, 2, 3, 4)), graftest.CallerLine()
		}, []string{"GRU(x (1, 2, 3, 4) float64)", "gru1 wants a 3-D input"}},
		{"3-D input to Step", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.GRU(3).Step(in(g, f64, 1, 2, 3), nil), graftest.CallerLine()
		}, []string{"gru1's Step wants a 2-D input (batch, features), got shape (1, 2, 3)"}},
		{"feature count changes", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			l := m.LSTM(3)
			l.Apply(g.Input("a", f64, 2, 4, 5))
			return l.Apply(g.Input("b", f64, 2, 4, 6)), graftest.CallerLine()
		}, []string{"LSTM(b (2, 4, 6) float64)", "lstm1 was built for 5 features of float64; this input has 6 of float64"}},
		{"dtype changes", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			l := m.GRU(3)
			l.Apply(g.Input("a", f64, 2, 4, 5))
			return l.Apply(g.Input("b", tensor.Float32, 2, 4, 5)), graftest.CallerLine()
		}, []string{"gru1 was built for 5 features of float64; this input has 5 of float32"}},
		{"hidden size 0", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.LSTM(0).Apply(in(g, f64, 2, 3, 4)), graftest.CallerLine()
		}, []string{"LSTM(x (2, 3, 4) float64)", "lstm1 has hidden size 0; it needs at least 1"}},
		{"hidden size too large", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.GRU(1 << 40).Apply(in(g, f64, 2, 3, 4)), graftest.CallerLine()
		}, []string{"gru1 has hidden size 1099511627776: shape (3, 1099511627776) has more than 17179869184 (1<<34) elements"}},
		{"hidden size overflowing the rows", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.LSTM(1 << 62).Apply(in(g, f64, 2, 3, 4)), graftest.CallerLine()
		}, []string{"lstm1 has hidden size 4611686018427387904: shape (4, 4611686018427387904) has more than"}},
		{"initial state of the wrong shape", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			h0 := g.Input("h0", f64, 2, 4)
			return outputOf(m.LSTM(3).Sequence(in(g, f64, 2, 5, 4), layers.LSTMState{H: h0})), graftest.CallerLine()
		}, []string{"LSTM(x (2, 5, 4) float64, h0 (2, 4) float64)", "lstm1 wants an initial state of shape (2, 3) and dtype float64 (batch, hidden); state 0 (h0) is (2, 4) float64"}},
		{"initial cell state of another batch", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return outputOf(m.LSTM(3).Sequence(in(g, f64, 2, 5, 4), layers.LSTMState{C: g.Input("c0", f64, 1, 3)})), graftest.CallerLine()
		}, []string{"state 1 (c0) is (1, 3) float64"}},
		{"initial state of another dtype", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return finalOf(m.GRU(3).Sequence(in(g, f64, 2, 5, 4), g.Input("h0", tensor.Float32, 2, 3))), graftest.CallerLine()
		}, []string{"GRU(x (2, 5, 4) float64, h0 (2, 3) float32)", "state 0 (h0) is (2, 3) float32"}},
		{"initial state of another graph", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return finalOf(m.GRU(3).Sequence(in(g, f64, 2, 5, 4), graph.New().Input("h0", f64, 2, 3))), graftest.CallerLine()
		}, []string{"gru1's initial state 0 belongs to another graph than its input"}},
		{"integer input", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.LSTM(3).Apply(in(g, tensor.Int64, 2, 5, 4)), graftest.CallerLine()
		}, []string{"lstm1: dtype int64"}},
		{"layer reused in another graph", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			l := m.LSTM(3)
			l.Apply(graph.New().Input("a", f64, 2, 5, 4))
			return l.Apply(in(g, f64, 2, 5, 4)), graftest.CallerLine()
		}, []string{"lstm1: the model's parameters live in another graph"}},
		{"name taken", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			m.Dense(2, nil, layers.WithName("rnn"))
			return m.GRU(3, layers.WithName("rnn")).Apply(in(g, f64, 2, 5, 4)), graftest.CallerLine()
		}, []string{`the model already has a layer or parameter named "rnn"`}},
		{"parameter name taken", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			m.Param(g, "lstm1/bias_hh_l0", f64, nil, 12)
			return m.LSTM(3).Apply(in(g, f64, 2, 5, 4)), graftest.CallerLine()
		}, []string{`the model already has a parameter named "lstm1/bias_hh_l0"`}},
		{"nil input", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.LSTM(3).Apply(nil), graftest.CallerLine()
		}, []string{"LSTM(nil)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, at := c.build(graph.New(), layers.NewModel(1))
			_, err := graph.Compile(n)
			if err == nil {
				t.Fatal("Compile succeeded")
			}
			for _, w := range append([]string{"graft: ", fmt.Sprintf("recurrent_test.go:%d:", at)}, c.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// A compiled training step (the loss and every gradient) of an LSTM and of
// a GRU runs without allocating, in both dtypes.
func TestRecurrentTrainingStepAllocatesNothing(t *testing.T) {
	for _, cell := range []string{"lstm", "gru"} {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s %v", cell, dt), func(t *testing.T) {
				g := graph.New()
				m := layers.NewModel(1)
				x, h0 := g.Input("x", dt, 4, 5, 3), g.Input("h0", dt, 4, 6)
				r := newRNN(m, cell, 6, x, h0, nil)
				loss := ops.Mean(ops.Square(r.y))
				grads, err := autodiff.Grad(loss, append(r.params(), x, h0)...)
				if err != nil {
					t.Fatal(err)
				}
				prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
				if err != nil {
					t.Fatal(err)
				}
				feeds := graph.Feeds{x: graftest.Tensor(dt, graftest.Ramp(60, -3), 4, 5, 3), h0: graftest.Tensor(dt, graftest.Ramp(24, -1), 4, 6)}
				if _, err := prog.Run(feeds); err != nil {
					t.Fatal(err)
				}
				if allocs := testing.AllocsPerRun(10, func() { _, _ = prog.Run(feeds) }); allocs != 0 {
					t.Errorf("%v allocations per Run, want 0", allocs)
				}
			})
		}
	}
}
