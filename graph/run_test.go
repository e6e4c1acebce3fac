package graph_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

func TestRunRejectsBadFeeds(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	w := g.Param("w", dense64([]float64{1, 2, 3}, 3))
	unneeded := g.Input("unneeded", tensor.Float64, 5)
	stranger := graph.New().Input("stranger", tensor.Float64, 2, 3)
	prog, err := graph.Compile(ops.Sum(ops.Mul(x, w)))
	if err != nil {
		t.Fatal(err)
	}
	good := dense64(ramp(6), 2, 3)

	transposed := dense64(ramp(6), 3, 2)
	if err := transposed.T(); err != nil { // a (2, 3) view of (3, 2) data, not materialised
		t.Fatal(err)
	}
	columns, err := dense64(ramp(12), 2, 6).Slice(nil, tensor.S(0, 3)) // a (2, 3) view with gaps
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		feeds graph.Feeds
		want  []string
	}{
		{"no feed", graph.Feeds{}, []string{`"x"`, "not fed", "(2, 3)", "run_test.go:"}},
		{"a nil tensor", graph.Feeds{x: nil}, []string{`"x"`, "nil tensor", "(2, 3)"}},
		{"the wrong dtype", graph.Feeds{x: dense32(make([]float32, 6), 2, 3)}, []string{`"x"`, "float64", "float32"}},
		{"the wrong shape", graph.Feeds{x: dense64(ramp(6), 3, 2)}, []string{`"x"`, "(2, 3)", "(3, 2)"}},
		{"the wrong rank", graph.Feeds{x: dense64(ramp(6), 6)}, []string{`"x"`, "(2, 3)", "(6,)"}},
		{"a param as a key", graph.Feeds{x: good, w: dense64(ramp(3), 3)}, []string{`"w"`, "param", "not an input"}},
		{"a node of another graph", graph.Feeds{x: good, stranger: good}, []string{`"stranger"`, "another graph"}},
		{"a nil key", graph.Feeds{x: good, nil: good}, []string{"nil node"}},
		{"a non-contiguous view", graph.Feeds{x: transposed}, []string{`"x"`, "non-contiguous", "Materialize"}},
		{"a column slice", graph.Feeds{x: columns.(*tensor.Dense)}, []string{`"x"`, "non-contiguous", "Materialize"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := prog.Run(c.feeds)
			if err == nil {
				t.Fatalf("Run accepted the feeds and gave %v; want an error", out)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}

	// Feeding an input of the same graph that the program does not need
	// is allowed, so one Feeds map can serve several programs.
	out, err := prog.Run(graph.Feeds{x: good, unneeded: dense64(ramp(5), 5)})
	if err != nil {
		t.Fatalf("feeding an unneeded input: %v", err)
	}
	// x·w summed: (0.1·1 + 0.2·2 + 0.3·3) + (0.4·1 + 0.5·2 + 0.6·3) = 1.4 + 3.2.
	assertClose(t, "sum", out[0].Float64s(), []float64{4.6}, 1e-12)

}

func TestRunReadsAMaterialisedViewInItsLogicalOrder(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	prog, err := graph.Compile(ops.Neg(x))
	if err != nil {
		t.Fatal(err)
	}
	view := dense64([]float64{1, 2, 3, 4, 5, 6}, 3, 2)
	if err := view.T(); err != nil {
		t.Fatal(err)
	}
	m := view.Materialize().(*tensor.Dense) // (2, 3): rows 1 3 5 and 2 4 6
	out, err := prog.Run(graph.Feeds{x: m})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "Neg of the materialised transpose", out[0].Float64s(), []float64{-1, -3, -5, -2, -4, -6}, 0)
}

func TestRunReadsAContiguousSliceView(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	prog, err := graph.Compile(ops.Neg(x))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := dense64([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, 3).Slice(tensor.S(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(graph.Feeds{x: rows.(*tensor.Dense)})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "Neg of rows 1 and 2", out[0].Float64s(), []float64{-4, -5, -6, -7, -8, -9}, 0)
}

// A parameter whose tensor is replaced by one of another size after Compile
// is an error naming it at the next Run, not a panic or a partial result.
func TestRunRejectsAParameterTensorThatChangedSize(t *testing.T) {
	g := graph.New()
	w := g.Param("w", dense64([]float64{1, 2, 3, 4}, 2, 2))
	prog, err := graph.Compile(ops.MatMul(w, w))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Value().Reshape(4); err != nil { // same data, other shape: fine
		t.Fatal(err)
	}
	if _, err := prog.Run(nil); err != nil {
		t.Errorf("a reshaped tensor of the same size: %v", err)
	}
	*w.Value() = *dense64([]float64{1}, 1)
	if _, err := prog.Run(nil); err == nil || !strings.Contains(err.Error(), `parameter "w"`) || !strings.Contains(err.Error(), "(2, 2)") {
		t.Errorf("Run error %v, want one naming w and its shape", err)
	}
}
