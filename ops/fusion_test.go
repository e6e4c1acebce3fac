package ops_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// fusionGraph builds a graph on g and returns the nodes to compile and the
// feeds.
type fusionGraph func(g *graph.Graph) ([]*graph.Node, graph.Feeds)

// runFusedAndUnfused builds the graph twice, with fusion on and off, and
// returns both programs' results and the fused program's steps.
func runFusedAndUnfused(t *testing.T, build fusionGraph) (fused, unfused [][]float64, steps []string) {
	t.Helper()
	for _, on := range []bool{true, false} {
		g := graph.New()
		g.SetFusion(on)
		outs, feeds := build(g)
		prog, err := graph.Compile(outs...)
		if err != nil {
			t.Fatal(err)
		}
		res, err := prog.Run(feeds)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([][]float64, len(res))
		for i, r := range res {
			vals[i] = graph.Float64s(r)
		}
		if on {
			fused, steps = vals, prog.Steps()
		} else {
			unfused = vals
		}
	}
	return fused, unfused, steps
}

// denseNet builds an MLP with ReLUs and its gradients: the graph fusion is
// for. Batch 1 takes the GEMM's vector path, 5 its small loops, 64 and 300
// its blocked kernel (300 split across goroutines).
func denseNet(dt graph.DType, batch int, widths ...int) fusionGraph {
	return func(g *graph.Graph) ([]*graph.Node, graph.Feeds) {
		x := g.Input("x", dt, batch, widths[0])
		h := x
		var params []*graph.Node
		for l := range len(widths) - 1 {
			w := g.Param(fmt.Sprint("w", l), graftest.Tensor(dt, wave(widths[l]*widths[l+1], l), widths[l], widths[l+1]))
			b := g.Param(fmt.Sprint("b", l), graftest.Tensor(dt, wave(widths[l+1], l+7), widths[l+1]))
			params = append(params, w, b)
			h = ops.ReLU(ops.Add(ops.MatMul(h, w), b))
		}
		loss := ops.Sum(ops.Mul(h, h))
		grads, err := autodiff.Grad(loss, params...)
		if err != nil {
			panic(err)
		}
		return append([]*graph.Node{loss, h}, grads...), graph.Feeds{x: graftest.Tensor(dt, wave(batch*widths[0], 3), batch, widths[0])}
	}
}

// wave is n numbers in [-1, 1) of mixed signs, different for each seed.
func wave(n, seed int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = math.Sin(float64(i*7+seed*13)) * 0.9
	}
	return xs
}

func TestFusedProgramsGiveTheUnfusedBits(t *testing.T) {
	cases := []struct {
		name  string
		build fusionGraph
		want  []string // steps the fused program must have
	}{
		{"dense float32 batch 1", denseNet(tensor.Float32, 1, 30, 300, 10), []string{"Fused(MatMul→Add→ReLU)", "Fused(MatMulNT→ReLUGrad)"}},
		{"dense float64 batch 5", denseNet(tensor.Float64, 5, 4, 60, 3), []string{"Fused(MatMul→Add→ReLU)", "Fused(MatMulNT→ReLUGrad)"}},
		{"dense float32 batch 64", denseNet(tensor.Float32, 64, 100, 70, 10), []string{"Fused(MatMul→Add→ReLU)", "Fused(MatMulNT→ReLUGrad)"}},
		{"dense float64 batch 300", denseNet(tensor.Float64, 300, 200, 150, 9), []string{"Fused(MatMul→Add→ReLU)", "Fused(MatMulNT→ReLUGrad)"}},
		{"batched product with a row bias", func(g *graph.Graph) ([]*graph.Node, graph.Feeds) {
			a := g.Input("a", tensor.Float64, 3, 5, 7)
			b := g.Input("b", tensor.Float64, 3, 7, 20)
			bias := g.Input("bias", tensor.Float64, 1, 20)
			y := ops.Tanh(ops.Sub(ops.MatMulT(a, b, false, false), bias))
			return []*graph.Node{y}, graph.Feeds{a: graftest.Tensor(tensor.Float64, wave(105, 1), 3, 5, 7), b: graftest.Tensor(tensor.Float64, wave(420, 2), 3, 7, 20), bias: graftest.Tensor(tensor.Float64, wave(20, 3), 1, 20)}
		}, []string{"Fused(MatMul→Sub→Tanh)"}},
		{"elementwise chain with scalars, rows and a repeated operand", func(g *graph.Graph) ([]*graph.Node, graph.Feeds) {
			x := g.Input("x", tensor.Float32, 70, 90)
			r := g.Input("r", tensor.Float32, 90)
			s := ops.Sigmoid(x)
			y := ops.Div(ops.Add(ops.Mul(ops.Mul(s, s), ops.ScalarLike(x, 3)), r), ops.Exp(x))
			return []*graph.Node{y}, graph.Feeds{x: graftest.Tensor(tensor.Float32, wave(6300, 4), 70, 90), r: graftest.Tensor(tensor.Float32, wave(90, 5), 90)}
		}, []string{"Fused(Sigmoid→Mul→Mul→Add→Div)"}},
		{"a long vector, cut into blocks", func(g *graph.Graph) ([]*graph.Node, graph.Feeds) {
			x := g.Input("x", tensor.Float64, 10007)
			y := ops.Neg(ops.Square(ops.Sin(x)))
			return []*graph.Node{y}, graph.Feeds{x: graftest.Tensor(tensor.Float64, wave(10007, 6), 10007)}
		}, []string{"Fused(Sin→Square→Neg)"}},
		{"long enough to be split over the cores, and a long node alone", func(g *graph.Graph) ([]*graph.Node, graph.Feeds) {
			x := g.Input("x", tensor.Float32, 300, 1001)
			r := g.Input("r", tensor.Float32, 1001)
			y := ops.Tanh(ops.Mul(ops.Sigmoid(x), r))
			z := ops.Exp(y)
			return []*graph.Node{y, z}, graph.Feeds{x: graftest.Tensor(tensor.Float32, wave(300300, 7), 300, 1001), r: graftest.Tensor(tensor.Float32, wave(1001, 8), 1001)}
		}, []string{"Fused(Sigmoid→Mul→Tanh)", "Exp"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fused, unfused, steps := runFusedAndUnfused(t, c.build)
			for _, w := range c.want {
				if !slices.Contains(steps, w) {
					t.Fatalf("steps %v, want %s among them", steps, w)
				}
			}
			for i := range fused {
				graftest.AssertExact(t, fmt.Sprint("output ", i), fused[i], unfused[i])
			}
		})
	}
}

// A node that is requested, or read by more than the next op, keeps its
// buffer: fusion never drops a value someone reads. (Tensors under 256
// elements are never fused, so the tests use larger ones.)
func TestFusionKeepsNodesReadElsewhere(t *testing.T) {
	var z *graph.Node
	build := func(g *graph.Graph) ([]*graph.Node, graph.Feeds) {
		x := g.Input("x", tensor.Float64, 40, 3)
		w := g.Input("w", tensor.Float64, 3, 10)
		p := ops.MatMul(x, w)
		z = ops.Exp(p)
		y := ops.Log(ops.Add(z, ops.ScalarLike(z, 1)))
		q := ops.Mul(ops.Neg(y), y) // y is read twice by Mul, which may still chain it
		return []*graph.Node{q, p, ops.Sum(z)}, graph.Feeds{x: graftest.Tensor(tensor.Float64, wave(120, 1), 40, 3), w: graftest.Tensor(tensor.Float64, wave(30, 2), 3, 10)}
	}
	fused, unfused, steps := runFusedAndUnfused(t, build)
	for _, s := range steps {
		if strings.HasPrefix(s, "Fused(MatMul") {
			t.Fatalf("steps %v: the requested product was fused away", steps)
		}
	}
	if !slices.Contains(steps, "Fused(Add→Log)") {
		t.Fatalf("steps %v, want Fused(Add→Log)", steps)
	}
	for i := range fused {
		graftest.AssertExact(t, fmt.Sprint("output ", i), fused[i], unfused[i])
	}
}

func TestFusedProgramsAllocateNothingAndNeedLessMemory(t *testing.T) {
	var arenas [2]int
	for k, on := range []bool{true, false} {
		g := graph.New()
		g.SetFusion(on)
		outs, feeds := denseNet(tensor.Float32, 64, 100, 70, 10)(g)
		prog, err := graph.Compile(outs...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := prog.Run(feeds); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(20, func() { _, _ = prog.Run(feeds) }); a != 0 {
			t.Errorf("fusion %v: %v allocations per run, want 0", on, a)
		}
		arenas[k] = prog.Memory().Arena
	}
	if arenas[0] >= arenas[1] {
		t.Errorf("fused arena %d bytes, unfused %d: fusion should drop the values inside chains", arenas[0], arenas[1])
	}
}

// CheckFinite on a fused program names the node inside the chain that made
// the first NaN, as it does unfused.
func TestCheckFiniteFindsTheNodeInsideAChain(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 16, 16)
	n := ops.Neg(x)
	l, line := ops.Log(n), graftest.CallerLine()
	y := ops.Mul(ops.Exp(l), ops.ScalarLike(l, 2))
	prog, err := graph.Compile(y)
	if err != nil {
		t.Fatal(err)
	}
	if steps := prog.Steps(); len(steps) != 1 || steps[0] != "Fused(Neg→Log→Exp→Mul)" {
		t.Fatalf("steps %v, want one fused chain", steps)
	}
	prog.CheckFinite(true)
	xs := make([]float64, 256)
	for i := range xs {
		xs[i] = -float64(i%6 + 1)
	}
	xs[2] = 3
	_, err = prog.Run(graph.Feeds{x: graftest.Tensor(tensor.Float64, xs, 16, 16)})
	for _, w := range []string{"NaN at element 2 of Log", fmt.Sprintf("fusion_test.go:%d", line), "input 0 (Neg#1) in [-3, 6]"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("got %v, want it to contain %q", err, w)
		}
	}
}

func TestSetFusionOnNilGraph(t *testing.T) {
	var g *graph.Graph
	g.SetFusion(true)
	if g.Fusion() {
		t.Fatal("a nil graph fuses")
	}
	if !graph.New().Fusion() {
		t.Fatal("a new graph does not fuse")
	}
}
