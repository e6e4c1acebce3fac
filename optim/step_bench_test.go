package optim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/optim"
)

// benchSets are the parameter sets the Step benchmarks update: the
// 784-256-128-10 MLP's 235,146 parameters in its six tensors, whose 4
// float32 arrays of Adam (3.8 MB) stay in this machine's 32 MiB L3, the
// 784-1024-1024-10 MLP's 1,863,690 (30 MB for Adam), and one 4M-element
// tensor (64 MB for Adam), which does not fit.
var benchSets = []struct {
	name   string
	shapes [][]int
}{
	{"mlp235k", [][]int{{784, 256}, {256}, {256, 128}, {128}, {128, 10}, {10}}},
	{"wide1.86M", [][]int{{784, 1024}, {1024}, {1024, 1024}, {1024}, {1024, 10}, {10}}},
	{"large4M", [][]int{{2048, 2048}}},
}

// benchOptimizers are the update loops measured, each made fresh.
var benchOptimizers = []struct {
	name string
	make func() optim.Optimizer
}{
	{"SGD", func() optim.Optimizer { return optim.NewSGD(0.01) }},
	{"SGDMomentum", func() optim.Optimizer {
		return with(optim.NewSGD(0.01), func(o *optim.SGD) { o.Momentum = 0.9 })
	}},
	{"SGDNesterov", func() optim.Optimizer {
		return with(optim.NewSGD(0.01), func(o *optim.SGD) { o.Momentum, o.Nesterov = 0.9, true })
	}},
	{"RMSProp", func() optim.Optimizer { return optim.NewRMSProp(0.001) }},
	{"RMSPropMomentum", func() optim.Optimizer {
		return with(optim.NewRMSProp(0.001), func(o *optim.RMSProp) { o.Momentum = 0.9 })
	}},
	{"Adagrad", func() optim.Optimizer { return optim.NewAdagrad(0.01) }},
	{"Adam", func() optim.Optimizer { return optim.NewAdam(0.001) }},
	{"AdamW", func() optim.Optimizer { return optim.NewAdamW(0.001) }},
}

// benchParams makes the parameters of shapes and their gradients, small
// random values of dtype dt.
func benchParams(dt graph.DType, shapes [][]int) ([]*graph.Node, []*tensor.Dense) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(shape []int) *tensor.Dense {
		n := graph.Shape(shape).Size()
		data := make([]float64, n)
		for i := range data {
			data[i] = rng.NormFloat64() * 0.1
		}
		t, err := graph.NewTensor(dt, data, shape...)
		if err != nil {
			panic(err)
		}
		return t
	}
	g := graph.New()
	var params []*graph.Node
	var grads []*tensor.Dense
	for i, shape := range shapes {
		params = append(params, g.Param(fmt.Sprintf("w%d", i), random(shape)))
		grads = append(grads, random(shape))
	}
	return params, grads
}

// BenchmarkStep measures one Step of each optimizer on each parameter set,
// float32 and float64, after a first Step has made the slots. Run it at
// -cpu 1,2 to see the split over two cores.
func BenchmarkStep(b *testing.B) {
	for _, set := range benchSets {
		for _, dt := range dtypes {
			params, grads := benchParams(dt, set.shapes)
			for _, bo := range benchOptimizers {
				b.Run(fmt.Sprintf("%s/%s/%s", set.name, graph.DTypeName(dt), bo.name), func(b *testing.B) {
					opt := bo.make()
					if err := opt.Step(params, grads); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if err := opt.Step(params, grads); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
