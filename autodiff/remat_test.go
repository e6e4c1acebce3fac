package autodiff_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// deepNet builds a 16-layer tanh MLP of width 32 on a batch of 256 and
// compiles its loss and gradients. With remat, each run of four layers is a
// segment: only every fourth layer's output is kept for the backward pass.
func deepNet(t *testing.T, remat bool) (*graph.Program, []*graph.Node) {
	t.Helper()
	const layers, width, batch = 16, 32, 256
	g := graph.New()
	data := make([]float64, batch*width)
	for i := range data {
		data[i] = math.Sin(float64(i))
	}
	h := g.Const("x", dense64(data, batch, width))
	var params []*graph.Node
	layer := func(l int) {
		w := make([]float64, width*width)
		for i := range w {
			w[i] = math.Cos(float64(i*(l+3))) / 8
		}
		p := g.Param("w", dense64(w, width, width))
		params = append(params, p)
		h = ops.Tanh(ops.MatMul(h, p))
	}
	for block := 0; block < layers; block += 4 {
		three := func() {
			for l := block; l < block+3; l++ {
				layer(l)
			}
		}
		if remat {
			g.Rematerialize(three)
		} else {
			three()
		}
		layer(block + 3) // its output is the next segment's checkpoint
	}
	loss := ops.Mean(ops.Square(h))
	grads, err := autodiff.Grad(loss, params...)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
	if err != nil {
		t.Fatal(err)
	}
	return prog, params
}

func TestRematerializationGivesTheSameNumbersInLessMemory(t *testing.T) {
	plain, _ := deepNet(t, false)
	remat, _ := deepNet(t, true)
	a, err := plain.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := remat.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		graftest.AssertExact(t, fmt.Sprintf("output %d with rematerialization", i), b[i].Float64s(), a[i].Float64s())
	}
	before, after := plain.Memory().Arena, remat.Memory().Arena
	t.Logf("arena: %d bytes kept, %d recomputed (%.0f%%)", before, after, 100*float64(after)/float64(before))
	if after >= before {
		t.Fatalf("the arena did not shrink: %d bytes before, %d after", before, after)
	}
}

func TestRematerializedNodesAreMarkedAndTheirCopiesAreNot(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	var y *graph.Node
	g.Rematerialize(func() { y = ops.Exp(ops.Sin(x)) })
	if !y.Rematerialized() || x.Rematerialized() {
		t.Fatal("marks are wrong")
	}
	grads, err := autodiff.Grad(ops.Sum(y), x)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.Nodes() {
		if n.IsGradient() && n.Rematerialized() {
			t.Fatalf("gradient node %v is marked for rematerialization", n)
		}
	}
	got := graftest.Eval(t, graph.Feeds{x: dense64([]float64{0, 1, 2}, 3)}, grads[0])[0]
	for i, v := range []float64{0, 1, 2} {
		if want := math.Exp(math.Sin(v)) * math.Cos(v); math.Abs(got[i]-want) > 1e-15 {
			t.Fatalf("gradient %d is %v, want %v", i, got[i], want)
		}
	}
}
