package layers

import (
	"fmt"

	"graft/graph"
	"graft/ops"
)

// Pooling is a layer without parameters that applies one pooling op
// (ops.MaxPool, ops.AvgPool, ops.GlobalAvgPool) to its input, in PyTorch's
// channels-first layout (N, C, spatial...).
type Pooling struct {
	name, kind string
	pool       func(x *graph.Node) *graph.Node
	err        error
	out        graph.Shape
}

func (m *Model) pooling(kind, prefix string, pool func(x *graph.Node) *graph.Node, opts []Option) *Pooling {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	p := &Pooling{kind: kind, pool: pool}
	p.name, p.err = m.name(o.name, prefix)
	m.components = append(m.components, p)
	return p
}

// MaxPool returns a max-pooling layer with the options of ops.MaxPool, over
// as many spatial axes as its input has. Only WithName applies to it.
func (m *Model) MaxPool(cfg ops.PoolConfig, opts ...Option) *Pooling {
	return m.pooling("MaxPool", "maxpool", func(x *graph.Node) *graph.Node { return ops.MaxPool(x, cfg) }, opts)
}

// MaxPool2D returns a max-pooling layer over (N, C, H, W) with square
// windows, as torch.nn.MaxPool2d(kernel, stride, padding); stride 0 means
// kernel, PyTorch's default.
func (m *Model) MaxPool2D(kernel, stride, padding int, opts ...Option) *Pooling {
	if stride == 0 {
		stride = kernel
	}
	return m.pooling("MaxPool2D", "maxpool", func(x *graph.Node) *graph.Node { return ops.MaxPool2D(x, kernel, stride, padding) }, opts)
}

// AvgPool returns an average-pooling layer with the options of ops.AvgPool.
func (m *Model) AvgPool(cfg ops.PoolConfig, opts ...Option) *Pooling {
	return m.pooling("AvgPool", "avgpool", func(x *graph.Node) *graph.Node { return ops.AvgPool(x, cfg) }, opts)
}

// AvgPool2D returns an average-pooling layer over (N, C, H, W) with square
// windows, as torch.nn.AvgPool2d(kernel, stride, padding) (padding counted
// in each window's size, PyTorch's default); stride 0 means kernel.
func (m *Model) AvgPool2D(kernel, stride, padding int, opts ...Option) *Pooling {
	if stride == 0 {
		stride = kernel
	}
	return m.pooling("AvgPool2D", "avgpool", func(x *graph.Node) *graph.Node { return ops.AvgPool2D(x, kernel, stride, padding) }, opts)
}

// GlobalAvgPool2D returns a layer averaging each channel of (N, C, H, W)
// over H and W, giving (N, C): keras.layers.GlobalAveragePooling2D, or
// PyTorch's AdaptiveAvgPool2d(1) followed by a flatten.
func (m *Model) GlobalAvgPool2D(opts ...Option) *Pooling {
	return m.pooling("GlobalAvgPool2D", "globalavgpool", func(x *graph.Node) *graph.Node {
		if x != nil && x.Shape().Rank() != 4 {
			return graph.Reject("GlobalAvgPool2D", fmt.Errorf("wants an input (N, C, H, W), got shape %v", x.Shape()), x)
		}
		return ops.GlobalAvgPool(x)
	}, opts)
}

// Name returns the layer's name, such as "maxpool1".
func (p *Pooling) Name() string { return p.name }

// Apply pools x.
func (p *Pooling) Apply(x *graph.Node) *graph.Node {
	if p.err != nil {
		return graph.Reject(p.kind, p.err, x)
	}
	y := p.pool(x)
	if p.out == nil && y != nil && y.Shape() != nil {
		p.out = y.Shape().Clone()
	}
	return y
}

func (p *Pooling) summary() (string, string, graph.Shape, []*graph.Node) {
	return p.name, p.kind, p.out, nil
}
