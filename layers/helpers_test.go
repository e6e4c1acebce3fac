package layers_test

import (
	"math"
	"runtime"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// dtypes are the element types every layer test runs in.
var dtypes = []graph.DType{tensor.Float32, tensor.Float64}

// tensorOf returns a tensor of dtype dt and the given shape holding data.
func tensorOf(dt graph.DType, data []float64, shape ...int) *tensor.Dense {
	t, err := graph.NewTensor(dt, data, shape...)
	if err != nil {
		panic(err) // the test itself is wrong
	}
	return t
}

// setValues overwrites a parameter's values.
func setValues(p *graph.Node, data []float64) {
	if p.DType() == tensor.Float32 {
		for i, v := range data {
			p.Value().Float32s()[i] = float32(v)
		}
		return
	}
	copy(p.Value().Float64s(), data)
}

// run compiles outputs and runs them once on feeds.
func run(t *testing.T, feeds graph.Feeds, outputs ...*graph.Node) [][]float64 {
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

// ramp returns n distinct values, 0.1, 0.2, ..., shifted by offset.
func ramp(n int, offset float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 0.1*float64(i+1) + offset
	}
	return xs
}

// assertClose fails unless got and want agree element by element within tol.
func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol || math.IsNaN(got[i]) {
			t.Fatalf("%s: value %d is %v, want %v (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

// line returns the line it is called from, so a test can say which line an
// error must name: `at, y := line(), d.Apply(x)`.
func line() int {
	_, _, l, _ := runtime.Caller(1)
	return l
}
