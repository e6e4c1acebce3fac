package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// The scalar loops optim ran before its updates moved to internal/vecmath,
// kept as the reference the vectorized Steps must reproduce. Each product
// is rounded explicitly, T(a*b), which changes nothing on amd64, whose Go
// compiler never fuses a·b + c, and keeps the compiler from fusing it on
// arm64 (as it did in the old loops there), where vecmath's pure-Go loops
// do not fuse either.

func scalarSGD[T graph.Float](o *SGD, p, g []T, s [][]T) {
	lr, mu := T(o.lr), T(o.Momentum)
	if o.Momentum == 0 {
		for i := range p {
			p[i] -= T(lr * g[i])
		}
		return
	}
	b := s[0]
	for i := range p {
		b[i] = T(mu*b[i]) + g[i]
		if o.Nesterov {
			p[i] -= T(lr * (g[i] + T(mu*b[i])))
		} else {
			p[i] -= T(lr * b[i])
		}
	}
}

func scalarRMSProp[T graph.Float](o *RMSProp, p, g []T, s [][]T) {
	lr, rho, mu, eps := T(o.lr), T(o.Rho), T(o.Momentum), T(o.Epsilon)
	v := s[0]
	for i := range p {
		v[i] = T(rho*v[i]) + T(T((1-rho)*g[i])*g[i])
		if o.Momentum == 0 {
			p[i] -= T(lr*g[i]) / T(math.Sqrt(float64(v[i]+eps)))
		} else {
			s[1][i] = T(mu*s[1][i]) + T(lr*g[i])/T(math.Sqrt(float64(v[i]+eps)))
			p[i] -= s[1][i]
		}
	}
}

func scalarAdagrad[T graph.Float](o *Adagrad, p, g []T, s [][]T) {
	lr, eps := T(o.lr), T(o.Epsilon)
	for i := range p {
		s[0][i] += T(g[i] * g[i])
		p[i] -= T(lr*g[i]) / T(math.Sqrt(float64(s[0][i]+eps)))
	}
}

// scalarAdam also has PyTorch's form, written as torch.optim.Adam's
// single-tensor loop computes it: denom = √v/√(1-β₂ᵗ) + ε;
// p -= lr/(1-β₁ᵗ) · m/denom.
func scalarAdam[T graph.Float](o *Adam, p, g []T, s [][]T, t int) {
	c1 := 1 - math.Pow(o.Beta1, float64(t))
	c2 := math.Sqrt(1 - math.Pow(o.Beta2, float64(t)))
	b1, b2, eps := T(o.Beta1), T(o.Beta2), T(o.Epsilon)
	m, v := s[0], s[1]
	if o.WeightDecay != 0 {
		keep := T(1 - float64(o.lr*o.WeightDecay))
		for i := range p {
			p[i] *= keep
		}
	}
	for i := range p {
		if o.PyTorchEpsilon {
			m[i] = T(b1*m[i]) + T(T(1-o.Beta1)*g[i])
			v[i] = T(b2*v[i]) + T(T(T(1-o.Beta2)*g[i])*g[i])
			p[i] -= T(T(o.lr/c1)*m[i]) / (T(math.Sqrt(float64(v[i])))/T(c2) + eps)
		} else {
			m[i] = T(b1*m[i]) + T((1-b1)*g[i])
			v[i] = T(b2*v[i]) + T(T((1-b2)*g[i])*g[i])
			p[i] -= T(o.lr*(c2/c1)) * m[i] / (T(math.Sqrt(float64(v[i]))) + eps)
		}
	}
}

// scalarCase is an optimizer and the scalar loop of its rule.
type scalarCase[T graph.Float] struct {
	name   string
	opt    func() Optimizer
	scalar func(o Optimizer, p, g []T, s [][]T, t int)
}

func scalarCases[T graph.Float]() []scalarCase[T] {
	cases := []scalarCase[T]{{"Adagrad", func() Optimizer { return NewAdagrad(0.1) },
		func(o Optimizer, p, g []T, s [][]T, t int) { scalarAdagrad(o.(*Adagrad), p, g, s) }}}
	for _, sgd := range []struct {
		mu       float64
		nesterov bool
	}{{0, false}, {0.9, false}, {0.9, true}} {
		cases = append(cases, scalarCase[T]{fmt.Sprintf("SGD momentum %v Nesterov %v", sgd.mu, sgd.nesterov),
			func() Optimizer { o := NewSGD(0.05); o.Momentum, o.Nesterov = sgd.mu, sgd.nesterov; return o },
			func(o Optimizer, p, g []T, s [][]T, t int) { scalarSGD(o.(*SGD), p, g, s) }})
	}
	for _, mu := range []float64{0, 0.9} {
		cases = append(cases, scalarCase[T]{fmt.Sprintf("RMSProp momentum %v", mu),
			func() Optimizer { o := NewRMSProp(0.01); o.Momentum = mu; return o },
			func(o Optimizer, p, g []T, s [][]T, t int) { scalarRMSProp(o.(*RMSProp), p, g, s) }})
	}
	for _, wd := range []float64{0, 0.01} {
		for _, torch := range []bool{false, true} {
			cases = append(cases, scalarCase[T]{fmt.Sprintf("Adam decay %v PyTorchEpsilon %v", wd, torch),
				func() Optimizer { o := NewAdam(0.01); o.WeightDecay, o.PyTorchEpsilon = wd, torch; return o },
				func(o Optimizer, p, g []T, s [][]T, t int) { scalarAdam(o.(*Adam), p, g, s, t) }})
		}
	}
	return cases
}

// Every optimizer's Step gives the scalar loop's bits, step after step, in
// float32 and float64, on parameters whose lengths are and are not
// multiples of the vector widths.
func TestStepsMatchTheScalarLoopsBitForBit(t *testing.T) {
	t.Run("float32", testStepsMatchTheScalarLoops[float32])
	t.Run("float64", testStepsMatchTheScalarLoops[float64])
}

func testStepsMatchTheScalarLoops[T graph.Float](t *testing.T) {
	const steps = 5
	sizes := []int{1, 7, 8, 15, 16, 17, 31, 33, 257, 1000}
	dt := tensor.Float64
	if _, ok := any(T(0)).(float32); ok {
		dt = tensor.Float32
	}
	for _, c := range scalarCases[T]() {
		rng := rand.New(rand.NewPCG(7, 8))
		opt := c.opt()
		g := graph.New()
		params := make([]*graph.Node, len(sizes))
		want := make([][]T, len(sizes))    // the scalar loop's parameters
		slots := make([][][]T, len(sizes)) // and slots
		count, init := opt.(rule).slotCount()
		for i, n := range sizes {
			data := make([]float64, n)
			for j := range data {
				data[j] = rng.NormFloat64()
			}
			v, _ := graph.NewTensor(dt, data, n)
			params[i] = g.Param(fmt.Sprintf("w%d", i), v)
			want[i] = append([]T(nil), v.Data().([]T)...)
			for range count {
				slots[i] = append(slots[i], filled(n, T(init)))
			}
		}
		for step := 1; step <= steps; step++ {
			grads := make([]*tensor.Dense, len(sizes))
			for i, n := range sizes {
				data := make([]float64, n)
				for j := range data {
					data[j] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-3))
				}
				grads[i], _ = graph.NewTensor(dt, data, n)
				c.scalar(opt, want[i], grads[i].Data().([]T), slots[i], step)
			}
			if err := opt.Step(params, grads); err != nil {
				t.Fatal(err)
			}
		}
		for i, p := range params {
			for j, got := range p.Value().Data().([]T) {
				if got != want[i][j] {
					t.Fatalf("%s: after %d steps %s[%d] = %v, the scalar loop gives %v", c.name, steps, p.Name(), j, got, want[i][j])
				}
			}
		}
	}
}
