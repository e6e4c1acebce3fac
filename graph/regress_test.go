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
