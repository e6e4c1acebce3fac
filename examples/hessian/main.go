// Command hessian trains a small tanh network on XOR and looks at the
// curvature of its loss where training ended: the full Hessian from
// autodiff.Hessian, its eigenvalues (gonum's symmetric eigensolver), and
// the loss along the eigenvector of the largest one, the direction in which
// the minimum is sharpest.
//
//	go run ./examples/hessian --plot docs/img/research/hessian.svg
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/spf13/pflag"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/ops"
	"graft/optim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hessian:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// hidden is the width of the network: 2 inputs, hidden tanh units, one
// sigmoid output. Its parameters are one vector θ, so that the Hessian
// covers all of them.
const hidden = 4

// size is the length of θ: W1 (2×hidden), b1, w2 (hidden), b2.
const size = 2*hidden + hidden + hidden + 1

// net builds the loss (binary cross-entropy on the four XOR rows) as a
// function of θ.
func net(g *graph.Graph, theta *graph.Node) *graph.Node {
	xs := g.Const("x", tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{0, 0, 0, 1, 1, 0, 1, 1})))
	ts := g.Const("t", tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0, 1, 1, 0})))
	at := 0
	next := func(shape ...int) *graph.Node {
		n := graph.Shape(shape).Size()
		p := ops.Reshape(ops.Slice(theta, 0, at, at+n), shape...)
		at += n
		return p
	}
	w1, b1, w2, b2 := next(2, hidden), next(hidden), next(hidden, 1), next(1)
	h := ops.Tanh(ops.Add(ops.MatMul(xs, w1), b1))
	logits := ops.Add(ops.MatMul(h, w2), b2)
	// log(1 + e^z) - t·z is binary cross-entropy on logits z.
	return ops.Mean(ops.Sub(ops.Softplus(logits), ops.Mul(ts, logits)))
}

type options struct {
	seed  uint64
	steps int
	plot  string
}

func run(args []string, stdout io.Writer) error {
	var o options
	fs := pflag.NewFlagSet("hessian", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the initial parameters")
	fs.IntVar(&o.steps, "steps", 100, "Adam steps before the Hessian is taken")
	fs.StringVar(&o.plot, "plot", "", "write the spectrum and the loss along the top eigenvector to this SVG file")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v; see hessian --help", errUsage, err)
	}
	if o.steps < 0 || o.steps > 1_000_000 {
		return fmt.Errorf("%w: --steps %d is not in [0, 1000000]", errUsage, o.steps)
	}
	r, err := analyse(o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loss %.3g after %d steps; Hessian eigenvalues:\n", r.loss, o.steps)
	for _, e := range r.eigenvalues {
		fmt.Fprintf(stdout, " %.4g", e)
	}
	fmt.Fprintln(stdout)
	if o.plot != "" {
		return writePlot(o.plot, r)
	}
	return nil
}

// result is what analyse finds.
type result struct {
	loss        float64
	eigenvalues []float64 // ascending
	along       []float64 // the loss at theta + s·top, for s in steps
	steps       []float64
}

func analyse(o options) (result, error) {
	g := graph.New()
	init := make([]float64, size)
	state := o.seed
	for i := range init { // a small deterministic spread, SplitMix64-style
		state += 0x9e3779b97f4a7c15
		z := (state ^ (state >> 30)) * 0xbf58476d1ce4e5b9
		init[i] = (float64(z>>11)/(1<<53) - 0.5) * 2
	}
	theta := g.Param("theta", tensor.New(tensor.WithShape(size), tensor.WithBacking(init)))
	loss := net(g, theta)
	grads, err := autodiff.Grad(loss, theta)
	if err != nil {
		return result{}, err
	}
	hess, err := autodiff.Hessian(loss, theta)
	if err != nil {
		return result{}, err
	}
	step, err := graph.Compile(loss, grads[0])
	if err != nil {
		return result{}, err
	}
	adam := optim.NewAdam(0.05)
	for range o.steps {
		out, err := step.Run(nil)
		if err != nil {
			return result{}, err
		}
		if err := adam.Step([]*graph.Node{theta}, out[1:]); err != nil {
			return result{}, err
		}
	}
	final, err := graph.Compile(loss, hess)
	if err != nil {
		return result{}, err
	}
	out, err := final.Run(nil)
	if err != nil {
		return result{}, err
	}
	r := result{loss: out[0].Float64s()[0]}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(size, out[1].Float64s()), true) {
		return result{}, errors.New("the eigendecomposition did not converge")
	}
	r.eigenvalues = eig.Values(nil)
	sort.Float64s(r.eigenvalues)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	top := mat.Col(nil, size-1, &vecs) // Values are ascending, and so are the columns
	// The loss along the top direction, from the trained θ.
	lossOnly, err := graph.Compile(loss)
	if err != nil {
		return result{}, err
	}
	trained := append([]float64(nil), theta.Value().Float64s()...)
	for k := -30; k <= 30; k++ {
		s := float64(k) / 10
		for i := range trained {
			theta.Value().Float64s()[i] = trained[i] + s*top[i]
		}
		out, err := lossOnly.Run(nil)
		if err != nil {
			return result{}, err
		}
		r.steps = append(r.steps, s)
		r.along = append(r.along, out[0].Float64s()[0])
	}
	copy(theta.Value().Float64s(), trained)
	for _, e := range r.eigenvalues {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return result{}, fmt.Errorf("an eigenvalue is %v", e)
		}
	}
	return r, nil
}
