package graph_test

import (
	"errors"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

func TestRejectRecordsTheBuildersMistakeWithShapesAndLine(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 4, 3)
	bad := errors.New("wants a 2-D input of width 2")
	n := graph.Reject("MyLayer", bad, x) // the line the error must name
	_, err := graph.Compile(n)
	var be *graph.BuildError
	if !errors.As(err, &be) || !errors.Is(err, bad) {
		t.Fatalf("Compile error %v, want a BuildError wrapping the builder's", err)
	}
	for _, want := range []string{"MyLayer(x (4, 3) float64)", "reject_test.go:17", "width 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}

func TestRejectWithoutAnErrorStillFails(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	if _, err := graph.Compile(graph.Reject("Thing", nil, x)); err == nil || !strings.Contains(err.Error(), "Thing(x (2,) float64)") {
		t.Errorf("Compile error %v, want Thing's build error", err)
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
