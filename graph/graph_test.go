package graph_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// inferError is an op whose Infer always rejects its inputs.
type inferError struct{}

func (inferError) Name() string { return "Refuse" }
func (inferError) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return nil, tensor.Float64, errors.New("refused on purpose")
}
func (inferError) Forward(out *graph.Value, in []*graph.Value) {}
func (inferError) Grad(n, dy *graph.Node, i int) *graph.Node   { return nil }

func TestBuildErrorsNameTheMistakeAndTheUsersLine(t *testing.T) {
	transposed := dense64(graftest.Ramp(6, 0), 3, 2)
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
			return g.Input("x", tensor.Float64, 2, 0), graftest.CallerLine()
		}, []string{`input "x"`, "(2, 0)", "size 0"}},
		{"an input with a negative axis", func(g *graph.Graph) (*graph.Node, int) {
			return g.Input("x", tensor.Float32, -3), graftest.CallerLine()
		}, []string{`input "x"`, "(-3,)", "size -3"}},
		{"an input of an unsupported dtype", func(g *graph.Graph) (*graph.Node, int) {
			return g.Input("x", tensor.Int, 2), graftest.CallerLine()
		}, []string{`input "x"`, "int", "float32 and float64"}},
		{"a param of an unsupported dtype", func(g *graph.Graph) (*graph.Node, int) {
			return g.Param("w", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))), graftest.CallerLine()
		}, []string{`param "w"`, "int", "not supported"}},
		{"a param with a nil tensor", func(g *graph.Graph) (*graph.Node, int) {
			return g.Param("w", nil), graftest.CallerLine()
		}, []string{`param "w"`, "nil tensor"}},
		{"a constant with a nil tensor", func(g *graph.Graph) (*graph.Node, int) {
			return g.Const("c", nil), graftest.CallerLine()
		}, []string{`constant "c"`, "nil tensor"}},
		{"a param that is a non-contiguous view", func(g *graph.Graph) (*graph.Node, int) {
			return g.Param("w", transposed), graftest.CallerLine()
		}, []string{`param "w"`, "non-contiguous", "Materialize"}},
		{"an op whose shapes do not fit", func(g *graph.Graph) (*graph.Node, int) {
			a, b := g.Input("a", tensor.Float64, 4, 2), g.Input("b", tensor.Float64, 3, 1)
			return ops.Add(a, b), graftest.CallerLine()
		}, []string{"Add(a (4, 2) float64, b (3, 1) float64)", "broadcast"}},
		{"an op that refuses its input", func(g *graph.Graph) (*graph.Node, int) {
			return graph.Apply(inferError{}, g.Input("a", tensor.Float64, 2)), graftest.CallerLine()
		}, []string{"Refuse(a (2,) float64)", "refused on purpose"}},
		{"an op on nodes of two graphs", func(g *graph.Graph) (*graph.Node, int) {
			return ops.Add(g.Input("a", tensor.Float64, 2), other), graftest.CallerLine()
		}, []string{"Add(a (2,) float64, elsewhere (2,) float64)", "different graphs"}},
		{"an op with a nil input", func(g *graph.Graph) (*graph.Node, int) {
			return ops.Mul(g.Input("a", tensor.Float64, 2), nil), graftest.CallerLine()
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
	xt := dense64(graftest.Ramp(6, 0), 2, 3)
	x := g.Input("x", tensor.Float64, 2, 3)
	w := g.Param("w", xt)
	c := g.Const("", dense64([]float64{1}))
	line := graftest.CallerLine() + 1
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

// Size never wraps: a product past an int is math.MaxInt, so no check that
// compares sizes mistakes it for a small one; CheckedSize says which shapes a
// node may have.
func TestShapeSizeNeverWraps(t *testing.T) {
	cases := []struct {
		shape   graph.Shape
		size    int
		checked int
		ok      bool
	}{
		{graph.Shape{7, 0x6DB6DB6DB6DB6DB7}, math.MaxInt, 0, false}, // wraps to 1 in int arithmetic
		{graph.Shape{1 << 32, 1 << 32}, math.MaxInt, 0, false},      // wraps to 0
		{graph.Shape{1 << 62, 1 << 62, 0}, 0, 0, false},
		{graph.Shape{3, -2}, -1, 0, false},
		{graph.Shape{graph.MaxElements}, graph.MaxElements, graph.MaxElements, true},
		{graph.Shape{graph.MaxElements, 2}, graph.MaxElements * 2, 0, false},
		{graph.Shape{4, 5}, 20, 20, true},
		{graph.Shape{}, 1, 1, true},
	}
	for _, c := range cases {
		n, ok := c.shape.CheckedSize()
		if c.shape.Size() != c.size || n != c.checked || ok != c.ok {
			t.Errorf("%v: Size %d, CheckedSize (%d, %v); want %d, (%d, %v)", []int(c.shape), c.shape.Size(), n, ok, c.size, c.checked, c.ok)
		}
	}
}

func TestShapeStringShowsAtMostEightAxes(t *testing.T) {
	cases := []struct {
		shape graph.Shape
		want  string
	}{
		{graph.Shape{1, 2, 3, 4, 5, 6, 7, 8}, "(1, 2, 3, 4, 5, 6, 7, 8)"},
		{graph.Shape{1, 2, 3, 4, 5, 6, 7, 8, 9}, "(1, 2, 3, 4, 5, 6, 7, 8, ... (9 axes))"},
		{make(graph.Shape, 1_000_000), "(0, 0, 0, 0, 0, 0, 0, 0, ... (1000000 axes))"},
	}
	for _, c := range cases {
		if got := c.shape.String(); got != c.want {
			t.Errorf("String of %d axes = %q; want %q", len(c.shape), got, c.want)
		}
	}
}

// hugeOp claims a result of the shape and dtype it is given, as a custom op
// with a slip in its shape rule might.
type hugeOp struct {
	shape graph.Shape
	dtype graph.DType
}

func (hugeOp) Name() string { return "Huge" }
func (op hugeOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return op.shape, op.dtype, nil
}
func (hugeOp) Forward(out *graph.Value, in []*graph.Value) {}
func (hugeOp) Grad(n, dy *graph.Node, i int) *graph.Node   { return nil }

// A shape whose element count overflows an int, or passes MaxElements, is a
// build error naming the node, wherever it comes from: a leaf, an op's shape
// rule, or a broadcast. It is never a panic, an out-of-memory crash at
// Compile, or a wrapped product mistaken for a small tensor.
func TestShapesPastMaxElementsAreBuildErrors(t *testing.T) {
	wraps := []int{7, 0x6DB6DB6DB6DB6DB7} // the product wraps to 1 in int arithmetic
	cases := []struct {
		name  string
		build func(g *graph.Graph) *graph.Node
		want  []string
	}{
		{"an input whose size wraps to 1", func(g *graph.Graph) *graph.Node {
			return g.Input("x", tensor.Float64, wraps...)
		}, []string{`input "x"`, "(7, 7905747460161236407)", "MaxElements"}},
		{"an input of 1<<40 elements", func(g *graph.Graph) *graph.Node {
			return ops.Exp(g.Input("x", tensor.Float64, 1<<40))
		}, []string{`input "x"`, "(1099511627776,)", "more than 17179869184"}},
		{"an input whose size overflows negative", func(g *graph.Graph) *graph.Node {
			return g.Input("x", tensor.Float32, 1<<32, 1<<32)
		}, []string{`input "x"`, "(4294967296, 4294967296)", "MaxElements"}},
		{"a broadcast of two large axes", func(g *graph.Graph) *graph.Node {
			return ops.Add(g.Input("col", tensor.Float64, 1<<20, 1), g.Input("row", tensor.Float64, 1<<20))
		}, []string{"Add(col (1048576, 1) float64, row (1048576,) float64)", "the result's shape (1048576, 1048576)", "MaxElements"}},
		{"an op whose shape rule gives too many elements", func(g *graph.Graph) *graph.Node {
			return graph.Apply(hugeOp{graph.Shape{1 << 30, 1 << 30}, tensor.Float64}, g.Input("x", tensor.Float64, 2))
		}, []string{"Huge(x (2,) float64)", "the result's shape (1073741824, 1073741824)"}},
		{"an op whose shape rule gives a zero axis", func(g *graph.Graph) *graph.Node {
			return graph.Apply(hugeOp{graph.Shape{3, 0}, tensor.Float64}, g.Input("x", tensor.Float64, 2))
		}, []string{"Huge(x (2,) float64)", "the result's shape (3, 0) has an axis of size 0"}},
		{"an op whose shape rule gives an int dtype", func(g *graph.Graph) *graph.Node {
			return graph.Apply(hugeOp{graph.Shape{2}, tensor.Int}, g.Input("x", tensor.Float64, 2))
		}, []string{"Huge(x (2,) float64)", "the result's dtype int is not supported"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			n := c.build(g)
			prog, err := graph.Compile(n)
			if err == nil || prog != nil {
				t.Fatalf("Compile gave %v, %v; want a build error", prog, err)
			}
			for _, w := range append(c.want, "graph_test.go:") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// Builders called on a nil graph, and ops applied to a zero Node, return
// failed nodes whose errors say what is wrong, and nothing panics.
func TestNilGraphsAndZeroNodesAreBuildErrorsNotPanics(t *testing.T) {
	var g *graph.Graph
	cases := []struct {
		name string
		node *graph.Node
		want []string
	}{
		{"Input on a nil graph", g.Input("x", tensor.Float64, 2), []string{`input "x"`, "the graph is nil", "graph.New()"}},
		{"Param on a nil graph", g.Param("w", dense64([]float64{1}, 1)), []string{`param "w"`, "the graph is nil"}},
		{"Const on a nil graph", g.Const("c", dense64([]float64{1}, 1)), []string{`constant "c"`, "the graph is nil"}},
		{"Param of a nil tensor on a nil graph", g.Param("w", nil), []string{`param "w"`, "the graph is nil"}},
		{"an op on a zero Node", ops.Exp(&graph.Node{}), []string{"Exp(op#0 () no dtype)", "input 0 is a zero graph.Node"}},
		{"an op on a zero Node and a real one", graph.Apply(inferError{}, graph.New().Input("a", tensor.Float64, 2), &graph.Node{}),
			[]string{"Refuse(", "input 1 is a zero graph.Node"}},
		{"an op on a nil graph's node", ops.Neg(g.Input("x", tensor.Float64, 2)), []string{"the graph is nil"}},
		{"Apply of a nil op", graph.Apply(nil, graph.New().Input("a", tensor.Float64, 2)), []string{"Apply(a (2,) float64)", "the op is nil"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.node == nil || c.node.Graph() == nil {
				t.Fatalf("got node %v; want a failed node on a graph of its own", c.node)
			}
			_, err := graph.Compile(c.node)
			if err == nil {
				t.Fatal("Compile accepted it")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if err := g.Err(); err == nil || !strings.Contains(err.Error(), "the graph is nil") {
		t.Errorf("Err of a nil graph is %v; want an error saying so", err)
	}
	if g.Nodes() != nil {
		t.Errorf("Nodes of a nil graph is %v; want none", g.Nodes())
	}
	if _, err := graph.Compile(&graph.Node{}); err == nil || !strings.Contains(err.Error(), "output 0 is a zero graph.Node") {
		t.Errorf("Compile of a zero Node: %v", err)
	}
	var nilNode *graph.Node
	if nilNode.Graph() != nil || nilNode.Shape() != nil || nilNode.ID() != -1 || nilNode.Name() != "nil" ||
		nilNode.String() != "<nil>" || nilNode.Value() != nil || nilNode.Op() != nil || nilNode.Inputs() != nil ||
		nilNode.IsGradient() || nilNode.Origin() != "" || nilNode.Kind() != graph.OpNode || nilNode.DType() != (graph.DType{}) {
		t.Error("an accessor of a nil node gave a non-zero value")
	}
}

// An op of many inputs and a shape of absurd rank give one short line, not a
// message the size of the input.
func TestBuildErrorsQuoteAtMostEightInputsAndEightAxes(t *testing.T) {
	g := graph.New()
	inputs := make([]*graph.Node, 1000)
	for i := range inputs {
		inputs[i] = g.Input(fmt.Sprint("x", i), tensor.Float64, 2)
	}
	graph.Apply(inferError{}, inputs...)
	err := g.Err()
	if err == nil || !strings.Contains(err.Error(), "x7 (2,) float64, ... (1000 inputs))") || strings.Contains(err.Error(), "x8 ") {
		t.Errorf("error %v; want the first eight inputs and the count", err)
	}
	axes := make([]int, 1_000_000)
	for i := range axes {
		axes[i] = 1
	}
	axes[len(axes)-1] = 0
	h := graph.New()
	h.Input("deep", tensor.Float64, axes...)
	if err := h.Err(); err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), "(1, 1, 1, 1, 1, 1, 1, 1, ... (1000000 axes)) has an axis of size 0") {
		t.Errorf("error %q (%d bytes); want the shape cut short", err, len(fmt.Sprint(err)))
	}
}

// CheckValue is what Run, an optimizer and a checkpoint load apply to a
// tensor meant for a parameter: dtype, shape and layout, named.
func TestCheckValueNamesTheNodeWhatItWasBuiltAsAndWhatItGot(t *testing.T) {
	g := graph.New()
	w := g.Param("w", dense64([]float64{1, 2, 3}, 3))
	masked := dense64([]float64{1, 2, 3}, 3)
	masked.SetMask([]bool{true, false, false})
	cases := []struct {
		name string
		t    *tensor.Dense
		want string // "" for no error
	}{
		{"the same dtype and shape", dense64([]float64{4, 5, 6}, 3), ""},
		{"a float32 tensor of the same bytes", dense32(make([]float32, 6), 6), "cannot hold a float32 tensor of shape (6,)"},
		{"another shape of the same size", dense64([]float64{4, 5, 6}, 1, 3), "cannot hold a float64 tensor of shape (1, 3)"},
		{"a nil tensor", nil, "cannot hold a nil tensor"},
		{"a masked tensor", masked, "cannot hold a masked tensor"},
		{"a zero tensor", &tensor.Dense{}, "cannot hold a no dtype tensor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := w.CheckValue(c.t)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("CheckValue: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) ||
				!strings.HasPrefix(err.Error(), `parameter "w" (built at graph/graph_test.go:`) || !strings.Contains(err.Error(), "as (3,) float64")):
				t.Errorf("CheckValue error %v; want it to name w, (3,) float64 and %q", err, c.want)
			}
		})
	}
}

// The zero DType's own String method panics, which fmt prints as
// "%!v(PANIC=...)" in the middle of an error: DTypeName names it instead.
func TestDTypeNameNamesTheZeroDTypeWithoutPanicking(t *testing.T) {
	for _, c := range []struct {
		dt   graph.DType
		want string
	}{{tensor.Float32, "float32"}, {tensor.Float64, "float64"}, {tensor.Int, "int"}, {graph.DType{}, "no dtype"}, {(&tensor.Dense{}).Dtype(), "no dtype"}} {
		if got := graph.DTypeName(c.dt); got != c.want {
			t.Errorf("DTypeName = %q; want %q", got, c.want)
		}
	}
}

func TestCheckDTypeAndCheckShapeAreTheRulesOfEveryNode(t *testing.T) {
	for _, c := range []struct {
		dt   graph.DType
		want string
	}{{tensor.Float32, ""}, {tensor.Float64, ""}, {tensor.Int, "dtype int is not supported"}, {graph.DType{}, "dtype is unset (the zero DType)"}} {
		if err := graph.CheckDType(c.dt); (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckDType(%s) = %v; want %q", c.want, err, c.want)
		}
	}
	for _, c := range []struct {
		shape graph.Shape
		want  string
	}{
		{graph.Shape{}, ""},
		{graph.Shape{graph.MaxElements}, ""},
		{graph.Shape{1 << 17, 1 << 17}, ""},
		{graph.Shape{graph.MaxElements + 1}, "more than 17179869184"},
		{graph.Shape{1 << 17, 1 << 17, 2}, "more than"},
		{graph.Shape{2, -1}, "axis of size -1"},
		{graph.Shape{1 << 62, 1 << 62, 0}, "axis of size 0"},
	} {
		err := graph.CheckShape(c.shape)
		if (err == nil) != (c.want == "") || err != nil && (!strings.Contains(err.Error(), c.want) || strings.HasPrefix(err.Error(), "graft:")) {
			t.Errorf("CheckShape(%v) = %v; want %q, with no prefix", c.shape, err, c.want)
		}
	}
}

// MarkingGradients is the guard autodiff.Grad builds under: a second call on
// the same graph while one runs (another goroutine differentiating at the
// same time) does not build anything, and both differentiations fail.
// Run it with -race: the refused call touches nothing but atomics.
func TestMarkingGradientsRefusesAnOverlappingDifferentiation(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	var built *graph.Node
	go func() {
		done <- g.MarkingGradients(func() {
			built = ops.Neg(x)
			close(inside)
			<-release
		})
	}()
	<-inside
	ran := false
	err := g.MarkingGradients(func() { ran = true })
	if err == nil || ran || !strings.Contains(err.Error(), "two differentiations of one graph overlap") {
		t.Errorf("the overlapping call ran %v and returned %v; want no build and an error", ran, err)
	}
	close(release)
	if first := <-done; first == nil || first.Error() != err.Error() {
		t.Errorf("the first differentiation returned %v; want it to fail with %v too", first, err)
	}
	if !built.IsGradient() || x.IsGradient() {
		t.Error("nodes built inside MarkingGradients are not marked, or the input is")
	}
	if _, cerr := graph.Compile(built); cerr == nil || cerr.Error() != err.Error() {
		t.Errorf("Compile after the overlap gave %v; want %v", cerr, err)
	}
	var nilGraph *graph.Graph
	if err := nilGraph.MarkingGradients(func() { t.Error("build ran on a nil graph") }); err == nil {
		t.Error("MarkingGradients on a nil graph gave no error")
	}
}

// Two goroutines differentiating one graph through autodiff.Grad one after
// the other (the supported way) get the gradients, with distinct node IDs.
func TestGradientsBuiltOneAfterTheOtherKeepDistinctIDs(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	y := ops.Sum(ops.Square(x))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if _, err := autodiff.Grad(y, x); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, n := range g.Nodes() {
		if n.ID() != i {
			t.Fatalf("node %d has ID %d", i, n.ID())
		}
	}
}

// A node added while another goroutine is adding one to the same graph is
// not appended (two nodes would share an ID): it fails, and so does the
// graph, naming the misuse.
func TestANodeAddedDuringAnotherAddFailsTheGraph(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	release := graph.HoldAdding(g)
	racer := ops.Neg(x)
	release()
	after := ops.Exp(x)
	if racer.ID() != -1 || len(g.Nodes()) != 2 || g.Nodes()[1] != after {
		t.Fatalf("the racing node has ID %d and the graph %d nodes; want -1 and x, Exp", racer.ID(), len(g.Nodes()))
	}
	for _, n := range []*graph.Node{racer, after} {
		if _, err := graph.Compile(n); err == nil || !strings.Contains(err.Error(), "Neg at graph/graph_test.go:") ||
			!strings.Contains(err.Error(), "another goroutine added a node to the same graph") {
			t.Errorf("Compile(%v) gave %v; want the racing-builder error", n, err)
		}
	}
}
