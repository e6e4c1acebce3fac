package ops

import (
	"errors"
	"fmt"
	"math"

	"graft/graph"
)

// Random ops draw new numbers on every run, reproducibly. Element i of a
// random node with seed s, on the run that reads the graph's counter value
// c, is a pure function of (s, c, i): the i-th output of a SplitMix64
// generator (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", 2014) whose start is mixed from s and c. So the same seed
// gives the same numbers bit for bit on every machine and for any number of
// goroutines, a run never depends on what another node drew, and saving the
// counter (a state, see graph.Graph.RandomCounter) with the parameters
// resumes the sequence exactly. graft's numbers are not PyTorch's: its
// generators are not portable across frameworks either.
//
// A random node has no gradient. Because it changes on every run, a
// gradient check through one fails; check a model with dropout in
// inference mode, where dropout is the identity.

// RandomUniform adds a node of dtype dt and the given shape whose elements
// are drawn uniformly from [0, 1) on every run. Like torch.rand.
func RandomUniform(g *graph.Graph, seed uint64, dt graph.DType, shape ...int) *graph.Node {
	return random(g, "RandomUniform", randomOp{kind: uniformDraw, seed: seed}, dt, shape)
}

// RandomNormal adds a node of dtype dt and the given shape whose elements
// are drawn from the standard normal distribution on every run (Box–Muller
// on two uniform draws per element). Like torch.randn.
func RandomNormal(g *graph.Graph, seed uint64, dt graph.DType, shape ...int) *graph.Node {
	return random(g, "RandomNormal", randomOp{kind: normalDraw, seed: seed}, dt, shape)
}

// RandomBernoulli adds a node of dtype dt and the given shape whose elements
// are 1 with probability p and 0 otherwise, drawn on every run. p must be in
// [0, 1]. Like torch.bernoulli on a tensor filled with p.
func RandomBernoulli(g *graph.Graph, seed uint64, p float64, dt graph.DType, shape ...int) *graph.Node {
	if !(p >= 0 && p <= 1) {
		return graph.Reject("RandomBernoulli", fmt.Errorf("the probability %v is not in [0, 1]", p), Scalar(g, 0, dt))
	}
	return random(g, "RandomBernoulli", randomOp{kind: bernoulliDraw, seed: seed, p: p, scale: 1}, dt, shape)
}

// Dropout zeroes each element of x with probability rate and scales the
// others by 1/(1-rate), with a new mask on every run, so the expected value
// of every element is unchanged: torch.nn.functional.dropout(x, rate,
// training=True). rate 0 returns x itself and rate 1 zeros. The gradient is
// the same mask applied to the output's gradient. It always drops: the
// layer layers.Dropout applies it only in a graph's training mode.
func Dropout(x *graph.Node, rate float64, seed uint64) *graph.Node {
	switch {
	case x == nil || x.Graph() == nil:
		return graph.Reject("Dropout", errors.New("x is not a node of a graph"), x)
	case !(rate >= 0 && rate <= 1):
		return graph.Reject("Dropout", fmt.Errorf("the rate %v is not in [0, 1]", rate), x)
	case rate == 0:
		return x
	case rate == 1:
		return ZerosLike(x)
	}
	op := randomOp{kind: bernoulliDraw, seed: seed, p: 1 - rate, scale: 1 / (1 - rate)}
	return Mul(x, random(x.Graph(), "Dropout", op, x.DType(), x.Shape()))
}

// random adds the random node: it reads the graph's counter, and every
// program that computes it advances the counter once per run.
func random(g *graph.Graph, name string, op randomOp, dt graph.DType, shape []int) *graph.Node {
	if g == nil {
		return graph.Reject(name, errors.New("the graph is nil"))
	}
	op.name, op.dtype, op.shape = name, dt, graph.Shape(shape).Clone()
	counter, next := g.RandomCounter()
	n := graph.Apply(&op, counter)
	graph.Update(counter, next, n)
	return n
}

type drawKind int

const (
	uniformDraw drawKind = iota
	normalDraw
	bernoulliDraw
)

type randomOp struct {
	name     string
	kind     drawKind
	seed     uint64
	p, scale float64 // bernoulliDraw: 1 (times scale) with probability p
	dtype    graph.DType
	shape    graph.Shape
}

func (op *randomOp) Name() string { return op.name }

func (op *randomOp) Infer([]*graph.Node) (graph.Shape, graph.DType, error) {
	if err := graph.CheckDType(op.dtype); err != nil {
		return nil, op.dtype, err
	}
	if err := graph.CheckShape(op.shape); err != nil {
		return nil, op.dtype, err
	}
	return op.shape, op.dtype, nil
}

// Grad is nil: what a random node draws does not depend on the counter.
func (*randomOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

func (op *randomOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, draw[float32], draw[float64])
}

// draw fills out with the draws of the run whose counter is in[0].
func draw[T graph.Float](op *randomOp, out []T, in []*graph.Value) {
	start := mix64(op.seed ^ mix64(uint64(in[0].F64[0])+golden))
	switch op.kind {
	case uniformDraw:
		var zero T
		if _, is32 := any(zero).(float32); is32 {
			// 24 random bits, so that rounding can never give 1.
			for i := range out {
				out[i] = T(float64(mix64(start+uint64(i+1)*golden)>>40) * 0x1p-24)
			}
			return
		}
		for i := range out {
			out[i] = T(unit(start, uint64(i)))
		}
	case normalDraw:
		for i := range out {
			u1 := 1 - unit(start, 2*uint64(i)) // in (0, 1]: the logarithm stays finite
			u2 := unit(start, 2*uint64(i)+1)
			out[i] = T(math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2))
		}
	case bernoulliDraw:
		one := T(op.scale)
		for i := range out {
			if unit(start, uint64(i)) < op.p {
				out[i] = one
			} else {
				out[i] = 0
			}
		}
	}
}

// golden is SplitMix64's increment, 2^64 divided by the golden ratio.
const golden = 0x9e3779b97f4a7c15

// unit returns the i-th draw of the stream that starts at start, as a
// float64 in [0, 1) with 53 random bits.
func unit(start, i uint64) float64 {
	return float64(mix64(start+(i+1)*golden)>>11) * 0x1p-53
}

// mix64 is SplitMix64's output function, a bijection of the 64-bit words
// whose every output bit depends on every input bit.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
