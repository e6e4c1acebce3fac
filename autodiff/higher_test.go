package autodiff_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// derivatives returns the first and second derivatives of an elementwise f
// at each point: since f acts on each element alone, the gradient of Σ f(x)
// is f'(x), and the gradient of Σ f'(x) is f”(x).
func derivatives(t *testing.T, f func(*graph.Node) *graph.Node, points []float64) (d1, d2 []float64) {
	t.Helper()
	g := graph.New()
	x := g.Input("x", tensor.Float64, len(points))
	first, err := autodiff.Grad(ops.Sum(f(x)), x)
	if err != nil {
		t.Fatal(err)
	}
	second, err := autodiff.Grad(ops.Sum(first[0]), x)
	if err != nil {
		t.Fatal(err)
	}
	out := eval(t, graph.Feeds{x: dense64(append([]float64(nil), points...), len(points))}, first[0], second[0])
	return out[0], out[1]
}

func TestSecondDerivatives(t *testing.T) {
	sigmoid := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	points := []float64{-2, -0.5, 0.25, 0.5, 1.5}
	cases := []struct {
		name   string
		f      func(*graph.Node) *graph.Node
		d1, d2 func(float64) float64
	}{
		{
			name: "x³ as Pow",
			f:    func(x *graph.Node) *graph.Node { return ops.Pow(x, ops.ScalarLike(x, 3)) },
			d1:   func(v float64) float64 { return 3 * v * v },
			d2:   func(v float64) float64 { return 6 * v },
		},
		{
			name: "x³ as x·x·x",
			f:    func(x *graph.Node) *graph.Node { return ops.Mul(ops.Mul(x, x), x) },
			d1:   func(v float64) float64 { return 3 * v * v },
			d2:   func(v float64) float64 { return 6 * v },
		},
		{
			// tanh'' = -2 tanh (1 - tanh²).
			name: "tanh",
			f:    ops.Tanh,
			d1:   func(v float64) float64 { return 1 - math.Tanh(v)*math.Tanh(v) },
			d2: func(v float64) float64 {
				th := math.Tanh(v)
				return -2 * th * (1 - th*th)
			},
		},
		{
			// σ'' = σ(1-σ)(1-2σ).
			name: "sigmoid",
			f:    ops.Sigmoid,
			d1:   func(v float64) float64 { return sigmoid(v) * (1 - sigmoid(v)) },
			d2: func(v float64) float64 {
				s := sigmoid(v)
				return s * (1 - s) * (1 - 2*s)
			},
		},
		{
			// (e^sin x)'' = e^sin x (cos² x - sin x).
			name: "exp of sin",
			f:    func(x *graph.Node) *graph.Node { return ops.Exp(ops.Sin(x)) },
			d1:   func(v float64) float64 { return math.Exp(math.Sin(v)) * math.Cos(v) },
			d2: func(v float64) float64 {
				return math.Exp(math.Sin(v)) * (math.Cos(v)*math.Cos(v) - math.Sin(v))
			},
		},
		{
			// (1/x)'' = 2/x³, through Div's rule that reuses its output.
			name: "reciprocal",
			f:    func(x *graph.Node) *graph.Node { return ops.Div(ops.OnesLike(x), x) },
			d1:   func(v float64) float64 { return -1 / (v * v) },
			d2:   func(v float64) float64 { return 2 / (v * v * v) },
		},
		{
			// (x log x)'' = 1/x, here at |x| so the log exists.
			name: "x log x",
			f: func(x *graph.Node) *graph.Node {
				a := ops.Abs(x)
				return ops.Mul(a, ops.Log(a))
			},
			d1: func(v float64) float64 { return math.Copysign(1, v) * (math.Log(math.Abs(v)) + 1) },
			d2: func(v float64) float64 { return 1 / math.Abs(v) },
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d1, d2 := derivatives(t, c.f, points)
			want1, want2 := make([]float64, len(points)), make([]float64, len(points))
			for i, v := range points {
				want1[i], want2[i] = c.d1(v), c.d2(v)
			}
			assertClose(t, "f'", d1, want1, 1e-14, 1e-13)
			assertClose(t, "f''", d2, want2, 1e-14, 1e-13)
		})
	}
}

// Gorgonia gives 1.5 here; the right value is 6·0.5 = 3.
func TestSecondDerivativeOfCubeAtOneHalfIsThree(t *testing.T) {
	_, d2 := derivatives(t, func(x *graph.Node) *graph.Node { return ops.Mul(ops.Mul(x, x), x) }, []float64{0.5})
	if d2[0] != 3 {
		t.Fatalf("d²/dx² x³ at 0.5 = %v; want 3", d2[0])
	}
}

func TestThirdDerivativeOfFourthPower(t *testing.T) {
	g := graph.New()
	points := []float64{-1.5, 0.5, 2}
	x := g.Input("x", tensor.Float64, len(points))
	d := ops.Square(ops.Square(x)) // x⁴
	var ds []*graph.Node
	for range 3 {
		grads, err := autodiff.Grad(ops.Sum(d), x)
		if err != nil {
			t.Fatal(err)
		}
		d = grads[0]
		ds = append(ds, d)
	}
	out := eval(t, graph.Feeds{x: dense64(points, len(points))}, ds...)
	for i, v := range points {
		want := []float64{4 * v * v * v, 12 * v * v, 24 * v}
		for k := range want {
			if math.Abs(out[k][i]-want[k]) > 1e-12*math.Abs(want[k]) {
				t.Errorf("derivative %d of x⁴ at %v = %v; want %v", k+1, v, out[k][i], want[k])
			}
		}
	}
}

// tinyMLP is the mean squared error of a 2-3-1 tanh network whose 13
// weights live in one flat parameter theta: w1 (2, 3), b1 (3,), w2 (3, 1),
// b2 (1,).
func tinyMLP(g *graph.Graph) (loss, theta *graph.Node) {
	theta = g.Param("theta", dense64(filled(0.3, 13), 13))
	x := g.Const("x", dense64(filled(0.9, 8), 4, 2))
	target := g.Const("target", dense64([]float64{0.5, -0.25, 1, 0}, 4, 1))
	w1 := ops.Reshape(ops.Slice(theta, 0, 0, 6), 2, 3)
	b1 := ops.Slice(theta, 0, 6, 9)
	w2 := ops.Reshape(ops.Slice(theta, 0, 9, 12), 3, 1)
	b2 := ops.Slice(theta, 0, 12, 13)
	h := ops.Tanh(ops.Add(ops.MatMul(x, w1), b1))
	y := ops.Add(ops.MatMul(h, w2), b2)
	return ops.Mean(ops.Square(ops.Sub(y, target))), theta
}

// hessianVector builds H·v for the Hessian H of loss with respect to theta:
// the gradient of (∇loss · v) with respect to theta.
func hessianVector(t *testing.T, loss, theta, v *graph.Node) (grad, hv *graph.Node) {
	t.Helper()
	g, err := autodiff.Grad(loss, theta)
	if err != nil {
		t.Fatal(err)
	}
	h, err := autodiff.Grad(ops.Sum(ops.Mul(g[0], v)), theta)
	if err != nil {
		t.Fatal(err)
	}
	return g[0], h[0]
}

func TestHessianVectorProductMatchesDifferencesOfTheGradient(t *testing.T) {
	g := graph.New()
	loss, theta := tinyMLP(g)
	v := g.Input("v", tensor.Float64, 13)
	u := g.Input("u", tensor.Float64, 13)
	grad, hv := hessianVector(t, loss, theta, v)
	_, hu := hessianVector(t, loss, theta, u)
	vs, us := filled(1, 13), filled(-0.6, 13)
	for i := range us {
		us[i] += 0.05 * float64(i*i%5)
	}
	feeds := graph.Feeds{v: dense64(vs, 13), u: dense64(us, 13)}
	out := eval(t, feeds, hv, hu)
	hvGot, huGot := out[0], out[1]

	// (∇loss(θ + εv) - ∇loss(θ - εv)) / 2ε = H·v + O(ε²).
	gradProg, err := graph.Compile(grad)
	if err != nil {
		t.Fatal(err)
	}
	gradAt := func(step float64) []float64 {
		th := theta.Value().Float64s()
		saved := append([]float64(nil), th...)
		defer copy(th, saved)
		for i := range th {
			th[i] += step * vs[i]
		}
		res, err := gradProg.Run(feeds)
		if err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), res[0].Float64s()...)
	}
	const eps = 1e-5
	plus, minus := gradAt(eps), gradAt(-eps)
	want := make([]float64, 13)
	for i := range want {
		want[i] = (plus[i] - minus[i]) / (2 * eps)
	}
	assertClose(t, "H·v", hvGot, want, 1e-8, 1e-6)

	// The Hessian is symmetric: uᵀ(H·v) = vᵀ(H·u).
	var uHv, vHu float64
	for i := range vs {
		uHv += us[i] * hvGot[i]
		vHu += vs[i] * huGot[i]
	}
	if math.Abs(uHv-vHu) > 1e-12*math.Max(1, math.Abs(uHv)) {
		t.Errorf("uᵀHv = %v but vᵀHu = %v; the Hessian should be symmetric", uHv, vHu)
	}
}

// loss = Σ (W·x)² for W (2, 3) and a column x (3, 1) has gradient
// 2 (W·x) xᵀ and Hessian 2 x xᵀ ⊗ I, so H·V = 2 V x xᵀ whatever W is.
func TestHessianVectorProductOfAQuadraticInClosedForm(t *testing.T) {
	g := graph.New()
	w := g.Param("w", dense64([]float64{0.5, -1, 2, 1.5, 0.25, -0.75}, 2, 3))
	xs := []float64{1, -2, 0.5}
	x := g.Const("x", dense64(xs, 3, 1))
	loss := ops.Sum(ops.Square(ops.MatMul(w, x)))
	vs := []float64{1, 2, 3, -1, 0.5, 4}
	v := g.Input("v", tensor.Float64, 2, 3)
	_, hv := hessianVector(t, loss, w, v)
	got := eval(t, graph.Feeds{v: dense64(vs, 2, 3)}, hv)[0]

	want := make([]float64, 6)
	for i := range 2 {
		vx := 0.0
		for l := range 3 {
			vx += vs[i*3+l] * xs[l]
		}
		for j := range 3 {
			want[i*3+j] = 2 * vx * xs[j]
		}
	}
	assertClose(t, "H·V", got, want, 1e-14, 1e-14)
}
