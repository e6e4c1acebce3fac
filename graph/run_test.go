package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
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
	good := dense64(graftest.Ramp(6, 0), 2, 3)

	transposed := dense64(graftest.Ramp(6, 0), 3, 2)
	if err := transposed.T(); err != nil { // a (2, 3) view of (3, 2) data, not materialised
		t.Fatal(err)
	}
	columns, err := dense64(graftest.Ramp(12, 0), 2, 6).Slice(nil, tensor.S(0, 3)) // a (2, 3) view with gaps
	if err != nil {
		t.Fatal(err)
	}
	masked := dense64(graftest.Ramp(6, 0), 2, 3)
	masked.SetMask([]bool{false, true, false, false, false, false})
	axes := make([]int, 1_000_000)
	for i := range axes {
		axes[i] = 1
	}
	huge := dense64([]float64{1}, axes...)
	cases := []struct {
		name  string
		feeds graph.Feeds
		want  []string
	}{
		{"no feed", graph.Feeds{}, []string{`"x"`, "not fed", "(2, 3)", "run_test.go:"}},
		{"a nil tensor", graph.Feeds{x: nil}, []string{`"x"`, "nil tensor", "(2, 3)"}},
		{"the wrong dtype", graph.Feeds{x: dense32(make([]float32, 6), 2, 3)}, []string{`"x"`, "float64", "float32"}},
		{"the wrong shape", graph.Feeds{x: dense64(graftest.Ramp(6, 0), 3, 2)}, []string{`"x"`, "(2, 3)", "(3, 2)"}},
		{"the wrong rank", graph.Feeds{x: dense64(graftest.Ramp(6, 0), 6)}, []string{`"x"`, "(2, 3)", "(6,)"}},
		{"a param as a key", graph.Feeds{x: good, w: dense64(graftest.Ramp(3, 0), 3)}, []string{`"w"`, "param", "not an input"}},
		{"a node of another graph", graph.Feeds{x: good, stranger: good}, []string{`"stranger"`, "another graph"}},
		{"a nil key", graph.Feeds{x: good, nil: good}, []string{"nil node"}},
		{"a non-contiguous view", graph.Feeds{x: transposed}, []string{`"x"`, "non-contiguous", "Materialize"}},
		{"a column slice", graph.Feeds{x: columns.(*tensor.Dense)}, []string{`"x"`, "non-contiguous", "Materialize"}},
		{"a masked tensor", graph.Feeds{x: masked}, []string{`"x"`, "a masked tensor", "SetMask(nil)"}},
		{"a shape of a million axes", graph.Feeds{x: huge}, []string{`"x"`, "(2, 3)", "(1, 1, 1, 1, 1, 1, 1, 1, ... (1000000 axes))"}},
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
			if strings.Contains(err.Error(), "masked") && strings.Contains(err.Error(), "non-contiguous") {
				t.Errorf("error %q names both a mask and a non-contiguous view", err)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error of %d bytes; an error quotes a shape in one short line", len(err.Error()))
			}
		})
	}

	// Feeding an input of the same graph that the program does not need
	// is allowed, so one Feeds map can serve several programs.
	out, err := prog.Run(graph.Feeds{x: good, unneeded: dense64(graftest.Ramp(5, 0), 5)})
	if err != nil {
		t.Fatalf("feeding an unneeded input: %v", err)
	}
	// x·w summed: (0.1·1 + 0.2·2 + 0.3·3) + (0.4·1 + 0.5·2 + 0.6·3) = 1.4 + 3.2.
	graftest.AssertClose(t, "sum", out[0].Float64s(), []float64{4.6}, 1e-12, 0)

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
	graftest.AssertClose(t, "Neg of the materialised transpose", out[0].Float64s(), []float64{-1, -3, -5, -2, -4, -6}, 0, 0)
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
	graftest.AssertClose(t, "Neg of rows 1 and 2", out[0].Float64s(), []float64{-4, -5, -6, -7, -8, -9}, 0, 0)
}

// feedbackProgram computes x+1 and 2x: the first result's region is written
// by the first step, before the second step reads x, so a feed that aliased
// that region would be read after it was overwritten.
func feedbackProgram(t *testing.T, x *graph.Node) *graph.Program {
	t.Helper()
	prog, err := graph.Compile(ops.Add(x, ops.ScalarLike(x, 1)), ops.Mul(x, ops.ScalarLike(x, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// An RNN's state or a solver's estimate is a result fed back as the next
// run's input: it must give the numbers a fresh tensor of the same values
// gives, in both dtypes, and still allocate nothing once running.
func TestAResultFedBackGivesTheNumbersOfAFreshFeed(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			x := g.Input("x", dt, 2)
			prog := feedbackProgram(t, x)
			out, err := prog.Run(graph.Feeds{x: filled(dt, 1, 2)}) // x = (1, 1.1)
			if err != nil {
				t.Fatal(err)
			}
			graftest.AssertClose(t, "x+1", graph.Float64s(out[0]), []float64{2, 2.1}, 1e-6, 0)
			graftest.AssertClose(t, "2x", graph.Float64s(out[1]), []float64{2, 2.2}, 1e-6, 0)
			state := graph.Feeds{x: out[0]}
			want := []float64{2, 2.1}
			for step := 1; step <= 3; step++ {
				out, err := prog.Run(state)
				if err != nil {
					t.Fatal(err)
				}
				graftest.AssertClose(t, fmt.Sprintf("2x on feedback step %d", step), graph.Float64s(out[1]), []float64{2 * want[0], 2 * want[1]}, 1e-5, 0)
				want = []float64{want[0] + 1, want[1] + 1}
				graftest.AssertClose(t, fmt.Sprintf("x+1 on feedback step %d", step), graph.Float64s(out[0]), want, 1e-5, 0)
			}
			if allocs := testing.AllocsPerRun(20, func() {
				if _, err := prog.Run(state); err != nil {
					t.Fatal(err)
				}
			}); allocs != 0 {
				t.Errorf("a run fed its own result allocates %v times; want 0", allocs)
			}
		})
	}
}

// A view into a result (a row of it) fed back is copied like the whole
// result, and a parameter whose tensor was pointed at a result is too.
func TestPartOfAResultOrAParameterBackedByOneIsReadBeforeItIsOverwritten(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	rows := ops.Add(ops.Reshape(x, 1, 2), ops.Full(g, 1, tensor.Float64, 2, 2)) // (2, 2): x+1 twice
	prog, err := graph.Compile(rows, ops.Mul(x, ops.ScalarLike(x, 2)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(graph.Feeds{x: dense64([]float64{1, 2}, 2)})
	if err != nil {
		t.Fatal(err)
	}
	row, err := out[0].Slice(tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	out, err = prog.Run(graph.Feeds{x: row.(*tensor.Dense)}) // x = (2, 3)
	if err != nil {
		t.Fatal(err)
	}
	graftest.AssertClose(t, "x+1 of a row of the result", out[0].Float64s(), []float64{3, 4, 3, 4}, 0, 0)
	graftest.AssertClose(t, "2x of a row of the result", out[1].Float64s(), []float64{4, 6}, 0, 0)

	h := graph.New()
	w := h.Param("w", dense64([]float64{1, 2}, 2))
	pprog := feedbackProgram(t, w)
	pout, err := pprog.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	*w.Value() = *tensor.New(tensor.WithShape(2), tensor.WithBacking(pout[0].Float64s()))
	pout, err = pprog.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	graftest.AssertClose(t, "w+1 of a parameter backed by the result", pout[0].Float64s(), []float64{3, 4}, 0, 0)
	graftest.AssertClose(t, "2w of a parameter backed by the result", pout[1].Float64s(), []float64{4, 6}, 0, 0)
}

// A parameter whose tensor is replaced, resized or reshaped after Compile is
// an error naming it at the next Run: not a panic, a partial result, or
// numbers read from the same bytes as another dtype.
func TestRunRejectsAParameterTensorChangedBehindTheGraph(t *testing.T) {
	everyOther, err := dense64(graftest.Ramp(6, 0), 6).Slice(tensor.S(0, 6, 2)) // (3,) with gaps
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		now  *tensor.Dense
		want []string
	}{
		{"a tensor of another size", dense64([]float64{1}, 1), []string{"(1,)"}},
		{"a float32 tensor of the same bytes", dense32(make([]float32, 6), 6), []string{"a float32 tensor of shape (6,)"}},
		{"a reshape to the same size", dense64(graftest.Ramp(3, 0), 3, 1), []string{"a float64 tensor of shape (3, 1)"}},
		{"a non-contiguous view", everyOther.(*tensor.Dense), []string{"non-contiguous"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			w := g.Param("w", dense64([]float64{1, 2, 3}, 3))
			prog, err := graph.Compile(ops.Neg(w))
			if err != nil {
				t.Fatal(err)
			}
			*w.Value() = *c.now
			out, err := prog.Run(nil)
			if err == nil {
				t.Fatalf("Run gave %v; want an error", out[0])
			}
			for _, want := range append(c.want, "Run:", `parameter "w"`, "as (3,) float64", "run_test.go:") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// A failed Compile returns a nil program; running it is an error, not a panic.
func TestRunOnANilProgramIsAnError(t *testing.T) {
	var prog *graph.Program
	if out, err := prog.Run(nil); err == nil || out != nil || !strings.Contains(err.Error(), "program is nil") {
		t.Errorf("Run on a nil program gave %v, %v; want an error saying the program is nil", out, err)
	}
}

// gateOp copies its input; its Forward reports that it started and then
// waits, so a test can run something else while a Run is in progress.
type gateOp struct{ started, release chan struct{} }

func (gateOp) Name() string { return "Gate" }
func (gateOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return in[0].Shape(), in[0].DType(), nil
}
func (op gateOp) Forward(out *graph.Value, in []*graph.Value) {
	op.started <- struct{}{}
	<-op.release
	copy(out.F64, in[0].F64)
}
func (gateOp) Grad(n, dy *graph.Node, i int) *graph.Node { return dy }

// One Program run from two goroutines at once would share its buffers: the
// second Run is refused at once, and the first one finishes with the right
// numbers. Run under -race, the refused Run touches nothing.
func TestRunWhileTheProgramRunsInAnotherGoroutineIsAnError(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	gate := gateOp{started: make(chan struct{}), release: make(chan struct{})}
	prog, err := graph.Compile(graph.Apply(gate, x))
	if err != nil {
		t.Fatal(err)
	}
	feeds := graph.Feeds{x: dense64([]float64{5, 6}, 2)}
	first := make(chan error)
	go func() {
		out, err := prog.Run(feeds)
		if err == nil && (out[0].Float64s()[0] != 5 || out[0].Float64s()[1] != 6) {
			err = fmt.Errorf("the first run gave %v; want [5 6]", out[0].Float64s())
		}
		first <- err
	}()
	<-gate.started
	out, err := prog.Run(feeds)
	if err == nil || out != nil || err.Error() != "graft: Run: program is already running in another goroutine" {
		t.Errorf("a Run during a Run gave %v, %v; want the already-running error", out, err)
	}
	close(gate.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// Once the first Run is done the program runs again.
	go func() { <-gate.started }()
	if _, err := prog.Run(feeds); err != nil {
		t.Errorf("a Run after the first finished: %v", err)
	}
}
