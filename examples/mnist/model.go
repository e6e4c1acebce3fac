package main

import (
	"fmt"

	"graft/activations"
	"graft/graph"
	"graft/layers"
	"graft/ops"
)

// models are the choices of --model.
var models = map[string]func(m *layers.Model, height, width int) (layers.Sequential, error){
	"mlp": mlp,
	"cnn": cnn,
}

// mlp is the classic multilayer perceptron on the flattened image:
// (height·width)-256-128-10, ReLU between the layers, logits out (the loss
// applies the softmax). Its Dense layers start from Glorot-uniform weights
// and zero biases, Keras' defaults.
func mlp(m *layers.Model, height, width int) (layers.Sequential, error) {
	return layers.Sequential{
		m.Dense(256, activations.ReLU),
		m.Dense(128, activations.ReLU),
		m.Dense(classes, nil),
	}, nil
}

// cnn is the LeNet-style convolutional network of scripts/torch_mnist.py,
// in PyTorch's channels-first layout:
//
//	reshape (n, height·width) -> (n, 1, height, width)
//	conv 5x5, 1 -> 16 channels, padding 2, ReLU, max pool 2x2
//	conv 5x5, 16 -> 32 channels, no padding, ReLU, max pool 2x2
//	flatten (32·5·5 = 800 for 28x28 images)
//	dropout 0.25, dense 128 ReLU, dropout 0.5, dense 10 (logits)
//
// The convolutions start He-uniform and the Dense layers Glorot-uniform,
// all biases at zero. trainMNIST builds the training step with the graph in
// training mode and the test program in inference mode, so the dropout
// layers drop in training only.
func cnn(m *layers.Model, height, width int) (layers.Sequential, error) {
	if height < 12 || width < 12 {
		return nil, fmt.Errorf("the cnn model needs images of at least 12x12 pixels, not %dx%d", height, width)
	}
	same := ops.ConvConfig{Padding: ops.SymmetricPadding(2)}
	return layers.Sequential{
		images(height, width),
		m.Conv2D(16, 5, activations.ReLU, same),
		m.MaxPool2D(2, 0, 0),
		m.Conv2D(32, 5, activations.ReLU, ops.ConvConfig{}),
		m.MaxPool2D(2, 0, 0),
		m.Flatten(),
		m.Dropout(0.25),
		m.Dense(128, activations.ReLU),
		m.Dropout(0.5),
		m.Dense(classes, nil),
	}, nil
}

// images turns rows of height·width pixels, as the data sets hold them,
// into single-channel images (n, 1, height, width) for the convolutions.
func images(height, width int) activations.Func {
	return func(x *graph.Node) *graph.Node {
		return ops.Reshape(x, x.Shape()[0], 1, height, width)
	}
}

// usesRandomness reports whether net draws random numbers in training (it
// has a dropout layer), so that the graph's random-number counter belongs in
// its checkpoints.
func usesRandomness(net layers.Sequential) bool {
	for _, l := range net {
		if _, ok := l.(*layers.Dropout); ok {
			return true
		}
	}
	return false
}
