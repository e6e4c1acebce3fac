package ops_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// poolConfig is a PoolConfig of kernel, stride and padding only.
func poolConfig(kernel, stride, padding []int) ops.PoolConfig {
	return ops.PoolConfig{Kernel: kernel, Stride: stride, Padding: padding}
}

func TestPoolingMatchesHandComputedValues(t *testing.T) {
	one9 := arg(graftest.Integers(9, 1), 1, 1, 3, 3)
	c5 := arg([]float64{3, -1, 4, 1, 5}, 1, 1, 5)
	ceil := func(op func(*graph.Node, ops.PoolConfig) *graph.Node, c ops.PoolConfig) func(x ...*graph.Node) *graph.Node {
		c.CeilMode = true
		return func(x ...*graph.Node) *graph.Node { return op(x[0], c) }
	}
	exclude := func(c ops.PoolConfig) func(x ...*graph.Node) *graph.Node {
		c.ExcludePadding = true
		return func(x ...*graph.Node) *graph.Node { return ops.AvgPool(x[0], c) }
	}
	pool2 := func(op func(x *graph.Node, k, s, p int) *graph.Node, k, s, p int) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return op(x[0], k, s, p) }
	}
	checkOpCases(t, []opCase{
		// A 3x3 input and a 2x2 kernel: each window of 1..9.
		{"MaxPool2D 3x3 k2 s1", []inputArg{one9}, pool2(ops.MaxPool2D, 2, 1, 0), []int{1, 1, 2, 2}, []float64{5, 6, 8, 9}},
		{"AvgPool2D 3x3 k2 s1", []inputArg{one9}, pool2(ops.AvgPool2D, 2, 1, 0), []int{1, 1, 2, 2}, []float64{3, 4, 6, 7}},
		// Padding 1 and stride 2: the windows are {1}, {2,3}, {4,7} and
		// {5,6,8,9}; every window spans 2x2 of the padded input.
		{"MaxPool2D 3x3 k2 s2 p1", []inputArg{one9}, pool2(ops.MaxPool2D, 2, 2, 1), []int{1, 1, 2, 2}, []float64{1, 3, 7, 9}},
		{"AvgPool2D 3x3 k2 s2 p1 counts padding", []inputArg{one9}, pool2(ops.AvgPool2D, 2, 2, 1), []int{1, 1, 2, 2},
			[]float64{1.0 / 4, 5.0 / 4, 11.0 / 4, 28.0 / 4}},
		{"AvgPool 3x3 k2 s2 p1 excludes padding", []inputArg{one9}, exclude(poolConfig([]int{2}, []int{2}, []int{1})), []int{1, 1, 2, 2},
			[]float64{1, 2.5, 5.5, 7}},
		// Windows {3,-1}, {-1,4,1} and {1,5} in a padded axis of 7.
		{"MaxPool1D k3 s2 p1", []inputArg{c5}, pool2(ops.MaxPool1D, 3, 2, 1), []int{1, 1, 3}, []float64{3, 4, 5}},
		{"AvgPool1D k3 s2 p1", []inputArg{c5}, pool2(ops.AvgPool1D, 3, 2, 1), []int{1, 1, 3}, []float64{2.0 / 3, 4.0 / 3, 2}},
		{"AvgPool 1-D k3 s2 p1 excludes padding", []inputArg{c5}, exclude(poolConfig([]int{3}, []int{2}, []int{1})), []int{1, 1, 3},
			[]float64{1, 4.0 / 3, 3}},
		// Ceil mode adds a last window holding only 5; AvgPool divides it by 1.
		{"MaxPool k2 ceil", []inputArg{arg(graftest.Integers(5, 1), 1, 1, 5)}, ceil(ops.MaxPool, poolConfig([]int{2}, nil, nil)), []int{1, 1, 3}, []float64{2, 4, 5}},
		{"AvgPool k2 ceil", []inputArg{arg(graftest.Integers(5, 1), 1, 1, 5)}, ceil(ops.AvgPool, poolConfig([]int{2}, nil, nil)), []int{1, 1, 3}, []float64{1.5, 3.5, 5}},
		// Stride defaults to the kernel; every (n, c) plane is pooled alike.
		{"MaxPool two planes", []inputArg{arg([]float64{1, 4, 2, 3, 8, 5, 7, 6}, 2, 1, 4)}, unaryBuild(func(x *graph.Node) *graph.Node {
			return ops.MaxPool(x, ops.PoolConfig{Kernel: []int{2}})
		}), []int{2, 1, 2}, []float64{4, 3, 8, 7}},
		{"MaxPool 3-D", []inputArg{arg(graftest.Integers(8, 1), 1, 1, 2, 2, 2)}, unaryBuild(func(x *graph.Node) *graph.Node {
			return ops.MaxPool(x, ops.PoolConfig{Kernel: []int{2}})
		}), []int{1, 1, 1, 1, 1}, []float64{8}},
		// Dilation 2 takes every other element: windows {1,3}, {2,4}, {3,5}.
		{"MaxPool dilation 2", []inputArg{arg([]float64{1, 9, 3, 0, 5}, 1, 1, 5)}, unaryBuild(func(x *graph.Node) *graph.Node {
			return ops.MaxPool(x, ops.PoolConfig{Kernel: []int{2}, Stride: []int{1}, Dilation: []int{2}})
		}), []int{1, 1, 3}, []float64{3, 9, 5}},
		{"GlobalAvgPool", []inputArg{arg(graftest.Integers(8, 1), 1, 2, 2, 2)}, unaryBuild(ops.GlobalAvgPool), []int{1, 2}, []float64{2.5, 6.5}},
		{"GlobalAvgPoolKeepDims", []inputArg{arg(graftest.Integers(8, 1), 1, 2, 2, 2)}, unaryBuild(ops.GlobalAvgPoolKeepDims), []int{1, 2, 1, 1},
			[]float64{2.5, 6.5}},
		{"GlobalAvgPool 1-D", []inputArg{arg(graftest.Integers(6, 1), 2, 1, 3)}, unaryBuild(ops.GlobalAvgPool), []int{2, 1}, []float64{2, 5}},
	})
}

func TestPoolingGradientsMatchHandComputedValues(t *testing.T) {
	cases := []struct {
		name  string
		x     inputArg
		pool  func(x *graph.Node) *graph.Node
		grad  []float64 // of Sum(pool(x))
		value []float64
	}{
		// Overlapping windows: 3 is the maximum of both.
		{"MaxPool overlapping windows share a maximum", arg([]float64{1, 3, 2}, 1, 1, 3),
			func(x *graph.Node) *graph.Node { return ops.MaxPool1D(x, 2, 1, 0) }, []float64{0, 2, 0}, []float64{3, 3}},
		// Ties: the first of the tied elements takes the gradient.
		{"MaxPool ties go to the first maximum", arg([]float64{2, 2, 1, 2}, 1, 1, 4),
			func(x *graph.Node) *graph.Node { return ops.MaxPool1D(x, 2, 1, 0) }, []float64{1, 1, 0, 1}, []float64{2, 2, 2}},
		{"MaxPool2D 3x3 k2 s1", arg(graftest.Integers(9, 1), 1, 1, 3, 3),
			func(x *graph.Node) *graph.Node { return ops.MaxPool2D(x, 2, 1, 0) }, []float64{0, 0, 0, 0, 1, 1, 0, 1, 1}, []float64{5, 6, 8, 9}},
		// Each element gets a quarter of every window it is in.
		{"AvgPool2D 3x3 k2 s1", arg(graftest.Integers(9, 1), 1, 1, 3, 3),
			func(x *graph.Node) *graph.Node { return ops.AvgPool2D(x, 2, 1, 0) },
			[]float64{0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25}, []float64{3, 4, 6, 7}},
		{"AvgPool ceil window divides by 1", arg(graftest.Integers(5, 1), 1, 1, 5),
			func(x *graph.Node) *graph.Node {
				return ops.AvgPool(x, ops.PoolConfig{Kernel: []int{2}, CeilMode: true})
			},
			[]float64{0.5, 0.5, 0.5, 0.5, 1}, []float64{1.5, 3.5, 5}},
		{"GlobalAvgPool", arg(graftest.Integers(4, 1), 1, 1, 2, 2), ops.GlobalAvgPool, []float64{0.25, 0.25, 0.25, 0.25}, []float64{2.5}},
	}
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.name, func(t *testing.T) {
				tol := graftest.Tolerance(dt)
				g := graph.New()
				xs, feeds := inputsOf(g, dt, c.x)
				y := c.pool(xs[0])
				graftest.AssertClose(t, "value", graftest.Eval(t, feeds, y)[0], c.value, tol, tol)
				graftest.AssertClose(t, "gradient", gradientsOf(t, feeds, ops.Sum(y), xs[0])[0], c.grad, tol, tol)
			})
		}
	}
}

func TestMaxPoolPropagatesNaNAndSendsTheGradientToTheLastNaN(t *testing.T) {
	nan := math.NaN()
	for _, dt := range bothDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			xs, feeds := inputsOf(g, dt, arg([]float64{nan, nan, 5, nan, 1, 2}, 1, 1, 6))
			y := ops.MaxPool1D(xs[0], 2, 2, 0)
			assertNearOrNaN(t, graftest.Eval(t, feeds, y)[0], []float64{nan, nan, 2}, 0)
			assertNearOrNaN(t, gradientsOf(t, feeds, ops.Sum(y), xs[0])[0], []float64{0, 1, 0, 1, 0, 1}, 0)
		})
	}
}

// assertNearOrNaN is assertNear that also accepts NaN where NaN is wanted.
func assertNearOrNaN(t *testing.T, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values %v, want %d values %v", len(got), got, len(want), want)
	}
	for i, w := range want {
		g := got[i]
		switch {
		case math.IsNaN(w) || math.IsInf(w, 0):
			if !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
				t.Errorf("[%d] = %v, want %v (all: %v)", i, g, w, got)
			}
		case !(math.Abs(g-w) <= tol*max(1, math.Abs(w))):
			t.Errorf("[%d] = %.17g, want %.17g (all: %v)", i, g, w, got)
		}
	}
}

// refInts is a size of the reference file: one int for every axis, or a list.
type refInts []int

func (v *refInts) UnmarshalJSON(b []byte) error {
	var one int
	if err := json.Unmarshal(b, &one); err == nil {
		*v = refInts{one}
		return nil
	}
	return json.Unmarshal(b, (*[]int)(v))
}

// poolReference is one configuration of ops/testdata/pool_reference.json,
// written by scripts/torch_pool_reference.py.
type poolReference struct {
	Name              string
	Op                string
	Shape             []int
	Kernel, Stride    refInts
	Padding, Dilation refInts
	Ceil              bool
	CountIncludePad   bool `json:"count_include_pad"`
	X, Y, Grad, HVP   []graftest.Number
	YShape            []int `json:"y_shape"`
}

// poolRefWeights and poolRefDirection are w and v of the reference
// script.
func poolRefWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = float64((i*7)%5) - 1.5
	}
	return w
}

func poolRefDirection(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64((i*3)%7)/2 - 1.25
	}
	return v
}

func (r poolReference) build(x *graph.Node) *graph.Node {
	c := ops.PoolConfig{Kernel: r.Kernel, Stride: r.Stride, Padding: r.Padding, Dilation: r.Dilation,
		CeilMode: r.Ceil, ExcludePadding: !r.CountIncludePad}
	switch r.Op {
	case "max":
		return ops.MaxPool(x, c)
	case "avg":
		return ops.AvgPool(x, c)
	}
	return ops.GlobalAvgPool(x)
}

func TestPoolingMatchesPyTorch(t *testing.T) {
	torch, cases := graftest.ReadReference[poolReference](t, "testdata/pool_reference.json")
	for _, dt := range bothDTypes {
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 2e-5
		}
		for _, r := range cases {
			t.Run(dt.String()+"/"+r.Name, func(t *testing.T) {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, arg(graftest.Floats(r.X), r.Shape...))
				x := xs[0]
				y := r.build(x)
				w := constOf(g, dt, poolRefWeights(len(r.Y)), r.YShape...)
				outs := []*graph.Node{y, gradNode(t, ops.Sum(ops.Mul(w, y)), x)}
				if r.HVP != nil {
					g2 := gradNode(t, ops.Sum(ops.Mul(w, ops.Mul(y, y))), x)
					v := constOf(g, dt, poolRefDirection(len(r.X)), r.Shape...)
					outs = append(outs, gradNode(t, ops.Sum(ops.Mul(v, g2)), x))
				}
				res := graftest.Results(t, feeds, outs...)
				if !res[0].Shape.Equal(r.YShape) {
					t.Fatalf("shape %v, PyTorch %v gives %v", res[0].Shape, torch, graph.Shape(r.YShape))
				}
				assertNearOrNaN(t, res[0].Data, graftest.Floats(r.Y), tol)
				assertNearOrNaN(t, res[1].Data, graftest.Floats(r.Grad), tol)
				if r.HVP != nil {
					assertNearOrNaN(t, res[2].Data, graftest.Floats(r.HVP), tol)
				}
			})
		}
	}
}

// poolGradCase is one pooling row of the gradient-check table (gradCases):
// the op applied to one float64 input of the given shape. Its values are distinct and at least
// 0.1 apart (so no max-pooling window is near a tie) unless data is given.
type poolGradCase struct {
	name  string
	shape []int
	build func(x *graph.Node) *graph.Node
}

// poolValues are n values of a grid of step 0.1 in [-5, 5], in a
// scrambled order, all different for n <= 101.
func poolValues(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64((i*37)%101)/10 - 5
	}
	return v
}

func poolGradCases() []poolGradCase {
	maxPool := func(c ops.PoolConfig) func(x *graph.Node) *graph.Node {
		return func(x *graph.Node) *graph.Node { return ops.MaxPool(x, c) }
	}
	avgPool := func(c ops.PoolConfig) func(x *graph.Node) *graph.Node {
		return func(x *graph.Node) *graph.Node { return ops.AvgPool(x, c) }
	}
	pools := []poolGradCase{
		{"MaxPool1D k3 s1 p1 (overlapping)", []int{2, 2, 6}, func(x *graph.Node) *graph.Node { return ops.MaxPool1D(x, 3, 1, 1) }},
		{"MaxPool1D k2 s3 (gaps)", []int{1, 2, 8}, func(x *graph.Node) *graph.Node { return ops.MaxPool1D(x, 2, 3, 0) }},
		{"MaxPool2D k2 s2", []int{1, 2, 4, 4}, func(x *graph.Node) *graph.Node { return ops.MaxPool2D(x, 2, 2, 0) }},
		{"MaxPool2D k3 s2 p1 (overlapping, padding)", []int{1, 2, 5, 5}, func(x *graph.Node) *graph.Node { return ops.MaxPool2D(x, 3, 2, 1) }},
		{"MaxPool2D k2 s3 (gaps)", []int{1, 1, 7, 7}, func(x *graph.Node) *graph.Node { return ops.MaxPool2D(x, 2, 3, 0) }},
		{"MaxPool k(2,3) s(1,2) p(1,1) d(2,1)", []int{1, 1, 6, 7}, maxPool(ops.PoolConfig{Kernel: []int{2, 3}, Stride: []int{1, 2}, Padding: []int{1}, Dilation: []int{2, 1}})},
		{"MaxPool k3 s2 p1 ceil", []int{1, 1, 6, 6}, maxPool(ops.PoolConfig{Kernel: []int{3}, Stride: []int{2}, Padding: []int{1}, CeilMode: true})},
		{"MaxPool 3-D k2 s1", []int{1, 1, 3, 3, 3}, maxPool(ops.PoolConfig{Kernel: []int{2}, Stride: []int{1}})},
		{"AvgPool1D k3 s2 p1", []int{2, 1, 7}, func(x *graph.Node) *graph.Node { return ops.AvgPool1D(x, 3, 2, 1) }},
		{"AvgPool2D k3 s1 p1 (overlapping, padding counted)", []int{1, 2, 4, 4}, func(x *graph.Node) *graph.Node { return ops.AvgPool2D(x, 3, 1, 1) }},
		{"AvgPool k3 s1 p1 excluding padding", []int{1, 2, 4, 4}, avgPool(ops.PoolConfig{Kernel: []int{3}, Stride: []int{1}, Padding: []int{1}, ExcludePadding: true})},
		{"AvgPool2D k2 s3 (gaps)", []int{1, 1, 7, 7}, func(x *graph.Node) *graph.Node { return ops.AvgPool2D(x, 2, 3, 0) }},
		{"AvgPool k2 s2 p1 ceil excluding padding", []int{1, 1, 5, 5}, avgPool(ops.PoolConfig{Kernel: []int{2}, Padding: []int{1}, CeilMode: true, ExcludePadding: true})},
		{"AvgPool 3-D k2 s(1,2,1) p1", []int{1, 1, 3, 4, 3}, avgPool(ops.PoolConfig{Kernel: []int{2}, Stride: []int{1, 2, 1}, Padding: []int{1}})},
		{"GlobalAvgPool", []int{2, 3, 2, 2}, ops.GlobalAvgPool},
		{"GlobalAvgPoolKeepDims", []int{2, 3, 2, 2}, ops.GlobalAvgPoolKeepDims},
	}
	// Each pool as it is; squared, so that its second derivative runs
	// through the gradient of MaxPoolScatter (MaxPoolGather) or of
	// AvgPoolTranspose (AvgPool); and as the square of the gradient of
	// ½Σ pool², a gradient penalty, whose gradient holds a MaxPoolGather of
	// x-dependent values, so that its second derivative runs through the
	// gradient of MaxPoolGather (MaxPoolScatter).
	var cases []poolGradCase
	for _, p := range pools {
		cases = append(cases, p,
			poolGradCase{p.name + " squared", p.shape, func(x *graph.Node) *graph.Node { return ops.Square(p.build(x)) }},
			poolGradCase{p.name + " gradient penalty", p.shape, func(x *graph.Node) *graph.Node {
				y := ops.Mul(ops.Sum(ops.Square(p.build(x))), ops.ScalarLike(x, 0.5))
				grads, err := autodiff.Grad(y, x)
				if err != nil {
					return graph.Reject("gradient", err, x)
				}
				return ops.Square(grads[0])
			}},
		)
	}
	return cases
}

func TestPoolingRunAllocatesNothing(t *testing.T) {
	for _, dt := range bothDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			x := g.Input("x", dt, 2, 3, 6, 6)
			full := make([]float64, 2*3*6*6)
			for i := range full {
				full[i] = math.Sin(float64(i))
			}
			m := ops.MaxPool2D(x, 3, 2, 1)
			a := ops.AvgPool(x, ops.PoolConfig{Kernel: []int{2}, Padding: []int{1}, CeilMode: true, ExcludePadding: true})
			y := ops.Add(ops.Sum(ops.Square(m)), ops.Sum(ops.Square(a)))
			y = ops.Add(y, ops.Sum(ops.GlobalAvgPool(x)))
			gx := gradNode(t, y, x)
			hv := gradNode(t, ops.Sum(ops.Mul(gx, gx)), x) // second order: every pooling op and its transpose
			prog, err := graph.Compile(y, gx, hv)
			if err != nil {
				t.Fatal(err)
			}
			feeds := graph.Feeds{x: graftest.Tensor(dt, full, 2, 3, 6, 6)}
			if _, err := prog.Run(feeds); err != nil {
				t.Fatal(err)
			}
			if allocs := testing.AllocsPerRun(10, func() { _, _ = prog.Run(feeds) }); allocs != 0 {
				t.Errorf("Run allocates %v times per call, want 0", allocs)
			}
		})
	}
}

func TestPoolingProgramsOfOneGraphRunAtTheSameTime(t *testing.T) {
	// The pooling ops keep their window plans in the op values, which two
	// programs compiled from one graph share; their kernels must only read
	// them (run with -race to see a write).
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2, 2, 6, 6)
	y := ops.Add(ops.Sum(ops.Square(ops.MaxPool2D(x, 3, 2, 1))), ops.Sum(ops.Square(ops.AvgPool2D(x, 2, 2, 1))))
	gx := gradNode(t, y, x)
	hv := gradNode(t, ops.Sum(ops.Mul(gx, gx)), x)
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float64, poolValues(144), 2, 2, 6, 6)}
	want := graftest.Eval(t, feeds, y, gx, hv)
	errs := make(chan error, 2)
	got := make([][]float64, 2)
	for i := range got {
		prog, err := graph.Compile(y, gx, hv)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for range 20 {
				outs, err := prog.Run(feeds)
				if err != nil {
					errs <- err
					return
				}
				got[i] = graph.Float64s(outs[2])
			}
			errs <- nil
		}()
	}
	for range got {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range got {
		graftest.AssertExact(t, "hessian-vector product", got[i], want[2])
	}
}

func TestPoolingRejectsBadInput(t *testing.T) {
	x4 := func(g *graph.Graph) *graph.Node { return in64(g, "x", 1, 2, 3, 3) }
	cases := []buildErrorCase{
		{"rank 2", "MaxPool", []string{"x (4, 5) float64", "at least one spatial axis, got 2-D"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool(in64(g, "x", 4, 5), ops.PoolConfig{Kernel: []int{2}}), graftest.CallerLine()
			}},
		{"MaxPool2D of a 3-D input", "MaxPool2D", []string{"x (1, 2, 6) float64", "must be 4-D, (N, C, H, W), got 3-D"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool2D(in64(g, "x", 1, 2, 6), 2, 2, 0), graftest.CallerLine()
			}},
		{"AvgPool1D of a 4-D input", "AvgPool1D", []string{"x (1, 2, 3, 3) float64", "must be 3-D, (N, C, L), got 4-D"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.AvgPool1D(x4(g), 2, 2, 0), graftest.CallerLine() }},
		{"no kernel", "MaxPool", []string{"x (1, 2, 3, 3) float64", "Kernel is empty"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool(x4(g), ops.PoolConfig{}), graftest.CallerLine()
			}},
		{"kernel 0", "MaxPool2D", []string{"kernel [0] must be at least 1"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.MaxPool2D(x4(g), 0, 1, 0), graftest.CallerLine() }},
		{"negative stride", "AvgPool2D", []string{"stride [-1] must be at least 1"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.AvgPool2D(x4(g), 2, -1, 0), graftest.CallerLine() }},
		{"stride 0", "MaxPool", []string{"stride [2 0] must be at least 1"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool(x4(g), ops.PoolConfig{Kernel: []int{2}, Stride: []int{2, 0}}), graftest.CallerLine()
			}},
		{"dilation 0", "MaxPool", []string{"dilation [0] must be at least 1"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool(x4(g), ops.PoolConfig{Kernel: []int{2}, Dilation: []int{0}}), graftest.CallerLine()
			}},
		{"negative padding", "MaxPool1D", []string{"padding [-1] must be at least 0"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool1D(in64(g, "x", 1, 1, 5), 2, 1, -1), graftest.CallerLine()
			}},
		{"padding more than half the kernel", "MaxPool2D", []string{"padding [2 2] is more than half of kernel [3 3]"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.MaxPool2D(x4(g), 3, 1, 2), graftest.CallerLine() }},
		{"kernel larger than the padded input", "MaxPool2D", []string{"x (1, 2, 3, 3) float64", "kernel [6 6] is larger than spatial axis 0 (size 3) padded to 5: no window fits"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.MaxPool2D(x4(g), 6, 1, 1), graftest.CallerLine() }},
		{"kernel larger than the input", "AvgPool1D", []string{"kernel [7]", "padded to 5"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.AvgPool1D(in64(g, "x", 1, 1, 5), 7, 2, 0), graftest.CallerLine()
			}},
		{"dilated kernel larger than the input", "MaxPool", []string{"kernel [3] dilated by [2] spans 5, more than spatial axis 0 (size 4) padded to 4"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool(in64(g, "x", 1, 1, 4), ops.PoolConfig{Kernel: []int{3}, Dilation: []int{2}}), graftest.CallerLine()
			}},
		{"too many kernel sizes", "MaxPool", []string{"kernel [2 2 2] has 3 values for 2 spatial axes: give 1 or 2"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool(x4(g), ops.PoolConfig{Kernel: []int{2, 2, 2}}), graftest.CallerLine()
			}},
		{"AvgPool with dilation", "AvgPool", []string{"AvgPool has no dilation"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.AvgPool(x4(g), ops.PoolConfig{Kernel: []int{2}, Dilation: []int{2}}), graftest.CallerLine()
			}},
		{"MaxPool excluding padding", "MaxPool", []string{"ExcludePadding applies to AvgPool only"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool(x4(g), ops.PoolConfig{Kernel: []int{2}, ExcludePadding: true}), graftest.CallerLine()
			}},
		{"output larger than a tensor may be", "MaxPool1D", []string{"x (8589934592, 1, 2) float64", "(8589934592, 1, 3)", "the most a tensor may hold"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool1D(in64(g, "x", 1<<33, 1, 2), 2, 1, 1), graftest.CallerLine()
			}},
		{"spatial axis too long", "MaxPool1D", []string{"spatial axis 0 has size 2147483648"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool1D(in64(g, "x", 1, 1, 1<<31), 2, 2, 0), graftest.CallerLine()
			}},
		{"kernel too large", "MaxPool1D", []string{"kernel [2147483648] must be below 2^31"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool1D(in64(g, "x", 1, 1, 5), 1<<31, 1, 0), graftest.CallerLine()
			}},
		{"window plan too large", "MaxPool", []string{"x (1, 1, 8192, 1) float64", "window plan would need more than"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.MaxPool(in64(g, "x", 1, 1, 8192, 1), ops.PoolConfig{Kernel: []int{4096, 1}, Stride: []int{1}}), graftest.CallerLine()
			}},
		{"nil input", "MaxPool2D", []string{"MaxPool2D(nil)", "input 0 is nil"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.MaxPool2D(nil, 2, 2, 0), graftest.CallerLine() }},
		{"GlobalAvgPool of a matrix", "GlobalAvgPool", []string{"x (4, 5) float64", "at least one spatial axis, got 2-D"},
			func(g *graph.Graph) (*graph.Node, int) {
				return ops.GlobalAvgPool(in64(g, "x", 4, 5)), graftest.CallerLine()
			}},
		{"GlobalAvgPoolKeepDims nil", "GlobalAvgPoolKeepDims", []string{"GlobalAvgPoolKeepDims(nil)"},
			func(g *graph.Graph) (*graph.Node, int) { return ops.GlobalAvgPoolKeepDims(nil), graftest.CallerLine() }},
	}
	checkBuildErrors(t, cases)
}

// benchmarkPool times one Run of a program computing outputs from a float32
// input of the given shape, a batch of feature maps of a small CNN.
func benchmarkPool(b *testing.B, shape []int, outputs func(x *graph.Node) []*graph.Node) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, shape...)
	prog, err := graph.Compile(outputs(x)...)
	if err != nil {
		b.Fatal(err)
	}
	// Random values, as activations are: on a smooth signal the
	// comparisons would be easy to predict.
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]float64, graph.Shape(shape).Size())
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float32, data, shape...)}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := prog.Run(feeds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMaxPool2D times 2x2 stride-2 max pooling on a small CNN's
// feature maps and on the two pool layers of the MNIST CNN at batch 64
// (docs/cnn.md): the forward pass; the gradient of Sum(MaxPool2D(x)) alone,
// which needs each window's maximum too; and both in one program, as a
// training step runs them, where the backward pass costs the difference
// from the forward.
func BenchmarkMaxPool2D(b *testing.B) {
	for _, shape := range [][]int{smallCNNMaps, {64, 16, 28, 28}, {64, 32, 10, 10}} {
		name := fmt.Sprintf("%dx%dx%dx%d", shape[0], shape[1], shape[2], shape[3])
		b.Run(name+"/forward", func(b *testing.B) {
			benchmarkPool(b, shape, func(x *graph.Node) []*graph.Node { return []*graph.Node{ops.MaxPool2D(x, 2, 2, 0)} })
		})
		b.Run(name+"/backward", func(b *testing.B) {
			benchmarkPool(b, shape, func(x *graph.Node) []*graph.Node {
				grads, err := autodiff.Grad(ops.Sum(ops.MaxPool2D(x, 2, 2, 0)), x)
				if err != nil {
					b.Fatal(err)
				}
				return grads
			})
		})
		b.Run(name+"/forward+backward", func(b *testing.B) {
			benchmarkPool(b, shape, func(x *graph.Node) []*graph.Node {
				y := ops.MaxPool2D(x, 2, 2, 0)
				grads, err := autodiff.Grad(ops.Sum(y), x)
				if err != nil {
					b.Fatal(err)
				}
				return []*graph.Node{y, grads[0]}
			})
		})
	}
}

// naiveMaxPool2D is PyTorch's CPU max-pooling loop written out for one
// (N, C, H, W) input: each window starts its maximum at -Inf and its index
// at its first input element, and takes an element that is strictly larger
// or NaN. It returns the output and the gradient of Σ w ⊙ output.
func naiveMaxPool2D(x []float64, shape, outShape, k, s, p, d []int, w []float64) (y, grad []float64) {
	h, wd := shape[2], shape[3]
	oh, ow := outShape[2], outShape[3]
	y = make([]float64, 0, len(w))
	grad = make([]float64, len(x))
	for plane := range shape[0] * shape[1] {
		for i := range oh {
			for j := range ow {
				m, at := math.Inf(-1), -1
				for a := range k[0] {
					r := i*s[0] - p[0] + a*d[0]
					for b := range k[1] {
						c := j*s[1] - p[1] + b*d[1]
						if r < 0 || r >= h || c < 0 || c >= wd {
							continue
						}
						idx := plane*h*wd + r*wd + c
						if at < 0 {
							at = idx
						}
						if v := x[idx]; v > m || math.IsNaN(v) {
							m, at = v, idx
						}
					}
				}
				if at >= 0 {
					grad[at] += w[len(y)]
				}
				y = append(y, m)
			}
		}
	}
	return y, grad
}

func TestMaxPoolBreaksTiesAndNaNsAsPyTorchsLoop(t *testing.T) {
	// Values from a small set, so that windows are full of ties, NaNs and
	// -Infs, checked against the loop PyTorch runs; the 2x2 windows and the
	// inner 3x3 ones take the unrolled paths, the others the general one.
	set := []float64{-1, 0, 1, 2, math.NaN(), math.Inf(-1)}
	configs := []ops.PoolConfig{
		{Kernel: []int{2}},
		{Kernel: []int{2}, Stride: []int{1}},
		{Kernel: []int{2}, Padding: []int{1}},
		{Kernel: []int{3}, Stride: []int{2}, Padding: []int{1}, CeilMode: true},
		{Kernel: []int{2, 3}, Stride: []int{1, 2}, Dilation: []int{2, 1}, Padding: []int{1}},
		{Kernel: []int{1, 2}},
	}
	matchPyTorchsMaxPoolLoop(t, set, configs, []int{2, 2, 5, 6}, 7, 8)
}

// matchPyTorchsMaxPoolLoop checks MaxPool of (N, C, H, W) inputs of the
// given shape, drawn from set by a generator seeded with seed1 and seed2,
// against naiveMaxPool2D for each configuration: the values, and the
// gradient of a weighted sum, to the bit.
func matchPyTorchsMaxPoolLoop(t *testing.T, set []float64, configs []ops.PoolConfig, shape []int, seed1, seed2 uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed1, seed2))
	for trial := range 20 {
		x := make([]float64, graph.Shape(shape).Size())
		for i := range x {
			x[i] = set[rng.IntN(len(set))]
		}
		for ci, c := range configs {
			for _, dt := range bothDTypes {
				g := graph.New()
				xs, feeds := inputsOf(g, dt, arg(x, shape...))
				y := ops.MaxPool(xs[0], c)
				w := poolRefWeights(y.Shape().Size())
				res := graftest.Eval(t, feeds, y, gradNode(t, ops.Sum(ops.Mul(y, constOf(g, dt, w, y.Shape()...))), xs[0]))
				full := func(v []int, def int) []int {
					switch len(v) {
					case 0:
						return []int{def, def}
					case 1:
						return []int{v[0], v[0]}
					}
					return v
				}
				k := full(c.Kernel, 0)
				s := k
				if c.Stride != nil {
					s = full(c.Stride, 0)
				}
				wantY, wantGrad := naiveMaxPool2D(x, shape, y.Shape(), k, s, full(c.Padding, 0), full(c.Dilation, 1), w)
				if t.Failed() {
					return
				}
				name := fmt.Sprintf("trial %d config %d %v", trial, ci, dt)
				t.Run(name, func(t *testing.T) {
					assertNearOrNaN(t, res[0], wantY, 0)
					assertNearOrNaN(t, res[1], wantGrad, 0)
				})
			}
		}
	}
}

// smallCNNMaps is a batch of a small CNN's feature maps.
var smallCNNMaps = []int{64, 8, 24, 24}

func BenchmarkAvgPool2D(b *testing.B) {
	b.Run("forward", func(b *testing.B) {
		benchmarkPool(b, smallCNNMaps, func(x *graph.Node) []*graph.Node { return []*graph.Node{ops.AvgPool2D(x, 2, 2, 0)} })
	})
	b.Run("backward", func(b *testing.B) {
		benchmarkPool(b, smallCNNMaps, func(x *graph.Node) []*graph.Node {
			grads, err := autodiff.Grad(ops.Sum(ops.AvgPool2D(x, 2, 2, 0)), x)
			if err != nil {
				b.Fatal(err)
			}
			return grads
		})
	})
}
