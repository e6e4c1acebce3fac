package vecmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// updateCase runs one loop of kind kd on p, g and the slots s and u (the
// ones it uses), with coefficients drawn for the test.
type updateCase[T Float] struct {
	name string
	run  func(kd kind, p, g, s, u []T)
}

func updateCases[T Float]() []updateCase[T] {
	return []updateCase[T]{
		{"SGD", func(kd kind, p, g, s, u []T) { sgd(kd, p, g, 0.01) }},
		{"SGDMomentum", func(kd kind, p, g, s, u []T) { sgdMomentum(kd, p, g, s, 0.01, 0.9) }},
		{"SGDNesterov", func(kd kind, p, g, s, u []T) { sgdNesterov(kd, p, g, s, 0.01, 0.9) }},
		{"RMSProp", func(kd kind, p, g, s, u []T) { rmsProp(kd, p, g, s, 0.001, 0.9, 1e-7) }},
		{"RMSPropMomentum", func(kd kind, p, g, s, u []T) { rmsPropMomentum(kd, p, g, s, u, 0.001, 0.9, 0.9, 1e-7) }},
		{"Adagrad", func(kd kind, p, g, s, u []T) { adagrad(kd, p, g, s, 0.01, 1e-7) }},
		{"Adam", func(kd kind, p, g, s, u []T) { adam(kd, p, g, s, u, adamCoefficients[T](1)) }},
		{"AdamW", func(kd kind, p, g, s, u []T) { adam(kd, p, g, s, u, adamCoefficients[T](0.9999)) }},
		{"AdamPyTorch", func(kd kind, p, g, s, u []T) { adamPyTorch(kd, p, g, s, u, adamCoefficients[T](0.9999)) }},
	}
}

// adamCoefficients are those of Adam's first step with lr 0.01.
func adamCoefficients[T Float](keep T) AdamCoefficients[T] {
	return AdamCoefficients[T]{Keep: keep, Beta1: 0.9, OneMinusBeta1: 0.1, Beta2: 0.999, OneMinusBeta2: 0.001,
		Step: T(0.01 * math.Sqrt(0.001) / 0.1), Root: T(math.Sqrt(0.001)), Epsilon: 1e-7}
}

// lengths cover the empty loop, lengths below, at and around every vector
// width and its multiples (the tails), and a long odd one.
var lengths = func() []int {
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return append(ns, 1000, 4099)
}()

// guard elements follow each array; no loop may write them.
const guard = 5

// Every kernel gives the Go loop's bits on every element, for random
// values with random signs and magnitudes (slots that must be
// non-negative for the square roots are), at every length, and leaves
// the elements past the end alone.
func TestKernelsMatchTheGoLoopBitForBit(t *testing.T) {
	t.Run("float32", testKernelsMatchTheGoLoop[float32])
	t.Run("float64", testKernelsMatchTheGoLoop[float64])
}

func testKernelsMatchTheGoLoop[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(n int, positive bool) []T {
		x := make([]T, n+guard)
		for i := range x {
			v := rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-4))
			if positive {
				v = math.Abs(v)
			}
			x[i] = T(v)
		}
		return x
	}
	for _, kd := range supportedKinds()[1:] {
		for _, c := range updateCases[T]() {
			for _, n := range lengths {
				// p, g, s (signed for momentum, non-negative as a mean
				// square) and u; s and u stay non-negative for Adam's v.
				in := [][]T{random(n, false), random(n, false), random(n, true), random(n, true)}
				want, got := clone(in), clone(in)
				c.run(kindGo, want[0][:n], want[1][:n], want[2][:n], want[3][:n])
				c.run(kd, got[0][:n], got[1][:n], got[2][:n], got[3][:n])
				for a := range in {
					for i := range in[a] {
						if !sameBits(got[a][i], want[a][i]) {
							t.Fatalf("%s kind %d n=%d: array %d [%d] = %v, the Go loop gives %v (input %v)",
								c.name, kd, n, a, i, got[a][i], want[a][i], in[a][i])
						}
					}
				}
			}
		}
	}
}

func clone[T Float](xs [][]T) [][]T {
	out := make([][]T, len(xs))
	for i, x := range xs {
		out[i] = append([]T(nil), x...)
	}
	return out
}

func sameBits[T Float](a, b T) bool {
	return math.Float64bits(float64(a)) == math.Float64bits(float64(b)) || (a != a && b != b)
}

// Several steps in a row keep matching: the slots a kernel wrote are what
// the Go loop would have written, step after step.
func TestKernelsMatchTheGoLoopOverSteps(t *testing.T) {
	const n, steps = 133, 20
	for _, kd := range supportedKinds()[1:] {
		for _, c := range updateCases[float32]() {
			rng := rand.New(rand.NewPCG(5, 6))
			want := [][]float32{make([]float32, n), nil, make([]float32, n), make([]float32, n)}
			for i := range want[0] {
				want[0][i] = float32(rng.NormFloat64())
			}
			got := clone(want)
			g := make([]float32, n)
			for range steps {
				for i := range g {
					g[i] = float32(rng.NormFloat64() * 0.1)
				}
				c.run(kindGo, want[0], g, want[2], want[3])
				c.run(kd, got[0], g, got[2], got[3])
			}
			for _, a := range []int{0, 2, 3} {
				for i := range want[a] {
					if !sameBits(got[a][i], want[a][i]) {
						t.Fatalf("%s kind %d after %d steps: array %d [%d] = %v, want %v", c.name, kd, steps, a, i, got[a][i], want[a][i])
					}
				}
			}
		}
	}
}

// The exported loops run the detected kernel and allocate nothing.
func TestLoopsDoNotAllocate(t *testing.T) {
	p, g, s, u := make([]float32, 100), make([]float32, 100), make([]float32, 100), make([]float32, 100)
	allocs := testing.AllocsPerRun(10, func() {
		SGD(p, g, 0.1)
		SGDMomentum(p, g, s, 0.1, 0.9)
		SGDNesterov(p, g, s, 0.1, 0.9)
		RMSProp(p, g, s, 0.1, 0.9, 1e-7)
		RMSPropMomentum(p, g, s, u, 0.1, 0.9, 0.9, 1e-7)
		Adagrad(p, g, s, 0.1, 1e-7)
		Adam(p, g, s, u, adamCoefficients[float32](1))
		AdamPyTorch(p, g, s, u, adamCoefficients[float32](1))
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run of the loops, want 0", allocs)
	}
}

func ExampleAdam() {
	p := []float32{1, -2}
	g := []float32{0.5, -1}
	m, v := make([]float32, 2), make([]float32, 2)
	// The first step of Adam with lr 0.1: step = 0.1·√(1-0.999)/(1-0.9).
	Adam(p, g, m, v, AdamCoefficients[float32]{
		Keep: 1, Beta1: 0.9, OneMinusBeta1: 0.1, Beta2: 0.999, OneMinusBeta2: 0.001,
		Step: float32(0.1 * math.Sqrt(0.001) / 0.1), Epsilon: 1e-7,
	})
	fmt.Printf("p %.4f, m %.4f, v %.6f\n", p, m, v)
	// Output: p [0.9000 -1.9000], m [0.0500 -0.1000], v [0.000250 0.001000]
}
