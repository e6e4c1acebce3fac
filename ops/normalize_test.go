package ops_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

func TestMomentsAndNormalizeOnHandComputedNumbers(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, 2, 3)
		// Row 0: 1, 2, 6 has mean 3 and variance (4 + 1 + 9)/3 = 14/3.
		// Row 1: 4, 4, 4 has mean 4 and variance 0.
		xs, _ := graph.NewTensor(dt, []float64{1, 2, 6, 4, 4, 4}, 2, 3)
		mean, variance := ops.Moments(x, 1)
		y := ops.Normalize(x, mean, variance, 0.25)
		prog, err := graph.Compile(mean, variance, y)
		if err != nil {
			t.Fatal(err)
		}
		out, err := prog.Run(graph.Feeds{x: xs})
		if err != nil {
			t.Fatal(err)
		}
		s := math.Sqrt(14.0/3 + 0.25)
		want := [][]float64{{3, 4}, {14.0 / 3, 0}, {-2 / s, -1 / s, 3 / s, 0, 0, 0}}
		tol := 1e-15
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		for i, o := range out {
			got := graph.Float64s(o)
			for j := range got {
				if math.Abs(got[j]-want[i][j]) > tol {
					t.Fatalf("%v output %d: got %v, want %v", dt, i, got, want[i])
				}
			}
		}
		if !mean.Shape().Equal(graph.Shape{2, 1}) {
			t.Fatalf("mean has shape %v, want (2, 1)", mean.Shape())
		}
	}
}

// A large mean next to a small spread is where one-pass variance fails.
func TestMomentsVarianceIsAccurateAtALargeMean(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	xs, _ := graph.NewTensor(tensor.Float64, []float64{1e8 + 1, 1e8 + 2, 1e8 + 3}, 3)
	_, variance := ops.Moments(x)
	got := runTimes(t, 1, graph.Feeds{x: xs}, variance)[0][0]
	if math.Abs(got-2.0/3) > 1e-8 {
		t.Fatalf("variance %v, want 2/3", got)
	}
}

func TestNormalizeRejectsABadEps(t *testing.T) {
	for _, eps := range []float64{-1, math.NaN(), math.Inf(1)} {
		g := graph.New()
		x := g.Input("x", tensor.Float64, 2)
		m, v := ops.Moments(x)
		_, err := graph.Compile(ops.Normalize(x, m, v, eps))
		if err == nil || !strings.Contains(err.Error(), "graft: Normalize(") || !strings.Contains(err.Error(), "normalize_test.go") {
			t.Errorf("eps %v: got %v", eps, err)
		}
	}
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	if _, err := graph.Compile(ops.Normalize(x, x, nil, 0)); err == nil {
		t.Error("a nil variance compiled")
	}
}
