package autodiff_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
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
	out := graftest.Eval(t, graph.Feeds{x: dense64(append([]float64(nil), points...), len(points))}, first[0], second[0])
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
			graftest.AssertClose(t, "f'", d1, want1, 1e-14, 1e-13)
			graftest.AssertClose(t, "f''", d2, want2, 1e-14, 1e-13)
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
	out := graftest.Eval(t, graph.Feeds{x: dense64(points, len(points))}, ds...)
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
	out := graftest.Eval(t, feeds, hv, hu)
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
	graftest.AssertClose(t, "H·v", hvGot, want, 1e-8, 1e-6)

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
	got := graftest.Eval(t, graph.Feeds{v: dense64(vs, 2, 3)}, hv)[0]

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
	graftest.AssertClose(t, "H·V", got, want, 1e-14, 1e-14)
}

// The Hessian of a 1-2-1 tanh net's squared error, derived by hand. With one
// input x, a target t, two tanh units j = 0, 1 and a linear output,
//
//	a_j = w1_j·x + b1_j,   s_j = tanh(a_j),   y = Σ_j w2_j·s_j + b2,   L = (y - t)²,
//
// and the parameters w1, b1, w2 (2 each) and b2 (a scalar), 7 numbers in
// all. Write r = y - t, d_j = tanh'(a_j) = 1 - s_j², and e_j for the second
// derivative of tanh at a_j, which is -2·s_j·(1 - s_j²).
//
// First derivatives. ∂L/∂θ = 2r·∂y/∂θ, where, as ∂s_j/∂a_j = d_j,
// ∂a_j/∂w1_j = x and ∂a_j/∂b1_j = 1,
//
//	∂y/∂w1_j = w2_j·d_j·x,   ∂y/∂b1_j = w2_j·d_j,   ∂y/∂w2_j = s_j,   ∂y/∂b2 = 1.
//
// Second derivatives. Differentiating 2r·∂y/∂θ by φ gives
//
//	∂²L/∂θ∂φ = 2·(∂y/∂θ)·(∂y/∂φ) + 2r·∂²y/∂θ∂φ,
//
// a Gauss-Newton term 2·J·Jᵀ (J = ∇y, above) plus 2r times the Hessian of
// y. That one is zero between different units and wherever b2 is involved
// (y is linear in b2); within unit j, using ∂d_j/∂a_j = e_j,
//
//	∂²y/∂w1_j²     = w2_j·e_j·x²,   ∂²y/∂w1_j∂b1_j = w2_j·e_j·x,   ∂²y/∂b1_j² = w2_j·e_j,
//	∂²y/∂w1_j∂w2_j = d_j·x,         ∂²y/∂b1_j∂w2_j = d_j,          ∂²y/∂w2_j² = 0.
//
// The test builds H from these formulas and checks graft's double-backward
// H·v against H·v for each unit vector v (so every column of H) and one
// dense v, and the gradient against 2r·J.
func TestHessianVectorProductOfATinyTanhNetMatchesHandDerivation(t *testing.T) {
	const xv, tv, b2v = 0.7, 0.3, 0.25
	w1v, b1v, w2v := []float64{0.8, -1.3}, []float64{0.2, 0.4}, []float64{1.1, -0.6}
	scalar := func(v float64) *tensor.Dense { return tensor.New(tensor.FromScalar(v)) }

	g := graph.New()
	w1 := g.Param("w1", dense64(slices.Clone(w1v), 2))
	b1 := g.Param("b1", dense64(slices.Clone(b1v), 2))
	w2 := g.Param("w2", dense64(slices.Clone(w2v), 2))
	b2 := g.Param("b2", scalar(b2v))
	x := g.Const("x", scalar(xv))
	target := g.Const("t", scalar(tv))
	s := ops.Tanh(ops.Add(ops.Mul(w1, x), b1))
	y := ops.Add(ops.Sum(ops.Mul(w2, s)), b2)
	loss := ops.Square(ops.Sub(y, target))

	params := []*graph.Node{w1, b1, w2, b2}
	vs := []*graph.Node{
		g.Input("v_w1", tensor.Float64, 2), g.Input("v_b1", tensor.Float64, 2),
		g.Input("v_w2", tensor.Float64, 2), g.Input("v_b2", tensor.Float64),
	}
	grads, err := autodiff.Grad(loss, params...)
	if err != nil {
		t.Fatal(err)
	}
	gv := ops.Sum(ops.Mul(grads[0], vs[0]))
	for i := 1; i < len(params); i++ {
		gv = ops.Add(gv, ops.Sum(ops.Mul(grads[i], vs[i])))
	}
	hv, err := autodiff.Grad(gv, params...)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := graph.Compile(append(grads, hv...)...)
	if err != nil {
		t.Fatal(err)
	}

	const n = 7
	jac, r, hess := tanhNetByHand(xv, tv, b2v, w1v, b1v, w2v)

	directions := [][]float64{{0.5, -1, 1.5, 0.25, -0.75, 2, -1.25}}
	for k := range n {
		unit := make([]float64, n)
		unit[k] = 1
		directions = append(directions, unit)
	}
	for _, v := range directions {
		feeds := graph.Feeds{
			vs[0]: dense64(slices.Clone(v[0:2]), 2), vs[1]: dense64(slices.Clone(v[2:4]), 2),
			vs[2]: dense64(slices.Clone(v[4:6]), 2), vs[3]: scalar(v[6]),
		}
		out, err := prog.Run(feeds)
		if err != nil {
			t.Fatal(err)
		}
		var gotGrad, gotHv []float64
		for i, o := range out {
			if i < len(params) {
				gotGrad = append(gotGrad, o.Float64s()...)
			} else {
				gotHv = append(gotHv, o.Float64s()...)
			}
		}
		wantGrad, wantHv := make([]float64, n), make([]float64, n)
		for a := range n {
			wantGrad[a] = 2 * r * jac[a]
			for b := range n {
				wantHv[a] += hess[a][b] * v[b]
			}
		}
		graftest.AssertClose(t, "∇L", gotGrad, wantGrad, 0, 1e-12)
		graftest.AssertClose(t, fmt.Sprintf("H·%v", v), gotHv, wantHv, 0, 1e-12)
	}
}

// tanhNetByHand returns the tiny tanh net's J = ∇y, its residual r = y - t
// and the Hessian of its loss, over θ = (w1_0, w1_1, b1_0, b1_1, w2_0, w2_1,
// b2), from the formulas above.
func tanhNetByHand(xv, tv, b2v float64, w1v, b1v, w2v []float64) (jac []float64, r float64, hess [7][7]float64) {
	const n, b2At = 7, 6
	w1At := func(j int) int { return j }
	b1At := func(j int) int { return 2 + j }
	w2At := func(j int) int { return 4 + j }
	sv, d, e := make([]float64, 2), make([]float64, 2), make([]float64, 2)
	yv := b2v
	for j := range 2 {
		sv[j] = math.Tanh(w1v[j]*xv + b1v[j])
		d[j] = 1 - sv[j]*sv[j]
		e[j] = -2 * sv[j] * (1 - sv[j]*sv[j])
		yv += w2v[j] * sv[j]
	}
	r = yv - tv
	jac = make([]float64, n) // J = ∇y
	jac[b2At] = 1
	var hessY [n][n]float64 // the Hessian of y
	symmetric := func(a, b int, v float64) { hessY[a][b], hessY[b][a] = v, v }
	for j := range 2 {
		jac[w1At(j)] = w2v[j] * d[j] * xv
		jac[b1At(j)] = w2v[j] * d[j]
		jac[w2At(j)] = sv[j]
		symmetric(w1At(j), w1At(j), w2v[j]*e[j]*xv*xv)
		symmetric(w1At(j), b1At(j), w2v[j]*e[j]*xv)
		symmetric(b1At(j), b1At(j), w2v[j]*e[j])
		symmetric(w1At(j), w2At(j), d[j]*xv)
		symmetric(b1At(j), w2At(j), d[j])
	}
	for a := range n {
		for b := range n {
			hess[a][b] = 2*jac[a]*jac[b] + 2*r*hessY[a][b]
		}
	}

	return jac, r, hess
}

// autodiff.Hessian of the same net, built on one parameter vector θ, is the
// whole hand-derived Hessian at once.
func TestHessianOfATinyTanhNetIsTheHandDerivedOne(t *testing.T) {
	const xv, tv, b2v = 0.7, 0.3, 0.25
	w1v, b1v, w2v := []float64{0.8, -1.3}, []float64{0.2, 0.4}, []float64{1.1, -0.6}
	g := graph.New()
	theta := g.Param("theta", dense64([]float64{w1v[0], w1v[1], b1v[0], b1v[1], w2v[0], w2v[1], b2v}, 7))
	w1, b1, w2, b2 := ops.Slice(theta, 0, 0, 2), ops.Slice(theta, 0, 2, 4), ops.Slice(theta, 0, 4, 6), ops.Slice(theta, 0, 6, 7)
	x, target := g.Const("x", tensor.New(tensor.FromScalar(xv))), g.Const("t", tensor.New(tensor.FromScalar(tv)))
	s := ops.Tanh(ops.Add(ops.Mul(w1, x), b1))
	y := ops.Add(ops.Sum(ops.Mul(w2, s)), ops.Sum(b2))
	h, err := autodiff.Hessian(ops.Square(ops.Sub(y, target)), theta)
	if err != nil {
		t.Fatal(err)
	}
	got := graftest.Eval(t, nil, h)[0]
	_, _, want := tanhNetByHand(xv, tv, b2v, w1v, b1v, w2v)
	var flat []float64
	for _, row := range want {
		flat = append(flat, row[:]...)
	}
	graftest.AssertClose(t, "H", got, flat, 0, 1e-12)
}
