package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// TestBroadcastAddWalksEveryLayout runs Add and Pow (the hand-written loops
// and the function call per element) on broadcast layouts whose plans have
// zero, one, two and three outer axes, against each element worked out from
// its own index.
func TestBroadcastAddWalksEveryLayout(t *testing.T) {
	cases := []struct{ a, b graph.Shape }{
		{graph.Shape{3, 4, 5, 6}, graph.Shape{1, 4, 1, 1}}, // a channel bias: two outer axes
		{graph.Shape{1, 4, 1, 1}, graph.Shape{3, 4, 5, 6}}, // the same, operands swapped
		{graph.Shape{3, 4, 5}, graph.Shape{3, 1, 5}},       // two outer axes, b a plane per row
		{graph.Shape{2, 3, 4, 5}, graph.Shape{2, 1, 4, 1}}, // three outer axes
		{graph.Shape{6, 7}, graph.Shape{7}},                // a feature bias: one outer axis
		{graph.Shape{6, 7}, graph.Shape{}},                 // a scalar
		{graph.Shape{6, 7}, graph.Shape{6, 1}},             // a column
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range cases {
		for _, op := range []*binary{
			{name: "Add", fast: addLoop, f32: add[float32], f64: add[float64]},
			{name: "Pow", f32: pow32, f64: math.Pow},
		} {
			g := graph.New()
			an, bn := g.Input("a", tensor.Float64, c.a...), g.Input("b", tensor.Float64, c.b...)
			shape, _, err := op.Infer([]*graph.Node{an, bn})
			if err != nil {
				t.Fatal(err)
			}
			a, b := randomValue(rng, c.a), randomValue(rng, c.b)
			out := &graph.Value{Shape: shape, DType: tensor.Float64, F64: make([]float64, shape.Size())}
			op.Forward(out, []*graph.Value{a, b})
			sa, sb := broadcastStrides(c.a, shape), broadcastStrides(c.b, shape)
			for i, got := range out.F64 {
				ia, ib, rest := 0, 0, i
				for d := len(shape) - 1; d >= 0; d-- {
					k := rest % shape[d]
					rest /= shape[d]
					ia += k * sa[d]
					ib += k * sb[d]
				}
				if want := op.f64(a.F64[ia], b.F64[ib]); got != want {
					t.Fatalf("%s %v with %v: element %d is %v, want %v", op.name, c.a, c.b, i, got, want)
				}
			}
		}
	}
}

func randomValue(rng *rand.Rand, s graph.Shape) *graph.Value {
	v := &graph.Value{Shape: s, DType: tensor.Float64, F64: make([]float64, s.Size())}
	for i := range v.F64 {
		v.F64[i] = 0.5 + rng.Float64()
	}
	return v
}
