package graph_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// dotGraph builds y = Sum((Tanh(x·w) + c)·d), with constant names that
// hold a double quote, a line break and a backslash, and the gradient of y
// with respect to w.
func dotGraph(t *testing.T) (g *graph.Graph, y, dw *graph.Node) {
	t.Helper()
	g = graph.New()
	x := g.Input("x", tensor.Float64, 2, 3)
	w := g.Param("w", dense64(graftest.Ramp(3, 0), 3, 1))
	c := g.Const(`say "hi"`, dense64([]float64{1}, 1))
	d := g.Const("two\nlines \\", dense64([]float64{2}, 1))
	y = ops.Sum(ops.Mul(ops.Add(ops.Tanh(ops.MatMul(x, w)), c), d))
	grads, err := autodiff.Grad(y, w)
	if err != nil {
		t.Fatal(err)
	}
	return g, y, grads[0]
}

var (
	dotNodeLine = regexp.MustCompile(`^  n(\d+) \[label="[^"]*", ([^\]]*)\];$`)
	dotEdgeLine = regexp.MustCompile(`^  n(\d+) -> n(\d+) \[[^\]]*\];$`)
)

func TestWriteDOTDrawsEveryNeededNodeOnItsOwnLine(t *testing.T) {
	g, y, dw := dotGraph(t)
	var buf bytes.Buffer
	if err := graph.WriteDOT(&buf, g, y, dw); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if !strings.HasPrefix(text, "digraph") || lines[len(lines)-1] != "}" {
		t.Fatalf("not a digraph block:\n%s", text)
	}
	attrs := map[string]string{} // node id -> attributes
	edges := 0
	for _, line := range lines[1 : len(lines)-1] {
		if m := dotNodeLine.FindStringSubmatch(line); m != nil {
			if _, dup := attrs[m[1]]; dup {
				t.Errorf("node n%s drawn twice", m[1])
			}
			attrs[m[1]] = m[2]
			continue
		}
		if m := dotEdgeLine.FindStringSubmatch(line); m != nil {
			if _, ok := attrs[m[1]]; !ok {
				t.Errorf("edge %q starts at a node not drawn before it", line)
			}
			if _, ok := attrs[m[2]]; !ok {
				t.Errorf("edge %q ends at a node not drawn before it", line)
			}
			edges++
			continue
		}
		if !strings.HasSuffix(line, ";") {
			t.Errorf("line %q is neither a node, an edge nor a statement", line)
		}
	}
	nodes := 0
	for _, n := range g.Nodes() {
		nodes++
		a, ok := attrs[strconv.Itoa(n.ID())]
		if !ok {
			t.Errorf("%v is not drawn", n)
			continue
		}
		switch {
		case n.Kind() == graph.Param && !strings.Contains(a, `fillcolor="#fdd0a2"`):
			t.Errorf("param %v is not orange: %s", n, a)
		case n.Kind() == graph.Input && !strings.Contains(a, `fillcolor="#c7e9c0"`):
			t.Errorf("input %v is not green: %s", n, a)
		case n.Kind() == graph.OpNode && n.IsGradient() && !(strings.Contains(a, "dashed") && strings.Contains(a, `color="#2171b5"`)):
			t.Errorf("gradient node %v is not dashed blue: %s", n, a)
		case n.Kind() == graph.OpNode && !n.IsGradient() && (strings.Contains(a, "dashed") || strings.Contains(a, "#2171b5")):
			t.Errorf("forward node %v is drawn as a gradient node: %s", n, a)
		}
		if want := n == y || n == dw; strings.Contains(a, "peripheries=2") != want {
			t.Errorf("%v: output ring is %v, want %v", n, !want, want)
		}
	}
	if len(attrs) != nodes {
		t.Errorf("drew %d nodes; the graph has %d and the outputs need them all", len(attrs), nodes)
	}
	if edges == 0 {
		t.Error("no edges drawn")
	}
	for _, label := range []string{`label="say 'hi'\n(1,)"`, `label="two\nlines \\\n(1,)"`} {
		if !strings.Contains(text, label) {
			t.Errorf("the drawing lacks %s: a name with a quote, a line break or a backslash is not made safe:\n%s", label, text)
		}
	}
}

func TestWriteDOTDrawsOnlyWhatTheOutputsNeed(t *testing.T) {
	g, y, _ := dotGraph(t)
	var some, all bytes.Buffer
	if err := graph.WriteDOT(&some, g, y); err != nil {
		t.Fatal(err)
	}
	if err := graph.WriteDOT(&all, g); err != nil {
		t.Fatal(err)
	}
	count := func(s string) int { return len(regexp.MustCompile(`(?m)^  n\d+ \[`).FindAllString(s, -1)) }
	if got := count(some.String()); got != y.ID()+1 {
		t.Errorf("drawing y shows %d nodes; want the %d built before the gradient", got, y.ID()+1)
	}
	if got := count(all.String()); got != len(g.Nodes()) {
		t.Errorf("drawing the whole graph shows %d nodes; want %d", got, len(g.Nodes()))
	}
	if strings.Contains(some.String(), "dashed") {
		t.Error("drawing y alone shows gradient nodes")
	}
}

func TestWriteDOTIsDeterministic(t *testing.T) {
	draw := func() string {
		g, y, dw := dotGraph(t)
		var buf bytes.Buffer
		if err := graph.WriteDOT(&buf, g, y, dw); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	first := draw()
	for range 5 {
		if again := draw(); again != first {
			t.Fatalf("two drawings of the same graph differ:\n%s\n---\n%s", first, again)
		}
	}
}

func TestWriteDOTRejectsBadArguments(t *testing.T) {
	g, y, _ := dotGraph(t)
	stranger := ops.Neg(graph.New().Input("stranger", tensor.Float64, 2))
	cases := []struct {
		name    string
		g       *graph.Graph
		outputs []*graph.Node
		want    string
	}{
		{"no graph and no outputs", nil, nil, "graph"},
		{"an output of another graph", g, []*graph.Node{stranger}, "another graph"},
		{"outputs of two graphs", g, []*graph.Node{y, stranger}, "the outputs belong to different graphs"},
		{"a nil output", nil, []*graph.Node{y, nil}, "output 1 is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := graph.WriteDOT(&buf, c.g, c.outputs...)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "WriteDOT") {
				t.Fatalf("WriteDOT gave %v; want an error from WriteDOT mentioning %q", err, c.want)
			}
		})
	}
	// The graph may be left out when outputs are given.
	var buf bytes.Buffer
	if err := graph.WriteDOT(&buf, nil, y); err != nil || !strings.HasPrefix(buf.String(), "digraph") {
		t.Fatalf("WriteDOT(nil graph, y) gave %v:\n%s", err, buf.String())
	}
}

// Drawing a graph that holds a build error (an op given a nil input, or
// inputs from two graphs) works: that is when a user wants to look at it.
func TestWriteDOTDrawsAGraphWithABuildError(t *testing.T) {
	g, other := graph.New(), graph.New()
	x := g.Input("x", tensor.Float64, 2)
	z := other.Input("z", tensor.Float64, 2)
	bad := ops.Add(x, nil)
	foreign := ops.Add(x, z)
	for _, outputs := range [][]*graph.Node{nil, {bad}, {foreign}} {
		var b strings.Builder
		if err := graph.WriteDOT(&b, g, outputs...); err != nil {
			t.Errorf("WriteDOT(%v): %v", outputs, err)
		}
		if !strings.HasPrefix(b.String(), "digraph") {
			t.Errorf("WriteDOT(%v) wrote %q", outputs, b.String())
		}
	}
}

// A program's drawing boxes each fused step's ops together and marks the
// requested outputs; a leaf requested as an output is drawn as the leaf.
func TestProgramWriteDOTBoxesFusedSteps(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 128, 2)
	w := g.Param("w", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6))))
	b := g.Param("b", tensor.New(tensor.WithShape(3), tensor.WithBacking(make([]float32, 3))))
	y := ops.Sum(ops.Square(ops.ReLU(ops.Add(ops.MatMul(x, w), b))))
	grads, err := autodiff.Grad(y, w, b)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := graph.Compile(append([]*graph.Node{y, x}, grads...)...)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := prog.WriteDOT(&buf); err != nil {
		t.Fatal(err)
	}
	dot := buf.String()
	clusters := regexp.MustCompile(`(?s)subgraph cluster_\d+ \{.*?\}`).FindAllString(dot, -1)
	if len(clusters) != 2 {
		t.Fatalf("%d fused steps drawn, want 2 (the forward chain and the mask's):\n%s", len(clusters), dot)
	}
	for _, want := range []string{`label="MatMul#3\n(128, 3)"`, `label="ReLUGrad`, `label="x\n(128, 2)", shape=box, style=filled, fillcolor="#c7e9c0", peripheries=2`} {
		if !strings.Contains(dot, want) {
			t.Errorf("drawing lacks %s:\n%s", want, dot)
		}
	}
	var nilProg *graph.Program
	if err := nilProg.WriteDOT(&buf); err == nil {
		t.Error("a nil program drew")
	}
}
