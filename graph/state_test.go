package graph_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// counterGraph builds s, a (2,) state, the output y = 2s, and the update
// s ← s + 1 triggered by y.
func counterGraph() (g *graph.Graph, s, y *graph.Node) {
	g = graph.New()
	s = g.State("s", dense64([]float64{0, 10}, 2))
	y = ops.Mul(ops.ScalarLike(s, 2), s)
	graph.Update(s, ops.Add(s, ops.ScalarLike(s, 1)), y)
	return g, s, y
}

func TestUpdateWritesTheStateAfterEveryStepReadTheOldValue(t *testing.T) {
	_, s, y := counterGraph()
	prog, err := graph.Compile(y)
	if err != nil {
		t.Fatal(err)
	}
	for run, want := range [][]float64{{0, 20}, {2, 22}, {4, 24}} {
		out, err := prog.Run(nil)
		if err != nil {
			t.Fatal(err)
		}
		graftest.AssertClose(t, "y", out[0].Float64s(), want, 0, 0)
		graftest.AssertClose(t, "s", s.Value().Float64s(), []float64{float64(run + 1), float64(run + 11)}, 0, 0)
	}
}

func TestUpdateRunsOnlyInProgramsThatComputeItsTrigger(t *testing.T) {
	_, s, y := counterGraph()
	other, err := graph.Compile(ops.Neg(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Run(nil); err != nil {
		t.Fatal(err)
	}
	graftest.AssertClose(t, "s after a program without the trigger", s.Value().Float64s(), []float64{0, 10}, 0, 0)
	prog, err := graph.Compile(ops.Sum(y)) // y is needed, not requested
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prog.Run(nil); err != nil {
		t.Fatal(err)
	}
	graftest.AssertClose(t, "s after a program that needs the trigger", s.Value().Float64s(), []float64{1, 11}, 0, 0)
}

func TestUpdateOfOneStateWithTwoValuesIsACompileError(t *testing.T) {
	_, s, y := counterGraph()
	graph.Update(s, ops.Neg(s), y)
	_, err := graph.Compile(y)
	if err == nil || !strings.Contains(err.Error(), `state "s" would be updated twice`) {
		t.Fatalf("got %v, want an error about two updates of s", err)
	}
}

func TestUpdateWithTheSameValueTwiceIsOneUpdate(t *testing.T) {
	g := graph.New()
	counter, next := g.RandomCounter()
	a, b := ops.Neg(counter), ops.Exp(counter)
	graph.Update(counter, next, a)
	graph.Update(counter, next, b)
	prog, err := graph.Compile(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := prog.Run(nil); err != nil {
			t.Fatal(err)
		}
	}
	graftest.AssertClose(t, "counter", counter.Value().Float64s(), []float64{3}, 0, 0)
	if again, _ := g.RandomCounter(); again != counter {
		t.Fatal("RandomCounter made a second counter")
	}
}

func TestUpdateRejectsWhatIsNotAStateOfTheRightShape(t *testing.T) {
	cases := []struct {
		name  string
		build func(g *graph.Graph) *graph.Node
		want  string
	}{
		{"a parameter", func(g *graph.Graph) *graph.Node {
			p := g.Param("p", dense64([]float64{1}, 1))
			graph.Update(p, p, p)
			return p
		}, "p is a param, not a state"},
		{"another shape", func(g *graph.Graph) *graph.Node {
			s := g.State("s", dense64([]float64{1, 2}, 2))
			graph.Update(s, ops.Sum(s), s)
			return s
		}, "the value () float64 does not fit the state (2,) float64"},
		{"another dtype", func(g *graph.Graph) *graph.Node {
			s := g.State("s", dense64([]float64{1}, 1))
			graph.Update(s, g.Input("x", tensor.Float32, 1), s)
			return s
		}, "does not fit the state"},
		{"a nil node", func(g *graph.Graph) *graph.Node {
			s := g.State("s", dense64([]float64{1}, 1))
			graph.Update(s, nil, s)
			return s
		}, "nil"},
		{"another graph", func(g *graph.Graph) *graph.Node {
			s := g.State("s", dense64([]float64{1}, 1))
			graph.Update(s, graph.New().State("t", dense64([]float64{1}, 1)), s)
			return s
		}, "different graphs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			n := c.build(g)
			_, err := graph.Compile(n)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "graft: Update(") {
				t.Fatalf("got %v, want an Update build error containing %q", err, c.want)
			}
		})
	}
}

func TestStateIsAStateLeaf(t *testing.T) {
	g := graph.New()
	s := g.State("running_mean", dense64([]float64{1, 2}, 2))
	if s.Kind() != graph.State || s.Kind().String() != "state" || s.Value() == nil {
		t.Fatalf("got kind %v, value %v", s.Kind(), s.Value())
	}
	var nilGraph *graph.Graph
	if _, err := graph.Compile(nilGraph.State("s", dense64([]float64{1}, 1))); err == nil {
		t.Fatal("a state of a nil graph compiled")
	}
	if _, err := graph.Compile(g.State("bad", nil)); err == nil {
		t.Fatal("a state with a nil tensor compiled")
	}
}

func TestTrainingIsOffUntilSet(t *testing.T) {
	g := graph.New()
	if g.Training() {
		t.Fatal("a new graph is training")
	}
	g.SetTraining(true)
	if !g.Training() {
		t.Fatal("SetTraining(true) did not hold")
	}
	var nilGraph *graph.Graph
	nilGraph.SetTraining(true)
	if nilGraph.Training() {
		t.Fatal("a nil graph is training")
	}
}

func TestRunWithUpdatesAllocatesNothing(t *testing.T) {
	_, _, y := counterGraph()
	prog, err := graph.Compile(y)
	if err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(20, func() { prog.Run(nil) }); allocs != 0 {
		t.Fatalf("Run allocates %v times per call; want 0", allocs)
	}
}
