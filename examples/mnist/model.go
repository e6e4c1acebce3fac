package main

import (
	"errors"
	"fmt"

	"graft/activations"
	"graft/layers"
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

// errNoConv is what --model cnn reports until graft has the layers it needs.
var errNoConv = errors.New("the cnn model needs the Conv2D, MaxPool2D, Flatten and Dropout layers, which graft does not have yet; use --model mlp")

// cnn is the LeNet-style convolutional network of scripts/torch_mnist.py,
// the model to plug in here once layers.Conv2D and friends exist:
//
//	reshape (n, height·width) -> (n, 1, height, width)   (or channels-last, as the conv op wants)
//	conv 5x5, 1 -> 16 channels, padding 2, ReLU, max pool 2x2
//	conv 5x5, 16 -> 32 channels, no padding, ReLU, max pool 2x2
//	flatten (32·5·5 = 800 for 28x28 images)
//	dropout 0.25, dense 128 ReLU, dropout 0.5, dense 10 (logits)
//
// trainMNIST already builds the training step with the graph in training
// mode and the test program in inference mode, so the dropout layers will
// drop in training only.
func cnn(m *layers.Model, height, width int) (layers.Sequential, error) {
	if height < 12 || width < 12 {
		return nil, fmt.Errorf("the cnn model needs images of at least 12x12 pixels, not %dx%d", height, width)
	}
	return nil, errNoConv
}
