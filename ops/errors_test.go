package ops_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// in64 and in32 add an input of the given shape to g.
func in64(g *graph.Graph, name string, shape ...int) *graph.Node {
	return g.Input(name, tensor.Float64, shape...)
}

func in32(g *graph.Graph, name string, shape ...int) *graph.Node {
	return g.Input(name, tensor.Float32, shape...)
}

// buildErrorCase is a node built from bad input, the line that built it, the
// op the error must name and the text it must contain (the input shapes and
// the reason).
type buildErrorCase struct {
	name  string
	op    string
	want  []string
	build func(g *graph.Graph) (n *graph.Node, line int)
}

// checkBuildErrors builds each case without panicking and checks the error
// Compile returns: a *graph.BuildError for the right op, naming the input
// shapes and the line that built the node, in the test file that calls it.
func checkBuildErrors(t *testing.T, cases []buildErrorCase) {
	t.Helper()
	_, file, _, _ := runtime.Caller(1)
	file = filepath.Base(file)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var n *graph.Node
			var line int
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("building panicked: %v", r)
					}
				}()
				n, line = c.build(graph.New())
			}()
			_, err := graph.Compile(n)
			if err == nil {
				t.Fatalf("Compile accepted a %s node of shape %v", c.op, n.Shape())
			}
			if n.Graph().Err() != err {
				t.Errorf("Compile returned %v, the graph recorded %v", err, n.Graph().Err())
			}
			var be *graph.BuildError
			if !errors.As(err, &be) {
				t.Fatalf("error %q is a %T, want a *graph.BuildError", err, err)
			}
			if be.Op != c.op {
				t.Errorf("error names op %q, want %q: %v", be.Op, c.op, err)
			}
			msg := err.Error()
			want := append([]string{"graft: " + c.op + "(", fmt.Sprintf("%s:%d", file, line)}, c.want...)
			for _, w := range want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestBinaryOpsRejectShapesThatDoNotBroadcast(t *testing.T) {
	binaries := []struct {
		name string
		op   func(a, b *graph.Node) *graph.Node
	}{
		{"Add", ops.Add}, {"Sub", ops.Sub}, {"Mul", ops.Mul}, {"Div", ops.Div}, {"Pow", ops.Pow},
		{"Maximum", ops.Maximum}, {"Minimum", ops.Minimum},
		{"Equal", ops.Equal}, {"NotEqual", ops.NotEqual}, {"Less", ops.Less}, {"LessEqual", ops.LessEqual},
		{"Greater", ops.Greater}, {"GreaterEqual", ops.GreaterEqual},
	}
	var cases []buildErrorCase
	for _, b := range binaries {
		cases = append(cases,
			buildErrorCase{b.name + " shapes", b.name, []string{"x (4, 2) float64, y (3,) float64", "do not broadcast"},
				func(g *graph.Graph) (*graph.Node, int) {
					return b.op(in64(g, "x", 4, 2), in64(g, "y", 3)), graftest.CallerLine()
				}},
			buildErrorCase{b.name + " inner axis", b.name, []string{"x (2, 3, 4) float64, y (2, 1) float64", "do not broadcast"},
				func(g *graph.Graph) (*graph.Node, int) {
					return b.op(in64(g, "x", 2, 3, 4), in64(g, "y", 2, 1)), graftest.CallerLine()
				}},
			buildErrorCase{b.name + " dtypes", b.name, []string{"x (4, 2) float64, y (4, 2) float32", "dtypes float64 and float32 differ"},
				func(g *graph.Graph) (*graph.Node, int) {
					return b.op(in64(g, "x", 4, 2), in32(g, "y", 4, 2)), graftest.CallerLine()
				}},
		)
	}
	checkBuildErrors(t, cases)
}

func TestOpsRejectBadInput(t *testing.T) {
	checkBuildErrors(t, []buildErrorCase{
		{"Where shapes", "Where", []string{"c (3, 1) float64, a (3, 2) float64, b (4,) float64", "do not broadcast"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Where(in64(g, "c", 3, 1), in64(g, "a", 3, 2), in64(g, "b", 4)), graftest.CallerLine()
			}},
		{"Where cond shape", "Where", []string{"c (5,) float64, a (3, 2) float64", "do not broadcast"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Where(in64(g, "c", 5), in64(g, "a", 3, 2), in64(g, "b", 2)), graftest.CallerLine()
			}},
		{"Where dtypes", "Where", []string{"c (2,) float64, a (2,) float32, b (2,) float64", "differ"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Where(in64(g, "c", 2), in32(g, "a", 2), in64(g, "b", 2)), graftest.CallerLine()
			}},

		{"MatMul inner dims", "MatMul", []string{"a (4, 2) float64, b (3, 5) float64", "inner dimensions differ: 2 and 3"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 4, 2), in64(g, "b", 3, 5)), graftest.CallerLine()
			}},
		{"MatMul 1-D a inner dims", "MatMul", []string{"a (4,) float64, b (3, 2) float64", "inner dimensions differ: 4 and 3"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 4), in64(g, "b", 3, 2)), graftest.CallerLine()
			}},
		{"MatMul 1-D b inner dims", "MatMul", []string{"a (2, 2, 3) float64, b (4,) float64", "inner dimensions differ: 3 and 4"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 2, 2, 3), in64(g, "b", 4)), graftest.CallerLine()
			}},
		{"MatMul dot product lengths", "MatMul", []string{"a (3,) float64, b (4,) float64", "inner dimensions differ: 3 and 4"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 3), in64(g, "b", 4)), graftest.CallerLine()
			}},
		{"MatMul 1-D and 4-D", "MatMul", []string{"a (3,) float64, b (2, 2, 3, 2) float64", "1-D, 2-D or 3-D, got 1-D and 4-D"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 3), in64(g, "b", 2, 2, 3, 2)), graftest.CallerLine()
			}},
		{"MatMul scalar and 1-D", "MatMul", []string{"a () float64, b (3,) float64", "got 0-D and 1-D"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a"), in64(g, "b", 3)), graftest.CallerLine()
			}},
		{"MatMul 1-D dtypes", "MatMul", []string{"a (3,) float32, b (3, 2) float64", "dtypes float32 and float64 differ"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in32(g, "a", 3), in64(g, "b", 3, 2)), graftest.CallerLine()
			}},
		{"MatMulT 1-D a transposed", "MatMulTN", []string{"a (3,) float64, b (3, 2) float64", "a is 1-D", "transA must be false"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMulT(in64(g, "a", 3), in64(g, "b", 3, 2), true, false), graftest.CallerLine()
			}},
		{"MatMulT 1-D b transposed", "MatMulTT", []string{"a (3, 2) float64, b (3,) float64", "b is 1-D", "transB must be false"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMulT(in64(g, "a", 3, 2), in64(g, "b", 3), true, true), graftest.CallerLine()
			}},
		{"MatMulT NT 1-D a inner dims", "MatMulNT", []string{"a (3,) float64, b (3, 2) float64", "inner dimensions differ: 3 and 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMulT(in64(g, "a", 3), in64(g, "b", 3, 2), false, true), graftest.CallerLine()
			}},
		{"MatMul rank 4", "MatMul", []string{"a (2, 2, 4, 2) float64, b (2, 3) float64", "1-D, 2-D or 3-D"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 2, 2, 4, 2), in64(g, "b", 2, 3)), graftest.CallerLine()
			}},
		{"MatMul batch", "MatMul", []string{"a (2, 4, 3) float64, b (3, 3, 5) float64", "batch sizes 2 and 3"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 2, 4, 3), in64(g, "b", 3, 3, 5)), graftest.CallerLine()
			}},
		{"MatMul dtypes", "MatMul", []string{"a (4, 2) float32, b (2, 5) float64", "dtypes float32 and float64 differ"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in32(g, "a", 4, 2), in64(g, "b", 2, 5)), graftest.CallerLine()
			}},
		{"MatMulT transposed inner dims", "MatMulNT", []string{"a (4, 2) float64, b (2, 5) float64", "inner dimensions differ: 2 and 5"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMulT(in64(g, "a", 4, 2), in64(g, "b", 2, 5), false, true), graftest.CallerLine()
			}},
		{"MatMulT TN", "MatMulTN", []string{"a (4, 2) float64, b (2, 5) float64", "inner dimensions differ: 4 and 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMulT(in64(g, "a", 4, 2), in64(g, "b", 2, 5), true, false), graftest.CallerLine()
			}},
		{"MatMulT TT", "MatMulTT", []string{"a (4, 2) float64, b (5, 2) float64", "inner dimensions differ: 4 and 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMulT(in64(g, "a", 4, 2), in64(g, "b", 5, 2), true, true), graftest.CallerLine()
			}},

		{"Reshape size", "Reshape", []string{"x (4, 2) float64", "cannot reshape 8 elements to (3, 3)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Reshape(in64(g, "x", 4, 2), 3, 3), graftest.CallerLine()
			}},
		{"Reshape -1 does not divide", "Reshape", []string{"x (4, 2) float64", "(3, -1)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Reshape(in64(g, "x", 4, 2), 3, -1), graftest.CallerLine()
			}},
		{"Reshape two -1", "Reshape", []string{"x (4, 2) float64", "at most one -1"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Reshape(in64(g, "x", 4, 2), -1, -1), graftest.CallerLine()
			}},
		{"Reshape zero axis", "Reshape", []string{"x (4, 2) float64", "sizes must be positive"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Reshape(in64(g, "x", 4, 2), 0, 8), graftest.CallerLine()
			}},

		{"Transpose short perm", "Transpose", []string{"x (2, 3, 4) float64", "permutation [1 0] has 2 axes, the input has 3"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Transpose(in64(g, "x", 2, 3, 4), 1, 0), graftest.CallerLine()
			}},
		{"Transpose repeated axis", "Transpose", []string{"x (2, 3, 4) float64", "[0 0 1] is not a permutation"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Transpose(in64(g, "x", 2, 3, 4), 0, 0, 1), graftest.CallerLine()
			}},
		{"Transpose axis out of range", "Transpose", []string{"x (4, 2) float64", "[0 2] is not a permutation"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Transpose(in64(g, "x", 4, 2), 0, 2), graftest.CallerLine()
			}},
		{"Transpose negative axis", "Transpose", []string{"x (4, 2) float64", "[-1 0] is not a permutation"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Transpose(in64(g, "x", 4, 2), -1, 0), graftest.CallerLine()
			}},

		{"BroadcastTo incompatible", "BroadcastTo", []string{"x (4, 2) float64", "cannot broadcast (4, 2) to (4, 3)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.BroadcastTo(in64(g, "x", 4, 2), 4, 3), graftest.CallerLine()
			}},
		{"BroadcastTo fewer axes", "BroadcastTo", []string{"x (4, 2) float64", "cannot broadcast (4, 2) to (2,)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.BroadcastTo(in64(g, "x", 4, 2), 2), graftest.CallerLine()
			}},
		{"BroadcastTo negative axis", "BroadcastTo", []string{"x (1,) float64", "(-2,)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.BroadcastTo(in64(g, "x", 1), -2), graftest.CallerLine()
			}},
		{"BroadcastTo zero axis", "BroadcastTo", []string{"x () float64", "(3, 0)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.BroadcastTo(in64(g, "x"), 3, 0), graftest.CallerLine()
			}},

		{"Slice past the end", "Slice", []string{"x (4, 2) float64", "range [1:5]", "axis 0 of size 4"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Slice(in64(g, "x", 4, 2), 0, 1, 5), graftest.CallerLine()
			}},
		{"Slice before the start", "Slice", []string{"x (4, 2) float64", "range [-3:1]", "axis 1 of size 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Slice(in64(g, "x", 4, 2), 1, -3, 1), graftest.CallerLine()
			}},
		{"Slice empty", "Slice", []string{"x (4, 2) float64", "range [2:2]"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Slice(in64(g, "x", 4, 2), 0, 2, 2), graftest.CallerLine()
			}},
		{"Slice bad axis", "Slice", []string{"x (4, 2) float64", "axis 2 is out of range for rank 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Slice(in64(g, "x", 4, 2), 2, 0, 1), graftest.CallerLine()
			}},

		{"Pad negative", "Pad", []string{"x (4, 2) float64", "must not be negative"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Pad(in64(g, "x", 4, 2), 0, -1, 2), graftest.CallerLine()
			}},
		{"Pad bad axis", "Pad", []string{"x (4, 2) float64", "axis -3 is out of range for rank 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Pad(in64(g, "x", 4, 2), -3, 1, 1), graftest.CallerLine()
			}},

		{"Concat rank", "Concat", []string{"a (4, 2) float64, b (4, 2, 1) float64", "input 1 has rank 3, input 0 has rank 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Concat(0, in64(g, "a", 4, 2), in64(g, "b", 4, 2, 1)), graftest.CallerLine()
			}},
		{"Concat shape off the axis", "Concat", []string{"a (4, 2) float64, b (4, 2) float64, c (3, 3) float64", "input 2 has shape (3, 3)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Concat(0, in64(g, "a", 4, 2), in64(g, "b", 4, 2), in64(g, "c", 3, 3)), graftest.CallerLine()
			}},
		{"Concat dtypes", "Concat", []string{"a (4, 2) float64, b (4, 2) float32", "input 1 has dtype float32"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Concat(1, in64(g, "a", 4, 2), in32(g, "b", 4, 2)), graftest.CallerLine()
			}},
		{"Concat bad axis", "Concat", []string{"a (4, 2) float64", "axis 2 is out of range for rank 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Concat(2, in64(g, "a", 4, 2), in64(g, "b", 4, 2)), graftest.CallerLine()
			}},
		{"Concat nothing", "Concat", []string{"at least one input"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.Concat(0), graftest.CallerLine() }},

		{"Softmax bad axis", "Softmax", []string{"x (4, 2) float64", "axis 2 is out of range for rank 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Softmax(in64(g, "x", 4, 2), 2), graftest.CallerLine()
			}},
		{"LogSoftmax bad axis", "LogSoftmax", []string{"x (4, 2) float64", "axis -3 is out of range for rank 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.LogSoftmax(in64(g, "x", 4, 2), -3), graftest.CallerLine()
			}},
		{"Softmax of a scalar", "Softmax", []string{"x () float64", "out of range for rank 0"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.Softmax(in64(g, "x"), 0), graftest.CallerLine() }},
	})
}

func TestReductionsRejectBadAxes(t *testing.T) {
	reductions := []struct {
		name string
		op   func(x *graph.Node, axes ...int) *graph.Node
	}{
		{"Sum", ops.Sum}, {"Sum", ops.SumKeepDims},
		{"Mean", ops.Mean}, {"Mean", ops.MeanKeepDims},
		{"Max", ops.Max}, {"Max", ops.MaxKeepDims},
		{"Min", ops.Min}, {"Min", ops.MinKeepDims},
	}
	var cases []buildErrorCase
	for _, r := range reductions {
		cases = append(cases,
			buildErrorCase{r.name + " axis out of range", r.name, []string{"x (4, 2) float64", "axis 2 is out of range for rank 2"},
				func(g *graph.Graph) (*graph.Node, int) { return r.op(in64(g, "x", 4, 2), 0, 2), graftest.CallerLine() }},
			buildErrorCase{r.name + " negative axis out of range", r.name, []string{"x (4, 2) float64", "axis -3 is out of range"},
				func(g *graph.Graph) (*graph.Node, int) { return r.op(in64(g, "x", 4, 2), -3), graftest.CallerLine() }},
			buildErrorCase{r.name + " repeated axis", r.name, []string{"x (4, 2) float64", "axis -2 is given twice"},
				func(g *graph.Graph) (*graph.Node, int) { return r.op(in64(g, "x", 4, 2), 0, -2), graftest.CallerLine() }},
			buildErrorCase{r.name + " nil input", r.name, []string{r.name + "(nil)", "input 0 is nil"},
				func(g *graph.Graph) (*graph.Node, int) { return r.op(nil, 0), graftest.CallerLine() }},
		)
	}
	checkBuildErrors(t, cases)
}

func TestArgMaxAndArgMinRejectBadAxesAndTooLongFloat32Axes(t *testing.T) {
	var cases []buildErrorCase
	for _, c := range []struct {
		name string
		op   func(x *graph.Node, axis int) *graph.Node
	}{
		{"ArgMax", ops.ArgMax}, {"ArgMax", ops.ArgMaxKeepDims},
		{"ArgMin", ops.ArgMin}, {"ArgMin", ops.ArgMinKeepDims},
	} {
		cases = append(cases,
			buildErrorCase{c.name + " axis out of range", c.name, []string{"x (4, 2) float64", "axis 2 is out of range for rank 2"},
				func(g *graph.Graph) (*graph.Node, int) { return c.op(in64(g, "x", 4, 2), 2), graftest.CallerLine() }},
			buildErrorCase{c.name + " negative axis out of range", c.name, []string{"x (4, 2) float64", "axis -3 is out of range"},
				func(g *graph.Graph) (*graph.Node, int) { return c.op(in64(g, "x", 4, 2), -3), graftest.CallerLine() }},
			buildErrorCase{c.name + " of a scalar", c.name, []string{"x () float64", "out of range for rank 0"},
				func(g *graph.Graph) (*graph.Node, int) { return c.op(in64(g, "x"), 0), graftest.CallerLine() }},
			buildErrorCase{c.name + " nil input", c.name, []string{c.name + "(nil)", "input 0 is nil"},
				func(g *graph.Graph) (*graph.Node, int) { return c.op(nil, 0), graftest.CallerLine() }},
		)
	}
	checkBuildErrors(t, cases)
}

func TestOpsRejectNilInputsAndNodesOfAnotherGraph(t *testing.T) {
	other := graph.New()
	checkBuildErrors(t, []buildErrorCase{
		{"unary nil", "Exp", []string{"Exp(nil)", "input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.Exp(nil), graftest.CallerLine() }},
		{"binary nil second", "Add", []string{"Add(x (2,) float64, nil)", "input 1 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.Add(in64(g, "x", 2), nil), graftest.CallerLine() }},
		{"binary nil first", "Greater", []string{"Greater(nil, x (2,) float64)", "input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Greater(nil, in64(g, "x", 2)), graftest.CallerLine()
			}},
		{"Where nil", "Where", []string{"input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Where(nil, in64(g, "a", 2), in64(g, "b", 2)), graftest.CallerLine()
			}},
		{"MatMul nil", "MatMul", []string{"input 1 is nil"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 2, 2), nil), graftest.CallerLine()
			}},
		{"MatMul 1-D and nil", "MatMul", []string{"MatMul(nil, b (3,) float64)", "input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(nil, in64(g, "b", 3)), graftest.CallerLine()
			}},
		{"MatMul 1-D across graphs", "MatMul", []string{"a (3,) float64, b (3,) float64", "different graphs"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MatMul(in64(g, "a", 3), in64(other, "b", 3)), graftest.CallerLine()
			}},
		{"Concat nil", "Concat", []string{"input 1 is nil"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Concat(0, in64(g, "a", 2), nil), graftest.CallerLine()
			}},
		{"Softmax nil", "Softmax", []string{"input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.Softmax(nil, 0), graftest.CallerLine() }},
		{"Reshape nil", "Reshape", []string{"input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.Reshape(nil, 2), graftest.CallerLine() }},
		{"StopGradient nil", "StopGradient", []string{"input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.StopGradient(nil), graftest.CallerLine() }},
		{"ScalarLike nil", "ScalarLike", []string{"input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.ScalarLike(nil, 1), graftest.CallerLine() }},
		{"ZerosLike nil", "ZerosLike", []string{"input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.ZerosLike(nil), graftest.CallerLine() }},
		{"OnesLike nil", "OnesLike", []string{"input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.OnesLike(nil), graftest.CallerLine() }},
		{"Add across graphs", "Add", []string{"x (2,) float64, y (2,) float64", "different graphs"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Add(in64(g, "x", 2), in64(other, "y", 2)), graftest.CallerLine()
			}},
		{"Concat across graphs", "Concat", []string{"different graphs"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Concat(0, in64(g, "a", 2), in64(g, "b", 2), in64(other, "c", 2)), graftest.CallerLine()
			}},
		{"Where across graphs", "Where", []string{"different graphs"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Where(in64(g, "c", 2), in64(other, "a", 2), in64(g, "b", 2)), graftest.CallerLine()
			}},
	})
}

func TestFullRejectsBadShapesAndDTypes(t *testing.T) {
	cases := []struct {
		name  string
		dt    graph.DType
		shape []int
		want  string
	}{
		{"negative axis", tensor.Float64, []int{2, -3}, "(2, -3)"},
		{"two negative axes", tensor.Float32, []int{-1, -1}, "(-1, -1)"},
		{"zero axis", tensor.Float64, []int{0}, "(0,)"},
		{"integer dtype", tensor.Int, []int{2}, "dtype int is not supported"},
		{"the zero dtype", graph.DType{}, []int{2}, "dtype is unset (the zero DType)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Full panicked: %v", r)
				}
			}()
			g := graph.New()
			n, line := ops.Full(g, 1, c.dt, c.shape...), graftest.CallerLine()
			_, err := graph.Compile(n)
			if err == nil {
				t.Fatalf("Compile accepted Full of %v %v", c.dt, c.shape)
			}
			for _, w := range []string{c.want, fmt.Sprintf("errors_test.go:%d", line)} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestTheFirstBuildErrorWins(t *testing.T) {
	g := graph.New()
	x := in64(g, "x", 4, 2)
	first, line := ops.Add(x, in64(g, "y", 3)), graftest.CallerLine()
	second := ops.Reshape(x, 5)
	for _, out := range []*graph.Node{first, second, x} {
		_, err := graph.Compile(out)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("Add(x (4, 2) float64, y (3,) float64) at ops/errors_test.go:%d", line)) {
			t.Errorf("Compile(%s) = %v, want the first error, Add's", out.Name(), err)
		}
	}
	if _, err := autodiff.Grad(ops.Sum(x), x); err != g.Err() {
		t.Errorf("Grad = %v, want the graph's first error", err)
	}
}

func TestNodesDownstreamOfAFailedNodeAddNoErrors(t *testing.T) {
	g := graph.New()
	x := in64(g, "x", 4, 2)
	bad := ops.MatMul(x, x) // (4, 2)·(4, 2): the only mistake
	want := g.Err()
	if want == nil {
		t.Fatal("MatMul (4, 2)·(4, 2) was accepted")
	}
	// Each of these would be wrong for any shape MatMul could have given, yet
	// none may add or replace an error.
	downstream := []*graph.Node{
		ops.Add(bad, in64(g, "y", 7)),
		ops.Reshape(bad, 3, 3, 3),
		ops.Sum(bad, 5),
		ops.Mean(bad, 5),
		ops.Mean(bad),
		ops.ZerosLike(bad),
		ops.Sub(ops.ScalarLike(bad, 1), x),
		ops.Softmax(bad, 9),
		ops.Concat(0, x, bad),
		ops.Where(bad, x, x),
		ops.MatMul(bad, in64(g, "v", 7)),
		ops.MatMul(in64(g, "u", 7), bad),
		ops.Exp(ops.Tanh(bad)),
	}
	for i, n := range downstream {
		if g.Err() != want {
			t.Fatalf("node %d replaced the error: %v", i, g.Err())
		}
		if _, err := graph.Compile(n); err != want {
			t.Errorf("Compile(%s) = %v, want %v", n.Name(), err, want)
		}
	}
	if !strings.Contains(want.Error(), "MatMul(") || strings.Contains(want.Error(), "Reshape") {
		t.Errorf("error %q should be MatMul's", want)
	}
}

// everyBuilder applies each exported builder that takes nodes to x, in
// every node argument; TestEveryBuilderIsInTheNilTable keeps it complete.
var everyBuilder = map[string]func(x *graph.Node) *graph.Node{
	"Abs": ops.Abs, "Cos": ops.Cos, "Erf": ops.Erf, "Erfc": ops.Erfc, "Exp": ops.Exp, "Expm1": ops.Expm1,
	"Log": ops.Log, "Log1p": ops.Log1p, "Neg": ops.Neg, "ReLU": ops.ReLU, "Sigmoid": ops.Sigmoid,
	"Sign": ops.Sign, "Sin": ops.Sin, "Softplus": ops.Softplus, "Sqrt": ops.Sqrt, "Square": ops.Square,
	"Tanh": ops.Tanh, "StopGradient": ops.StopGradient, "ZerosLike": ops.ZerosLike, "OnesLike": ops.OnesLike,
	"Add": twice(ops.Add), "Sub": twice(ops.Sub), "Mul": twice(ops.Mul), "Div": twice(ops.Div),
	"Pow": twice(ops.Pow), "Maximum": twice(ops.Maximum), "Minimum": twice(ops.Minimum),
	"Equal": twice(ops.Equal), "NotEqual": twice(ops.NotEqual), "Less": twice(ops.Less),
	"LessEqual": twice(ops.LessEqual), "Greater": twice(ops.Greater), "GreaterEqual": twice(ops.GreaterEqual),
	"MatMul":  twice(ops.MatMul),
	"MatMulT": func(x *graph.Node) *graph.Node { return ops.MatMulT(x, x, true, false) },
	"Where":   func(x *graph.Node) *graph.Node { return ops.Where(x, x, x) },
	"Elementwise": func(x *graph.Node) *graph.Node {
		return ops.Elementwise("Cube", x, func(v float64) float64 { return v * v * v }, nil)
	},
	"BroadcastTo":    func(x *graph.Node) *graph.Node { return ops.BroadcastTo(x, 2, 3) },
	"Concat":         func(x *graph.Node) *graph.Node { return ops.Concat(0, x, x) },
	"Reshape":        func(x *graph.Node) *graph.Node { return ops.Reshape(x, -1) },
	"Transpose":      func(x *graph.Node) *graph.Node { return ops.Transpose(x) },
	"Slice":          func(x *graph.Node) *graph.Node { return ops.Slice(x, 0, 0, 1) },
	"Pad":            func(x *graph.Node) *graph.Node { return ops.Pad(x, 0, 1, 1) },
	"Sum":            func(x *graph.Node) *graph.Node { return ops.Sum(x, 0) },
	"SumKeepDims":    func(x *graph.Node) *graph.Node { return ops.SumKeepDims(x) },
	"Max":            func(x *graph.Node) *graph.Node { return ops.Max(x, -1) },
	"MaxKeepDims":    func(x *graph.Node) *graph.Node { return ops.MaxKeepDims(x) },
	"Min":            func(x *graph.Node) *graph.Node { return ops.Min(x, 0) },
	"MinKeepDims":    func(x *graph.Node) *graph.Node { return ops.MinKeepDims(x, -1) },
	"Mean":           func(x *graph.Node) *graph.Node { return ops.Mean(x, 0) },
	"MeanKeepDims":   func(x *graph.Node) *graph.Node { return ops.MeanKeepDims(x) },
	"ArgMax":         func(x *graph.Node) *graph.Node { return ops.ArgMax(x, 0) },
	"ArgMaxKeepDims": func(x *graph.Node) *graph.Node { return ops.ArgMaxKeepDims(x, -1) },
	"ArgMin":         func(x *graph.Node) *graph.Node { return ops.ArgMin(x, -1) },
	"ArgMinKeepDims": func(x *graph.Node) *graph.Node { return ops.ArgMinKeepDims(x, 0) },
	"Softmax":        func(x *graph.Node) *graph.Node { return ops.Softmax(x, 0) },
	"LogSoftmax":     func(x *graph.Node) *graph.Node { return ops.LogSoftmax(x, -1) },
	"ScalarLike":     func(x *graph.Node) *graph.Node { return ops.ScalarLike(x, 2) },
	"Full":           func(x *graph.Node) *graph.Node { return ops.Full(graphOf(x), 1, tensor.Float64, 2) },
	"Scalar":         func(x *graph.Node) *graph.Node { return ops.Scalar(graphOf(x), 1, tensor.Float64) },
	"Dropout":        func(x *graph.Node) *graph.Node { return ops.Dropout(x, 0.5, 1) },
	"Moments": func(x *graph.Node) *graph.Node {
		m, v := ops.Moments(x, 0)
		return ops.Add(m, v)
	},
	"Normalize": func(x *graph.Node) *graph.Node { return ops.Normalize(x, x, x, 1e-5) },
	"RandomUniform": func(x *graph.Node) *graph.Node {
		return ops.RandomUniform(graphOf(x), 1, tensor.Float64, 2)
	},
	"RandomNormal": func(x *graph.Node) *graph.Node {
		return ops.RandomNormal(graphOf(x), 1, tensor.Float64, 2)
	},
	"Conv":                  func(x *graph.Node) *graph.Node { return ops.Conv(x, x, ops.ConvConfig{}) },
	"ConvTranspose":         func(x *graph.Node) *graph.Node { return ops.ConvTranspose(x, x, ops.ConvTransposeConfig{}) },
	"AddChannelBias":        twice(ops.AddChannelBias),
	"Take":                  twice(func(x, i *graph.Node) *graph.Node { return ops.Take(x, i, 0) }),
	"IndexSelect":           twice(func(x, i *graph.Node) *graph.Node { return ops.IndexSelect(x, 0, i) }),
	"OneHot":                func(x *graph.Node) *graph.Node { return ops.OneHot(x, 3, tensor.Float64) },
	"Cast":                  func(x *graph.Node) *graph.Node { return ops.Cast(x, tensor.Float32) },
	"MaxPool":               func(x *graph.Node) *graph.Node { return ops.MaxPool(x, ops.PoolConfig{Kernel: []int{1}}) },
	"MaxPool1D":             func(x *graph.Node) *graph.Node { return ops.MaxPool1D(x, 1, 1, 0) },
	"MaxPool2D":             func(x *graph.Node) *graph.Node { return ops.MaxPool2D(x, 1, 1, 0) },
	"MaxPoolIndices":        func(x *graph.Node) *graph.Node { return ops.MaxPoolIndices(x, ops.PoolConfig{Kernel: []int{1}}) },
	"AvgPool":               func(x *graph.Node) *graph.Node { return ops.AvgPool(x, ops.PoolConfig{Kernel: []int{1}}) },
	"AvgPool1D":             func(x *graph.Node) *graph.Node { return ops.AvgPool1D(x, 1, 1, 0) },
	"AvgPool2D":             func(x *graph.Node) *graph.Node { return ops.AvgPool2D(x, 1, 1, 0) },
	"GlobalAvgPool":         ops.GlobalAvgPool,
	"GlobalAvgPoolKeepDims": ops.GlobalAvgPoolKeepDims,
	"RandomBernoulli": func(x *graph.Node) *graph.Node {
		return ops.RandomBernoulli(graphOf(x), 1, 0.5, tensor.Float64, 2)
	},
	"Cumsum":        func(x *graph.Node) *graph.Node { return ops.Cumsum(x, 0) },
	"Einsum":        func(x *graph.Node) *graph.Node { return ops.Einsum("ij,jk->ik", x, x) },
	"CausalMask":    func(x *graph.Node) *graph.Node { return ops.CausalMask(graphOf(x), 3, tensor.Float64) },
	"PaddingMask":   func(x *graph.Node) *graph.Node { return ops.PaddingMask(x, 3, tensor.Float64) },
	"MaskedSoftmax": twice(func(x, m *graph.Node) *graph.Node { return ops.MaskedSoftmax(x, m, -1) }),
}

func twice(f func(a, b *graph.Node) *graph.Node) func(x *graph.Node) *graph.Node {
	return func(x *graph.Node) *graph.Node { return f(x, x) }
}

// graphOf is x's graph, nil for a nil x: Full and Scalar are given the
// graph a careless caller would pass.
func graphOf(x *graph.Node) *graph.Graph {
	if x == nil {
		return nil
	}
	return x.Graph()
}

// readFirst are the builders that read their input's shape, dtype or graph
// before graph.Apply sees it, and so check it themselves.
var readFirst = map[string]bool{
	"ScalarLike": true, "ZerosLike": true, "OnesLike": true, "Mean": true, "MeanKeepDims": true,
	"Full": true, "Scalar": true, "Dropout": true, "AddChannelBias": true, "IndexSelect": true, "Normalize": true,
	"RandomUniform": true, "RandomNormal": true, "RandomBernoulli": true,
	"Einsum": true, "CausalMask": true, "MaskedSoftmax": true,
}

func TestEveryBuilderGivenANilOrZeroNodeFailsWithoutPanicking(t *testing.T) {
	// graph.Apply rejects a zero Node (one of no graph) for the builders
	// that hand their inputs straight to it; until it does, those are only
	// checked not to panic.
	_, applyErr := graph.Compile(ops.Neg(&graph.Node{}))
	for name, build := range everyBuilder {
		for _, in := range []struct {
			what string
			x    *graph.Node
		}{{"nil", nil}, {"zero Node", &graph.Node{}}} {
			t.Run(name+"/"+in.what, func(t *testing.T) {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panicked: %v", r)
					}
				}()
				n := build(in.x)
				if n == nil {
					t.Fatal("returned a nil node")
				}
				_, err := graph.Compile(n)
				if err == nil && (in.x == nil || readFirst[name] || applyErr != nil) {
					t.Fatalf("Compile accepted %s of a %s", name, in.what)
				}
				if err != nil && !strings.HasPrefix(err.Error(), "graft: ") {
					t.Errorf("error %q does not start with graft: ", err)
				}
			})
		}
	}
}

// TestEveryBuilderIsInTheNilTable reads the package's source: every
// exported function that returns a *graph.Node must have a row in
// everyBuilder.
func TestEveryBuilderIsInTheNilTable(t *testing.T) {
	for _, name := range exportedBuilders(t) {
		if everyBuilder[name] == nil {
			t.Errorf("builder %s has no row in everyBuilder", name)
		}
	}
}

func TestSizesThatOverflowAnIntAreBuildErrors(t *testing.T) {
	const big = 1 << 32 // big·big overflows an int
	checkBuildErrors(t, []buildErrorCase{
		{"Reshape to a shape whose known axes overflow", "Reshape", []string{"x (6,) float64", "overflow"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Reshape(in64(g, "x", 6), big, big, -1), graftest.CallerLine()
			}},
		{"Reshape to a shape that overflows to the input's size", "Reshape", []string{"cannot reshape 1 elements"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Reshape(in64(g, "x", 1), big, big), graftest.CallerLine()
			}},
		{"Pad past the largest int", "Pad", []string{"x (2,) float64", "too long"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Pad(in64(g, "x", 2), 0, math.MaxInt, 1), graftest.CallerLine()
			}},
		{"BroadcastTo a shape that overflows", "BroadcastTo", []string{"x (1,) float64", "more elements than an int can count"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.BroadcastTo(in64(g, "x", 1), big, big), graftest.CallerLine()
			}},
	})
	// Operands of sizes that fit but whose result does not: the error is
	// the op's, or the graph's cap on an input of that size.
	overflowing := map[string]func(g *graph.Graph) *graph.Node{
		"Reshape of an input whose size overflows": func(g *graph.Graph) *graph.Node { return ops.Reshape(in64(g, "x", big, big), -1) },
		"Add broadcasting to a size that overflows": func(g *graph.Graph) *graph.Node {
			return ops.Add(in64(g, "a", big, 1), in64(g, "b", 1, big))
		},
		"MatMul with a product that overflows": func(g *graph.Graph) *graph.Node {
			return ops.MatMul(in64(g, "a", big, 1), in64(g, "b", 1, big))
		},
		"Concat along an axis that overflows": func(g *graph.Graph) *graph.Node {
			return ops.Concat(0, in64(g, "a", math.MaxInt/2+1), in64(g, "b", math.MaxInt/2+1))
		},
	}
	for name, build := range overflowing {
		t.Run(name, func(t *testing.T) {
			n := build(graph.New())
			if _, err := graph.Compile(n); err == nil {
				t.Fatalf("Compile accepted a node of shape %v", n.Shape())
			}
		})
	}
}

func TestFullRefusesSizesItCannotAllocateAtBuildTime(t *testing.T) {
	for _, c := range []struct {
		name  string
		shape []int
		want  string
	}{
		{"beyond the cap", []int{1 << 20, 1 << 20}, "use ops.BroadcastTo(ops.Scalar(g, v, dt), shape...)"},
		{"overflowing an int", []int{1 << 32, 1 << 32}, "more elements than an int can count"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := graph.Compile(ops.Full(graph.New(), 0, tensor.Float64, c.shape...))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "graft: Full(") {
				t.Errorf("Compile error %v, want Full's %q", err, c.want)
			}
		})
	}
}

func TestCumsumRejectsBadInput(t *testing.T) {
	checkBuildErrors(t, []buildErrorCase{
		{"Cumsum axis out of range", "Cumsum", []string{"x (2, 3) float64", "axis 2 is out of range for rank 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Cumsum(in64(g, "x", 2, 3), 2), graftest.CallerLine()
			}},
		{"Cumsum of a scalar", "Cumsum", []string{"x () float64", "axis 0 is out of range for rank 0"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.Cumsum(in64(g, "x"), 0), graftest.CallerLine() }},
		{"Cumsum of indices", "Cumsum", []string{"input 0 is int64", "ops.Cast"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Cumsum(g.Input("i", graph.Int64, 3), 0), graftest.CallerLine()
			}},
	})
}

func TestEinsumRejectsWhatItDoesNotSupport(t *testing.T) {
	einsum := func(spec string, shapes ...[]int) func(g *graph.Graph) (*graph.Node, int) {
		return func(g *graph.Graph) (*graph.Node, int) {
			var xs []*graph.Node
			for i, s := range shapes {
				xs = append(xs, in64(g, fmt.Sprint("x", i), s...))
			}
			return ops.Einsum(spec, xs...), graftest.CallerLine()
		}
	}
	checkBuildErrors(t, []buildErrorCase{
		{"Einsum ellipsis", "Einsum", []string{`spec "...ij,...jk->...ik"`, "x0 (2, 3) float64, x1 (3, 4) float64", "ellipsis"},
			einsum("...ij,...jk->...ik", []int{2, 3}, []int{3, 4})},
		{"Einsum too few operands", "Einsum", []string{`spec "ij,jk->ik"`, "x0 (2, 3) float64", "subscripts for 2 operands, and 1 were given"},
			einsum("ij,jk->ik", []int{2, 3})},
		{"Einsum labels and axes", "Einsum", []string{"x0 (2, 3) float64, x1 (3, 4) float64", "operand 0 has 2 axes and 3 labels \"ijk\""},
			einsum("ijk,kl->il", []int{2, 3}, []int{3, 4})},
		{"Einsum sizes of a label", "Einsum", []string{"x0 (2, 3) float64, x1 (4, 2) float64",
			"label 'j' is axis 1 of operand 0, of size 3, and axis 0 of operand 1, of size 4"},
			einsum("ij,jk->ik", []int{2, 3}, []int{4, 2})},
		{"Einsum no stretching of a size-1 axis", "Einsum", []string{"label 'i' is axis 0 of operand 0, of size 1, and axis 0 of operand 1, of size 3"},
			einsum("ij,ij->ij", []int{1, 2}, []int{3, 2})},
		{"Einsum sizes of a diagonal", "Einsum", []string{"x0 (2, 3) float64", "label 'i' is axis 0 of operand 0, of size 2, and axis 1 of operand 0, of size 3"},
			einsum("ii->i", []int{2, 3})},
		{"Einsum not a letter", "Einsum", []string{`'1' is not a label`}, einsum("i1->i", []int{2, 3})},
		{"Einsum repeated result label", "Einsum", []string{`label 'i' appears twice in the result`}, einsum("ij->ii", []int{2, 3})},
		{"Einsum result label in no operand", "Einsum", []string{`label 'k' of the result is in no operand`}, einsum("ij->ik", []int{2, 3})},
		{"Einsum two arrows", "Einsum", []string{`"->" may appear once`}, einsum("ij->ji->ij", []int{2, 3})},
		{"Einsum no operands", "Einsum", []string{`spec "ij->ji": no operands`}, einsum("ij->ji")},
		{"Einsum nil operand", "Einsum", []string{"input 1 is nil"}, func(g *graph.Graph) (*graph.Node, int) {
			return ops.Einsum("ij,jk->ik", in64(g, "a", 2, 3), nil), graftest.CallerLine()
		}},
		{"Einsum dtypes", "Einsum", []string{"a (2, 3) float64, b (3, 4) float32", "operands 0 and 1 have dtypes float64 and float32"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Einsum("ij,jk->ik", in64(g, "a", 2, 3), in32(g, "b", 3, 4)), graftest.CallerLine()
			}},
		{"Einsum of indices", "Einsum", []string{"operand 0 is int64", "ops.Cast"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.Einsum("ij->ji", g.Input("i", graph.Int64, 2, 3)), graftest.CallerLine()
			}},
	})
}

func TestMasksRejectBadInput(t *testing.T) {
	checkBuildErrors(t, []buildErrorCase{
		{"CausalMask n 0", "CausalMask", []string{"n is 0"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.CausalMask(g, 0, tensor.Float64), graftest.CallerLine()
			}},
		{"CausalMask dtype", "CausalMask", []string{"int64"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.CausalMask(g, 3, graph.Int64), graftest.CallerLine()
			}},
		{"CausalMask nil graph", "CausalMask", []string{"the graph is nil"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.CausalMask(nil, 3, tensor.Float64), graftest.CallerLine()
			}},
		{"PaddingMask float lengths", "PaddingMask", []string{"lengths (2,) float64", "the lengths must be int64, not float64"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.PaddingMask(in64(g, "lengths", 2), 3, tensor.Float64), graftest.CallerLine()
			}},
		{"PaddingMask n 0", "PaddingMask", []string{"lengths (2,) int64", "n is 0"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.PaddingMask(g.Input("lengths", graph.Int64, 2), 0, tensor.Float64), graftest.CallerLine()
			}},
		{"PaddingMask dtype", "PaddingMask", []string{"lengths (2,) int64", "int64"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.PaddingMask(g.Input("lengths", graph.Int64, 2), 3, graph.Int64), graftest.CallerLine()
			}},
		{"MaskedSoftmax mask shape", "MaskedSoftmax", []string{"x (2, 4) float64, m (3,) float64", "the mask does not broadcast to x's shape (2, 4)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaskedSoftmax(in64(g, "x", 2, 4), in64(g, "m", 3), -1), graftest.CallerLine()
			}},
		{"MaskedSoftmax mask larger than x", "MaskedSoftmax", []string{"x (4,) float64, m (2, 4) float64", "does not broadcast to x's shape (4,)"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaskedSoftmax(in64(g, "x", 4), in64(g, "m", 2, 4), -1), graftest.CallerLine()
			}},
		{"MaskedSoftmax dtypes", "MaskedSoftmax", []string{"dtypes float64 and float32 differ"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaskedSoftmax(in64(g, "x", 2, 4), in32(g, "m", 2, 4), -1), graftest.CallerLine()
			}},
		{"MaskedSoftmax axis", "MaskedSoftmax", []string{"x (2, 4) float64, m (2, 4) float64", "axis 2 is out of range for rank 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaskedSoftmax(in64(g, "x", 2, 4), in64(g, "m", 2, 4), 2), graftest.CallerLine()
			}},
	})
}
