package graph_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

// here returns the line it is called from.
func here() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

// inferError is an op whose Infer always rejects its inputs.
type inferError struct{}

func (inferError) Name() string { return "Refuse" }
func (inferError) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return nil, tensor.Float64, errors.New("refused on purpose")
}
func (inferError) Forward(out *graph.Value, in []*graph.Value) {}
func (inferError) Grad(n, dy *graph.Node, i int) *graph.Node   { return nil }

func TestBuildErrorsNameTheMistakeAndTheUsersLine(t *testing.T) {
	transposed := dense64(ramp(6), 3, 2)
	if err := transposed.T(); err != nil {
		t.Fatal(err)
	}
	other := graph.New().Input("elsewhere", tensor.Float64, 2)
	cases := []struct {
		name  string
		build func(g *graph.Graph) (*graph.Node, int)
		want  []string
	}{
		{"an input with a zero axis", func(g *graph.Graph) (*graph.Node, int) {
			return g.Input("x", tensor.Float64, 2, 0), here()
		}, []string{`input "x"`, "(2, 0)", "size 0"}},
		{"an input with a negative axis", func(g *graph.Graph) (*graph.Node, int) {
			return g.Input("x", tensor.Float32, -3), here()
		}, []string{`input "x"`, "(-3,)", "size -3"}},
		{"an input of an unsupported dtype", func(g *graph.Graph) (*graph.Node, int) {
			return g.Input("x", tensor.Int, 2), here()
		}, []string{`input "x"`, "int", "float32 and float64"}},
		{"a param of an unsupported dtype", func(g *graph.Graph) (*graph.Node, int) {
			return g.Param("w", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))), here()
		}, []string{`param "w"`, "int", "not supported"}},
		{"a param with a nil tensor", func(g *graph.Graph) (*graph.Node, int) {
			return g.Param("w", nil), here()
		}, []string{`param "w"`, "nil tensor"}},
		{"a constant with a nil tensor", func(g *graph.Graph) (*graph.Node, int) {
			return g.Const("c", nil), here()
		}, []string{`constant "c"`, "nil tensor"}},
		{"a param that is a non-contiguous view", func(g *graph.Graph) (*graph.Node, int) {
			return g.Param("w", transposed), here()
		}, []string{`param "w"`, "non-contiguous", "Materialize"}},
		{"an op whose shapes do not fit", func(g *graph.Graph) (*graph.Node, int) {
			a, b := g.Input("a", tensor.Float64, 4, 2), g.Input("b", tensor.Float64, 3, 1)
			return ops.Add(a, b), here()
		}, []string{"Add(a (4, 2) float64, b (3, 1) float64)", "broadcast"}},
		{"an op that refuses its input", func(g *graph.Graph) (*graph.Node, int) {
			return graph.Apply(inferError{}, g.Input("a", tensor.Float64, 2)), here()
		}, []string{"Refuse(a (2,) float64)", "refused on purpose"}},
		{"an op on nodes of two graphs", func(g *graph.Graph) (*graph.Node, int) {
			return ops.Add(g.Input("a", tensor.Float64, 2), other), here()
		}, []string{"Add(a (2,) float64, elsewhere (2,) float64)", "different graphs"}},
		{"an op with a nil input", func(g *graph.Graph) (*graph.Node, int) {
			return ops.Mul(g.Input("a", tensor.Float64, 2), nil), here()
		}, []string{"Mul(a (2,) float64, nil)", "input 1 is nil"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			n, line := c.build(g)
			err := g.Err()
			if err == nil {
				t.Fatalf("building %v recorded no error", n)
			}
			where := fmt.Sprintf("graph/graph_test.go:%d", line)
			for _, w := range append(c.want, where) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if _, cerr := graph.Compile(n); cerr != err {
				t.Errorf("Compile reported %v; want the recorded error %v", cerr, err)
			}
		})
	}
}

func TestBuildErrorUnwrapsToTheOpsReason(t *testing.T) {
	g := graph.New()
	graph.Apply(inferError{}, g.Input("a", tensor.Float64, 2))
	var be *graph.BuildError
	if !errors.As(g.Err(), &be) {
		t.Fatalf("g.Err() = %#v; want a *graph.BuildError", g.Err())
	}
	if be.Op != "Refuse" || len(be.Inputs) != 1 || be.Inputs[0].Name() != "a" || be.Err.Error() != "refused on purpose" {
		t.Errorf("BuildError = %+v; want op Refuse, input a and the op's reason", be)
	}
	if errors.Unwrap(be) != be.Err {
		t.Errorf("Unwrap gave %v; want the op's own error", errors.Unwrap(be))
	}
}

func TestTheGraphKeepsItsFirstError(t *testing.T) {
	g := graph.New()
	a := g.Input("a", tensor.Float64, 2)
	first := ops.Add(a, g.Input("b", tensor.Float64, 3))
	after := ops.Exp(first)                           // built on a failed node: no new error
	ops.MatMul(a, g.Input("c", tensor.Float64, 5, 5)) // a second, unrelated mistake
	err := g.Err()
	if err == nil || !strings.Contains(err.Error(), "Add(") {
		t.Fatalf("g.Err() = %v; want the first mistake, the Add", err)
	}
	if _, cerr := graph.Compile(after); cerr != err {
		t.Errorf("Compile of a node built on a failed one gave %v; want the first error %v", cerr, err)
	}
}

func TestAnOpOnNoGraphStillReportsItsError(t *testing.T) {
	for _, c := range []struct {
		name   string
		inputs []*graph.Node
		want   string
	}{
		{"only nil inputs", []*graph.Node{nil, nil}, "input 1 is nil"},
		{"no inputs", nil, "at least one input"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := graph.Apply(inferError{}, c.inputs...)
			if n == nil || n.Graph() == nil {
				t.Fatalf("Apply returned %v with graph %v; want a failed node on a graph of its own", n, n.Graph())
			}
			_, err := graph.Compile(n)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Refuse(") {
				t.Fatalf("Compile gave %v; want an error from Refuse saying %q", err, c.want)
			}
		})
	}
}

func TestNodeAccessors(t *testing.T) {
	g := graph.New()
	xt := dense64(ramp(6), 2, 3)
	x := g.Input("x", tensor.Float64, 2, 3)
	w := g.Param("w", xt)
	c := g.Const("", dense64([]float64{1}))
	line := here() + 1
	y := ops.Add(x, w)
	cases := []struct {
		node                *graph.Node
		id                  int
		kind                graph.Kind
		kindName, name, str string
		inputs              int
	}{
		{x, 0, graph.Input, "input", "x", "x (2, 3) float64", 0},
		{w, 1, graph.Param, "param", "w", "w (2, 3) float64", 0},
		{c, 2, graph.Constant, "constant", "constant#2", "constant#2 () float64", 0},
		{y, 3, graph.OpNode, "op", "Add#3", "Add#3 (2, 3) float64", 2},
	}
	for _, k := range cases {
		n := k.node
		if n.ID() != k.id || n.Kind() != k.kind || n.Kind().String() != k.kindName || n.Name() != k.name ||
			n.String() != k.str || len(n.Inputs()) != k.inputs || n.Graph() != g || n.IsGradient() {
			t.Errorf("node %d: got id %d, kind %v, name %q, string %q, %d inputs, gradient %v; want %d, %v, %q, %q, %d, false",
				k.id, n.ID(), n.Kind(), n.Name(), n.String(), len(n.Inputs()), n.IsGradient(), k.id, k.kindName, k.name, k.str, k.inputs)
		}
	}
	if w.Value() != xt || x.Value() != nil || y.Op() == nil || y.Op().Name() != "Add" || x.Op() != nil {
		t.Errorf("Value and Op: w holds %p (want %p), x holds %v, y's op %v, x's op %v", w.Value(), xt, x.Value(), y.Op(), x.Op())
	}
	if want := fmt.Sprintf("graph/graph_test.go:%d", line); y.Origin() != want {
		t.Errorf("y.Origin() = %q; want %q", y.Origin(), want)
	}
	if nodes := g.Nodes(); len(nodes) != 4 || nodes[3] != y {
		t.Errorf("g.Nodes() = %v; want the four nodes in build order", nodes)
	}
	if g.Err() != nil {
		t.Errorf("g.Err() = %v on a healthy graph", g.Err())
	}
}

func TestShape(t *testing.T) {
	cases := []struct {
		shape   graph.Shape
		size    int
		str     string
		strides []int
	}{
		{graph.Shape{}, 1, "()", []int{}},
		{graph.Shape{3}, 3, "(3,)", []int{1}},
		{graph.Shape{4, 2}, 8, "(4, 2)", []int{2, 1}},
		{graph.Shape{2, 3, 5}, 30, "(2, 3, 5)", []int{15, 5, 1}},
	}
	for _, c := range cases {
		if c.shape.Size() != c.size || c.shape.String() != c.str || c.shape.Rank() != len(c.shape) ||
			fmt.Sprint(c.shape.Strides()) != fmt.Sprint(c.strides) {
			t.Errorf("%v: size %d, string %q, rank %d, strides %v; want %d, %q, %d, %v",
				[]int(c.shape), c.shape.Size(), c.shape.String(), c.shape.Rank(), c.shape.Strides(), c.size, c.str, len(c.shape), c.strides)
		}
		clone := c.shape.Clone()
		if !clone.Equal(c.shape) {
			t.Errorf("%v: clone %v is not equal", c.shape, clone)
		}
		if len(clone) > 0 {
			clone[0]++
			if clone.Equal(c.shape) {
				t.Errorf("%v: changing the clone changed the original", c.shape)
			}
		}
	}
	if (graph.Shape{2, 3}).Equal(graph.Shape{2, 3, 1}) || (graph.Shape{2, 3}).Equal(graph.Shape{3, 2}) {
		t.Error("Equal ignores rank or order")
	}
}
