package layers_test

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

func TestLayerMistakesAreBuildErrorsNamingShapeAndLine(t *testing.T) {
	cases := []struct {
		name string
		// build makes the mistake and returns the line that made it and a
		// node to compile.
		build func(g *graph.Graph, m *layers.Model) (int, *graph.Node)
		want  []string
	}{
		{"1-D input", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			x := g.Input("x", tensor.Float64, 3)
			return graftest.CallerLine(), m.Dense(2, nil).Apply(x)
		}, []string{"Dense(x (3,) float64)", "dense1 wants an input of rank 2 or more, (batch, features) or (..., features), got shape (3,)"}},
		{"scalar input", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			x := g.Input("x", tensor.Float32)
			return graftest.CallerLine(), m.Dense(2, nil).Apply(x)
		}, []string{"Dense(x () float32)", "got shape ()"}},
		{"width changes between applications", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			d := m.Dense(2, nil)
			d.Apply(g.Input("a", tensor.Float64, 4, 3))
			b := g.Input("b", tensor.Float64, 4, 5)
			return graftest.CallerLine(), d.Apply(b)
		}, []string{"Dense(b (4, 5) float64)", "dense1 was built for inputs of width 3; this input has width 5"}},
		{"dtype changes between applications", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			d := m.Dense(2, nil)
			d.Apply(g.Input("a", tensor.Float64, 4, 3))
			b := g.Input("b", tensor.Float32, 4, 3)
			return graftest.CallerLine(), d.Apply(b)
		}, []string{"Dense(b (4, 3) float32)", "dense1 was built for float64 inputs; this input is float32"}},
		{"layer reused in another graph", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			d := m.Dense(2, nil)
			d.Apply(graph.New().Input("a", tensor.Float64, 4, 3))
			x := g.Input("x", tensor.Float64, 4, 3)
			return graftest.CallerLine(), d.Apply(x)
		}, []string{"Dense(x (4, 3) float64)", "dense1: the model's parameters live in another graph"}},
		{"zero units", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			d := m.Dense(0, nil)
			return graftest.CallerLine(), d.Apply(g.Input("x", tensor.Float64, 4, 3))
		}, []string{"Dense(x (4, 3) float64)", "dense1 has 0 units; a Dense layer needs at least 1"}},
		{"name taken", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			m.Dense(2, nil, layers.WithName("h"))
			d := m.Dense(2, nil, layers.WithName("h"))
			return graftest.CallerLine(), d.Apply(g.Input("x", tensor.Float64, 4, 3))
		}, []string{"Dense(x (4, 3) float64)", `the model already has a layer or parameter named "h"`}},
		{"nil layer in Sequential", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			net := layers.Sequential{m.Dense(2, nil), nil}
			return graftest.CallerLine(), net.Apply(g.Input("x", tensor.Float64, 4, 3))
		}, []string{"Sequential(Add#", "(4, 2) float64)", "layer 1 of 2 is nil"}},
		{"nil Func", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			var f activations.Func
			return graftest.CallerLine(), f.Apply(g.Input("x", tensor.Float64, 4, 3))
		}, []string{"Func(x (4, 3) float64)", "the layer function is nil"}},
		{"activation returns nil", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			d := m.Dense(2, func(*graph.Node) *graph.Node { return nil })
			return graftest.CallerLine(), d.Apply(g.Input("x", tensor.Float64, 4, 3))
		}, []string{"Dense(Add", "(4, 2) float64)", "the activation of dense1 returned nil"}},
		{"Param with a taken name", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			m.Dense(2, nil).Apply(g.Input("x", tensor.Float64, 4, 3))
			return graftest.CallerLine(), m.Param(g, "dense1/W", tensor.Float64, nil, 3, 2)
		}, []string{"Param(dense1/W () float64)", `named "dense1/W"`}},
		{"Param with an empty axis", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Param(g, "k", tensor.Float64, nil, 3, 0)
		}, []string{"Param(k () float64)", `parameter "k": shape (3, 0) has an axis of size 0: every axis must be at least 1`}},
		{"Param of an integer dtype", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Param(g, "k", tensor.Int, nil, 3)
		}, []string{`parameter "k": dtype int is not supported: graft computes in float32 and float64`}},
		{"Param of the zero dtype", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Param(g, "k", graph.DType{}, nil, 3)
		}, []string{`parameter "k": dtype is unset (the zero DType)`}},
		{"Param without a name", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Param(g, "", tensor.Float64, nil, 3)
		}, []string{"a parameter needs a name"}},
		{"Dense name clashes with an earlier Param", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			m.Param(g, "dense1/b", tensor.Float64, nil, 2)
			return graftest.CallerLine(), m.Dense(2, nil).Apply(g.Input("x", tensor.Float64, 4, 3))
		}, []string{"Dense(x (4, 3) float64)", `the model already has a parameter named "dense1/b"`}},
		// Sizes are checked before the initializer allocates: Dense(1<<40)
		// once ended the process with "fatal error: out of memory".
		{"Dense of 1<<40 units", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Dense(1<<40, nil).Apply(g.Input("x", tensor.Float64, 4, 3))
		}, []string{"Dense(x (4, 3) float64)", "dense1's kernel: shape (3, 1099511627776) has more than 17179869184 (1<<34) elements, the most a tensor may hold"}},
		{"Dense whose kernel size overflows int", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Dense(1<<62, nil).Apply(g.Input("x", tensor.Float32, 2, 8))
		}, []string{"Dense(x (2, 8) float32)", "kernel: shape (8, 4611686018427387904) has more than"}},
		{"Param of 1<<40 elements", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Param(g, "k", tensor.Float64, nil, 1<<40)
		}, []string{"Param(k () float64)", `parameter "k": shape (1099511627776,) has more than 17179869184 (1<<34) elements`}},
		{"Param whose size overflows to 0", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Param(g, "k", tensor.Float64, nil, 1<<32, 1<<32)
		}, []string{`parameter "k": shape (4294967296, 4294967296) has more than`}},
		{"Param whose size overflows to 1", func(g *graph.Graph, m *layers.Model) (int, *graph.Node) {
			return graftest.CallerLine(), m.Param(g, "k", tensor.Float64, nil, 7, 0x6DB6DB6DB6DB6DB7)
		}, []string{`parameter "k": shape (7, 7905747460161236407) has more than`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			at, y := c.build(g, layers.NewModel(1))
			_, err := graph.Compile(y)
			if err == nil {
				t.Fatal("Compile succeeded")
			}
			msg := err.Error()
			want := append([]string{"graft: ", fmt.Sprintf("errors_test.go:%d:", at)}, c.want...)
			for _, w := range want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestParamWithANilGraphIsAnErrorNotAPanic(t *testing.T) {
	p := layers.NewModel(1).Param(nil, "k", tensor.Float64, nil, 2)
	_, err := graph.Compile(p)
	if err == nil || !strings.Contains(err.Error(), `parameter "k" is given a nil graph`) {
		t.Fatalf("Compile error %v, want one about the nil graph", err)
	}
}

func TestFailedInputPassesThroughLayersWithItsOwnError(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	bad := ops.MatMul(g.Input("a", tensor.Float64, 2, 3), g.Input("b", tensor.Float64, 2, 3))
	y := layers.Sequential{m.Dense(4, ops.ReLU), m.Dense(1, nil)}.Apply(bad)
	_, err := graph.Compile(y)
	if err == nil || !strings.Contains(err.Error(), "MatMul(") || strings.Contains(err.Error(), "Dense") {
		t.Fatalf("Compile error %v, want only the MatMul's own error", err)
	}
}

func TestDenseOnNilInputIsAnError(t *testing.T) {
	y := layers.NewModel(1).Dense(2, nil).Apply(nil)
	if _, err := graph.Compile(y); err == nil || !strings.Contains(err.Error(), "Dense(nil)") || !strings.Contains(err.Error(), "input 0 is nil") {
		t.Fatalf("Compile error %v, want one naming Dense(nil)", err)
	}
}
