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

// This file builds the LeNet-style CNN of examples/mnist --model cnn (and of
// scripts/torch_mnist.py) twice, in graft and in Gorgonia, from one set of
// numbers, as mlp_test.go does for the perceptrons:
//
//	x (batch, 1, 28, 28)
//	conv 5x5 1->16 padding 2, + bias, ReLU, max pool 2x2   -> (batch, 16, 14, 14)
//	conv 5x5 16->32, + bias, ReLU, max pool 2x2            -> (batch, 32, 5, 5)
//	flatten (800), dropout 0.25, dense 128, ReLU, dropout 0.5, dense 10
//	softmax cross-entropy against one-hot targets
//
// The parameters are w0, b0 (conv1), w1, b1 (conv2), w2, b2, w3, b3 (the
// dense layers), in PyTorch's layouts: conv weights (out, in, 5, 5), dense
// weights (in, out). Without dropout both frameworks compute the same
// function, which TestCNNMatchesGorgonia checks; with it each draws its own
// masks (graft's from a seed and its counter, Gorgonia's from the clock).

// cnnSpec is the CNN at one batch size and dtype, with or without dropout.
type cnnSpec struct {
	batch   int
	dtype   tensor.Dtype
	dropout bool
}

// cnnShapes are the parameters' shapes in order.
var cnnShapes = [][]int{{16, 1, 5, 5}, {16}, {32, 16, 5, 5}, {32}, {800, 128}, {128}, {128, 10}, {10}}

// cnnData holds the CNN's numbers in float64: images uniform in [0, 1),
// one-hot targets, He-uniform weights over each layer's fan-in and biases
// uniform in ±0.1.
type cnnData struct {
	x, y   []float64
	params [][]float64
}

func newCNNData(s cnnSpec, seed uint64) cnnData {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var d cnnData
	for i, shape := range cnnShapes {
		n := 1
		for _, a := range shape {
			n *= a
		}
		limit := 0.1
		if i%2 == 0 { // a weight: fan-in is every axis but the output one
			fanIn := n / shape[0]
			if len(shape) == 2 {
				fanIn = shape[0]
			}
			limit = math.Sqrt(6 / float64(fanIn))
		}
		v := make([]float64, n)
		for j := range v {
			v[j] = limit * (2*rng.Float64() - 1)
		}
		d.params = append(d.params, v)
	}
	d.x = make([]float64, s.batch*28*28)
	for i := range d.x {
		d.x[i] = rng.Float64()
	}
	d.y = make([]float64, s.batch*10)
	for r := 0; r < s.batch; r++ {
		d.y[r*10+rng.IntN(10)] = 1
	}
	return d
}

// newGraftCNN compiles graft's step: the loss, then the gradient of every
// parameter.
func newGraftCNN(s cnnSpec, d cnnData) (*graftNet, error) {
	g := graph.New()
	x := g.Input("x", s.dtype, s.batch, 1, 28, 28)
	y := g.Input("y", s.dtype, s.batch, 10)
	var params []*graph.Node
	for i, shape := range cnnShapes {
		params = append(params, g.Param(paramName(i), graftest.Tensor(s.dtype, d.params[i], shape...)))
	}
	dropout := func(h *graph.Node, rate float64, seed uint64) *graph.Node {
		if !s.dropout {
			return h
		}
		return ops.Dropout(h, rate, seed)
	}
	h := ops.Conv(x, params[0], ops.ConvConfig{Padding: ops.SymmetricPadding(2)})
	h = ops.MaxPool2D(ops.ReLU(ops.AddChannelBias(h, params[1])), 2, 2, 0)
	h = ops.Conv(h, params[2], ops.ConvConfig{})
	h = ops.MaxPool2D(ops.ReLU(ops.AddChannelBias(h, params[3])), 2, 2, 0)
	h = dropout(ops.Reshape(h, s.batch, 800), 0.25, 1)
	h = dropout(ops.ReLU(ops.Add(ops.MatMul(h, params[4]), params[5])), 0.5, 2)
	logits := ops.Add(ops.MatMul(h, params[6]), params[7])
	loss := graftLoss(softmaxCrossEntropy, logits, y)
	grads, err := autodiff.Grad(loss, params...)
	if err != nil {
		return nil, err
	}
	prog, err := graph.Compile(append([]*graph.Node{loss}, grads...)...)
	if err != nil {
		return nil, err
	}
	feeds := graph.Feeds{x: graftest.Tensor(s.dtype, d.x, s.batch, 1, 28, 28), y: graftest.Tensor(s.dtype, d.y, s.batch, 10)}
	return &graftNet{prog: prog, feeds: feeds, params: params}, nil
}

// newGorgoniaCNN builds the same net with Gorgonia's Conv2d, MaxPool2D,
// Rectify and Dropout. Gorgonia's Conv2d has no bias: it is a (1, C, 1, 1)
// tensor added with BroadcastAdd along axes 0, 2 and 3.
func newGorgoniaCNN(s cnnSpec, d cnnData) (*gorgoniaNet, error) {
	g := gorgonia.NewGraph()
	tensorNode := func(name string, data []float64, shape ...int) *gorgonia.Node {
		return gorgonia.NewTensor(g, s.dtype, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name),
			gorgonia.WithValue(graftest.Tensor(s.dtype, data, shape...)))
	}
	x := tensorNode("x", d.x, s.batch, 1, 28, 28)
	y := tensorNode("y", d.y, s.batch, 10)
	n := &gorgoniaNet{}
	for i, shape := range cnnShapes {
		switch {
		case i < 4 && i%2 == 1: // conv bias, broadcast over N, H, W
			shape = []int{1, shape[0], 1, 1}
		case i%2 == 1: // dense bias, broadcast over the batch
			shape = []int{1, shape[0]}
		}
		n.params = append(n.params, tensorNode(paramName(i), d.params[i], shape...))
	}
	c := &gorgoniaChain{h: x}
	for block, pad := range []int{2, 0} {
		w, b := n.params[2*block], n.params[2*block+1]
		c.then(func(h *gorgonia.Node) (*gorgonia.Node, error) {
			return gorgonia.Conv2d(h, w, tensor.Shape{5, 5}, []int{pad, pad}, []int{1, 1}, []int{1, 1})
		})
		c.then(func(h *gorgonia.Node) (*gorgonia.Node, error) {
			return gorgonia.BroadcastAdd(h, b, nil, []byte{0, 2, 3})
		})
		c.then(gorgonia.Rectify)
		c.then(func(h *gorgonia.Node) (*gorgonia.Node, error) {
			return gorgonia.MaxPool2D(h, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
		})
	}
	c.then(func(h *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Reshape(h, tensor.Shape{s.batch, 800}) })
	for layer, rate := range []float64{0.25, 0.5} {
		w, b := n.params[4+2*layer], n.params[5+2*layer]
		if s.dropout {
			c.then(func(h *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Dropout(h, rate) })
		}
		c.then(func(h *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.Mul(h, w) })
		c.then(func(h *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.BroadcastAdd(h, b, nil, []byte{0}) })
		if layer == 0 {
			c.then(gorgonia.Rectify)
		}
	}
	if c.err != nil {
		return nil, fmt.Errorf("gorgonia: %w", c.err)
	}
	logits := c.h
	loss, err := gorgoniaLoss(softmaxCrossEntropy, logits, y)
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

// gorgoniaChain applies Gorgonia's builders one after another, stopping at
// the first error, so that a net reads as a sequence of layers.
type gorgoniaChain struct {
	h   *gorgonia.Node
	err error
}

func (c *gorgoniaChain) then(f func(*gorgonia.Node) (*gorgonia.Node, error)) {
	if c.err == nil {
		c.h, c.err = f(c.h)
	}
}
