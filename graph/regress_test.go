package graph_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

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

// Drawing a graph that holds a build error (an op given a nil input, or
// inputs from two graphs) works: that is when a user wants to look at it.
func TestWriteDOTDrawsAGraphWithABuildError(t *testing.T) {
	g, other := graph.New(), graph.New()
	x := g.Input("x", tensor.Float64, 2)
	z := other.Input("z", tensor.Float64, 2)
	bad := ops.Add(x, nil)
	foreign := ops.Add(x, z)
	for _, outputs := range [][]*graph.Node{nil, {bad}, {foreign}} {
		var b strings.Builder
		if err := graph.WriteDOT(&b, g, outputs...); err != nil {
			t.Errorf("WriteDOT(%v): %v", outputs, err)
		}
		if !strings.HasPrefix(b.String(), "digraph") {
			t.Errorf("WriteDOT(%v) wrote %q", outputs, b.String())
		}
	}
}

// Reject with no input still reports the builder's own error.
func TestRejectWithNoInputReportsItsError(t *testing.T) {
	n := graph.Reject("Full", errString("the graph is nil"))
	if _, err := graph.Compile(n); err == nil || !strings.Contains(err.Error(), "Full() at ") || !strings.Contains(err.Error(), "the graph is nil") {
		t.Errorf("Compile error %v, want Full's own error", err)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

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
