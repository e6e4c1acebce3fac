package chart

import (
	"fmt"
	"math"

	"graft/activations"
	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// Curve is an activation sampled at points X: its values Y, and the first
// and second derivatives D1 and D2 that autodiff computes.
type Curve struct {
	X, Y, D1, D2 []float64
}

// Sample evaluates f and its first two derivatives at xs, computing in
// dtype dt (tensor.Float32 or tensor.Float64); the results are widened to
// float64. The derivatives are the ones autodiff builds from f's gradient
// rules, kink choices included, not finite differences.
//
// Each point is evaluated as the first element of f applied to the row
// (x, 0): for an elementwise f that is f(x), and for softmax and
// log_softmax it is the first of two classes whose other logit is 0 (so
// softmax gives σ(x)).
func Sample(f activations.Func, dt graph.DType, xs []float64) (Curve, error) {
	n := len(xs)
	if n == 0 {
		return Curve{}, fmt.Errorf("graft: Sample: no points")
	}
	if f == nil {
		return Curve{}, fmt.Errorf("graft: Sample: the activation is nil")
	}
	g := graph.New()
	x := g.Input("x", dt, n, 1)
	rows := ops.Concat(1, x, ops.Full(g, 0, dt, n, 1))
	fx := f(rows)
	if err := g.Err(); err != nil {
		return Curve{}, err
	}
	if fx == nil || fx.Graph() != g || !fx.Shape().Equal(rows.Shape()) || fx.DType() != dt {
		return Curve{}, fmt.Errorf("graft: Sample: the activation must return a node of its input's graph, shape and dtype; for %v it returned %v", rows, fx)
	}
	y := ops.Slice(fx, 1, 0, 1)
	d1, err := autodiff.Grad(ops.Sum(y), x)
	if err != nil {
		return Curve{}, err
	}
	d2, err := autodiff.Grad(ops.Sum(d1[0]), x)
	if err != nil {
		return Curve{}, err
	}
	prog, err := graph.Compile(y, d1[0], d2[0])
	if err != nil {
		return Curve{}, err
	}
	feed, err := graph.NewTensor(dt, xs, n, 1)
	if err != nil {
		return Curve{}, err
	}
	out, err := prog.Run(graph.Feeds{x: feed})
	if err != nil {
		return Curve{}, err
	}
	return Curve{X: append([]float64(nil), xs...), Y: graph.Float64s(out[0]), D1: graph.Float64s(out[1]), D2: graph.Float64s(out[2])}, nil
}

// Linspace returns n points evenly spaced from lo to hi, both included
// (just lo when n is 1, none when n < 1). lo and hi must be finite, and n at
// most graph.MaxElements, the number of elements graft allows in a tensor. When hi - lo
// overflows (lo = -1e308, hi = 1e308) the points are interpolated as
// lo·(1-t) + hi·t, which stays finite.
func Linspace(lo, hi float64, n int) ([]float64, error) {
	switch {
	case math.IsNaN(lo) || math.IsInf(lo, 0) || math.IsNaN(hi) || math.IsInf(hi, 0):
		return nil, fmt.Errorf("graft: Linspace: the ends %v and %v must be finite", lo, hi)
	case n > graph.MaxElements: // a mistaken count is an error, not the process out of memory
		return nil, fmt.Errorf("graft: Linspace: %d points is more than the %d elements graft allows in a tensor (graph.MaxElements)", n, graph.MaxElements)
	case n <= 0:
		return nil, nil
	}
	xs := make([]float64, n)
	span := hi - lo
	// span·i is exact to the last bit more often than span·(i/(n-1)), but
	// it overflows for the widest ranges: those take the other form.
	wide := math.IsInf(span*float64(n-1), 0)
	for i := range xs {
		switch {
		case n == 1:
			xs[i] = lo
		case math.IsInf(span, 0):
			t := float64(i) / float64(n-1)
			xs[i] = lo*(1-t) + hi*t
		case wide:
			xs[i] = lo + span*(float64(i)/float64(n-1))
		default:
			xs[i] = lo + span*float64(i)/float64(n-1)
		}
	}
	return xs, nil
}
