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

func TestCheckFiniteStopsAtTheForwardNodeThatMadeANaN(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	l, line := ops.Log(x), graftest.CallerLine()
	y := ops.Sum(ops.Mul(l, l))
	prog, err := graph.Compile(y)
	if err != nil {
		t.Fatal(err)
	}
	feeds := graph.Feeds{x: dense64([]float64{1, 0, 2}, 3)}
	if out, err := prog.Run(feeds); err != nil || !math.IsInf(out[0].Float64s()[0], 1) {
		t.Fatalf("off: %v, %v; want +Inf to flow through unnoticed", out, err)
	}
	prog.CheckFinite(true)
	_, err = prog.Run(feeds)
	want := []string{"-Inf at element 1 of Log", "a forward node", fmt.Sprintf("finite_test.go:%d", line), "input 0 (x) in [0, 2]"}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("got %v, want it to contain %q", err, w)
		}
	}
}

// d√x/dx = 1/(2√x) is +Inf at 0, though √0 is finite: the NaN origin is a
// gradient node, reported with the line of the Sqrt it differentiates.
func TestCheckFiniteNamesTheForwardNodeOfAGradientNode(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	s, line := ops.Sqrt(x), graftest.CallerLine()
	grads, err := autodiff.Grad(ops.Sum(s), x)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := graph.Compile(grads[0])
	if err != nil {
		t.Fatal(err)
	}
	prog.CheckFinite(true)
	_, err = prog.Run(graph.Feeds{x: dense64([]float64{4, 0}, 2)})
	want := []string{"+Inf at element 1", "a gradient node of Sqrt", fmt.Sprintf("finite_test.go:%d", line)}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("got %v, want it to contain %q", err, w)
		}
	}
	if grads[0].Derives() == nil || s.Derives() != nil {
		t.Fatalf("Derives: gradient %v, forward %v", grads[0].Derives(), s.Derives())
	}
}

func TestCheckFiniteRunsCleanGraphsUnchangedAndAllocatesNothing(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 4)
	y := ops.Sum(ops.Exp(x))
	prog, _ := graph.Compile(y)
	feeds := graph.Feeds{x: dense32([]float32{1, 2, 3, 4}, 4)}
	off, _ := prog.Run(feeds)
	want := off[0].Float32s()[0]
	prog.CheckFinite(true)
	on, err := prog.Run(feeds)
	if err != nil || on[0].Float32s()[0] != want {
		t.Fatalf("on: %v, %v", on, err)
	}
	if allocs := testing.AllocsPerRun(20, func() { prog.Run(feeds) }); allocs != 0 {
		t.Fatalf("a checked Run allocates %v times", allocs)
	}
}

func TestMemoryReportsTheArenaParamsAndConstants(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 4, 3)
	w := g.Param("w", tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(make([]float64, 6))))
	k := g.Const("k", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2})))
	y := ops.Add(ops.MatMul(ops.Cast(x, tensor.Float64), w), ops.Cast(k, tensor.Float64))
	prog, err := graph.Compile(y)
	if err != nil {
		t.Fatal(err)
	}
	m := prog.Memory()
	// Cast(x) 12 float64 and the product 8, then Cast(k) 2 and the sum 8
	// reusing regions: at least the 12 + 8 float64s live at once.
	if m.Params != 48 || m.Constants != 8 || m.Arena < 8*20 {
		t.Fatalf("got %+v", m)
	}
}

func BenchmarkCheckFinite(b *testing.B) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 256, 256)
	y := ops.Sum(ops.Tanh(ops.MatMul(x, x)))
	data := make([]float32, 256*256)
	for i := range data {
		data[i] = float32(i%7) / 7
	}
	feeds := graph.Feeds{x: dense32(data, 256, 256)}
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("on=%v", on), func(b *testing.B) {
			prog, _ := graph.Compile(y)
			prog.CheckFinite(on)
			b.ReportAllocs()
			for b.Loop() {
				prog.Run(feeds)
			}
		})
	}
}
