package autodiff_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// f maps x (3,) to (x0·x1, sin x2, x0²): its Jacobian, worked out by hand,
// is [[x1, x0, 0], [0, 0, cos x2], [2x0, 0, 0]].
func f(x *graph.Node) *graph.Node {
	x0, x1, x2 := ops.Slice(x, 0, 0, 1), ops.Slice(x, 0, 1, 2), ops.Slice(x, 0, 2, 3)
	return ops.Concat(0, ops.Mul(x0, x1), ops.Sin(x2), ops.Square(x0))
}

var fAt = []float64{0.5, -2, 0.3}

func fJacobian(x []float64) []float64 {
	return []float64{x[1], x[0], 0, 0, 0, math.Cos(x[2]), 2 * x[0], 0, 0}
}

func TestJacobianInBothModesIsTheClosedForm(t *testing.T) {
	for _, mode := range []autodiff.Mode{autodiff.Reverse, autodiff.Forward, autodiff.Auto} {
		g := graph.New()
		x := g.Input("x", tensor.Float64, 3)
		j, err := autodiff.Jacobian(f(x), x, mode)
		if err != nil {
			t.Fatal(err)
		}
		if !j.Shape().Equal(graph.Shape{3, 3}) {
			t.Fatalf("mode %d: shape %v", mode, j.Shape())
		}
		got := graftest.Eval(t, graph.Feeds{x: dense64(fAt, 3)}, j)[0]
		graftest.AssertClose(t, "Jacobian", got, fJacobian(fAt), 1e-15, 0)
	}
}

// ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩: the JVP and the VJP are transposes.
func TestJVPAndVJPAreTransposes(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	y := ops.Tanh(ops.Mul(f(x), ops.Exp(x)))
	u := g.Const("u", dense64([]float64{0.3, -1.2, 0.7}, 3))
	v := g.Const("v", dense64([]float64{-0.4, 0.9, 2.1}, 3))
	jv, err := autodiff.JVP(y, []*graph.Node{x}, []*graph.Node{v})
	if err != nil {
		t.Fatal(err)
	}
	jtu, err := autodiff.VJP(y, u, x)
	if err != nil {
		t.Fatal(err)
	}
	out := graftest.Eval(t, graph.Feeds{x: dense64(fAt, 3)}, ops.Sum(ops.Mul(u, jv)), ops.Sum(ops.Mul(jtu[0], v)))
	if math.Abs(out[0][0]-out[1][0]) > 1e-14 || out[0][0] == 0 {
		t.Fatalf("⟨u, Jv⟩ = %v but ⟨Jᵀu, v⟩ = %v", out[0][0], out[1][0])
	}
}

// y = x0²·x1 + x1³ has the Hessian [[2x1, 2x0], [2x0, 6x1]].
func TestHessianAndHVPAreTheClosedForm(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	x0, x1 := ops.Slice(x, 0, 0, 1), ops.Slice(x, 0, 1, 2)
	y := ops.Sum(ops.Add(ops.Mul(ops.Square(x0), x1), ops.Mul(ops.Square(x1), x1)))
	h, err := autodiff.Hessian(y, x)
	if err != nil {
		t.Fatal(err)
	}
	v := g.Const("v", dense64([]float64{1, -3}, 2))
	hv, err := autodiff.HVP(y, []*graph.Node{x}, []*graph.Node{v})
	if err != nil {
		t.Fatal(err)
	}
	out := graftest.Eval(t, graph.Feeds{x: dense64([]float64{1.5, -0.5}, 2)}, h, hv[0])
	graftest.AssertClose(t, "H", out[0], []float64{-1, 3, 3, -3}, 1e-15, 0)
	graftest.AssertClose(t, "H·v", out[1], []float64{-1 - 9, 3 + 9}, 1e-15, 0)
}

// Per-example gradients of a linear model's squared errors, against a loop
// that builds one graph per example.
func TestPerExampleGradientsMatchOneGraphPerExample(t *testing.T) {
	xs := []float64{1, 2, -1, 0.5, 3, -2}
	ts := []float64{1, -1, 2}
	wv := []float64{0.3, -0.7}
	model := func(g *graph.Graph, x *graph.Node) (*graph.Node, *graph.Node) {
		w := g.Param("w", dense64(append([]float64(nil), wv...), 2, 1))
		return ops.MatMul(x, w), w
	}
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3, 2)
	t0 := g.Input("t", tensor.Float64, 3, 1)
	pred, w := model(g, x)
	losses := ops.Reshape(ops.Square(ops.Sub(pred, t0)), 3)
	per, err := autodiff.PerExampleGradients(losses, w)
	if err != nil {
		t.Fatal(err)
	}
	got := graftest.Eval(t, graph.Feeds{x: dense64(xs, 3, 2), t0: dense64(ts, 3, 1)}, per[0])[0]
	if !per[0].Shape().Equal(graph.Shape{3, 2, 1}) {
		t.Fatalf("shape %v", per[0].Shape())
	}
	for e := range 3 {
		g := graph.New()
		x := g.Input("x", tensor.Float64, 1, 2)
		t1 := g.Input("t", tensor.Float64, 1, 1)
		pred, w := model(g, x)
		grads, err := autodiff.Grad(ops.Sum(ops.Square(ops.Sub(pred, t1))), w)
		if err != nil {
			t.Fatal(err)
		}
		want := graftest.Eval(t, graph.Feeds{x: dense64(xs[2*e:2*e+2], 1, 2), t1: dense64(ts[e:e+1], 1, 1)}, grads[0])[0]
		graftest.AssertClose(t, "example gradient", got[2*e:2*e+2], want, 1e-15, 0)
	}
}

func TestTransformsRejectMismatchedTangents(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	y := ops.Sum(ops.Square(x))
	v := g.Input("v", tensor.Float64, 2)
	if _, err := autodiff.HVP(y, []*graph.Node{x}, []*graph.Node{v}); err == nil || !strings.Contains(err.Error(), "v 0 is v (2,) float64") {
		t.Errorf("HVP: %v", err)
	}
	if _, err := autodiff.JVP(y, []*graph.Node{x}, nil); err == nil || !strings.Contains(err.Error(), "1 xs but 0 vs") {
		t.Errorf("JVP: %v", err)
	}
	if _, err := autodiff.VJP(ops.Square(x), v, x); err == nil || !strings.Contains(err.Error(), "y's shape") {
		t.Errorf("VJP: %v", err)
	}
	if _, err := autodiff.PerExampleGradients(y, x); err == nil || !strings.Contains(err.Error(), "must be a vector") {
		t.Errorf("PerExampleGradients: %v", err)
	}
}

// Each column of the Jacobian against central differences of f, at a point
// where f is smooth.
func TestJacobianAgreesWithCentralDifferences(t *testing.T) {
	build := func() (*graph.Graph, *graph.Node, *graph.Node) {
		g := graph.New()
		x := g.Input("x", tensor.Float64, 3)
		return g, x, ops.Tanh(ops.Mul(f(x), ops.Exp(x)))
	}
	_, x, y := build()
	j, err := autodiff.Jacobian(y, x, autodiff.Forward)
	if err != nil {
		t.Fatal(err)
	}
	got := graftest.Eval(t, graph.Feeds{x: dense64(fAt, 3)}, j)[0]
	_, x2, y2 := build()
	prog, err := graph.Compile(y2)
	if err != nil {
		t.Fatal(err)
	}
	at := func(v []float64) []float64 {
		out, err := prog.Run(graph.Feeds{x2: dense64(v, 3)})
		if err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), out[0].Float64s()...)
	}
	const h = 1e-6
	for col := range 3 {
		plus, minus := append([]float64(nil), fAt...), append([]float64(nil), fAt...)
		plus[col] += h
		minus[col] -= h
		fp, fm := at(plus), at(minus)
		for row := range 3 {
			want := (fp[row] - fm[row]) / (2 * h)
			if d := got[row*3+col] - want; math.Abs(d) > 1e-8 {
				t.Errorf("∂y%d/∂x%d: %v, central differences %v", row, col, got[row*3+col], want)
			}
		}
	}
}
