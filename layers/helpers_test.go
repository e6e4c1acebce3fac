package layers_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/layers"
)

// dtypes are the element types every layer test runs in.
var dtypes = []graph.DType{tensor.Float32, tensor.Float64}

// setValues overwrites a parameter's values.
func setValues(p *graph.Node, data []float64) {
	if p.DType() == tensor.Float32 {
		for i, v := range data {
			p.Value().Float32s()[i] = float32(v)
		}
		return
	}
	copy(p.Value().Float64s(), data)
}

// layerErrorCase builds a layer wrongly: build returns the node and the line
// that built it (graftest.CallerLine), want is a piece of the error.
type layerErrorCase struct {
	name  string
	build func(g *graph.Graph, m *layers.Model) (*graph.Node, int)
	want  string
}

// checkLayerErrors builds every case in a fresh graph and model and checks
// that Compile fails with an error holding want, every one of also, and the
// line that built the node, in the test file that calls it.
func checkLayerErrors(t *testing.T, cases []layerErrorCase, also ...string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(1)
	file = filepath.Base(file)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, at := c.build(graph.New(), layers.NewModel(1))
			_, err := graph.Compile(n)
			if err == nil {
				t.Fatalf("Compile accepted the node, want an error at line %d containing %q", at, c.want)
			}
			for _, w := range append([]string{c.want, fmt.Sprintf("%s:%d", file, at)}, also...) {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("got %v, want an error at line %d containing %q", err, at, w)
				}
			}
		})
	}
}
