// Command snake shows how to add an activation to graft from outside
// its packages. It defines snake, x + sin²(ax)/a (Ziyin et al., 2020,
// "Neural Networks Fail to Learn Periodic Functions and How to Fix It"),
// twice:
//
//   - as a composition of ops with a learnable a: a few lines, and no
//     gradient code at all;
//   - as a primitive op with a fixed a, its own kernel and a gradient rule
//     written with ops, through ops.Elementwise.
//
// It checks the first and second derivatives of both, registers the
// primitive under the name "snake" so that layers and flags can find it,
// then trains a 2-4-1 network with a learnable snake on XOR and prints the
// result.
//
//	go run ./examples/snake
package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sync"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/autodiff"
	"graft/graph"
	"graft/ops"
	"graft/optim"
)

// Snake returns x + sin²(a·x)/a, with a broadcast against x (a learnable
// parameter, say). It is built from ops, so autodiff differentiates it, to
// any order, with respect to x and a.
func Snake(x, a *graph.Node) *graph.Node {
	s := ops.Sin(ops.Mul(a, x))
	return ops.Add(x, ops.Div(ops.Square(s), a))
}

// SnakeFixed returns snake with a fixed a as a primitive op: a kernel, and
// a gradient rule written with ops, d/dx = 1 + 2sin(ax)cos(ax) = 1 + sin(2ax).
func SnakeFixed(a float64) activations.Func {
	return func(x *graph.Node) *graph.Node {
		return ops.Elementwise("Snake", x,
			func(v float64) float64 { s := math.Sin(a * v); return v + s*s/a },
			func(x, y, dy *graph.Node) *graph.Node {
				return ops.Mul(dy, ops.Add(ops.ScalarLike(x, 1), ops.Sin(ops.Mul(ops.ScalarLike(x, 2*a), x))))
			})
	}
}

func main() {
	if _, err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// result is what a run achieved, for the test.
type result struct {
	Loss     float64
	Accuracy float64 // fraction of the four XOR cases classified right
}

var registerSnake sync.Once

func run(w io.Writer) (result, error) {
	if err := checkSnake(w); err != nil {
		return result{}, err
	}
	var err error
	registerSnake.Do(func() {
		err = activations.Register(activations.Entry{
			Name: "snake", Func: SnakeFixed(1),
			Formula: "x + sin²(x)", Range: "(-∞, ∞)", UsedIn: "periodic signals, audio (BigVGAN)",
		})
	})
	if err != nil {
		return result{}, err
	}
	if _, err := activations.Lookup("snake"); err != nil {
		return result{}, err
	}
	fmt.Fprintln(w, `registered "snake": activations.Lookup("snake") finds it`)
	return trainXOR(w, 1)
}

// checkSnake checks the first and second derivatives of both forms of
// snake, and that they agree.
func checkSnake(w io.Writer) error {
	points := []float64{-2.1, -0.6, 0.3, 1.7, 3.2}
	if err := autodiff.CheckFunc(SnakeFixed(1.5), points, autodiff.DefaultTolerance); err != nil {
		return fmt.Errorf("primitive snake: %w", err)
	}
	g := graph.New()
	x := g.Input("x", tensor.Float64, len(points))
	a := g.Param("a", must(graph.NewTensor(tensor.Float64, []float64{1.5}, 1)))
	composed, primitive := Snake(x, a), SnakeFixed(1.5)(x)
	feeds := graph.Feeds{x: must(graph.NewTensor(tensor.Float64, points, len(points)))}
	if err := autodiff.CheckDerivatives(ops.Sum(ops.Mul(composed, composed)), []*graph.Node{x, a}, feeds, autodiff.DefaultTolerance); err != nil {
		return fmt.Errorf("composed snake: %w", err)
	}
	prog, err := graph.Compile(ops.Max(ops.Abs(ops.Sub(composed, primitive))))
	if err != nil {
		return err
	}
	out, err := prog.Run(feeds)
	if err != nil {
		return err
	}
	if diff := out[0].Float64s()[0]; diff > 1e-15 {
		return fmt.Errorf("the composed and primitive snakes differ by %g", diff)
	}
	fmt.Fprintln(w, "snake: first and second derivatives pass the gradient check (composed and primitive)")
	return nil
}

// trainXOR fits sigmoid(snake(x·W1 + b1; a)·W2 + b2) to XOR with Adam, the
// cross-entropy loss written stably as softplus(z) - t·z for logits z.
func trainXOR(w io.Writer, seed uint64) (result, error) {
	const hidden, steps = 4, 300
	rng := rand.New(rand.NewPCG(seed, 7))
	g := graph.New()
	x := g.Const("x", must(graph.NewTensor(tensor.Float64, []float64{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2)))
	t := g.Const("t", must(graph.NewTensor(tensor.Float64, []float64{0, 1, 1, 0}, 4, 1)))
	w1 := g.Param("w1", randomTensor(rng, 2, hidden))
	b1 := g.Param("b1", must(graph.NewTensor(tensor.Float64, make([]float64, hidden), hidden)))
	a := g.Param("a", must(graph.NewTensor(tensor.Float64, []float64{1, 1, 1, 1}, hidden)))
	w2 := g.Param("w2", randomTensor(rng, hidden, 1))
	b2 := g.Param("b2", must(graph.NewTensor(tensor.Float64, []float64{0}, 1)))
	params := []*graph.Node{w1, b1, a, w2, b2}

	h := Snake(ops.Add(ops.MatMul(x, w1), b1), a)
	z := ops.Add(ops.MatMul(h, w2), b2)
	loss := ops.Mean(ops.Sub(ops.Softplus(z), ops.Mul(t, z)))
	grads, err := autodiff.Grad(loss, params...)
	if err != nil {
		return result{}, err
	}
	prog, err := graph.Compile(append([]*graph.Node{loss, ops.Sigmoid(z)}, grads...)...)
	if err != nil {
		return result{}, err
	}
	opt := optim.NewAdam(0.05)
	var out []*tensor.Dense
	for step := 0; step <= steps; step++ {
		if out, err = prog.Run(nil); err != nil {
			return result{}, err
		}
		if step%100 == 0 {
			fmt.Fprintf(w, "step %3d  loss %.4f\n", step, out[0].Float64s()[0])
		}
		if step < steps {
			if err := opt.Step(params, out[2:]); err != nil {
				return result{}, err
			}
		}
	}
	res := result{Loss: out[0].Float64s()[0]}
	targets := []float64{0, 1, 1, 0}
	for i, p := range out[1].Float64s() {
		if (p > 0.5) == (targets[i] == 1) {
			res.Accuracy += 0.25
		}
		fmt.Fprintf(w, "xor(%v, %v) = %v: predicted %.3f\n", i/2, i%2, targets[i], p)
	}
	fmt.Fprintf(w, "learned a = %.3f\naccuracy %.0f%%\n", a.Value().Float64s(), 100*res.Accuracy)
	return res, nil
}

// randomTensor returns a rows×cols tensor of weights drawn from N(0, 1/rows).
func randomTensor(rng *rand.Rand, rows, cols int) *tensor.Dense {
	data := make([]float64, rows*cols)
	for i := range data {
		data[i] = rng.NormFloat64() / math.Sqrt(float64(rows))
	}
	return must(graph.NewTensor(tensor.Float64, data, rows, cols))
}

// must returns t, and panics on err: the example's tensors are literals
// whose length matches their shape, so an error is a bug in the example.
func must(t *tensor.Dense, err error) *tensor.Dense {
	if err != nil {
		panic(err)
	}
	return t
}
