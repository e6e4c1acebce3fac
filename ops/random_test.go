package ops_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
)

// runTimes compiles outputs and runs the program runs times, returning each
// run's first output as float64s.
func runTimes(t *testing.T, runs int, feeds graph.Feeds, outputs ...*graph.Node) [][]float64 {
	t.Helper()
	prog, err := graph.Compile(outputs...)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]float64
	for range runs {
		out, err := prog.Run(feeds)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, graph.Float64s(out[0]))
	}
	return got
}

func meanAndVariance(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs))
}

type randomBuilder struct {
	name  string
	build func(g *graph.Graph, seed uint64, dt graph.DType, shape ...int) *graph.Node
}

var randomBuilders = []randomBuilder{
	{"RandomUniform", ops.RandomUniform},
	{"RandomNormal", ops.RandomNormal},
	{"RandomBernoulli", func(g *graph.Graph, seed uint64, dt graph.DType, shape ...int) *graph.Node {
		return ops.RandomBernoulli(g, seed, 0.3, dt, shape...)
	}},
}

func TestRandomOpsGiveTheSameBitsForTheSameSeedAndNewOnesEveryRun(t *testing.T) {
	for _, r := range randomBuilders {
		for _, dt := range bothDTypes {
			t.Run(r.name+" "+dt.String(), func(t *testing.T) {
				first := runTimes(t, 3, nil, r.build(graph.New(), 7, dt, 4, 5))
				second := runTimes(t, 3, nil, r.build(graph.New(), 7, dt, 4, 5))
				other := runTimes(t, 1, nil, r.build(graph.New(), 8, dt, 4, 5))
				for run := range first {
					if !sameBits(first[run], second[run]) {
						t.Fatalf("run %d: two graphs with seed 7 drew %v and %v", run, first[run], second[run])
					}
				}
				if sameBits(first[0], first[1]) || sameBits(first[1], first[2]) {
					t.Fatalf("two runs drew the same numbers: %v", first[:2])
				}
				if sameBits(first[0], other[0]) {
					t.Fatal("seeds 7 and 8 drew the same numbers")
				}
			})
		}
	}
}

func TestRandomCounterResumesTheSequence(t *testing.T) {
	g := graph.New()
	u := ops.RandomNormal(g, 3, tensor.Float64, 6)
	uninterrupted := runTimes(t, 4, nil, u)

	resumed := graph.New()
	v := ops.RandomNormal(resumed, 3, tensor.Float64, 6)
	counter, _ := resumed.RandomCounter()
	counter.Value().Float64s()[0] = 2 // as if two runs had happened and a checkpoint restored the counter
	after := runTimes(t, 2, nil, v)
	if !sameBits(after[0], uninterrupted[2]) || !sameBits(after[1], uninterrupted[3]) {
		t.Fatalf("resumed at counter 2: got %v, want %v", after, uninterrupted[2:])
	}
	if c, _ := g.RandomCounter(); c.Value().Float64s()[0] != 4 {
		t.Fatalf("counter after 4 runs is %v", c.Value().Float64s()[0])
	}
}

func TestTwoRandomNodesOfOneProgramAdvanceTheCounterOnce(t *testing.T) {
	g := graph.New()
	a := ops.RandomUniform(g, 1, tensor.Float64, 3)
	b := ops.RandomUniform(g, 2, tensor.Float64, 3)
	prog, err := graph.Compile(a, b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	if sameBits(out[0].Float64s(), out[1].Float64s()) {
		t.Fatal("seeds 1 and 2 drew the same numbers")
	}
	if c, _ := g.RandomCounter(); c.Value().Float64s()[0] != 1 {
		t.Fatalf("counter after one run is %v, want 1", c.Value().Float64s()[0])
	}
}

func TestRandomOpsHaveTheirDistributionsMoments(t *testing.T) {
	const n = 200_000
	// The sample mean of n draws is within 5 standard errors of the true
	// mean with probability 1 - 6e-7; the draws are fixed by the seed, so
	// the test is deterministic anyway.
	cases := []struct {
		name           string
		node           *graph.Node
		mean, variance float64
		lo, hi         float64
	}{
		{"uniform float64", ops.RandomUniform(graph.New(), 11, tensor.Float64, n), 0.5, 1.0 / 12, 0, 1},
		{"uniform float32", ops.RandomUniform(graph.New(), 11, tensor.Float32, n), 0.5, 1.0 / 12, 0, 1},
		{"normal", ops.RandomNormal(graph.New(), 12, tensor.Float64, n), 0, 1, math.Inf(-1), math.Inf(1)},
		{"bernoulli 0.3", ops.RandomBernoulli(graph.New(), 13, 0.3, tensor.Float64, n), 0.3, 0.21, 0, 1.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			xs := runTimes(t, 1, nil, c.node)[0]
			mean, variance := meanAndVariance(xs)
			if se := math.Sqrt(c.variance / n); math.Abs(mean-c.mean) > 5*se {
				t.Errorf("mean %v, want %v ± %v", mean, c.mean, 5*se)
			}
			if math.Abs(variance-c.variance) > 0.02*c.variance {
				t.Errorf("variance %v, want %v", variance, c.variance)
			}
			for i, x := range xs {
				if !(x >= c.lo && x < c.hi) {
					t.Fatalf("element %d is %v, outside [%v, %v)", i, x, c.lo, c.hi)
				}
			}
		})
	}
}

func TestDropoutKeepsTheRateAndScalesWhatItKeeps(t *testing.T) {
	const n, rate = 100_000, 0.25
	for _, dt := range bothDTypes {
		g := graph.New()
		x := g.Input("x", dt, n)
		ones, _ := graph.NewTensor(dt, repeated(n, 1), n)
		ys := runTimes(t, 2, graph.Feeds{x: ones}, ops.Dropout(x, rate, 5))
		kept := 1 / (1 - rate)
		if dt == tensor.Float32 {
			kept = float64(float32(kept))
		}
		dropped := 0
		for _, y := range ys[0] {
			switch y {
			case 0:
				dropped++
			case kept:
			default:
				t.Fatalf("%v: an element is %v, neither 0 nor %v", dt, y, 1/(1-rate))
			}
		}
		if se := math.Sqrt(rate * (1 - rate) / n); math.Abs(float64(dropped)/n-rate) > 5*se {
			t.Errorf("%v: dropped %d of %d, want a rate of %v", dt, dropped, n, rate)
		}
		if sameBits(ys[0], ys[1]) {
			t.Errorf("%v: two runs drew the same mask", dt)
		}
	}
}

// repeated returns n copies of v.
func repeated(n int, v float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = v
	}
	return xs
}

func TestDropoutOfRateZeroIsTheInputAndOfRateOneIsZeros(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	if ops.Dropout(x, 0, 1) != x {
		t.Fatal("Dropout(x, 0) is not x")
	}
	xs, _ := graph.NewTensor(tensor.Float64, []float64{1, 2, 3}, 3)
	if got := runTimes(t, 1, graph.Feeds{x: xs}, ops.Dropout(x, 1, 1))[0]; !sameBits(got, []float64{0, 0, 0}) {
		t.Fatalf("Dropout(x, 1) = %v", got)
	}
}

// Dropout's gradient is its mask: check it against the output of the same
// run, since every run draws a new mask (finite differences cannot).
func TestDropoutGradientIsTheMaskOfTheSameRun(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 50)
	y := ops.Dropout(x, 0.5, 9)
	grads, err := autodiff.Grad(ops.Sum(y), x)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := graph.Compile(y, grads[0])
	if err != nil {
		t.Fatal(err)
	}
	ones, _ := graph.NewTensor(tensor.Float64, repeated(50, 1), 50)
	for range 2 {
		out, err := prog.Run(graph.Feeds{x: ones})
		if err != nil {
			t.Fatal(err)
		}
		if !sameBits(out[0].Float64s(), out[1].Float64s()) {
			t.Fatalf("the output %v and the gradient %v differ", out[0].Float64s(), out[1].Float64s())
		}
	}
}

func TestRandomOpsRejectBadArguments(t *testing.T) {
	x := func() *graph.Node { return graph.New().Input("x", tensor.Float64, 3) }
	cases := []struct {
		name string
		node *graph.Node
		want string
	}{
		{"a probability above 1", ops.RandomBernoulli(graph.New(), 1, 1.5, tensor.Float64, 2), "RandomBernoulli"},
		{"a NaN probability", ops.RandomBernoulli(graph.New(), 1, math.NaN(), tensor.Float64, 2), "not in [0, 1]"},
		{"a negative rate", ops.Dropout(x(), -0.1, 1), "Dropout"},
		{"a rate above 1", ops.Dropout(x(), 1.1, 1), "not in [0, 1]"},
		{"a nil input", ops.Dropout(nil, 0.5, 1), "Dropout"},
		{"a nil graph", ops.RandomUniform(nil, 1, tensor.Float64, 2), "the graph is nil"},
		{"an empty axis", ops.RandomNormal(graph.New(), 1, tensor.Float64, 2, 0), "at least 1"},
		{"an integer dtype", ops.RandomUniform(graph.New(), 1, tensor.Int, 2), "not supported"},
	}
	for _, c := range cases {
		_, err := graph.Compile(c.node)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "random_test.go") {
			t.Errorf("%s: got %v, want a build error at this file containing %q", c.name, err, c.want)
		}
	}
}

func TestRandomOpsAllocateNothingPerRun(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float32, 64)
	xs, _ := graph.NewTensor(tensor.Float32, repeated(64, 1), 64)
	prog, err := graph.Compile(ops.Add(ops.Dropout(x, 0.5, 1), ops.RandomNormal(g, 2, tensor.Float32, 64)))
	if err != nil {
		t.Fatal(err)
	}
	feeds := graph.Feeds{x: xs}
	if allocs := testing.AllocsPerRun(20, func() { prog.Run(feeds) }); allocs != 0 {
		t.Fatalf("Run allocates %v times per call; want 0", allocs)
	}
}

// splitMix64 is the reference generator written out from its paper: add
// the golden increment to the state, then mix.
type splitMix64 struct{ state uint64 }

func (s *splitMix64) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// mixOnce is one SplitMix64 output for the state z - golden.
func mixOnce(z uint64) uint64 {
	s := splitMix64{z - 0x9e3779b97f4a7c15}
	return s.next()
}

func TestRandomUniformIsSplitMix64SeededFromTheSeedAndTheCounter(t *testing.T) {
	const seed = 42
	got := runTimes(t, 2, nil, ops.RandomUniform(graph.New(), seed, tensor.Float64, 5))
	for run, draws := range got {
		start := mixOnce(seed ^ mixOnce(uint64(run)+0x9e3779b97f4a7c15))
		ref := splitMix64{start}
		for i, u := range draws {
			if want := float64(ref.next()>>11) * 0x1p-53; u != want {
				t.Fatalf("run %d, element %d: %v, want %v", run, i, u, want)
			}
		}
	}
}
