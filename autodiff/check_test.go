package autodiff_test

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// cubeOp computes x³ with a gradient rule that is off by the factor
// scale: 3·scale·x². scale 1 is the true derivative.
type cubeOp struct{ scale float64 }

func (cubeOp) Name() string { return "Cube" }
func (cubeOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	return in[0].Shape(), in[0].DType(), nil
}
func (cubeOp) Forward(out *graph.Value, in []*graph.Value) {
	for i, v := range in[0].F64 {
		out.F64[i] = v * v * v
	}
}
func (op cubeOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	x := n.Inputs()[0]
	return ops.Mul(dy, ops.Mul(ops.ScalarLike(x, 3*op.scale), ops.Square(x)))
}

func TestCheckGradJudgesGradientRules(t *testing.T) {
	loose := autodiff.Tolerance{Step: 1e-6, Abs: 1e-7, Rel: 1e-2}
	cases := []struct {
		name    string
		scale   float64
		tol     autodiff.Tolerance
		wantErr []string // nil: the check passes
	}{
		{"a correct rule passes", 1, autodiff.DefaultTolerance, nil},
		// The error is largest where 3x² is: x = -2.5 at flat index 2.
		{"a rule off by 0.1% fails at its worst element", 1.001, autodiff.DefaultTolerance, []string{"/dx", "flat index 2", "18.76875", "18.75"}},
		{"a looser tolerance lets 0.1% pass", 1.001, loose, nil},
		{"a rule off by 10% fails even the loose tolerance", 1.1, loose, []string{"/dx", "flat index 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			xs := []float64{0.5, -1, -2.5, 2}
			x := g.Param("x", dense64(append([]float64(nil), xs...), 4))
			y := ops.Sum(graph.Apply(cubeOp{c.scale}, x))
			err := autodiff.CheckGrad(y, []*graph.Node{x}, nil, c.tol)
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("CheckGrad rejected the rule: %v", err)
			case c.wantErr != nil && err == nil:
				t.Fatal("CheckGrad accepted a wrong rule")
			}
			for _, w := range c.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			graftest.AssertExact(t, "x after the check", x.Value().Float64s(), xs)
		})
	}
}

func TestCheckGradPerturbsInputsAndRestoresThem(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	w := g.Param("w", dense64([]float64{0.3, -0.7, 1.1}, 3))
	y := ops.Sum(ops.Sin(ops.Mul(x, w)))
	xs := []float64{1, 2, -0.5}
	feed := dense64(append([]float64(nil), xs...), 3)
	if err := autodiff.CheckGrad(y, []*graph.Node{x, w}, graph.Feeds{x: feed}, autodiff.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
	graftest.AssertExact(t, "feed after the check", feed.Float64s(), xs)
}

func TestCheckGradErrors(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	h := ops.Exp(x)
	y := ops.Sum(h)
	feeds := graph.Feeds{x: dense64([]float64{1, 2}, 2)}

	g32 := graph.New()
	x32 := g32.Input("x32", tensor.Float32, 2)
	y32 := ops.Sum(ops.Exp(x32))
	feeds32 := graph.Feeds{x32: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2}))}
	x64 := g32.Input("x64", tensor.Float64, 2) // y32 does not depend on it
	feeds32[x64] = dense64([]float64{1, 2}, 2)
	cases := []struct {
		name  string
		y     *graph.Node
		xs    []*graph.Node
		feeds graph.Feeds
		want  []string
	}{
		{"a float32 x", y32, []*graph.Node{x32}, feeds32, []string{"x32", "float32", "float64"}},
		{"a float32 y", y32, []*graph.Node{x64}, feeds32, []string{y32.Name(), "float32", "float64"}},
		{"an op as x", y, []*graph.Node{h}, feeds, []string{h.Name(), "is an op"}},
		{"an input that is not fed", y, []*graph.Node{x}, graph.Feeds{}, []string{`"x"`, "not fed"}},
		{"a non-scalar y", h, []*graph.Node{x}, feeds, []string{h.Name(), "(2,)", "scalar"}},
		{"a zero Node", y, []*graph.Node{{}}, feeds, []string{"is no dtype; gradient checks need float64"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := autodiff.CheckGrad(c.y, c.xs, c.feeds, autodiff.DefaultTolerance)
			if err == nil {
				t.Fatal("CheckGrad passed; want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
