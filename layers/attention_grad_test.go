package layers_test

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

// moveBiases sets every 1-D parameter (the biases, which start at zero)
// to distinct values, so that their derivatives are generic.
func moveBiases(m *layers.Model) {
	for i, p := range m.Params() {
		if p.Shape().Rank() == 1 {
			setValues(p, graftest.Ramp(p.Shape()[0], -0.3+0.05*float64(i)))
		}
	}
}

func TestAttentionPassesTheFirstAndSecondOrderGradientCheck(t *testing.T) {
	// Every weight and both inputs, on sizes small enough for the
	// second-order check: 2 sequences of 3 steps, width 4, 2 heads.
	cases := []struct {
		name    string
		cfg     layers.AttentionConfig
		cross   bool
		lengths []int64
	}{
		{"self", layers.AttentionConfig{Heads: 2}, false, nil},
		{"causal, padded", layers.AttentionConfig{Heads: 2, Causal: true}, false, []int64{2, 3}},
		{"cross, padded, no bias", layers.AttentionConfig{Heads: 2, NoBias: true}, true, []int64{3, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			m := layers.NewModel(3)
			mha := m.MultiHeadAttention(4, c.cfg)
			x := g.Input("x", tensor.Float64, 2, 3, 4)
			feeds := graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(24, -1.1), 2, 3, 4)}
			context := x
			wrt := []*graph.Node{x}
			if c.cross {
				context = g.Input("context", tensor.Float64, 2, 3, 4)
				feeds[context] = graftest.Tensor(tensor.Float64, graftest.Ramp(24, -1.3), 2, 3, 4)
				wrt = append(wrt, context)
			}
			var keep *graph.Node
			if c.lengths != nil {
				keep = g.Input("lengths", graph.Int64, 2)
				feeds[keep] = tensor.New(tensor.WithShape(2), tensor.WithBacking(c.lengths))
			}
			out := mha.Attend(x, context, keep)
			// A loss of every output element with its own weight, not just
			// the sum (whose gradient through the softmax is special).
			r := g.Const("r", graftest.Tensor(tensor.Float64, graftest.Ramp(24, -1.0), 2, 3, 4))
			loss := ops.Sum(ops.Mul(ops.Tanh(out), r))
			moveBiases(m)
			if err := autodiff.CheckDerivatives(loss, append(m.Params(), wrt...), feeds, autodiff.DefaultTolerance); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// hessianVectorCheck compares H·v, computed by differentiating vᵀ∇loss, with
// the central difference of ∇loss along v: (∇(x + εv) − ∇(x − εv)) / 2ε.
// x is an input of loss fed in feeds.
func hessianVectorCheck(t *testing.T, loss, x *graph.Node, feeds graph.Feeds) {
	t.Helper()
	g := loss.Graph()
	n := x.Shape().Size()
	v := g.Input("v", tensor.Float64, x.Shape()...)
	vs := graftest.Ramp(n, -0.45)
	for i := range vs {
		vs[i] *= float64(i%3) - 0.7
	}
	feeds[v] = graftest.Tensor(tensor.Float64, vs, x.Shape()...)
	grad, err := autodiff.Grad(loss, x)
	if err != nil {
		t.Fatal(err)
	}
	hv, err := autodiff.Grad(ops.Sum(ops.Mul(grad[0], v)), x)
	if err != nil {
		t.Fatal(err)
	}
	got := graftest.Eval(t, feeds, hv[0])[0]
	xs := feeds[x].Float64s()
	saved := append([]float64(nil), xs...)
	gradAt := func(step float64) []float64 {
		for i := range xs {
			xs[i] = saved[i] + step*vs[i]
		}
		defer copy(xs, saved)
		return graftest.Eval(t, feeds, grad[0])[0]
	}
	const eps = 1e-5
	plus, minus := gradAt(eps), gradAt(-eps)
	want := make([]float64, n)
	for i := range want {
		want[i] = (plus[i] - minus[i]) / (2 * eps)
	}
	graftest.AssertClose(t, "H·v", got, want, 1e-7, 1e-6)
}

func TestHessianVectorProductsThroughLayerNormAndAttentionMatchDifferencesOfTheGradient(t *testing.T) {
	for _, through := range []string{"layer norm", "attention", "transformer block"} {
		t.Run(through, func(t *testing.T) {
			g := graph.New()
			m := layers.NewModel(4)
			x := g.Input("x", tensor.Float64, 2, 3, 4)
			var y *graph.Node
			switch through {
			case "layer norm":
				y = m.LayerNorm(layers.NormConfig{}).Apply(x)
			case "attention":
				y = m.MultiHeadAttention(4, layers.AttentionConfig{Heads: 2, Causal: true}).Apply(x)
			default:
				y = m.TransformerBlock(4, layers.BlockConfig{Heads: 2, Causal: true}).Apply(x)
			}
			moveBiases(m)
			r := g.Const("r", graftest.Tensor(tensor.Float64, graftest.Ramp(24, -1.2), 2, 3, 4))
			loss := ops.Sum(ops.Mul(ops.Square(y), r))
			hessianVectorCheck(t, loss, x, graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(24, -1.1), 2, 3, 4)})
		})
	}
}

func TestAttentionAndTheBlockRunWithoutAllocating(t *testing.T) {
	// A training step's program (forward and every gradient) allocates
	// nothing once compiled.
	for _, dt := range dtypes {
		for _, layer := range []string{"attention", "block"} {
			t.Run(fmt.Sprint(dt, "/", layer), func(t *testing.T) {
				g := graph.New()
				m := layers.NewModel(1)
				x := g.Input("x", dt, 2, 5, 8)
				lengths := g.Input("lengths", graph.Int64, 2)
				g.SetTraining(true)
				var y *graph.Node
				if layer == "attention" {
					y = m.MultiHeadAttention(8, layers.AttentionConfig{Heads: 2, Causal: true, Dropout: 0.1}).Attend(x, x, lengths)
				} else {
					y = m.TransformerBlock(8, layers.BlockConfig{Heads: 2, Causal: true, Dropout: 0.1, AttentionDropout: 0.1}).ApplyPadded(x, lengths)
				}
				loss := ops.Mean(ops.Square(y))
				grads, err := autodiff.Grad(loss, m.Params()...)
				if err != nil {
					t.Fatal(err)
				}
				prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
				if err != nil {
					t.Fatal(err)
				}
				feeds := graph.Feeds{x: graftest.Tensor(dt, graftest.Ramp(80, -4), 2, 5, 8), lengths: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{5, 3}))}
				if _, err := prog.Run(feeds); err != nil {
					t.Fatal(err)
				}
				if allocs := testing.AllocsPerRun(10, func() { _, _ = prog.Run(feeds) }); allocs != 0 {
					t.Errorf("a Run allocates %v times, want 0", allocs)
				}
			})
		}
	}
}
