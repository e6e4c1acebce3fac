// Package graftest holds the helpers graft's tests share, so that every
// package's tests say the same thing the same way: Eval runs nodes and
// returns their values (Results adds their shapes and dtypes), AssertClose
// compares them within a Tolerance and AssertExact bit for bit, CallerLine
// names the line that built a node, Tensor, Ramp and Integers make the
// values they run on, and ReadReference reads the PyTorch numbers of a
// scripts/*.py reference file. It is imported only by _test.go files, and
// imports graph alone, so that any package's tests may use it.
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

// Result is one output of a run: a copy of its values widened to float64,
// with the shape and dtype the output had.
type Result struct {
	Shape graph.Shape
	DType graph.DType
	Data  []float64
}

// Results compiles outputs, runs them once on feeds and returns a copy of
// each output with its shape and dtype, for a test that checks those too. A
// compile or run error fails the test.
func Results(t testing.TB, feeds graph.Feeds, outputs ...*graph.Node) []Result {
	t.Helper()
	prog, err := graph.Compile(outputs...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(feeds)
	if err != nil {
		t.Fatal(err)
	}
	res := make([]Result, len(out))
	for i, o := range out {
		res[i] = Result{Shape: graph.Shape(o.Shape()).Clone(), DType: o.Dtype(), Data: graph.Float64s(o)}
	}
	return res
}

// Integers returns the n whole numbers from, from+1, ..., which both dtypes
// hold exactly, so that sums and products of a few of them stay exact.
func Integers(n int, from float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = from + float64(i)
	}
	return xs
}

// Eval compiles outputs, runs them once on feeds and returns copies of
// their values, widened to float64. A compile or run error fails the test.
func Eval(t testing.TB, feeds graph.Feeds, outputs ...*graph.Node) [][]float64 {
	t.Helper()
	res := Results(t, feeds, outputs...)
	vals := make([][]float64, len(res))
	for i, r := range res {
		vals[i] = r.Data
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

// AssertExact fails the test unless got is want bit for bit, for a value
// that must not depend on rounding (a copy, a selection, a rerun).
func AssertExact(t testing.TB, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d elements %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s: element %d is %.17g, want exactly %.17g\n got: %v\nwant: %v", what, i, got[i], want[i], got, want)
		}
	}
}

// Tolerance is the tolerance, absolute and relative, of a hand-computed
// value in dtype dt: a float32 case's inputs are themselves rounded to
// float32, a float64 case leaves a few ulps for the order of its sums.
func Tolerance(dt graph.DType) float64 {
	if dt == tensor.Float32 {
		return 2e-6
	}
	return 1e-13
}

// CallerLine returns the line it is called from, so that a test can check
// that an error names the line that built a node: `n, line := ops.Exp(x),
// graftest.CallerLine()`.
func CallerLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}
