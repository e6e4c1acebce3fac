package layers_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

func TestTransformerBlockIsItsPartsComposed(t *testing.T) {
	// The block's output equals the pre-norm formula written out with
	// layers of a second model holding the same weights.
	for _, dt := range dtypes {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			x := g.Input("x", dt, 2, 3, 4)
			m := layers.NewModel(5)
			y := m.TransformerBlock(4, layers.BlockConfig{Heads: 2, Causal: true}).Apply(x)
			moveBiases(m)

			byHand := layers.NewModel(99)
			ln1, ln2 := byHand.LayerNorm(layers.NormConfig{}), byHand.LayerNorm(layers.NormConfig{})
			attn := byHand.MultiHeadAttention(4, layers.AttentionConfig{Heads: 2, Causal: true})
			up, down := byHand.Dense(16, activations.GELU), byHand.Dense(4, nil)
			n := ln1.Apply(x)
			h := ops.Add(x, attn.Attend(n, n, nil))
			want := ops.Add(h, down.Apply(up.Apply(ln2.Apply(h))))
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
			mine := map[string]*graph.Node{}
			for _, p := range m.Params() {
				mine[p.Name()] = p
			}
			names := map[string]string{"layernorm1": "block1/ln1", "layernorm2": "block1/ln2", "mha1": "block1/attn", "dense1": "block1/mlp1", "dense2": "block1/mlp2"}
			for _, p := range byHand.Params() {
				layer, param, _ := strings.Cut(p.Name(), "/")
				src := mine[names[layer]+"/"+param]
				if src == nil {
					t.Fatalf("the block has no parameter for %s", p.Name())
				}
				setValues(p, graph.Float64s(src.Value()))
			}
			tol := 1e-13
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(dt, graftest.Ramp(24, -1.1), 2, 3, 4)}, y, want)
			graftest.AssertClose(t, "block output", got[0], got[1], tol, 0)
		})
	}
}

func TestTransformerBlockNamesItsPartsUnderItsOwnName(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	b := m.TransformerBlock(8, layers.BlockConfig{Heads: 2, Hidden: 16})
	b.Apply(g.Input("x", tensor.Float32, 1, 3, 8))
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name())
	}
	want := "block1/ln1/gamma block1/ln1/beta " +
		"block1/attn/Wq block1/attn/bq block1/attn/Wk block1/attn/bk block1/attn/Wv block1/attn/bv block1/attn/Wo block1/attn/bo " +
		"block1/ln2/gamma block1/ln2/beta block1/mlp1/W block1/mlp1/b block1/mlp2/W block1/mlp2/b"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("params\n%s\nwant\n%s", got, want)
	}
	// 2·(2·8) norms, 4·(8·8 + 8) attention, 8·16 + 16 + 16·8 + 8 MLP
	if got, want := m.NumParams(), 2*16+4*72+8*16+16+16*8+8; got != want {
		t.Errorf("NumParams() = %d, want %d", got, want)
	}
	var s strings.Builder
	if err := m.Summary(&s); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"block1/attn (MultiHeadAttention)", "block1/mlp1 (Dense)", "block1/drop2 (Dropout)"} {
		if !strings.Contains(s.String(), row) {
			t.Errorf("summary lacks %q:\n%s", row, s.String())
		}
	}
}

func TestTransformerBlockPassesTheFirstAndSecondOrderGradientCheck(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(6)
	block := m.TransformerBlock(4, layers.BlockConfig{Heads: 2, Causal: true, Hidden: 6})
	x := g.Input("x", tensor.Float64, 2, 3, 4)
	lengths := g.Input("lengths", graph.Int64, 2)
	r := g.Const("r", graftest.Tensor(tensor.Float64, graftest.Ramp(24, -1.0), 2, 3, 4))
	loss := ops.Sum(ops.Mul(block.ApplyPadded(x, lengths), r))
	moveBiases(m)
	for _, p := range m.Params() { // gamma starts at ones: move it too
		if strings.HasSuffix(p.Name(), "/gamma") {
			setValues(p, graftest.Ramp(4, 0.7))
		}
	}
	feeds := graph.Feeds{
		x:       graftest.Tensor(tensor.Float64, graftest.Ramp(24, -1.1), 2, 3, 4),
		lengths: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{3, 2})),
	}
	if err := autodiff.CheckDerivatives(loss, append(m.Params(), x), feeds, autodiff.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
}

func TestTransformerBlockDropsInTrainingModeOnly(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	block := m.TransformerBlock(4, layers.BlockConfig{Dropout: 0.5, AttentionDropout: 0.5})
	x := g.Input("x", tensor.Float64, 1, 3, 4)
	inference := block.Apply(x)
	again := block.Apply(x)
	g.SetTraining(true)
	training := block.Apply(x)
	g.SetTraining(false)
	got := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(12, -0.6), 1, 3, 4)}, inference, again, training)
	graftest.AssertClose(t, "two inference applications", got[0], got[1], 0, 0)
	same := true
	for i := range got[0] {
		same = same && got[0][i] == got[2][i]
	}
	if same {
		t.Error("the training output equals the inference output: nothing was dropped")
	}
}

func TestTransformerBlockMistakesAreBuildErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(g *graph.Graph, m *layers.Model) *graph.Node
		want  string
	}{
		{"name taken", func(g *graph.Graph, m *layers.Model) *graph.Node {
			m.Dense(1, nil, layers.WithName("enc"))
			return m.TransformerBlock(4, layers.BlockConfig{}, layers.WithName("enc")).Apply(g.Input("x", tensor.Float32, 1, 2, 4))
		}, `the model already has a layer or parameter named "enc"`},
		{"wrong width", func(g *graph.Graph, m *layers.Model) *graph.Node {
			return m.TransformerBlock(4, layers.BlockConfig{}).Apply(g.Input("x", tensor.Float32, 1, 2, 3))
		}, "block1/attn wants a query (batch, T, 4), got shape (1, 2, 3)"},
		{"heads do not divide", func(g *graph.Graph, m *layers.Model) *graph.Node {
			return m.TransformerBlock(6, layers.BlockConfig{Heads: 4}).Apply(g.Input("x", tensor.Float32, 1, 2, 6))
		}, "block1/attn has 4 heads, which do not divide its width 6"},
		{"bad dropout", func(g *graph.Graph, m *layers.Model) *graph.Node {
			return m.TransformerBlock(4, layers.BlockConfig{Dropout: -0.1}).Apply(g.Input("x", tensor.Float32, 1, 2, 4))
		}, "block1/drop1 has rate -0.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			c.build(g, layers.NewModel(1))
			_, err := graph.Compile(g.Nodes()[len(g.Nodes())-1])
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "transformer_test.go:") {
				t.Errorf("error %v, want one containing %q and the caller's line", err, c.want)
			}
		})
	}
}
