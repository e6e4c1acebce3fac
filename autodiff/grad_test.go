package autodiff_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// mlp is a two-layer perceptron's mean squared error,
// loss = mean((tanh(x·w1 + b1)·w2 + b2 - target)²).
type mlp struct {
	g              *graph.Graph
	x, target      *graph.Node
	w1, b1, w2, b2 *graph.Node
	loss           *graph.Node
	feeds          graph.Feeds
}

func newMLP(dt tensor.Dtype) *mlp {
	g := graph.New()
	param := func(name string, start float64, shape ...int) *graph.Node {
		return g.Param(name, graftest.Tensor(dt, filled(start, graph.Shape(shape).Size()), shape...))
	}
	m := &mlp{g: g}
	m.x = g.Input("x", dt, 4, 3)
	m.target = g.Input("target", dt, 4, 2)
	m.w1 = param("w1", 0.4, 3, 5)
	m.b1 = param("b1", 0.1, 5)
	m.w2 = param("w2", 0.3, 5, 2)
	m.b2 = param("b2", -0.2, 2)
	h := ops.Tanh(ops.Add(ops.MatMul(m.x, m.w1), m.b1))
	out := ops.Add(ops.MatMul(h, m.w2), m.b2)
	m.loss = ops.Mean(ops.Square(ops.Sub(out, m.target)))
	m.feeds = graph.Feeds{
		m.x:      graftest.Tensor(dt, filled(0.7, 12), 4, 3),
		m.target: graftest.Tensor(dt, filled(0.5, 8), 4, 2),
	}
	return m
}

func TestMLPGradientsMatchCentralDifferences(t *testing.T) {
	m := newMLP(tensor.Float64)
	xs := []*graph.Node{m.w1, m.b1, m.w2, m.b2, m.x}
	if err := autodiff.CheckGrad(m.loss, xs, m.feeds, autodiff.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
}

func TestFloat32GradientsAgreeWithFloat64(t *testing.T) {
	var results [2][][]float64
	for k, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m := newMLP(dt)
		grads, err := autodiff.Grad(m.loss, m.w1, m.b1, m.w2, m.b2)
		if err != nil {
			t.Fatal(err)
		}
		results[k] = graftest.Eval(t, m.feeds, grads...)
	}
	for i := range results[1] {
		graftest.AssertClose(t, "float32 gradient", results[0][i], results[1][i], 1e-5, 1e-4)
	}
}

func TestGradientsAreBitForBitReproducible(t *testing.T) {
	run := func() [][]float64 {
		m := newMLP(tensor.Float64)
		grads, err := autodiff.Grad(m.loss, m.w1, m.b1, m.w2, m.b2)
		if err != nil {
			t.Fatal(err)
		}
		return graftest.Eval(t, m.feeds, grads...)
	}
	first := run()
	for range 3 {
		again := run()
		for i := range first {
			graftest.AssertExact(t, fmt.Sprintf("gradient %d on a rerun", i), again[i], first[i])
		}
	}
}

func TestGradValues(t *testing.T) {
	type built struct {
		y     *graph.Node
		xs    []*graph.Node
		feeds graph.Feeds
	}
	cases := []struct {
		name  string
		build func(g *graph.Graph) built
		want  [][]float64
	}{
		{
			// Every path from x to y adds its share: d/dx (x² + x³) = 2x + 3x².
			name: "fan-out is summed",
			build: func(g *graph.Graph) built {
				x := g.Input("x", tensor.Float64, 3)
				y := ops.Sum(ops.Add(ops.Mul(x, x), ops.Mul(ops.Mul(x, x), x)))
				return built{y, []*graph.Node{x}, graph.Feeds{x: dense64([]float64{0.5, -1, 2}, 3)}}
			},
			want: [][]float64{{2*0.5 + 3*0.25, -2 + 3, 4 + 12}},
		},
		{
			// y = Σ (a + b)·c with b (3,) broadcast over a (4, 3): dy/db is
			// the column sums of c, dy/da is c itself.
			name: "a bias broadcast over rows is summed back",
			build: func(g *graph.Graph) built {
				a := g.Param("a", dense64(filled(1, 12), 4, 3))
				b := g.Param("b", dense64([]float64{1, 2, 3}, 3))
				c := g.Const("c", dense64([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, 3))
				return built{y: ops.Sum(ops.Mul(ops.Add(a, b), c)), xs: []*graph.Node{b, a}}
			},
			want: [][]float64{{22, 26, 30}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		},
		{
			// A column (2, 1) times a (2, 3) matrix: row sums; a scalar ()
			// times it: the sum of everything.
			name: "columns and scalars broadcast are summed back",
			build: func(g *graph.Graph) built {
				m := g.Const("m", dense64([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
				col := g.Param("col", dense64([]float64{1, 1}, 2, 1))
				s := g.Param("s", dense64([]float64{2}))
				return built{y: ops.Sum(ops.Mul(ops.Mul(m, col), s)), xs: []*graph.Node{col, s}}
			},
			want: [][]float64{{2 * 6, 2 * 15}, {21}},
		},
		{
			name: "an x that y does not depend on gets zeros of its shape",
			build: func(g *graph.Graph) built {
				x := g.Input("x", tensor.Float64, 2)
				unused := g.Param("unused", dense64(filled(1, 6), 2, 3))
				return built{ops.Sum(ops.Exp(x)), []*graph.Node{unused}, graph.Feeds{x: dense64([]float64{1, 2}, 2)}}
			},
			want: [][]float64{{0, 0, 0, 0, 0, 0}},
		},
		{
			// Sign has no gradient: x reaches y only through it.
			name: "a path through an op without gradient gives zeros",
			build: func(g *graph.Graph) built {
				x := g.Input("x", tensor.Float64, 2)
				return built{ops.Sum(ops.Sign(x)), []*graph.Node{x}, graph.Feeds{x: dense64([]float64{-3, 2}, 2)}}
			},
			want: [][]float64{{0, 0}},
		},
		{
			// With respect to the op node h = tanh x, y = Σ h² has gradient 2h.
			name: "the gradient with respect to an intermediate op node",
			build: func(g *graph.Graph) built {
				x := g.Input("x", tensor.Float64, 3)
				h := ops.Tanh(x)
				return built{ops.Sum(ops.Square(h)), []*graph.Node{h}, graph.Feeds{x: dense64([]float64{-1, 0.5, 2}, 3)}}
			},
			want: [][]float64{{2 * math.Tanh(-1), 2 * math.Tanh(0.5), 2 * math.Tanh(2)}},
		},
		{
			// h depends on x, and y on both: dy/dx counts the path through h.
			name: "an x and an op node built from it",
			build: func(g *graph.Graph) built {
				x := g.Input("x", tensor.Float64, 2)
				h := ops.Mul(x, x)
				return built{ops.Sum(ops.Mul(h, x)), []*graph.Node{x, h}, graph.Feeds{x: dense64([]float64{2, -3}, 2)}}
			},
			want: [][]float64{{12, 27}, {2, -3}},
		},
		{
			name: "the gradient of y with respect to itself is one",
			build: func(g *graph.Graph) built {
				x := g.Input("x", tensor.Float64, 3)
				y := ops.Sum(ops.Exp(x))
				return built{y, []*graph.Node{y}, graph.Feeds{x: dense64([]float64{1, 2, 3}, 3)}}
			},
			want: [][]float64{{1}},
		},
		{
			name: "a scalar leaf with respect to itself",
			build: func(g *graph.Graph) built {
				s := g.Param("s", dense64([]float64{5}))
				return built{y: s, xs: []*graph.Node{s}}
			},
			want: [][]float64{{1}},
		},
		{
			// y = Σ x·stop(x): the stopped factor acts as a constant, so
			// dy/dx = x, not 2x.
			name: "StopGradient blocks the path through it",
			build: func(g *graph.Graph) built {
				x := g.Input("x", tensor.Float64, 3)
				y := ops.Sum(ops.Mul(x, ops.StopGradient(x)))
				return built{y, []*graph.Node{x}, graph.Feeds{x: dense64([]float64{1, -2, 3}, 3)}}
			},
			want: [][]float64{{1, -2, 3}},
		},
		{
			// A (1, 1) y counts as a scalar.
			name: "a y of shape (1, 1)",
			build: func(g *graph.Graph) built {
				a := g.Param("a", dense64([]float64{1, 2}, 1, 2))
				b := g.Const("b", dense64([]float64{3, 4}, 2, 1))
				return built{y: ops.MatMul(a, b), xs: []*graph.Node{a}}
			},
			want: [][]float64{{3, 4}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.build(graph.New())
			grads, err := autodiff.Grad(b.y, b.xs...)
			if err != nil {
				t.Fatal(err)
			}
			got := graftest.Eval(t, b.feeds, grads...)
			for i, x := range b.xs {
				if !grads[i].Shape().Equal(x.Shape()) || grads[i].DType() != x.DType() {
					t.Errorf("gradient %d has shape %v %v; want x's %v %v", i, grads[i].Shape(), grads[i].DType(), x.Shape(), x.DType())
				}
				graftest.AssertClose(t, "d"+b.y.Name()+"/d"+x.Name(), got[i], c.want[i], 1e-12, 1e-12)
			}
		})
	}
}

func TestGradMarksOnlyTheNodesItBuilds(t *testing.T) {
	m := newMLP(tensor.Float64)
	forward := len(m.g.Nodes())
	if _, err := autodiff.Grad(m.loss, m.w1); err != nil {
		t.Fatal(err)
	}
	nodes := m.g.Nodes()
	if len(nodes) == forward {
		t.Fatal("Grad added no nodes")
	}
	for i, n := range nodes {
		if n.IsGradient() != (i >= forward) {
			t.Errorf("%v: IsGradient() = %v; want %v", n, n.IsGradient(), i >= forward)
		}
	}
}

func TestGradErrors(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 4, 3)
	vector := ops.Exp(x)
	y := ops.Sum(vector)
	stranger := graph.New().Input("stranger", tensor.Float64, 2)

	broken := graph.New()
	p := broken.Input("p", tensor.Float64, 2)
	ops.Add(p, broken.Input("q", tensor.Float64, 3))
	brokenY := ops.Sum(p) // healthy itself, but its graph has an error

	cases := []struct {
		name string
		y    *graph.Node
		xs   []*graph.Node
		want []string
	}{
		{"a non-scalar y", vector, []*graph.Node{x}, []string{vector.Name(), "(4, 3)", "scalar", "grad_test.go:"}},
		{"an x of another graph", y, []*graph.Node{x, stranger}, []string{"x 1", "stranger", "another graph"}},
		{"a nil y", nil, []*graph.Node{x}, []string{"y is nil"}},
		{"a nil x", y, []*graph.Node{nil}, []string{"x 0 is nil"}},
		{"a y whose graph has a build error", brokenY, []*graph.Node{p}, []string{"Add(p (2,) float64, q (3,) float64)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			grads, err := autodiff.Grad(c.y, c.xs...)
			if err == nil {
				t.Fatalf("Grad gave %v; want an error", grads)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := autodiff.Grad(brokenY, p); !errors.Is(err, broken.Err()) {
		t.Errorf("Grad on a broken graph gave %v; want the graph's own error %v", err, broken.Err())
	}
}

// badRuleOp passes x through; its gradient rule returns whatever rule
// builds, to test how Grad treats a rule of the wrong shape.
type badRuleOp struct {
	rule func(dy *graph.Node) *graph.Node
}

func (badRuleOp) Name() string { return "BadRule" }
func (badRuleOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return in[0].Shape(), in[0].DType(), nil
}
func (badRuleOp) Forward(out *graph.Value, in []*graph.Value)  { copy(out.F64, in[0].F64) }
func (op badRuleOp) Grad(n, dy *graph.Node, i int) *graph.Node { return op.rule(dy) }

func TestGradReportsAGradientRuleOfTheWrongShape(t *testing.T) {
	cases := []struct {
		name string
		rule func(dy *graph.Node) *graph.Node
		want string
	}{
		{"fewer axes than the input", func(dy *graph.Node) *graph.Node { return ops.Sum(dy, 0) }, "gave shape (3,)"},
		{"an axis of another size", func(dy *graph.Node) *graph.Node { return ops.Concat(0, dy, dy) }, "gave shape (4, 3)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			x := g.Input("x", tensor.Float64, 2, 3)
			y := ops.Sum(graph.Apply(badRuleOp{c.rule}, x))
			_, err := autodiff.Grad(y, x)
			if err == nil {
				t.Fatal("Grad accepted a gradient rule of the wrong shape")
			}
			for _, w := range []string{"BadRule", c.want, "x", "(2, 3)"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestGradReportsAGradientRuleThatReturnsAForeignNode(t *testing.T) {
	stranger := graph.New().Input("stranger", tensor.Float64, 2, 3)
	cases := []struct {
		name string
		rule func(dy *graph.Node) *graph.Node
		want string
	}{
		{"a node of another graph", func(dy *graph.Node) *graph.Node { return stranger }, "a node of another graph (stranger"},
		{"a zero Node", func(dy *graph.Node) *graph.Node { return &graph.Node{} }, "a node of no graph"},
		{"a node of another dtype", func(dy *graph.Node) *graph.Node { return ops.Full(dy.Graph(), 1, tensor.Float32, 2, 3) }, "dtype float32"},
		{"a node whose building failed", func(dy *graph.Node) *graph.Node { return ops.Reshape(dy, 7) }, "failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			x := g.Input("x", tensor.Float64, 2, 3)
			bad, line := graph.Apply(badRuleOp{c.rule}, x), graftest.CallerLine()
			_, err := autodiff.Grad(ops.Sum(bad), x)
			if err == nil {
				t.Fatal("Grad accepted the rule's node")
			}
			for _, w := range []string{"gradient rule of BadRule", c.want, fmt.Sprintf("grad_test.go:%d", line)} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// The gradient of an x that y does not depend on is a zero broadcast to x's
// shape, built without allocating x's size: an x of 2^34 elements (the most
// a tensor may hold) would otherwise take 128 GiB while Grad runs.
func TestGradOfAnUnusedHugeXAllocatesNothingOfItsSize(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	huge := g.Input("huge", tensor.Float64, 1<<17, 1<<17)
	grads, err := autodiff.Grad(ops.Sum(ops.Exp(x)), huge)
	if err != nil {
		t.Fatal(err)
	}
	if !grads[0].Shape().Equal(huge.Shape()) || grads[0].Kind() != graph.OpNode {
		t.Errorf("gradient %v of kind %v, want an op node of shape %v", grads[0], grads[0].Kind(), huge.Shape())
	}
}

// 7 × 0x6DB6DB6DB6DB6DB7 is 1 modulo 2^64: a y of that shape has a size that
// overflows to 1, and must not be taken for a scalar.
func TestGradRefusesAYWhoseSizeOverflowsToOne(t *testing.T) {
	g := graph.New()
	y := g.Input("y", tensor.Float64, 7, 0x6DB6DB6DB6DB6DB7)
	_, err := autodiff.Grad(y, y)
	switch {
	case err == nil:
		t.Fatal("Grad took y for a scalar")
	case g.Err() == nil && !strings.Contains(err.Error(), "must be a scalar"):
		t.Errorf("Grad error %v, want y refused as not a scalar", err)
	} // with g.Err() set, graph refused the input's size itself: fine too

}

// heldRuleOp passes x through; its gradient rule says it has started
// (inside), adds a node to the graph while the test goes on, and waits for
// release, so one Grad is held open for as long as the test needs.
type heldRuleOp struct{ inside, release chan struct{} }

func (heldRuleOp) Name() string { return "HeldRule" }
func (heldRuleOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return in[0].Shape(), in[0].DType(), nil
}
func (heldRuleOp) Forward(out *graph.Value, in []*graph.Value) { copy(out.F64, in[0].F64) }
func (op heldRuleOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	close(op.inside)
	c := ops.Neg(ops.Neg(dy)) // appended while the rival Grad runs
	<-op.release
	return c
}

// A Grad that overlaps another on the same graph is refused before it reads
// the graph: run with -race, which would see it read the node list while the
// first Grad appends to it. Both differentiations fail, and so does every
// later Compile of the graph.
func TestGradOverlappingAnotherOnTheSameGraphFailsWithoutReadingIt(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	op := heldRuleOp{inside: make(chan struct{}), release: make(chan struct{})}
	y := ops.Sum(graph.Apply(op, x))
	first := make(chan error)
	go func() {
		_, err := autodiff.Grad(y, x)
		first <- err
	}()
	<-op.inside
	_, err := autodiff.Grad(y, x)
	close(op.release)
	if err == nil || !strings.Contains(err.Error(), "two differentiations of one graph overlap") {
		t.Errorf("the overlapping Grad returned %v; want the overlap error", err)
	}
	if ferr := <-first; err == nil || !errors.Is(ferr, err) {
		t.Errorf("the first Grad returned %v; want it to fail with %v too", ferr, err)
	}
	if _, cerr := graph.Compile(y); err == nil || !errors.Is(cerr, err) {
		t.Errorf("Compile after the overlap gave %v; want %v", cerr, err)
	}
}
