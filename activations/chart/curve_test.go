package chart

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/ops"
)

func TestSampleRejectsBadArguments(t *testing.T) {
	wrongShape := func(x *graph.Node) *graph.Node { return ops.Sum(x) }
	for _, tc := range []struct {
		name string
		f    activations.Func
		dt   graph.DType
		xs   []float64
		want string
	}{
		{"no points", activations.ReLU, tensor.Float64, nil, "no points"},
		{"nil func", nil, tensor.Float64, []float64{1}, "nil"},
		{"int dtype", activations.ReLU, tensor.Int, []float64{1}, "not supported"},
		{"shape-changing func", wrongShape, tensor.Float64, []float64{1, 2}, "must return a node of its input's graph, shape and dtype"},
	} {
		_, err := Sample(tc.f, tc.dt, tc.xs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Sample error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestLinspaceIncludesBothEnds(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{-1, 1, 5, []float64{-1, -0.5, 0, 0.5, 1}},
		{2, 3, 1, []float64{2}},
		{2, 3, 0, nil},
	} {
		if got, err := Linspace(tc.lo, tc.hi, tc.n); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Linspace(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
		}
	}
}

// A range whose width overflows float64 still gives finite, ordered points
// from one end to the other, where lo + (hi-lo)·t would give NaN and Inf.
func TestLinspaceOfAnOverflowingRangeStaysFinite(t *testing.T) {
	xs, err := Linspace(-1e308, 1e308, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-1e308, -5e307, 0, 5e307, 1e308}
	if !slices.Equal(xs, want) {
		t.Errorf("Linspace(-1e308, 1e308, 5) = %v, want %v", xs, want)
	}
}

// A count too large for a tensor, or an end that is not finite, is an error
// before anything is allocated (1<<40 points would end the process).
func TestLinspaceRejectsTooManyPointsAndNonFiniteEnds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lo, hi float64
		n      int
		want   string
	}{
		{"1<<40 points", 0, 1, 1 << 40, "graft: Linspace: 1099511627776 points is more than the 17179869184 elements"},
		{"NaN end", math.NaN(), 1, 3, "the ends NaN and 1 must be finite"},
		{"infinite end", 0, math.Inf(1), 3, "the ends 0 and +Inf must be finite"},
	} {
		xs, err := Linspace(tc.lo, tc.hi, tc.n)
		if err == nil || !strings.Contains(err.Error(), tc.want) || xs != nil {
			t.Errorf("%s: Linspace = %d points, error %v; want none and an error containing %q", tc.name, len(xs), err, tc.want)
		}
	}
}
