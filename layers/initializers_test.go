package layers_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

func TestGlorotUniformKernelStaysWithinItsLimit(t *testing.T) {
	for _, dt := range dtypes {
		for _, shape := range [][2]int{{2, 10}, {10, 1}, {784, 256}} {
			t.Run(fmt.Sprintf("%v/%dx%d", dt, shape[0], shape[1]), func(t *testing.T) {
				g := graph.New()
				d := layers.NewModel(11).Dense(shape[1], nil)
				d.Apply(g.Input("x", dt, 1, shape[0]))
				limit := math.Sqrt(6 / float64(shape[0]+shape[1]))
				if dt == tensor.Float32 {
					limit = float64(float32(limit)) // rounding is monotonic
				}
				largest := 0.0
				for _, v := range graph.Float64s(d.Kernel().Value()) {
					if math.Abs(v) > limit {
						t.Fatalf("weight %v is outside ±%v", v, limit)
					}
					largest = max(largest, math.Abs(v))
				}
				// The draws must also fill the range, not sit near zero:
				// with n draws the largest |w| falls short of the limit by
				// about limit/n.
				if n := shape[0] * shape[1]; largest < limit*(1-10/float64(n)) {
					t.Errorf("largest |w| is %v of %v draws, want near the limit %v", largest, n, limit)
				}
			})
		}
	}
}

func TestInitializersDrawWithTheirStatedSpread(t *testing.T) {
	const fanIn, fanOut, n = 300, 500, 200000
	cases := []struct {
		name  string
		init  layers.Initializer
		std   float64 // the standard deviation the values must have
		bound float64 // no value may be larger in magnitude
	}{
		{"GlorotUniform", layers.GlorotUniform, math.Sqrt(2.0 / (fanIn + fanOut)), math.Sqrt(6.0 / (fanIn + fanOut))},
		{"GlorotNormal", layers.GlorotNormal, math.Sqrt(2.0 / (fanIn + fanOut)), 2 * math.Sqrt(2.0/(fanIn+fanOut)) / 0.87962566103423978},
		{"HeUniform", layers.HeUniform, math.Sqrt(2.0 / fanIn), math.Sqrt(6.0 / fanIn)},
		{"HeNormal", layers.HeNormal, math.Sqrt(2.0 / fanIn), 2 * math.Sqrt(2.0/fanIn) / 0.87962566103423978},
		{"LeCunUniform", layers.LeCunUniform, math.Sqrt(1.0 / fanIn), math.Sqrt(3.0 / fanIn)},
		{"LeCunNormal", layers.LeCunNormal, math.Sqrt(1.0 / fanIn), 2 * math.Sqrt(1.0/fanIn) / 0.87962566103423978},
		{"Uniform(-2, 2)", layers.Uniform(-2, 2), 4 / math.Sqrt(12), 2},
		{"Normal(0, 0.5)", layers.Normal(0, 0.5), 0.5, math.Inf(1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			xs := make([]float64, n)
			c.init(xs, fanIn, fanOut, rand.New(rand.NewPCG(1, 2)))
			mean, sq := 0.0, 0.0
			for _, v := range xs {
				if math.Abs(v) > c.bound {
					t.Fatalf("value %v is beyond ±%v", v, c.bound)
				}
				mean += v
				sq += v * v
			}
			mean /= n
			std := math.Sqrt(sq/n - mean*mean)
			// With 200,000 draws the sample's standard deviation is within
			// about 0.3% of the true one, and its mean within 0.7% of it.
			if math.Abs(std-c.std) > 0.01*c.std {
				t.Errorf("standard deviation %v, want %v", std, c.std)
			}
			if math.Abs(mean) > 0.01*c.std {
				t.Errorf("mean %v, want about 0", mean)
			}
		})
	}
}

func TestConstantInitializersFillEveryValue(t *testing.T) {
	cases := []struct {
		name string
		init layers.Initializer
		want float64
	}{
		{"Zeros", layers.Zeros, 0},
		{"Ones", layers.Ones, 1},
		{"Constant(-2.5)", layers.Constant(-2.5), -2.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			xs := []float64{7, 7, 7, 7}
			c.init(xs, 2, 2, rand.New(rand.NewPCG(1, 2)))
			graftest.AssertClose(t, c.name, xs, []float64{c.want, c.want, c.want, c.want}, 0, 0)
		})
	}
}

func TestDenseUsesTheChosenInitializers(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3, 2)
	d := layers.NewModel(1).Dense(2, nil, layers.WithInit(layers.Constant(0.5)), layers.WithBiasInit(layers.Ones))
	d.Apply(x)
	graftest.AssertClose(t, "W", graph.Float64s(d.Kernel().Value()), []float64{0.5, 0.5, 0.5, 0.5}, 0, 0)
	graftest.AssertClose(t, "b", graph.Float64s(d.Bias().Value()), []float64{1, 1}, 0, 0)
}

// buildMLP builds a 3-8-8-2 network on a model with the given seed and
// returns the model.
func buildMLP(seed uint64, dt graph.DType, init layers.Initializer) *layers.Model {
	g := graph.New()
	m := layers.NewModel(seed)
	net := layers.Sequential{
		m.Dense(8, ops.ReLU, layers.WithInit(init)),
		m.Dense(8, ops.Tanh, layers.WithInit(init), layers.WithBiasInit(layers.Normal(0, 1))),
		m.Dense(2, nil, layers.WithInit(init)),
	}
	net.Apply(g.Input("x", dt, 5, 3))
	m.Param(g, "scale", dt, layers.Uniform(0, 1), 2)
	return m
}

func TestSameSeedGivesTheSameWeightsBitForBit(t *testing.T) {
	inits := map[string]layers.Initializer{"GlorotUniform": layers.GlorotUniform, "HeNormal": layers.HeNormal}
	for _, dt := range dtypes {
		for name, init := range inits {
			t.Run(fmt.Sprintf("%v/%s", dt, name), func(t *testing.T) {
				a, b, c := buildMLP(42, dt, init), buildMLP(42, dt, init), buildMLP(43, dt, init)
				for i, p := range a.Params() {
					va, vb, vc := bitsOf(p), bitsOf(b.Params()[i]), bitsOf(c.Params()[i])
					if fmt.Sprint(va) != fmt.Sprint(vb) {
						t.Errorf("%s differs between two builds with seed 42", p.Name())
					}
					if p.Name() != "dense1/b" && p.Name() != "dense3/b" && fmt.Sprint(va) == fmt.Sprint(vc) {
						t.Errorf("%s is the same for seeds 42 and 43", p.Name())
					}
				}
			})
		}
	}
}

func TestWeightsDependOnCreationOrderNotApplicationOrder(t *testing.T) {
	build := func(reversed bool) [][]uint64 {
		g := graph.New()
		m := layers.NewModel(5)
		first, second := m.Dense(4, nil), m.Dense(4, nil)
		x := g.Input("x", tensor.Float64, 2, 4)
		if reversed {
			first.Apply(second.Apply(x))
		} else {
			second.Apply(first.Apply(x))
		}
		return [][]uint64{bitsOf(first.Kernel()), bitsOf(second.Kernel())}
	}
	if fmt.Sprint(build(false)) != fmt.Sprint(build(true)) {
		t.Error("applying the layers in another order changed their weights")
	}
}

// bitsOf returns the bit patterns of a parameter's values.
func bitsOf(p *graph.Node) []uint64 {
	var bits []uint64
	if p.DType() == tensor.Float32 {
		for _, v := range p.Value().Float32s() {
			bits = append(bits, uint64(math.Float32bits(v)))
		}
		return bits
	}
	for _, v := range p.Value().Float64s() {
		bits = append(bits, math.Float64bits(v))
	}
	return bits
}

func TestFloat32WeightsAreTheFloat64WeightsRounded(t *testing.T) {
	m32, m64 := buildMLP(8, tensor.Float32, layers.GlorotNormal), buildMLP(8, tensor.Float64, layers.GlorotNormal)
	for i, p := range m32.Params() {
		want := m64.Params()[i].Value().Float64s()
		for j, v := range p.Value().Float32s() {
			if v != float32(want[j]) {
				t.Fatalf("%s[%d] is %v in float32, want float32(%v)", p.Name(), j, v, want[j])
			}
		}
	}
}
