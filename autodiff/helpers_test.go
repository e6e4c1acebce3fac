package autodiff_test

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

func dense64(data []float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// filled returns n distinct float64s start·(1 + i/7)·(-1)^i: both signs,
// no two equal, so a misplaced element shows.
func filled(start float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = start * (1 + float64(i)/7)
		if i%2 == 1 {
			xs[i] = -xs[i]
		}
	}
	return xs
}

// eval compiles outputs, runs them on feeds and returns copies of their
// values as float64s.
func eval(t *testing.T, feeds graph.Feeds, outputs ...*graph.Node) [][]float64 {
	t.Helper()
	prog, err := graph.Compile(outputs...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(feeds)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([][]float64, len(out))
	for i, o := range out {
		if o.Dtype() == tensor.Float64 {
			vals[i] = slices.Clone(o.Float64s())
			continue
		}
		for _, v := range o.Float32s() {
			vals[i] = append(vals[i], float64(v))
		}
	}
	return vals
}

// assertClose fails unless got and want agree element by element within
// abs + rel·|want|.
func assertClose(t *testing.T, what string, got, want []float64, abs, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d elements %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= abs+rel*math.Abs(want[i])) {
			t.Fatalf("%s: element %d is %.15g, want %.15g\n got: %v\nwant: %v", what, i, got[i], want[i], got, want)
		}
	}
}

// callerLine returns the line it is called from, so a test can name the line
// that built a node.
func callerLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}
