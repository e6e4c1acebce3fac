package bench

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// This file builds one multilayer perceptron twice, in graft and in
// Gorgonia, from one netSpec and one set of numbers (netData). The oracle
// tests and the benchmarks share it, so what is timed is what is checked.

type activation int

const (
	relu activation = iota
	tanh
)

type lossKind int

const (
	// sigmoidMSE is mean((sigmoid(z) - y)²) over every element.
	sigmoidMSE lossKind = iota
	// softmaxCrossEntropy is -Σ y·logsoftmax(z) over the classes, averaged
	// over the batch.
	softmaxCrossEntropy
	// sigmoidBinaryCrossEntropy is -mean(y·log p + (1-y)·log(1-p)) with
	// p = sigmoid(z), over every element: the loss of examples/xor. Unlike
	// losses.BinaryCrossEntropy it does not clip p, so that both frameworks
	// compute the very same formula; at their starting weights the bench's
	// nets keep p inside [0.01, 0.99], as
	// TestBinaryCrossEntropyInputsStayAwayFromZeroAndOne checks.
	sigmoidBinaryCrossEntropy
)

// netSpec describes a perceptron: dense layers of the given widths (input
// width first, output width last), the activation after every hidden layer,
// and the loss on the last layer's output.
type netSpec struct {
	name   string
	batch  int
	widths []int
	hidden activation
	loss   lossKind
	dtype  tensor.Dtype
	xor    bool // feed the four XOR rows and targets instead of random data

	unfused bool // compile without fusion (graph.SetFusion(false))
}

// xorNet is the network of examples/xor: the four rows of the truth table, a
// hidden layer of 10 ReLUs and one sigmoid output trained on binary
// cross-entropy.
func xorNet(dt tensor.Dtype) netSpec {
	return netSpec{name: "xor 2-10-1 relu, sigmoid+binary cross-entropy", batch: 4, widths: []int{2, 10, 1}, hidden: relu, loss: sigmoidBinaryCrossEntropy, dtype: dt, xor: true}
}

// mnistNet is the shape of an MNIST classifier at batch 64.
func mnistNet(dt tensor.Dtype) netSpec {
	return netSpec{name: "784-256-128-10 relu, softmax cross-entropy", batch: 64, widths: []int{784, 256, 128, 10}, hidden: relu, loss: softmaxCrossEntropy, dtype: dt}
}

// netData holds every number of one net, in float64 and row-major: the
// batch x (batch × width in), the targets y (batch × width out), and per
// layer l the weights (widths[l] × widths[l+1]) and the bias (widths[l+1]).
type netData struct {
	x, y    []float64
	weights [][]float64
	biases  [][]float64
}

// newNetData draws the numbers of a net from a fixed seed: Glorot-uniform
// weights, biases uniform in ±0.1 (never exactly 0, so no ReLU sits on its
// kink, where graft and Gorgonia choose different derivatives), inputs
// uniform in ±1 and one-hot targets, or the XOR table.
func newNetData(s netSpec, seed uint64) netData {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	uniform := func(n int, limit float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = limit * (2*rng.Float64() - 1)
		}
		return v
	}
	var d netData
	for l := 0; l+1 < len(s.widths); l++ {
		in, out := s.widths[l], s.widths[l+1]
		d.weights = append(d.weights, uniform(in*out, math.Sqrt(6/float64(in+out))))
		d.biases = append(d.biases, uniform(out, 0.1))
	}
	in, classes := s.widths[0], s.widths[len(s.widths)-1]
	if s.xor {
		d.x = []float64{0, 0, 0, 1, 1, 0, 1, 1}
		d.y = []float64{0, 1, 1, 0}
		return d
	}
	d.x = uniform(s.batch*in, 1)
	d.y = make([]float64, s.batch*classes)
	for r := 0; r < s.batch; r++ {
		d.y[r*classes+rng.IntN(classes)] = 1
	}
	return d
}

// float64s copies the data of a Gorgonia value, a float32 or float64 slice
// or scalar, into a new []float64 (graft's results are read with
// graph.Float64s).
func float64s(data any) ([]float64, error) {
	switch v := data.(type) {
	case []float64:
		return append([]float64(nil), v...), nil
	case []float32:
		out := make([]float64, len(v))
		for i, f := range v {
			out[i] = float64(f)
		}
		return out, nil
	case float64:
		return []float64{v}, nil
	case float32:
		return []float64{float64(v)}, nil
	}
	return nil, fmt.Errorf("unexpected data of type %T", data)
}

// stepResult is what one training step yields: the loss and the gradient of
// every parameter (w0, b0, w1, b1, ...), flattened.
type stepResult struct {
	loss  float64
	grads [][]float64
}

// graftNet is a net compiled by graft into one program that returns the
// loss and then the gradient of every parameter.
type graftNet struct {
	prog   *graph.Program
	feeds  graph.Feeds
	params []*graph.Node // in the order of the gradients, which follow the loss
}

func newGraftNet(s netSpec, d netData) (*graftNet, error) {
	g := graph.New()
	g.SetFusion(!s.unfused)
	x := g.Input("x", s.dtype, s.batch, s.widths[0])
	y := g.Input("y", s.dtype, s.batch, s.widths[len(s.widths)-1])
	var params []*graph.Node
	h := x
	for l := range d.weights {
		in, out := s.widths[l], s.widths[l+1]
		w := g.Param(fmt.Sprintf("w%d", l), graftest.Tensor(s.dtype, d.weights[l], in, out))
		b := g.Param(fmt.Sprintf("b%d", l), graftest.Tensor(s.dtype, d.biases[l], out))
		params = append(params, w, b)
		h = ops.Add(ops.MatMul(h, w), b)
		if l+1 < len(d.weights) {
			if s.hidden == tanh {
				h = ops.Tanh(h)
			} else {
				h = ops.ReLU(h)
			}
		}
	}
	loss := graftLoss(s.loss, h, y)
	grads, err := autodiff.Grad(loss, params...)
	if err != nil {
		return nil, err
	}
	prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
	if err != nil {
		return nil, err
	}
	feeds := graph.Feeds{
		x: graftest.Tensor(s.dtype, d.x, s.batch, s.widths[0]),
		y: graftest.Tensor(s.dtype, d.y, s.batch, s.widths[len(s.widths)-1]),
	}
	return &graftNet{prog: prog, feeds: feeds, params: params}, nil
}

// graftLoss builds the loss of the given kind on the last layer's output z;
// gorgoniaLoss builds the same formulas, op for op.
func graftLoss(kind lossKind, z, y *graph.Node) *graph.Node {
	switch kind {
	case sigmoidMSE:
		return ops.Mean(ops.Square(ops.Sub(ops.Sigmoid(z), y)))
	case sigmoidBinaryCrossEntropy:
		p := ops.Sigmoid(z)
		one := ops.ScalarLike(p, 1)
		likelihood := ops.Add(ops.Mul(y, ops.Log(p)), ops.Mul(ops.Sub(one, y), ops.Log(ops.Sub(one, p))))
		return ops.Neg(ops.Mean(likelihood))
	}
	// softmaxCrossEntropy
	return ops.Neg(ops.Mean(ops.Sum(ops.Mul(y, ops.LogSoftmax(z, 1)), 1)))
}

// step runs the program once and copies out its results.
func (n *graftNet) step() (stepResult, error) {
	out, err := n.prog.Run(n.feeds)
	if err != nil {
		return stepResult{}, err
	}
	var r stepResult
	for i, t := range out {
		v := graph.Float64s(t)
		if i == 0 {
			r.loss = v[0]
		} else {
			r.grads = append(r.grads, v)
		}
	}
	return r, nil
}

// gorgoniaNet is the same net as a Gorgonia expression graph on a
// TapeMachine. The loss is read through gorgonia.Read and the gradients
// through the parameters' dual values (BindDualValues), the documented ways
// to get values out of a run.
type gorgoniaNet struct {
	machine gorgonia.VM
	params  []*gorgonia.Node
	loss    gorgonia.Value // filled by the machine on every run
}

func newGorgoniaNet(s netSpec, d netData) (*gorgoniaNet, error) {
	g := gorgonia.NewGraph()
	matrix := func(name string, data []float64, rows, cols int) *gorgonia.Node {
		return gorgonia.NewMatrix(g, s.dtype, gorgonia.WithShape(rows, cols), gorgonia.WithName(name),
			gorgonia.WithValue(graftest.Tensor(s.dtype, data, rows, cols)))
	}
	x := matrix("x", d.x, s.batch, s.widths[0])
	y := matrix("y", d.y, s.batch, s.widths[len(s.widths)-1])
	n := &gorgoniaNet{}
	h := x
	for l := range d.weights {
		in, out := s.widths[l], s.widths[l+1]
		w := matrix(fmt.Sprintf("w%d", l), d.weights[l], in, out)
		b := matrix(fmt.Sprintf("b%d", l), d.biases[l], 1, out) // BroadcastAdd wants equal ranks
		n.params = append(n.params, w, b)
		xw, err := gorgonia.Mul(h, w)
		if err != nil {
			return nil, err
		}
		if h, err = gorgonia.BroadcastAdd(xw, b, nil, []byte{0}); err != nil {
			return nil, err
		}
		if l+1 < len(d.weights) {
			if s.hidden == tanh {
				h, err = gorgonia.Tanh(h)
			} else {
				h, err = gorgonia.Rectify(h)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	loss, err := gorgoniaLoss(s.loss, h, y)
	if err != nil {
		return nil, err
	}
	gorgonia.Read(loss, &n.loss)
	if _, err := gorgonia.Grad(loss, n.params...); err != nil {
		return nil, err
	}
	n.machine = gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(n.params...))
	return n, nil
}

func gorgoniaLoss(kind lossKind, z, y *gorgonia.Node) (*gorgonia.Node, error) {
	switch kind {
	case sigmoidBinaryCrossEntropy:
		return gorgoniaBinaryCrossEntropy(z, y)
	case sigmoidMSE:
		p, err := gorgonia.Sigmoid(z)
		if err != nil {
			return nil, err
		}
		diff, err := gorgonia.Sub(p, y)
		if err != nil {
			return nil, err
		}
		sq, err := gorgonia.Square(diff)
		if err != nil {
			return nil, err
		}
		return gorgonia.Mean(sq)
	}
	// softmaxCrossEntropy
	logp, err := gorgonia.LogSoftMax(z)
	if err != nil {
		return nil, err
	}
	yLogp, err := gorgonia.HadamardProd(y, logp)
	if err != nil {
		return nil, err
	}
	perRow, err := gorgonia.Sum(yLogp, 1)
	if err != nil {
		return nil, err
	}
	mean, err := gorgonia.Mean(perRow)
	if err != nil {
		return nil, err
	}
	return gorgonia.Neg(mean)
}

// gorgoniaBinaryCrossEntropy is graftLoss's sigmoidBinaryCrossEntropy:
// -mean(y·log p + (1-y)·log(1-p)) with p = sigmoid(z), op for op. Gorgonia
// then rewrites log(sigmoid(z)) as -softplus(-z) on its own (its
// "stabilization", stabilization.go), which agrees with graft's
// log(sigmoid(z)) to rounding while |z| <= 16, where its float64
// softplus(x) starts returning x. The bench's logits stay far inside that
// (p in [0.01, 0.99] means |z| < 4.6).
func gorgoniaBinaryCrossEntropy(z, y *gorgonia.Node) (*gorgonia.Node, error) {
	var one *gorgonia.Node
	if z.Dtype() == tensor.Float32 {
		one = gorgonia.NewConstant(float32(1))
	} else {
		one = gorgonia.NewConstant(1.0)
	}
	p, err := gorgonia.Sigmoid(z)
	if err != nil {
		return nil, err
	}
	logP, err := gorgonia.Log(p)
	if err != nil {
		return nil, err
	}
	q, err := gorgonia.Sub(one, p)
	if err != nil {
		return nil, err
	}
	logQ, err := gorgonia.Log(q)
	if err != nil {
		return nil, err
	}
	notY, err := gorgonia.Sub(one, y)
	if err != nil {
		return nil, err
	}
	yLogP, err := gorgonia.HadamardProd(y, logP)
	if err != nil {
		return nil, err
	}
	notYLogQ, err := gorgonia.HadamardProd(notY, logQ)
	if err != nil {
		return nil, err
	}
	likelihood, err := gorgonia.Add(yLogP, notYLogQ)
	if err != nil {
		return nil, err
	}
	mean, err := gorgonia.Mean(likelihood)
	if err != nil {
		return nil, err
	}
	return gorgonia.Neg(mean)
}

// step runs the machine once on a fresh machine state and copies out the
// loss and the gradients. Gorgonia adds each run's gradient into the dual
// values, so only the first step of a machine gives the gradient itself.
func (n *gorgoniaNet) step() (stepResult, error) {
	defer n.machine.Reset()
	if err := n.machine.RunAll(); err != nil {
		return stepResult{}, err
	}
	if n.loss == nil {
		return stepResult{}, fmt.Errorf("gorgonia did not write the loss")
	}
	loss, err := float64s(n.loss.Data())
	if err != nil {
		return stepResult{}, err
	}
	r := stepResult{loss: loss[0]}
	for _, p := range n.params {
		grad, err := p.Grad()
		if err != nil {
			return stepResult{}, fmt.Errorf("gradient of %s: %w", p.Name(), err)
		}
		v, err := float64s(grad.Data())
		if err != nil {
			return stepResult{}, err
		}
		r.grads = append(r.grads, v)
	}
	return r, nil
}

func (n *gorgoniaNet) close() { n.machine.Close() }
