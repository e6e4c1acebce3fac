package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
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
	cell        string // "lstm" or "gru"
	y, h, c     *graph.Node
	wih, whh    *graph.Node
	bih, bhh    *graph.Node
	gates, size int
}

func newRNN(m *layers.Model, cell string, hidden int, x, h0, c0 *graph.Node, opts ...layers.Option) rnn {
	r := rnn{cell: cell, size: hidden}
	if cell == "lstm" {
		l := m.LSTM(hidden, opts...)
		var s layers.LSTMState
		r.y, s = l.Sequence(x, layers.LSTMState{H: h0, C: c0})
		r.h, r.c, r.gates = s.H, s.C, 4
		r.wih, r.whh, r.bih, r.bhh = l.WeightIH(), l.WeightHH(), l.BiasIH(), l.BiasHH()
		return r
	}
	l := m.GRU(hidden, opts...)
	r.y, r.h = l.Sequence(x, h0)
	r.gates = 3
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
	const B, T, I, H = 2, 4, 3, 5
	for _, cell := range []string{"lstm", "gru"} {
		for _, dt := range dtypes {
			for _, initial := range []bool{false, true} {
				for _, bias := range []bool{true, false} {
					t.Run(fmt.Sprintf("%s %v initial %v bias %v", cell, dt, initial, bias), func(t *testing.T) {
						g := graph.New()
						m := layers.NewModel(11)
						x := g.Input("x", dt, B, T, I)
						feeds := graph.Feeds{x: tensorOf(dt, ramp(B*T*I, -1.1), B, T, I)}
						var h0, c0 *graph.Node
						var h0v, c0v []float64
						if initial {
							h0v, c0v = ramp(B*H, -0.45), ramp(B*H, -0.6)
							h0, c0 = g.Input("h0", dt, B, H), g.Input("c0", dt, B, H)
							feeds[h0] = tensorOf(dt, h0v, B, H)
							feeds[c0] = tensorOf(dt, c0v, B, H)
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
						out, h, c := reference(cell, B, T, I, H, ramp(B*T*I, -1.1), values(r.wih), values(r.whh), values(r.bih), values(r.bhh), h0v, c0v)
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
				feeds := graph.Feeds{x: tensorOf(dt, c.X, B, T, I)}
				var h0, c0 *graph.Node
				if c.Initial {
					h0 = g.Input("h0", dt, B, H)
					feeds[h0] = tensorOf(dt, c.H0, B, H)
					if c.Cell == "lstm" {
						c0 = g.Input("c0", dt, B, H)
						feeds[c0] = tensorOf(dt, c.C0, B, H)
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
					return ops.Sum(ops.Mul(n, g.Const("r", tensorOf(dt, w, n.Shape()...))))
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
