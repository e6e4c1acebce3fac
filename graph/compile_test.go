package graph_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// countingOp doubles its input and counts how often Forward runs, so a test
// can tell whether a program computed a node.
type countingOp struct{ calls *int }

func (countingOp) Name() string { return "Counting" }
func (countingOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return in[0].Shape(), in[0].DType(), nil
}
func (op countingOp) Forward(out *graph.Value, in []*graph.Value) {
	*op.calls++
	for i, v := range in[0].F64 {
		out.F64[i] = 2 * v
	}
}
func (countingOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

func TestCompileComputesOnlyWhatTheOutputsNeed(t *testing.T) {
	g := graph.New()
	a := g.Input("a", tensor.Float64, 2)
	b := g.Input("b", tensor.Float64, 3)
	var aCalls, bCalls int
	ya := graph.Apply(countingOp{&aCalls}, a)
	graph.Apply(countingOp{&bCalls}, b) // the other branch, never requested
	prog, err := graph.Compile(ya)
	if err != nil {
		t.Fatal(err)
	}
	// b is not fed: the program for ya must not need it.
	for run := 1; run <= 2; run++ {
		out, err := prog.Run(graph.Feeds{a: dense64([]float64{1.5, -2}, 2)})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		graftest.AssertClose(t, "ya", out[0].Float64s(), []float64{3, -4}, 0, 0)
		if aCalls != run || bCalls != 0 {
			t.Fatalf("after run %d: needed branch ran %d times, unneeded branch %d times; want %d and 0", run, aCalls, bCalls, run)
		}
	}
}

func TestCompileReturnsOutputsInTheRequestedOrder(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	neg := ops.Neg(x)
	sq := ops.Square(x)
	sum := ops.Sum(x)
	prog, err := graph.Compile(sum, neg, x, sq)
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(graph.Feeds{x: dense64([]float64{2, 3}, 2)})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{5}, {-2, -3}, {2, 3}, {4, 9}}
	wantShapes := []tensor.Shape{{}, {2}, {2}, {2}}
	if len(out) != len(want) {
		t.Fatalf("got %d results, want %d", len(out), len(want))
	}
	for i := range want {
		graftest.AssertClose(t, fmt.Sprintf("output %d", i), out[i].Float64s(), want[i], 0, 0)
		if !out[i].Shape().Eq(wantShapes[i]) {
			t.Errorf("output %d has shape %v, want %v", i, out[i].Shape(), wantShapes[i])
		}
	}
}

func TestRequestedLeavesAreCopiesThatDoNotAlias(t *testing.T) {
	g := graph.New()
	w := g.Param("w", dense64([]float64{1, 2, 3}, 3))
	c := g.Const("c", dense64([]float64{7, 8}, 2))
	x := g.Input("x", tensor.Float64, 2)
	prog, err := graph.Compile(w, c, x)
	if err != nil {
		t.Fatal(err)
	}
	feed := dense64([]float64{-1, -2}, 2)
	out, err := prog.Run(graph.Feeds{x: feed})
	if err != nil {
		t.Fatal(err)
	}
	graftest.AssertClose(t, "w", out[0].Float64s(), []float64{1, 2, 3}, 0, 0)
	graftest.AssertClose(t, "c", out[1].Float64s(), []float64{7, 8}, 0, 0)
	graftest.AssertClose(t, "x", out[2].Float64s(), []float64{-1, -2}, 0, 0)

	// Writing into the results must leave the leaves alone ...
	out[0].Float64s()[0] = 100
	out[1].Float64s()[0] = 100
	out[2].Float64s()[0] = 100
	graftest.AssertClose(t, "w after writing its result", w.Value().Float64s(), []float64{1, 2, 3}, 0, 0)
	graftest.AssertClose(t, "c after writing its result", c.Value().Float64s(), []float64{7, 8}, 0, 0)
	graftest.AssertClose(t, "feed after writing its result", feed.Float64s(), []float64{-1, -2}, 0, 0)

	// ... and writing into the leaves must leave the results alone until
	// the next run, which copies the new values.
	w.Value().Float64s()[1] = 20
	feed.Float64s()[1] = -20
	if got := out[0].Float64s()[1]; got != 2 {
		t.Fatalf("w's result changed to %v when w was written; it aliases the parameter", got)
	}
	if got := out[2].Float64s()[1]; got != -2 {
		t.Fatalf("x's result changed to %v when the feed was written; it aliases the feed", got)
	}
	out, err = prog.Run(graph.Feeds{x: feed})
	if err != nil {
		t.Fatal(err)
	}
	graftest.AssertClose(t, "w on the second run", out[0].Float64s(), []float64{1, 20, 3}, 0, 0)
	graftest.AssertClose(t, "x on the second run", out[2].Float64s(), []float64{-1, -20}, 0, 0)
}

func TestTheSameNodeRequestedTwice(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	w := g.Param("w", dense64([]float64{10, 20}, 2))
	y := ops.Mul(x, w)
	prog, err := graph.Compile(y, w, y, w)
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(graph.Feeds{x: dense64([]float64{3, 4}, 2)})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]float64{{30, 80}, {10, 20}, {30, 80}, {10, 20}} {
		graftest.AssertClose(t, "output", out[i].Float64s(), want, 0, 0)
	}
}

// chain applies n elementwise ops of x's shape, cycling through a few kinds.
// want applies the same functions to one float64.
func chain(x *graph.Node, n int) (*graph.Node, func(float64) float64) {
	fs := []struct {
		op func(*graph.Node) *graph.Node
		f  func(float64) float64
	}{
		{ops.Tanh, math.Tanh},
		{ops.Neg, func(v float64) float64 { return -v }},
		{ops.Sin, math.Sin},
		{ops.Exp, math.Exp},
	}
	y := x
	for i := range n {
		y = fs[i%len(fs)].op(y)
	}
	return y, func(v float64) float64 {
		for i := range n {
			v = fs[i%len(fs)].f(v)
		}
		return v
	}
}

func TestCompileReusesBuffersAlongAChain(t *testing.T) {
	const size, length = 64, 40
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			x := g.Input("x", dt, size)
			y, f := chain(x, length)
			prog, err := graph.Compile(y)
			if err != nil {
				t.Fatal(err)
			}
			n32, n64 := graph.ArenaLen(prog)
			used, other := n64, n32
			if dt == tensor.Float32 {
				used, other = n32, n64
			}
			// An op needs its input's buffer and its own; nothing else
			// need be live, so two buffers serve the whole chain.
			if used > 2*size || other != 0 {
				t.Fatalf("a chain of %d ops on %d elements uses arenas of %d (%v) and %d (other dtype); want at most %d and 0",
					length, size, used, dt, other, 2*size)
			}
			xs := graftest.Ramp(size, 0)
			feed := dense64(xs, size)
			if dt == tensor.Float32 {
				feed = dense32(to32(xs), size)
			}
			out, err := prog.Run(graph.Feeds{x: feed})
			if err != nil {
				t.Fatal(err)
			}
			got := graph.Float64s(out[0])
			want := make([]float64, size)
			for i, v := range graph.Float64s(feed) {
				want[i] = f(v)
			}
			tol := 0.0
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			graftest.AssertClose(t, "chain", got, want, tol, 0)
		})
	}
}

func TestReusedBuffersGiveTheRightValues(t *testing.T) {
	// A diamond with a long arm: a is read again after b, c, d and e have
	// taken buffers, so a buffer freed too early would corrupt f. The
	// reduction and the scalar branch mix buffer sizes, and a float32
	// branch runs beside the float64 one.
	g := graph.New()
	x := g.Input("x", tensor.Float64, 4, 3)
	x32 := g.Input("x32", tensor.Float32, 4, 3)
	a := ops.Exp(x)
	b := ops.Sin(a)
	c := ops.Cos(a)
	d := ops.Mul(b, c)
	e := ops.Tanh(d)
	f := ops.Add(e, a)
	s := ops.Sum(f, 1) // (4,)
	r := ops.Sqrt(s)   // (4,): may take the buffer of a (4, 3) node
	total := ops.Sum(ops.Mul(f, ops.Reshape(r, 4, 1)))
	y32 := ops.Tanh(ops.Neg(ops.Square(x32)))
	prog, err := graph.Compile(total, f, r, y32)
	if err != nil {
		t.Fatal(err)
	}
	n32, n64 := graph.ArenaLen(prog)
	// Eleven float64 ops of up to 12 elements; at most five buffers are
	// ever live at once (a, b, c, d and the result being written).
	if n64 > 5*12 || n32 > 2*12 {
		t.Fatalf("arenas hold %d float64 and %d float32 elements; with reuse they need at most %d and %d", n64, n32, 5*12, 2*12)
	}
	xs := graftest.Ramp(12, 0)
	out, err := prog.Run(graph.Feeds{x: dense64(xs, 4, 3), x32: dense32(to32(xs), 4, 3)})
	if err != nil {
		t.Fatal(err)
	}
	wantF := make([]float64, 12)
	wantR := make([]float64, 4)
	wantTotal := 0.0
	want32 := make([]float64, 12)
	for i, v := range xs {
		av := math.Exp(v)
		wantF[i] = math.Tanh(math.Sin(av)*math.Cos(av)) + av
		wantR[i/3] += wantF[i]
		want32[i] = math.Tanh(-v * v)
	}
	for i := range wantR {
		wantR[i] = math.Sqrt(wantR[i])
	}
	for i, v := range wantF {
		wantTotal += v * wantR[i/3]
	}
	graftest.AssertClose(t, "total", out[0].Float64s(), []float64{wantTotal}, 1e-12, 0)
	graftest.AssertClose(t, "f", out[1].Float64s(), wantF, 1e-12, 0)
	graftest.AssertClose(t, "r", out[2].Float64s(), wantR, 1e-12, 0)
	graftest.AssertClose(t, "float32 branch", graph.Float64s(out[3]), want32, 1e-6, 0)
}

func TestResultsStayValidUntilTheNextRun(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	y := ops.Square(x)
	prog, err := graph.Compile(y)
	if err != nil {
		t.Fatal(err)
	}
	first, err := prog.Run(graph.Feeds{x: dense64([]float64{1, 2, 3}, 3)})
	if err != nil {
		t.Fatal(err)
	}
	kept := first[0].Clone().(*tensor.Dense)
	// Running something else in between (here another program on the same
	// graph) does not touch this program's results.
	other, err := graph.Compile(ops.Neg(x))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Run(graph.Feeds{x: dense64([]float64{9, 9, 9}, 3)}); err != nil {
		t.Fatal(err)
	}
	graftest.AssertClose(t, "result after another program ran", first[0].Float64s(), []float64{1, 4, 9}, 0, 0)

	second, err := prog.Run(graph.Feeds{x: dense64([]float64{4, 5, 6}, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if second[0] != first[0] {
		t.Fatal("the second run returned a new tensor; results are owned by the program and reused")
	}
	graftest.AssertClose(t, "first run's tensor after the second run", first[0].Float64s(), []float64{16, 25, 36}, 0, 0)
	graftest.AssertClose(t, "clone kept from the first run", kept.Float64s(), []float64{1, 4, 9}, 0, 0)
}

func TestRunSeesParamsUpdatedInPlace(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			x := g.Input("x", dt, 2)
			var wt, xt *tensor.Dense
			if dt == tensor.Float32 {
				wt, xt = dense32([]float32{1, 2}, 2), dense32([]float32{3, 4}, 2)
			} else {
				wt, xt = dense64([]float64{1, 2}, 2), dense64([]float64{3, 4}, 2)
			}
			w := g.Param("w", wt)
			prog, err := graph.Compile(ops.Sum(ops.Mul(x, w)))
			if err != nil {
				t.Fatal(err)
			}
			feeds := graph.Feeds{x: xt}
			out, err := prog.Run(feeds)
			if err != nil {
				t.Fatal(err)
			}
			graftest.AssertClose(t, "before the update", graph.Float64s(out[0]), []float64{11}, 0, 0)
			// An optimizer step writes into the parameter's own backing.
			if dt == tensor.Float32 {
				w.Value().Float32s()[0] = -1
			} else {
				w.Value().Float64s()[0] = -1
			}
			out, err = prog.Run(feeds)
			if err != nil {
				t.Fatal(err)
			}
			graftest.AssertClose(t, "after the update", graph.Float64s(out[0]), []float64{5}, 0, 0)
		})
	}
}

// mlpLoss builds a small classifier's loss and its gradients, touching most
// kinds of op: MatMul, broadcast Add, Tanh, LogSoftmax, reductions, and the
// Reshape, BroadcastTo and transposed products of the gradients.
func mlpLoss(t *testing.T, dt tensor.Dtype) (*graph.Program, graph.Feeds) {
	t.Helper()
	g := graph.New()
	x := g.Input("x", dt, 8, 4)
	labels := g.Input("labels", dt, 8, 3)
	w1 := g.Param("w1", filled(dt, 0.1, 4, 5))
	b1 := g.Param("b1", filled(dt, 0.01, 5))
	w2 := g.Param("w2", filled(dt, -0.2, 5, 3))
	h := ops.Tanh(ops.Add(ops.MatMul(x, w1), b1))
	logits := ops.MatMul(h, w2)
	loss := ops.Neg(ops.Mean(ops.Sum(ops.Mul(labels, ops.LogSoftmax(logits, 1)), 1)))
	grads, err := autodiff.Grad(loss, w1, b1, w2)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
	if err != nil {
		t.Fatal(err)
	}
	return prog, graph.Feeds{x: filled(dt, 0.3, 8, 4), labels: filled(dt, 1.0/3, 8, 3)}
}

func TestSteadyStateRunAllocatesNothing(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			prog, feeds := mlpLoss(t, dt)
			if _, err := prog.Run(feeds); err != nil {
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(20, func() {
				if _, err := prog.Run(feeds); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Fatalf("Run allocates %v times per call; want 0", allocs)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	g, other := graph.New(), graph.New()
	x := g.Input("x", tensor.Float64, 2)
	z := other.Input("z", tensor.Float64, 2)
	broken := graph.New()
	bad := ops.Add(broken.Input("p", tensor.Float64, 2), broken.Input("q", tensor.Float64, 3))
	cases := []struct {
		name    string
		outputs []*graph.Node
		want    []string
	}{
		{"no outputs", nil, []string{"Compile", "at least one output"}},
		{"outputs of two graphs", []*graph.Node{ops.Neg(x), ops.Neg(z)}, []string{"Compile", "the outputs belong to different graphs"}},
		{"a nil output", []*graph.Node{ops.Neg(x), nil}, []string{"Compile", "output 1 is nil"}},
		{"an output of a graph with a build error", []*graph.Node{bad}, []string{"Add(p (2,) float64, q (3,) float64)", "compile_test.go:"}},
		{"a healthy output of a graph with a build error", []*graph.Node{broken.Nodes()[0]}, []string{"Add(p (2,) float64, q (3,) float64)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prog, err := graph.Compile(c.outputs...)
			if err == nil || prog != nil {
				t.Fatalf("Compile gave program %v and error %v; want an error", prog, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func to32(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, v := range xs {
		out[i] = float32(v)
	}
	return out
}

// filled returns a tensor of dtype dt whose elements step away from start,
// start·(1 + i/10), so no two are equal.
func filled(dt tensor.Dtype, start float64, shape ...int) *tensor.Dense {
	xs := make([]float64, graph.Shape(shape).Size())
	for i := range xs {
		xs[i] = start * (1 + float64(i)/10)
	}
	if dt == tensor.Float32 {
		return dense32(to32(xs), shape...)
	}
	return dense64(xs, shape...)
}

func TestProgramsOfOneGraphRunConcurrently(t *testing.T) {
	// Ops keep their build-time plans in the op values that both programs
	// share; Forward must only read them. Run with -race to see a write.
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3, 4)
	w := g.Param("w", dense64(graftest.Ramp(4, 0), 4, 1))
	y := ops.Sum(ops.Tanh(ops.MatMul(x, w)))
	progs := make([]*graph.Program, 2)
	for i := range progs {
		p, err := graph.Compile(y)
		if err != nil {
			t.Fatal(err)
		}
		progs[i] = p
	}
	want := 0.0
	xs := graftest.Ramp(12, 0)
	for r := range 3 {
		dot := 0.0
		for c := range 4 {
			dot += xs[r*4+c] * 0.1 * float64(c+1)
		}
		want += math.Tanh(dot)
	}
	errs := make(chan error, len(progs))
	results := make([]float64, len(progs))
	for i, p := range progs {
		go func() {
			feeds := graph.Feeds{x: dense64(graftest.Ramp(12, 0), 3, 4)}
			for range 50 {
				out, err := p.Run(feeds)
				if err != nil {
					errs <- err
					return
				}
				results[i] = out[0].Float64s()[0]
			}
			errs <- nil
		}()
	}
	for range progs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	graftest.AssertClose(t, "results of the two programs", results, []float64{want, want}, 1e-12, 0)
}

// Two requested outputs never share memory, even when they are one node
// (autodiff returns one node for both operands of an Add): an optimizer or a
// clipping step that scales each result in place must not scale one twice.
func TestARepeatedOutputGetsItsOwnBuffer(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	y := ops.Square(x)
	prog, err := graph.Compile(y, y)
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(graph.Feeds{x: dense64([]float64{3, 4}, 2)})
	if err != nil {
		t.Fatal(err)
	}
	out[0].Float64s()[0] = -1
	if got := out[1].Float64s(); got[0] != 9 || got[1] != 16 {
		t.Errorf("the second result is %v after writing into the first; want [9 16]", got)
	}
}

// A program whose buffers would pass MaxArenaElements is refused at Compile,
// naming the node that crossed the cap, before anything is allocated: five
// live results of MaxElements each need more than one arena may hold.
func TestCompileRefusesAnArenaPastMaxArenaElements(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, graph.MaxElements)
	outs := []*graph.Node{ops.Exp(x), ops.Sin(x), ops.Cos(x), ops.Tanh(x), ops.Neg(x)}
	prog, err := graph.Compile(outs...)
	if err == nil || prog != nil {
		t.Fatalf("Compile gave %v, %v; want an error", prog, err)
	}
	for _, want := range []string{"graft: Compile:", "float32", "MaxArenaElements", "Neg#5 (17179869184,) float32", "compile_test.go:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
