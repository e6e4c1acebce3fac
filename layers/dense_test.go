package layers_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

func TestDenseCreatesNamedParamsShapedFromItsInput(t *testing.T) {
	cases := []struct {
		name        string
		batch, in   int
		units       int
		opts        []layers.Option
		wantW       string
		wantB       string // "" when the layer has no bias
		wantOut     graph.Shape
		wantNParams int
	}{
		{"default names", 4, 2, 10, nil, "dense1/W", "dense1/b", graph.Shape{4, 10}, 2*10 + 10},
		{"chosen name", 1, 5, 3, []layers.Option{layers.WithName("hidden")}, "hidden/W", "hidden/b", graph.Shape{1, 3}, 5*3 + 3},
		{"no bias", 7, 3, 1, []layers.Option{layers.WithoutBias()}, "dense1/W", "", graph.Shape{7, 1}, 3},
	}
	for _, dt := range dtypes {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%v/%s", dt, c.name), func(t *testing.T) {
				g := graph.New()
				m := layers.NewModel(1)
				x := g.Input("x", dt, c.batch, c.in)
				d := m.Dense(c.units, nil, c.opts...)
				if d.Kernel() != nil || d.Bias() != nil {
					t.Fatal("parameters exist before the first Apply")
				}
				y := d.Apply(x)
				if err := g.Err(); err != nil {
					t.Fatal(err)
				}
				if !y.Shape().Equal(c.wantOut) || y.DType() != dt {
					t.Errorf("output is %v %v, want %v %v", y.Shape(), y.DType(), c.wantOut, dt)
				}
				w := d.Kernel()
				if w.Name() != c.wantW || !w.Shape().Equal(graph.Shape{c.in, c.units}) || w.DType() != dt || w.Kind() != graph.Param {
					t.Errorf("kernel is %v (%v), want %s (%d, %d) %v param", w, w.Kind(), c.wantW, c.in, c.units, dt)
				}
				want := []*graph.Node{w}
				if c.wantB == "" {
					if d.Bias() != nil {
						t.Errorf("a layer without bias has bias %v", d.Bias())
					}
				} else {
					b := d.Bias()
					if b.Name() != c.wantB || !b.Shape().Equal(graph.Shape{c.units}) || b.DType() != dt {
						t.Errorf("bias is %v, want %s (%d,) %v", b, c.wantB, c.units, dt)
					}
					for _, v := range graph.Float64s(b.Value()) {
						if v != 0 {
							t.Fatalf("bias starts at %v, want zeros", graph.Float64s(b.Value()))
						}
					}
					want = append(want, b)
				}
				if got := m.Params(); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("Params() = %v, want %v", got, want)
				}
				if m.NumParams() != c.wantNParams {
					t.Errorf("NumParams() = %d, want %d", m.NumParams(), c.wantNParams)
				}
				if m.Lookup(c.wantW) != w {
					t.Errorf("Lookup(%q) = %v, want the kernel", c.wantW, m.Lookup(c.wantW))
				}
			})
		}
	}
}

func TestAutomaticNamesCountUpAndSkipTakenNames(t *testing.T) {
	m := layers.NewModel(1)
	names := []string{
		m.Dense(1, nil).Name(),
		m.Dense(1, nil, layers.WithName("dense2")).Name(),
		m.Dense(1, nil).Name(),
		m.Dense(1, nil, layers.WithName("out")).Name(),
	}
	if want := "[dense1 dense2 dense3 out]"; fmt.Sprint(names) != want {
		t.Errorf("names = %v, want %s", names, want)
	}
}

func TestMLP784To10Has235146Params(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(7)
	net := layers.Sequential{m.Dense(256, ops.ReLU), m.Dense(128, ops.ReLU), m.Dense(10, nil)}
	y := net.Apply(g.Input("images", tensor.Float32, 32, 784))
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	// (784·256 + 256) + (256·128 + 128) + (128·10 + 10)
	if got := m.NumParams(); got != 235146 {
		t.Errorf("NumParams() = %d, want 235146", got)
	}
	if !y.Shape().Equal(graph.Shape{32, 10}) {
		t.Errorf("output shape %v, want (32, 10)", y.Shape())
	}
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name())
	}
	if want := "[dense1/W dense1/b dense2/W dense2/b dense3/W dense3/b]"; fmt.Sprint(names) != want {
		t.Errorf("param order %v, want %s", names, want)
	}
}

func TestDenseForwardMatchesHandComputedValues(t *testing.T) {
	// x = [[1, 2], [-3, 0.5]], W = [[1, 0, -1], [0.5, 1, 2]], b = [0.1, -4, 0.3]
	// x·W + b = [[1+1+0.1, 0+2-4, -1+4+0.3], [-3+0.25+0.1, 0+0.5-4, 3+1+0.3]]
	//         = [[2.1, -2, 3.3], [-2.65, -3.5, 4.3]]
	x := []float64{1, 2, -3, 0.5}
	w := []float64{1, 0, -1, 0.5, 1, 2}
	b := []float64{0.1, -4, 0.3}
	linear := []float64{2.1, -2, 3.3, -2.65, -3.5, 4.3}
	relu := []float64{2.1, 0, 3.3, 0, 0, 4.3}
	sigmoid := make([]float64, len(linear))
	for i, v := range linear {
		sigmoid[i] = 1 / (1 + math.Exp(-v))
	}
	cases := []struct {
		name string
		act  func(*graph.Node) *graph.Node
		want []float64
	}{
		{"linear", nil, linear},
		{"relu", ops.ReLU, relu},
		{"sigmoid", ops.Sigmoid, sigmoid},
	}
	for _, dt := range dtypes {
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%v/%s", dt, c.name), func(t *testing.T) {
				g := graph.New()
				in := g.Input("x", dt, 2, 2)
				d := layers.NewModel(1).Dense(3, c.act)
				y := d.Apply(in)
				setValues(d.Kernel(), w)
				setValues(d.Bias(), b)
				got := graftest.Eval(t, graph.Feeds{in: graftest.Tensor(dt, x, 2, 2)}, y)[0]
				graftest.AssertClose(t, "y", got, c.want, tol, 0)
			})
		}
	}
}

func TestDenseAppliedTwiceSharesItsParams(t *testing.T) {
	for _, dt := range dtypes {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			m := layers.NewModel(3)
			net := layers.Sequential{m.Dense(5, ops.Tanh), m.Dense(2, nil)}
			train := g.Input("train", dt, 4, 3)
			eval := g.Input("eval", dt, 1, 3)
			yTrain, yEval := net.Apply(train), net.Apply(eval)
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
			if len(m.Params()) != 4 || m.NumParams() != 3*5+5+5*2+2 {
				t.Fatalf("two applications made %d params (%d values), want 4 (32)", len(m.Params()), m.NumParams())
			}
			// The evaluation row is the training batch's third row, so the
			// outputs must agree: both read the same weights.
			xs := graftest.Ramp(12, -0.5)
			out := graftest.Eval(t, graph.Feeds{train: graftest.Tensor(dt, xs, 4, 3), eval: graftest.Tensor(dt, xs[6:9], 1, 3)}, yTrain, yEval)
			graftest.AssertClose(t, "eval output", out[1], out[0][4:6], 0, 0)
			// An update to a weight shows in both outputs.
			before := append([]float64(nil), out[0][4:6]...)
			setValues(m.Params()[2], make([]float64, 10))
			out = graftest.Eval(t, graph.Feeds{train: graftest.Tensor(dt, xs, 4, 3), eval: graftest.Tensor(dt, xs[6:9], 1, 3)}, yTrain, yEval)
			graftest.AssertClose(t, "eval output after zeroing dense2/W", out[1], out[0][4:6], 0, 0)
			graftest.AssertClose(t, "training output after zeroing dense2/W", out[0][4:6], []float64{0, 0}, 0, 0)
			if before[0] == 0 && before[1] == 0 {
				t.Fatal("the output was zero before the update too; the test proves nothing")
			}
		})
	}
}

func TestDenseOverTheLastAxisOfA3DInputActsOnEveryStep(t *testing.T) {
	// Each (batch, time) position of a (2, 3, 4) input goes through the same
	// W and b: the result equals the 2-D layer applied to the (6, 4) rows.
	for _, dt := range dtypes {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			m := layers.NewModel(5)
			d := m.Dense(3, ops.Tanh)
			x3 := g.Input("x3", dt, 2, 3, 4)
			x2 := g.Input("x2", dt, 6, 4)
			y3, y2 := d.Apply(x3), d.Apply(x2)
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
			if !y3.Shape().Equal(graph.Shape{2, 3, 3}) || !d.Kernel().Shape().Equal(graph.Shape{4, 3}) {
				t.Fatalf("y is %v with W %v, want (2, 3, 3) with W (4, 3)", y3.Shape(), d.Kernel().Shape())
			}
			setValues(d.Bias(), []float64{0.1, -0.2, 0.3})
			xs := graftest.Ramp(24, -1.2)
			out := graftest.Eval(t, graph.Feeds{x3: graftest.Tensor(dt, xs, 2, 3, 4), x2: graftest.Tensor(dt, xs, 6, 4)}, y3, y2)
			graftest.AssertClose(t, "y (2, 3, 3)", out[0], out[1], 0, 0)
		})
	}
}

func TestDenseOverA4DInputPassesTheGradientCheck(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(2)
	d := m.Dense(2, ops.Tanh)
	x := g.Input("x", tensor.Float64, 2, 2, 1, 3)
	loss := ops.Sum(ops.Square(d.Apply(x)))
	setValues(d.Bias(), []float64{0.2, -0.1})
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float64, graftest.Ramp(12, -0.6), 2, 2, 1, 3)}
	if err := autodiff.CheckDerivatives(loss, append(m.Params(), x), feeds, autodiff.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
}
