// Package graftest holds the helpers graft's tests share, so that every
// package's tests say the same thing the same way: Eval runs nodes and
// returns their values, AssertClose compares them, CallerLine names the
// line that built a node, Tensor and Ramp make the values they run on. It
// is imported only by _test.go files.
package graftest

import (
	"math"
	"runtime"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Tensor returns graph.NewTensor(dt, data, shape...), and with no shape a
// vector of data, or a scalar when data holds one value. It panics on an
// error, which is a mistake in the test itself.
func Tensor(dt graph.DType, data []float64, shape ...int) *tensor.Dense {
	if len(shape) == 0 && len(data) != 1 {
		shape = []int{len(data)}
	}
	t, err := graph.NewTensor(dt, data, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// Ramp returns n distinct values 0.1, 0.2, ..., 0.1·n, shifted by offset, so
// that a misplaced element shows.
func Ramp(n int, offset float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 0.1*float64(i+1) + offset
	}
	return xs
}

// Eval compiles outputs, runs them once on feeds and returns copies of
// their values, widened to float64. A compile or run error fails the test.
func Eval(t testing.TB, feeds graph.Feeds, outputs ...*graph.Node) [][]float64 {
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
		vals[i] = graph.Float64s(o)
	}
	return vals
}

// AssertClose fails the test unless got and want have the same length and
// agree element by element within abs + rel·|want|. Equal values pass (an
// infinity matches itself); a NaN never does.
func AssertClose(t testing.TB, what string, got, want []float64, abs, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d elements %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] && !(math.Abs(got[i]-want[i]) <= abs+rel*math.Abs(want[i])) {
			t.Fatalf("%s: element %d is %.15g, want %.15g\n got: %v\nwant: %v", what, i, got[i], want[i], got, want)
		}
	}
}

// CallerLine returns the line it is called from, so that a test can check
// that an error names the line that built a node: `n, line := ops.Exp(x),
// graftest.CallerLine()`.
func CallerLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}
