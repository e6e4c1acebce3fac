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

// torchAttentionCase is one row of testdata/attention_torch.json, written
// by scripts/torch_attention_reference.py.
type torchAttentionCase struct {
	Name                        string
	Batch, Tq, Tk, D, Heads     int
	Bias, Causal, SelfAttention bool
	Lengths                     []int64
	InProjWeight, OutProjWeight []float64
	InProjBias, OutProjBias     []float64
	Query, Context, R           []float64
	Out, Weights                []float64
	GradQuery, GradContext      []float64
}

func TestMultiHeadAttentionMatchesPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/attention_torch.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for _, fields := range file.Cases {
		c := decodeTorchCase(t, fields)
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%v/%s", dt, c.Name), func(t *testing.T) {
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 2e-6
				}
				g := graph.New()
				m := layers.NewModel(1)
				mha := m.MultiHeadAttention(c.D, layers.AttentionConfig{Heads: c.Heads, Causal: c.Causal, NoBias: !c.Bias})
				query := g.Input("query", dt, c.Batch, c.Tq, c.D)
				context := query
				feeds := graph.Feeds{query: graftest.Tensor(dt, c.Query, c.Batch, c.Tq, c.D)}
				if !c.SelfAttention {
					context = g.Input("context", dt, c.Batch, c.Tk, c.D)
					feeds[context] = graftest.Tensor(dt, c.Context, c.Batch, c.Tk, c.D)
				}
				var keep *graph.Node
				if c.Lengths != nil {
					keep = g.Input("lengths", graph.Int64, c.Batch)
					feeds[keep] = tensor.New(tensor.WithShape(c.Batch), tensor.WithBacking(c.Lengths))
				}
				out, weights := mha.AttendWeights(query, context, keep)
				r := g.Const("r", graftest.Tensor(dt, c.R, c.Batch, c.Tq, c.D))
				wrt := []*graph.Node{query}
				if !c.SelfAttention {
					wrt = append(wrt, context)
				}
				grads, err := autodiff.Grad(ops.Sum(ops.Mul(out, r)), wrt...)
				if err != nil {
					t.Fatal(err)
				}
				if err := mha.SetTorchWeights(c.InProjWeight, c.InProjBias, c.OutProjWeight, c.OutProjBias); err != nil {
					t.Fatal(err)
				}
				got := graftest.Eval(t, feeds, append([]*graph.Node{out, weights}, grads...)...)
				graftest.AssertClose(t, "output", got[0], c.Out, tol, tol)
				graftest.AssertClose(t, "attention weights", got[1], c.Weights, tol, tol)
				graftest.AssertClose(t, "gradient of the query", got[2], c.GradQuery, tol, tol)
				if !c.SelfAttention {
					graftest.AssertClose(t, "gradient of the context", got[3], c.GradContext, tol, tol)
				}
			})
		}
	}
}

// decodeTorchCase reads a case's fields, which use PyTorch's snake_case.
func decodeTorchCase(t *testing.T, fields map[string]json.RawMessage) torchAttentionCase {
	var c torchAttentionCase
	targets := map[string]any{
		"name": &c.Name, "batch": &c.Batch, "tq": &c.Tq, "tk": &c.Tk, "d": &c.D, "heads": &c.Heads,
		"bias": &c.Bias, "causal": &c.Causal, "self_attention": &c.SelfAttention, "lengths": &c.Lengths,
		"in_proj_weight": &c.InProjWeight, "out_proj_weight": &c.OutProjWeight,
		"in_proj_bias": &c.InProjBias, "out_proj_bias": &c.OutProjBias,
		"query": &c.Query, "context": &c.Context, "r": &c.R, "out": &c.Out, "weights": &c.Weights,
		"grad_query": &c.GradQuery, "grad_context": &c.GradContext,
	}
	for key, target := range targets {
		if err := json.Unmarshal(fields[key], target); err != nil {
			t.Fatalf("testdata/attention_torch.json: %s: %v", key, err)
		}
	}
	return c
}

// identityAttention returns a one-head layer of width d applied to x with
// Wq = Wk = Wv = Wo = I and zero biases, so that its scores are x·xᵀ/√d.
func identityAttention(t *testing.T, g *graph.Graph, x, keep *graph.Node, d int, cfg layers.AttentionConfig) (out, weights *graph.Node) {
	t.Helper()
	mha := layers.NewModel(1).MultiHeadAttention(d, cfg)
	out, weights = mha.AttendWeights(x, x, keep)
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	eye := make([]float64, d*d)
	for i := range d {
		eye[i*d+i] = 1
	}
	wq, wk, wv, wo := mha.Kernels()
	for _, w := range []*graph.Node{wq, wk, wv, wo} {
		setValues(w, eye)
	}
	return out, weights
}

func TestAttentionOfATinyCaseMatchesHandComputedValues(t *testing.T) {
	// One sequence of two steps in width 2, one head, identity weights:
	// x = [[1, 0], [1, 1]], so x·xᵀ/√2 = [[1, 1], [1, 2]]/√2.
	// Row 0: softmax(1/√2, 1/√2) = (½, ½), so out₀ = ½x₀ + ½x₁ = (1, ½).
	// Row 1: softmax(1/√2, 2/√2) = (1-p, p) with p = σ(1/√2), so
	// out₁ = (1, p). With the causal mask row 0 sees itself only:
	// weights (1, 0) and out₀ = x₀; row 1 is unchanged.
	p := 1 / (1 + math.Exp(-1/math.Sqrt2))
	cases := []struct {
		name             string
		causal           bool
		wantOut, wantWts []float64
	}{
		{"full", false, []float64{1, 0.5, 1, p}, []float64{0.5, 0.5, 1 - p, p}},
		{"causal", true, []float64{1, 0, 1, p}, []float64{1, 0, 1 - p, p}},
	}
	for _, dt := range dtypes {
		tol := 1e-15
		if dt == tensor.Float32 {
			tol = 1e-7
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%v/%s", dt, c.name), func(t *testing.T) {
				g := graph.New()
				x := g.Input("x", dt, 1, 2, 2)
				out, weights := identityAttention(t, g, x, nil, 2, layers.AttentionConfig{Causal: c.causal})
				got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(dt, []float64{1, 0, 1, 1}, 1, 2, 2)}, out, weights)
				graftest.AssertClose(t, "out", got[0], c.wantOut, tol, 0)
				graftest.AssertClose(t, "weights", got[1], c.wantWts, tol, 0)
			})
		}
	}
}

func TestMaskedKeysGetExactlyZeroWeightAndEmptyRowsNoNaN(t *testing.T) {
	// Three sequences of 3 steps: lengths 3, 1 and 0, with and without the
	// causal mask, as lengths and as a float mask. Keys past a length get
	// weight exactly 0; the sequence of length 0 has no key at all, so its
	// rows are all zero (PyTorch gives NaN), and so are its gradients. Any
	// nonzero value of a float mask keeps its key, and does not scale it.
	lengths := []int64{3, 1, 0}
	keepMask := []float64{1, 0.5, 2, -3, 0, 0, 0, 0, 0}
	for _, dt := range dtypes {
		for _, causal := range []bool{false, true} {
			for _, form := range []string{"lengths", "mask"} {
				t.Run(fmt.Sprintf("%v/causal=%v/%s", dt, causal, form), func(t *testing.T) {
					g := graph.New()
					x := g.Input("x", dt, 3, 3, 2)
					var keep *graph.Node
					feeds := graph.Feeds{x: graftest.Tensor(dt, graftest.Ramp(18, -0.9), 3, 3, 2)}
					if form == "lengths" {
						keep = g.Input("lengths", graph.Int64, 3)
						feeds[keep] = tensor.New(tensor.WithShape(3), tensor.WithBacking(append([]int64(nil), lengths...)))
					} else {
						keep = g.Input("keep", dt, 3, 3)
						feeds[keep] = graftest.Tensor(dt, keepMask, 3, 3)
					}
					out, weights := identityAttention(t, g, x, keep, 2, layers.AttentionConfig{Causal: causal})
					grads, err := autodiff.Grad(ops.Sum(ops.Square(out)), x)
					if err != nil {
						t.Fatal(err)
					}
					got := graftest.Eval(t, feeds, out, weights, grads[0])
					for i, v := range append(append(append([]float64(nil), got[0]...), got[1]...), got[2]...) {
						if math.IsNaN(v) || math.IsInf(v, 0) {
							t.Fatalf("element %d is %v", i, v)
						}
					}
					w := got[1] // (3 sequences, 1 head, 3 queries, 3 keys)
					for s := range 3 {
						for i := range 3 {
							row := w[s*9+i*3 : s*9+i*3+3]
							sum := 0.0
							for j, v := range row {
								masked := int64(j) >= lengths[s] || (causal && j > i)
								if masked && v != 0 {
									t.Errorf("sequence %d, query %d: masked key %d has weight %v", s, i, j, v)
								}
								sum += v
							}
							want := 1.0
							if lengths[s] == 0 {
								want = 0
							}
							if math.Abs(sum-want) > 1e-6 {
								t.Errorf("sequence %d, query %d: weights %v sum to %v, want %v", s, i, row, sum, want)
							}
						}
					}
					graftest.AssertClose(t, "output of the empty sequence", got[0][12:], make([]float64, 6), 0, 0)
				})
			}
		}
	}
}

func TestMultiHeadAttentionNamesItsParamsAndCountsThem(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	mha := m.MultiHeadAttention(8, layers.AttentionConfig{Heads: 2})
	bare := m.MultiHeadAttention(8, layers.AttentionConfig{Heads: 4, NoBias: true}, layers.WithName("bare"))
	x := g.Input("x", tensor.Float32, 2, 5, 8)
	bare.Apply(mha.Apply(x))
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name())
	}
	want := "mha1/Wq mha1/bq mha1/Wk mha1/bk mha1/Wv mha1/bv mha1/Wo mha1/bo bare/Wq bare/Wk bare/Wv bare/Wo"
	if strings.Join(names, " ") != want {
		t.Errorf("params %v, want %s", names, want)
	}
	if got := m.NumParams(); got != 4*(8*8+8)+4*8*8 {
		t.Errorf("NumParams() = %d, want %d", got, 4*(8*8+8)+4*8*8)
	}
	var s strings.Builder
	if err := m.Summary(&s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.String(), "mha1 (MultiHeadAttention)  (2, 5, 8)") {
		t.Errorf("summary lacks the layer's row:\n%s", s.String())
	}
}

func TestAttentionDropsWeightsInTrainingModeOnly(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 1, 4, 2)
	mha := layers.NewModel(1).MultiHeadAttention(2, layers.AttentionConfig{Dropout: 0.5})
	_, inference := mha.AttendWeights(x, x, nil)
	g.SetTraining(true)
	out, _ := mha.AttendWeights(x, x, nil)
	g.SetTraining(false)
	// The dropped weights are not returned; the output shows them: with
	// Wv = Wo = I, zero biases and all-ones values, every output element is
	// the sum of its row's kept weights, 1 in inference and a sum of
	// multiples of 2 (kept weights doubled, dropped ones 0) in training.
	wq, wk, wv, wo := mha.Kernels()
	for _, w := range []*graph.Node{wq, wk, wv, wo} {
		setValues(w, []float64{1, 0, 0, 1})
	}
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, []float64{1, 1, 1, 1, 1, 1, 1, 1}, 1, 4, 2)}, inference, out)
	graftest.AssertClose(t, "inference weights", got[0], []float64{
		0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25}, 1e-15, 0)
	distinct := map[float64]bool{}
	for _, v := range got[1] {
		if k := v / 0.5; math.Abs(k-math.Round(k)) > 1e-12 {
			t.Fatalf("training output %v is not a sum of doubled weights 0.25", got[1])
		}
		distinct[v] = true
	}
	if len(distinct) < 2 {
		t.Errorf("training outputs %v are all the same: nothing was dropped", got[1])
	}
}

func TestAttentionMistakesAreBuildErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(g *graph.Graph, m *layers.Model) *graph.Node
		want  string
	}{
		{"heads do not divide the width", func(g *graph.Graph, m *layers.Model) *graph.Node {
			return m.MultiHeadAttention(6, layers.AttentionConfig{Heads: 4}).Apply(g.Input("x", tensor.Float32, 1, 2, 6))
		}, "mha1 has 4 heads, which do not divide its width 6"},
		{"bad dropout", func(g *graph.Graph, m *layers.Model) *graph.Node {
			return m.MultiHeadAttention(4, layers.AttentionConfig{Dropout: 1}).Apply(g.Input("x", tensor.Float32, 1, 2, 4))
		}, "mha1 has dropout 1; a dropout rate is in [0, 1)"},
		{"2-D query", func(g *graph.Graph, m *layers.Model) *graph.Node {
			return m.MultiHeadAttention(4, layers.AttentionConfig{}).Apply(g.Input("x", tensor.Float32, 2, 4))
		}, "mha1 wants a query (batch, T, 4), got shape (2, 4)"},
		{"wrong width", func(g *graph.Graph, m *layers.Model) *graph.Node {
			return m.MultiHeadAttention(4, layers.AttentionConfig{}).Apply(g.Input("x", tensor.Float32, 1, 2, 3))
		}, "mha1 wants a query (batch, T, 4), got shape (1, 2, 3)"},
		{"context of another batch", func(g *graph.Graph, m *layers.Model) *graph.Node {
			q, c := g.Input("q", tensor.Float32, 2, 3, 4), g.Input("c", tensor.Float32, 3, 3, 4)
			return m.MultiHeadAttention(4, layers.AttentionConfig{}).Attend(q, c, nil)
		}, "mha1 wants a context (2, T, 4) for the query (2, 3, 4), got shape (3, 3, 4)"},
		{"lengths of the wrong shape", func(g *graph.Graph, m *layers.Model) *graph.Node {
			x := g.Input("x", tensor.Float32, 2, 3, 4)
			return m.MultiHeadAttention(4, layers.AttentionConfig{}).Attend(x, x, g.Input("n", graph.Int64, 2, 1))
		}, "mha1 wants the lengths of the 2 sequences as int64 (2,), got shape (2, 1)"},
		{"float mask of the wrong dtype", func(g *graph.Graph, m *layers.Model) *graph.Node {
			x := g.Input("x", tensor.Float32, 2, 3, 4)
			return m.MultiHeadAttention(4, layers.AttentionConfig{}).Attend(x, x, g.Input("k", tensor.Float64, 2, 3))
		}, "mha1 wants a padding mask (2, 3) float32 or lengths (2,) int64, got (2, 3) float64"},
		{"dtype changes between applications", func(g *graph.Graph, m *layers.Model) *graph.Node {
			mha := m.MultiHeadAttention(4, layers.AttentionConfig{})
			mha.Apply(g.Input("a", tensor.Float32, 1, 2, 4))
			return mha.Apply(g.Input("b", tensor.Float64, 1, 2, 4))
		}, "mha1 was built for float32 inputs; this input is float64"},
		{"nil input", func(g *graph.Graph, m *layers.Model) *graph.Node {
			return m.MultiHeadAttention(4, layers.AttentionConfig{}).Attend(g.Input("x", tensor.Float32, 1, 2, 4), nil, nil)
		}, "input 1 is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			c.build(g, layers.NewModel(1))
			_, err := graph.Compile(g.Nodes()[len(g.Nodes())-1])
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "attention_test.go:") {
				t.Errorf("error %v, want one containing %q and the caller's line", err, c.want)
			}
		})
	}
}

func TestSetTorchWeightsRefusesWrongSizesAndAnUnbuiltLayer(t *testing.T) {
	m := layers.NewModel(1)
	mha := m.MultiHeadAttention(2, layers.AttentionConfig{})
	if err := mha.SetTorchWeights(make([]float64, 12), make([]float64, 6), make([]float64, 4), make([]float64, 2)); err == nil || !strings.Contains(err.Error(), "apply it once first") {
		t.Errorf("before Apply: %v", err)
	}
	g := graph.New()
	mha.Apply(g.Input("x", tensor.Float32, 1, 1, 2))
	if err := mha.SetTorchWeights(make([]float64, 12), make([]float64, 6), make([]float64, 3), make([]float64, 2)); err == nil || !strings.Contains(err.Error(), "out_proj.weight of 4, got 12 and 3") {
		t.Errorf("wrong size: %v", err)
	}
}

func TestALengthOutsideTheSequenceIsARunError(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 2, 3, 4)
	lengths := g.Input("lengths", graph.Int64, 2)
	y := layers.NewModel(1).MultiHeadAttention(4, layers.AttentionConfig{}).Attend(x, x, lengths)
	prog, err := graph.Compile(y)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int64{4, -1} {
		_, err := prog.Run(graph.Feeds{
			x:       graftest.Tensor(tensor.Float32, graftest.Ramp(24, 0), 2, 3, 4),
			lengths: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{2, bad})),
		})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprint(bad)) {
			t.Errorf("length %d: error %v, want one naming it", bad, err)
		}
	}
}
