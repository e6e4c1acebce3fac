package optim_test

import (
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
	"graft/optim"
)

var dtypes = []graph.DType{tensor.Float32, tensor.Float64}

func with[T any](o T, set func(T)) T {
	set(o)
	return o
}

// The hand-worked cases share p₀ = [1, -2] and the gradients below, given
// directly (not computed from a loss) so that each step can be followed.
var (
	p0    = []float64{1, -2}
	grads = [][]float64{{0.5, -1}, {-1, 2}, {2, 0.5}}
)

func TestOptimizersMatchStepsWorkedOutByHand(t *testing.T) {
	tests := []struct {
		name  string
		opt   func() optim.Optimizer
		p0    []float64   // default p0
		grads [][]float64 // default grads
		want  [][]float64 // the parameter after each step
		tol   float64     // relative; default 1e-12 (float64), 2e-6 (float32)
	}{
		// p -= 0.1·g: [1-0.05, -2+0.1], [0.95+0.1, -1.9-0.2], [1.05-0.2, -2.1-0.05].
		{name: "SGD", opt: func() optim.Optimizer { return optim.NewSGD(0.1) },
			want: [][]float64{{0.95, -1.9}, {1.05, -2.1}, {0.85, -2.15}}},
		// b = 0.9b + g: [0.5, -1], [-0.55, 1.1], [1.505, 1.49]; p -= 0.1·b.
		{name: "SGD momentum", opt: func() optim.Optimizer {
			return with(optim.NewSGD(0.1), func(o *optim.SGD) { o.Momentum = 0.9 })
		}, want: [][]float64{{0.95, -1.9}, {1.005, -2.01}, {0.8545, -2.159}}},
		// b as above; p -= 0.1·(g + 0.9b), with g + 0.9b = [0.95, -1.9],
		// [-1.495, 2.99], [3.3545, 1.841].
		{name: "SGD Nesterov", opt: func() optim.Optimizer {
			return with(optim.NewSGD(0.1), func(o *optim.SGD) { o.Momentum, o.Nesterov = 0.9, true })
		}, want: [][]float64{{0.905, -1.81}, {1.0545, -2.109}, {0.71905, -2.2931}}},
		// Step 1: m = 0.1g, v = 0.001g², step size 0.1·√0.001/0.1 = √0.001,
		// so p -= 0.1·g·√0.001/(|g|·√0.001 + 1e-7): for g = 0.5 that is
		// 0.1·(1 - 6.3245e-6), giving 0.90000063245. Steps 2 and 3 were
		// computed from the same formulas in plain float64 arithmetic.
		{name: "Adam", opt: func() optim.Optimizer { return optim.NewAdam(0.1) },
			want: [][]float64{
				{0.9000006324515321, -1.900000316226766},
				{0.9366108815953381, -1.936610617150388},
				{0.894645377681933, -1.978175679741273},
			}},
		// Each step first shrinks p by 1 - 0.1·0.01 = 0.999 (step 1:
		// 1 → 0.999), then takes the Adam step above.
		{name: "AdamW", opt: func() optim.Optimizer { return optim.NewAdamW(0.1) },
			want: [][]float64{
				{0.8990006324515321, -1.898000316226766},
				{0.9347118809628866, -1.9327126168341613},
				{0.8918116651685186, -1.972344966808212},
			}},
		// With zero gradients only the decay acts: p·(1 - 1·0.004) per step,
		// 2·0.996³ = 1.976095872 after three, as in Keras' own test.
		{name: "AdamW decay alone", opt: func() optim.Optimizer {
			return with(optim.NewAdam(1), func(o *optim.Adam) { o.WeightDecay = 0.004 })
		}, p0: []float64{2}, grads: [][]float64{{0}, {0}, {0}},
			want: [][]float64{{1.992}, {1.984032}, {1.976095872}}},
		// Adam's first step moves each element by about lr, whatever |g|;
		// Keras' test expects [0.5, 1.5, 2.5, 3.5] to 1e-4.
		{name: "Adam first step is about lr", opt: func() optim.Optimizer { return optim.NewAdam(0.5) },
			p0: []float64{1, 2, 3, 4}, grads: [][]float64{{1, 6, 7, 2}},
			want: [][]float64{{0.5, 1.5, 2.5, 3.5}}, tol: 1e-4},
		// Step 1: v = 0.1g², p -= 0.1·g/√(0.1g² + 1e-7) ≈ 0.1/√0.1 = 0.31623
		// in g's direction. Steps 2 and 3 in plain float64 arithmetic.
		{name: "RMSProp", opt: func() optim.Optimizer { return optim.NewRMSProp(0.1) },
			want: [][]float64{
				{0.6837728664367966, -1.6837723920969265},
				{0.9694870355330779, -1.9694866486566978},
				{0.6894996621189335, -2.0427314827114413},
			}},
		// Keras' documented example: p = 10, g = p, lr 0.1 gives 9.683772
		// (10 - 0.1·10/√(10 + 1e-7)).
		{name: "RMSProp Keras example", opt: func() optim.Optimizer { return optim.NewRMSProp(0.1) },
			p0: []float64{10}, grads: [][]float64{{10}}, want: [][]float64{{9.683772235564302}}},
		// The momentum buffer b = 0.5b + step; step 1 equals RMSProp's, then
		// b carries half of the previous step.
		{name: "RMSProp momentum", opt: func() optim.Optimizer {
			return with(optim.NewRMSProp(0.1), func(o *optim.RMSProp) { o.Momentum = 0.5 })
		}, want: [][]float64{
			{0.6837728664367966, -1.6837723920969265},
			{0.8113734687514762, -1.8113728447051611},
			{0.5951863964946718, -1.948417905064022},
		}},
		// Step 1: a = 0.1 + 0.25 = 0.35, p -= 0.1·0.5/√0.3500001 = 0.0845154.
		// Steps 2 and 3 in plain float64 arithmetic.
		{name: "Adagrad", opt: func() optim.Optimizer { return optim.NewAdagrad(0.1) },
			want: [][]float64{
				{0.9154845866007779, -1.9046537454093613},
				{1.0015508799955246, -1.993215233095121},
				{0.915083340570209, -2.0148321179514497},
			}},
	}
	for _, tc := range tests {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", tc.name, dt), func(t *testing.T) {
				start, gs := tc.p0, tc.grads
				if start == nil {
					start, gs = p0, grads
				}
				tol := tc.tol
				if tol == 0 {
					tol = 1e-12
					if dt == tensor.Float32 {
						tol = 2e-6
					}
				}
				g := graph.New()
				p := g.Param("p", graftest.Tensor(dt, start))
				opt := tc.opt()
				for step, grad := range gs {
					if err := opt.Step([]*graph.Node{p}, []*tensor.Dense{graftest.Tensor(dt, grad)}); err != nil {
						t.Fatal(err)
					}
					got := graph.Float64s(p.Value())
					for i, w := range tc.want[step] {
						if math.Abs(got[i]-w) > tol*max(1, math.Abs(w)) {
							t.Fatalf("after step %d: p = %v, want %v", step+1, got, tc.want[step])
						}
					}
				}
			})
		}
	}
}

func TestSetLearningRateAppliesFromTheNextStep(t *testing.T) {
	g := graph.New()
	p := g.Param("p", graftest.Tensor(tensor.Float64, []float64{1}))
	opt := optim.NewSGD(0.1)
	one := []*tensor.Dense{graftest.Tensor(tensor.Float64, []float64{1})}
	steps := []struct{ lr, want float64 }{
		{0.1, 0.9},   // 1 - 0.1
		{0.5, 0.4},   // 0.9 - 0.5
		{0, 0.4},     // a rate of 0 leaves p alone
		{0.25, 0.15}, // 0.4 - 0.25
	}
	for _, s := range steps {
		opt.SetLearningRate(s.lr)
		if opt.LearningRate() != s.lr {
			t.Fatalf("LearningRate() = %v after SetLearningRate(%v)", opt.LearningRate(), s.lr)
		}
		if err := opt.Step([]*graph.Node{p}, one); err != nil {
			t.Fatal(err)
		}
		graftest.AssertClose(t, fmt.Sprintf("with lr %v: p", s.lr), p.Value().Float64s(), []float64{s.want}, 1e-15, 0)
	}
}

// quadratic builds loss = Σ(w - [1, -2, 3])² + (b - 2)², minimised at
// w = [1, -2, 3], b = 2, and compiles it with its gradients.
func quadratic(t *testing.T, dt graph.DType) (params []*graph.Node, prog *graph.Program) {
	t.Helper()
	g := graph.New()
	w := g.Param("w", graftest.Tensor(dt, []float64{0, 0, 0}))
	b := g.Param("b", graftest.Tensor(dt, []float64{0}, []int{}...))
	target := g.Const("target", graftest.Tensor(dt, []float64{1, -2, 3}))
	loss := ops.Add(ops.Sum(ops.Square(ops.Sub(w, target))), ops.Square(ops.Sub(b, ops.ScalarLike(b, 2))))
	params = []*graph.Node{w, b}
	gs, err := autodiff.Grad(loss, params...)
	if err != nil {
		t.Fatal(err)
	}
	prog, err = graph.Compile(gs...)
	if err != nil {
		t.Fatal(err)
	}
	return params, prog
}

func TestOptimizersMinimizeAQuadratic(t *testing.T) {
	tests := []struct {
		name   string
		opt    func() optim.Optimizer
		steps  int
		tol    float64 // relative distance from the minimum
		shrunk bool    // weight decay leaves every element short of the minimum
	}{
		{"SGD", func() optim.Optimizer { return optim.NewSGD(0.1) }, 100, 1e-6, false},
		{"SGD momentum", func() optim.Optimizer {
			return with(optim.NewSGD(0.05), func(o *optim.SGD) { o.Momentum = 0.9 })
		}, 300, 1e-6, false},
		{"SGD Nesterov", func() optim.Optimizer {
			return with(optim.NewSGD(0.05), func(o *optim.SGD) { o.Momentum, o.Nesterov = 0.9, true })
		}, 300, 1e-6, false},
		{"Adam", func() optim.Optimizer { return optim.NewAdam(0.1) }, 500, 1e-6, false},
		{"AdamW", func() optim.Optimizer { return optim.NewAdamW(0.1) }, 500, 1e-2, true},
		// A constant learning rate leaves RMSProp circling the minimum at a
		// distance of the order of lr.
		{"RMSProp", func() optim.Optimizer { return optim.NewRMSProp(0.01) }, 1000, 1e-2, false},
		{"RMSProp momentum", func() optim.Optimizer {
			return with(optim.NewRMSProp(0.01), func(o *optim.RMSProp) { o.Momentum = 0.5 })
		}, 1000, 1e-2, false},
		{"Adagrad", func() optim.Optimizer { return optim.NewAdagrad(0.5) }, 500, 1e-6, false},
	}
	for _, tc := range tests {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", tc.name, dt), func(t *testing.T) {
				params, prog := quadratic(t, dt)
				opt := tc.opt()
				for i := 0; i < tc.steps; i++ {
					gs, err := prog.Run(nil)
					if err != nil {
						t.Fatal(err)
					}
					if err := opt.Step(params, gs); err != nil {
						t.Fatal(err)
					}
				}
				got := append(graph.Float64s(params[0].Value()), graph.Float64s(params[1].Value())...)
				want := []float64{1, -2, 3, 2}
				for i := range want {
					if math.Abs(got[i]-want[i]) > tc.tol*math.Abs(want[i]) || (tc.shrunk && math.Abs(got[i]) >= math.Abs(want[i])) {
						t.Fatalf("after %d steps (w, b) = %v, want %v within %v (shrunk towards 0: %v)", tc.steps, got, want, tc.tol, tc.shrunk)
					}
				}
			})
		}
	}
}

func allOptimizers() map[string]func() optim.Optimizer {
	return map[string]func() optim.Optimizer{
		"SGD":          func() optim.Optimizer { return optim.NewSGD(0.01) },
		"SGD momentum": func() optim.Optimizer { return with(optim.NewSGD(0.01), func(o *optim.SGD) { o.Momentum = 0.9 }) },
		"SGD Nesterov": func() optim.Optimizer {
			return with(optim.NewSGD(0.01), func(o *optim.SGD) { o.Momentum, o.Nesterov = 0.9, true })
		},
		"Adam":    func() optim.Optimizer { return optim.NewAdam(0.01) },
		"AdamW":   func() optim.Optimizer { return optim.NewAdamW(0.01) },
		"RMSProp": func() optim.Optimizer { return optim.NewRMSProp(0.01) },
		"RMSProp momentum": func() optim.Optimizer {
			return with(optim.NewRMSProp(0.01), func(o *optim.RMSProp) { o.Momentum = 0.9 })
		},
		"Adagrad": func() optim.Optimizer { return optim.NewAdagrad(0.01) },
	}
}

func TestStepAllocatesNothingAfterTheFirst(t *testing.T) {
	for name, newOpt := range allOptimizers() {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", name, dt), func(t *testing.T) {
				g := graph.New()
				params := []*graph.Node{
					g.Param("w", graftest.Tensor(dt, []float64{1, 2, 3, 4, 5, 6}, 2, 3)),
					g.Param("b", graftest.Tensor(dt, []float64{0.5}, []int{}...)),
				}
				gs := []*tensor.Dense{graftest.Tensor(dt, []float64{0.1, -0.2, 0.3, -0.4, 0.5, -0.6}, 2, 3), graftest.Tensor(dt, []float64{1}, []int{}...)}
				opt := newOpt()
				if err := opt.Step(params, gs); err != nil {
					t.Fatal(err)
				}
				allocs := testing.AllocsPerRun(50, func() {
					if err := opt.Step(params, gs); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != 0 {
					t.Errorf("Step allocates %v times per call", allocs)
				}
			})
		}
	}
}

// A whole training step, Program.Run then ClipGlobalNorm then Step,
// allocates nothing once warm.
func TestTrainingStepAllocatesNothing(t *testing.T) {
	params, prog := quadratic(t, tensor.Float64)
	opt := optim.NewAdam(0.01)
	step := func() {
		gs, err := prog.Run(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := optim.ClipGlobalNorm(gs, 1); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(params, gs); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if allocs := testing.AllocsPerRun(50, step); allocs != 0 {
		t.Errorf("a training step allocates %v times", allocs)
	}
}

func TestStepRejectsBadCallsAndMovesNothing(t *testing.T) {
	f32, f64 := tensor.Float32, tensor.Float64
	type call struct {
		params []*graph.Node
		grads  []*tensor.Dense
	}
	tests := []struct {
		name string
		opt  func() optim.Optimizer
		call func(g *graph.Graph, w *graph.Node) call
		want string
	}{
		{"fewer grads than params", nil, func(g *graph.Graph, w *graph.Node) call {
			return call{[]*graph.Node{w, g.Param("v", graftest.Tensor(f64, []float64{1}))}, []*tensor.Dense{graftest.Tensor(f64, []float64{1, 1})}}
		}, "graft: Adam.Step: 2 params but 1 grads"},
		{"a nil parameter", nil, func(g *graph.Graph, w *graph.Node) call {
			return call{[]*graph.Node{w, nil}, []*tensor.Dense{graftest.Tensor(f64, []float64{1, 1}), graftest.Tensor(f64, []float64{1})}}
		}, "params[1]: the parameter is nil"},
		{"an input node", nil, func(g *graph.Graph, w *graph.Node) call {
			return call{[]*graph.Node{w, g.Input("x", f64, 2)}, []*tensor.Dense{graftest.Tensor(f64, []float64{1, 1}), graftest.Tensor(f64, []float64{1, 1})}}
		}, "params[1]: x (built at optim/optim_test.go:"},
		{"an op node", nil, func(g *graph.Graph, w *graph.Node) call {
			return call{[]*graph.Node{w, ops.Neg(w)}, []*tensor.Dense{graftest.Tensor(f64, []float64{1, 1}), graftest.Tensor(f64, []float64{1, 1})}}
		}, "is of kind op, not a parameter"},
		{"a nil gradient", nil, func(g *graph.Graph, w *graph.Node) call {
			return call{[]*graph.Node{w}, []*tensor.Dense{nil}}
		}, "params[0]: the gradient of w is nil"},
		{"a float32 gradient for a float64 parameter", nil, func(g *graph.Graph, w *graph.Node) call {
			return call{[]*graph.Node{w}, []*tensor.Dense{graftest.Tensor(f32, []float64{1, 1})}}
		}, "the gradient of w is float32, the parameter is float64"},
		{"a zero tensor as gradient", nil, func(g *graph.Graph, w *graph.Node) call {
			return call{[]*graph.Node{w}, []*tensor.Dense{{}}}
		}, "the gradient of w is no dtype, the parameter is float64"},
		{"a gradient of another shape", nil, func(g *graph.Graph, w *graph.Node) call {
			return call{[]*graph.Node{w}, []*tensor.Dense{graftest.Tensor(f64, []float64{1, 1}, 2, 1)}}
		}, "the gradient of w has shape (2, 1), the parameter has shape (2,)"},
		{"a gradient that is a view", nil, func(g *graph.Graph, w *graph.Node) call {
			m := graftest.Tensor(f64, []float64{1, 2, 3, 4}, 2, 2)
			col, err := m.Slice(nil, tensor.S(0))
			if err != nil {
				t.Fatal(err)
			}
			return call{[]*graph.Node{w}, []*tensor.Dense{col.(*tensor.Dense)}}
		}, "non-contiguous view"},
		{"a parameter given twice", nil, func(g *graph.Graph, w *graph.Node) call {
			one := graftest.Tensor(f64, []float64{1, 1})
			return call{[]*graph.Node{w, w}, []*tensor.Dense{one, one}}
		}, "params[0] and params[1] are both w; give each parameter once"},
		{"a negative learning rate", func() optim.Optimizer { return optim.NewSGD(-0.1) }, nil,
			"graft: SGD.Step: learning rate -0.1 must be finite and not negative"},
		{"a NaN learning rate", func() optim.Optimizer { return optim.NewAdagrad(math.NaN()) }, nil,
			"graft: Adagrad.Step: learning rate NaN"},
		{"SGD momentum above 1", func() optim.Optimizer {
			return with(optim.NewSGD(0.1), func(o *optim.SGD) { o.Momentum = 1.5 })
		}, nil, "Momentum 1.5 must be in [0, 1]"},
		{"Nesterov without momentum", func() optim.Optimizer {
			return with(optim.NewSGD(0.1), func(o *optim.SGD) { o.Nesterov = true })
		}, nil, "Nesterov needs a Momentum above 0"},
		{"Adam Beta1 of 1", func() optim.Optimizer {
			return with(optim.NewAdam(0.1), func(o *optim.Adam) { o.Beta1 = 1 })
		}, nil, "Beta1 1 must be in [0, 1)"},
		{"Adam Beta2 below 0", func() optim.Optimizer {
			return with(optim.NewAdam(0.1), func(o *optim.Adam) { o.Beta2 = -0.5 })
		}, nil, "Beta2 -0.5 must be in [0, 1)"},
		{"Adam Epsilon 0", func() optim.Optimizer {
			return with(optim.NewAdam(0.1), func(o *optim.Adam) { o.Epsilon = 0 })
		}, nil, "Epsilon 0 must be positive"},
		{"AdamW negative decay", func() optim.Optimizer {
			return with(optim.NewAdamW(0.1), func(o *optim.Adam) { o.WeightDecay = -0.01 })
		}, nil, "graft: AdamW.Step: WeightDecay -0.01"},
		{"RMSProp Rho NaN", func() optim.Optimizer {
			return with(optim.NewRMSProp(0.1), func(o *optim.RMSProp) { o.Rho = math.NaN() })
		}, nil, "Rho NaN must be in [0, 1)"},
		{"RMSProp negative momentum", func() optim.Optimizer {
			return with(optim.NewRMSProp(0.1), func(o *optim.RMSProp) { o.Momentum = -1 })
		}, nil, "Momentum -1 must be in [0, 1]"},
		{"Adagrad negative accumulator", func() optim.Optimizer {
			return with(optim.NewAdagrad(0.1), func(o *optim.Adagrad) { o.InitialAccumulator = -1 })
		}, nil, "InitialAccumulator -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graph.New()
			w := g.Param("w", graftest.Tensor(f64, []float64{1, 2}))
			c := call{[]*graph.Node{w}, []*tensor.Dense{graftest.Tensor(f64, []float64{1, 1})}}
			if tc.call != nil {
				c = tc.call(g, w)
			}
			var opt optim.Optimizer = optim.NewAdam(0.1)
			if tc.opt != nil {
				opt = tc.opt()
			}
			err := opt.Step(c.params, c.grads)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Step error = %v, want one containing %q", err, tc.want)
			}
			if got := w.Value().Float64s(); got[0] != 1 || got[1] != 2 {
				t.Errorf("w moved to %v on a rejected step", got)
			}
		})
	}
}

func TestNewKnowsEachOptimizerByName(t *testing.T) {
	tests := []struct {
		name   string
		lr     float64
		want   string // the optimizer's type
		wantLR float64
	}{
		{"sgd", 0, "*optim.SGD", 0.01},
		{"SGD", 0.3, "*optim.SGD", 0.3},
		{"adam", 0, "*optim.Adam", 0.001},
		{"Adam", 0.01, "*optim.Adam", 0.01},
		{"adamw", 0, "*optim.Adam", 0.001},
		{"rmsprop", 0, "*optim.RMSProp", 0.001},
		{"RMSProp", 0.002, "*optim.RMSProp", 0.002},
		{"adagrad", 0, "*optim.Adagrad", 0.001},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%v", tc.name, tc.lr), func(t *testing.T) {
			opt, err := optim.New(tc.name, tc.lr)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", opt); got != tc.want {
				t.Errorf("New(%q) is a %s, want %s", tc.name, got, tc.want)
			}
			if opt.LearningRate() != tc.wantLR {
				t.Errorf("New(%q, %v) has learning rate %v, want %v", tc.name, tc.lr, opt.LearningRate(), tc.wantLR)
			}
		})
	}
	if a, _ := optim.New("adamw", 0); a.(*optim.Adam).WeightDecay != 0.01 {
		t.Errorf("New(\"adamw\") has WeightDecay %v, want 0.01", a.(*optim.Adam).WeightDecay)
	}
	if a, _ := optim.New("adam", 0); a.(*optim.Adam).WeightDecay != 0 {
		t.Errorf("New(\"adam\") has WeightDecay %v, want 0", a.(*optim.Adam).WeightDecay)
	}
}

func TestNewRejectsUnknownNamesAndBadRates(t *testing.T) {
	tests := []struct {
		name string
		lr   float64
		want string
	}{
		{"adamax", 0.1, `unknown optimizer "adamax"; known: adagrad, adam, adamw, rmsprop, sgd`},
		{"", 0.1, `unknown optimizer ""`},
		{"adam", -0.1, "learning rate -0.1 for adam must be positive"},
		{"sgd", math.Inf(1), "learning rate +Inf"},
		{"sgd", math.NaN(), "learning rate NaN"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q/%v", tc.name, tc.lr), func(t *testing.T) {
			opt, err := optim.New(tc.name, tc.lr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New error = %v, want one containing %q", err, tc.want)
			}
			if opt != nil {
				t.Errorf("New returned %v with its error", opt)
			}
		})
	}
}

func TestClipGlobalNormScalesAllGradientsTogether(t *testing.T) {
	tests := []struct {
		name     string
		maxNorm  float64
		wantNorm float64
		want     [][]float64
	}{
		// The norm is √(3² + 4² + 12²) = 13; 6.5 halves every element.
		{"above the limit", 6.5, 13, [][]float64{{1.5, 2}, {6}}},
		{"at the limit", 13, 13, [][]float64{{3, 4}, {12}}},
		{"below the limit", 100, 13, [][]float64{{3, 4}, {12}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gs := []*tensor.Dense{graftest.Tensor(tensor.Float64, []float64{3, 4}), graftest.Tensor(tensor.Float32, []float64{12})}
			norm, err := optim.ClipGlobalNorm(gs, tc.maxNorm)
			if err != nil {
				t.Fatal(err)
			}
			if norm != tc.wantNorm {
				t.Errorf("norm = %v, want %v", norm, tc.wantNorm)
			}
			for i, g := range gs {
				graftest.AssertClose(t, fmt.Sprintf("grads[%d]", i), graph.Float64s(g), tc.want[i], 1e-6, 0)
			}
		})
	}
}

func TestClipGlobalNormRejectsBadInput(t *testing.T) {
	ok := func() *tensor.Dense { return graftest.Tensor(tensor.Float64, []float64{3, 4}) }
	m := graftest.Tensor(tensor.Float64, []float64{1, 2, 3, 4}, 2, 2)
	view, err := m.Slice(nil, tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		grads   []*tensor.Dense
		maxNorm float64
		want    string
	}{
		{"maxNorm 0", []*tensor.Dense{ok()}, 0, "maxNorm 0 must be positive"},
		{"maxNorm NaN", []*tensor.Dense{ok()}, math.NaN(), "maxNorm NaN"},
		{"a nil gradient", []*tensor.Dense{ok(), nil}, 1, "grads[1] is nil"},
		{"a view", []*tensor.Dense{view.(*tensor.Dense)}, 1, "grads[0] is a non-contiguous view"},
		{"an int gradient", []*tensor.Dense{tensor.New(tensor.WithBacking([]int{1}))}, 1, "grads[0] is int"},
		{"a zero tensor", []*tensor.Dense{{}}, 1, "grads[0] is no dtype"},
		{"a NaN gradient", []*tensor.Dense{ok(), graftest.Tensor(tensor.Float32, []float64{math.NaN()})}, 1, "global norm is NaN"},
		{"an infinite gradient", []*tensor.Dense{ok(), graftest.Tensor(tensor.Float64, []float64{math.Inf(-1)})}, 1, "global norm is +Inf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := optim.ClipGlobalNorm(tc.grads, tc.maxNorm)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
			if g := tc.grads[0]; g != nil && g.Dtype() == tensor.Float64 && !g.RequiresIterator() {
				if v := g.Float64s(); v[0] != 3 || v[1] != 4 {
					t.Errorf("grads[0] changed to %v on an error", v)
				}
			}
		})
	}
}

// A parameter's tensor belongs to the caller, who can overwrite or reshape
// it behind the graph. Every optimizer's Step, before the first step (when
// it would make the slots) and after, must then refuse with an error naming
// the parameter instead of indexing out of range or reading float32 bytes as
// float64.
func TestStepRejectsAParameterTensorChangedBehindTheGraph(t *testing.T) {
	changes := []struct {
		name   string
		change func(v *tensor.Dense)
		want   string
	}{
		{"replaced by a float32 (4,) tensor of the same bytes", func(v *tensor.Dense) {
			*v = *graftest.Tensor(tensor.Float32, []float64{1, 2, 3, 4})
		}, "as (2,) float64) cannot hold a float32 tensor of shape (4,)"},
		{"replaced by a longer float64 tensor", func(v *tensor.Dense) {
			*v = *graftest.Tensor(tensor.Float64, []float64{1, 2, 3, 4, 5, 6})
		}, "as (2,) float64) cannot hold a float64 tensor of shape (6,)"},
		{"reshaped to a column", func(v *tensor.Dense) {
			if err := v.Reshape(2, 1); err != nil {
				t.Fatal(err)
			}
		}, "as (2,) float64) cannot hold a float64 tensor of shape (2, 1)"},
		{"replaced by a column view of the same dtype and shape", func(v *tensor.Dense) {
			col, err := graftest.Tensor(tensor.Float64, []float64{1, 2, 3, 4}, 2, 2).Slice(nil, tensor.S(0))
			if err != nil {
				t.Fatal(err)
			}
			*v = *col.(*tensor.Dense)
		}, "cannot hold a non-contiguous view"},
	}
	for name, newOpt := range allOptimizers() {
		for _, warm := range []bool{false, true} {
			for _, c := range changes {
				t.Run(fmt.Sprintf("%s/warm=%v/%s", name, warm, c.name), func(t *testing.T) {
					g := graph.New()
					w := g.Param("w", graftest.Tensor(tensor.Float64, []float64{1, 2}))
					opt := newOpt()
					gs := []*tensor.Dense{graftest.Tensor(tensor.Float64, []float64{1, 1})}
					if warm {
						if err := opt.Step([]*graph.Node{w}, gs); err != nil {
							t.Fatal(err)
						}
					}
					c.change(w.Value())
					before := graph.Float64s(w.Value())
					err := opt.Step([]*graph.Node{w}, gs)
					want := `.Step: params[0]: parameter "w" (built at optim/optim_test.go:`
					if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), c.want) {
						t.Fatalf("Step error = %v, want one containing %q and %q", err, want, c.want)
					}
					if after := graph.Float64s(w.Value()); fmt.Sprint(after) != fmt.Sprint(before) {
						t.Errorf("the tensor changed from %v to %v on a rejected step", before, after)
					}
				})
			}
		}
	}
}

// Step on a nil optimizer (a *optim.Adam declared and never made) is an
// error, not a nil-pointer panic.
func TestStepOnANilOptimizerReturnsAnError(t *testing.T) {
	w := graph.New().Param("w", graftest.Tensor(tensor.Float64, []float64{1}))
	gs := []*tensor.Dense{graftest.Tensor(tensor.Float64, []float64{1})}
	for _, tc := range []struct {
		opt  optim.Optimizer
		want string
	}{
		{(*optim.SGD)(nil), "graft: SGD.Step: the optimizer is nil"},
		{(*optim.Adam)(nil), "graft: Adam.Step: the optimizer is nil"},
		{(*optim.RMSProp)(nil), "graft: RMSProp.Step: the optimizer is nil"},
		{(*optim.Adagrad)(nil), "graft: Adagrad.Step: the optimizer is nil"},
	} {
		if err := tc.opt.Step([]*graph.Node{w}, gs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Step error = %v, want one containing %q", err, tc.want)
		}
	}
}

// One optimizer stepped from several goroutines at once: each Step either
// runs alone or returns the busy error, and (under -race) nothing races on
// the optimizer's slots or the parameter's values.
func TestConcurrentStepsOfOneOptimizerRunAloneOrReportBusy(t *testing.T) {
	const goroutines, steps = 4, 200
	for name, newOpt := range allOptimizers() {
		t.Run(name, func(t *testing.T) {
			w := graph.New().Param("w", graftest.Tensor(tensor.Float64, []float64{1, 2}))
			gs := []*tensor.Dense{graftest.Tensor(tensor.Float64, []float64{0.5, -0.5})}
			opt := newOpt()
			errs := make(chan error, goroutines*steps)
			var wg sync.WaitGroup
			for range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range steps {
						errs <- opt.Step([]*graph.Node{w}, gs)
					}
				}()
			}
			wg.Wait()
			close(errs)
			ran := 0
			for err := range errs {
				switch {
				case err == nil:
					ran++
				case !strings.Contains(err.Error(), "another Step of this optimizer is running"):
					t.Fatalf("Step error = %v, want nil or the busy error", err)
				}
			}
			if ran == 0 {
				t.Error("no Step ran")
			}
		})
	}
}
