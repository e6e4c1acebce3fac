package ops

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
)

// Each fused chain against its unfused twin: the same graph compiled with
// fusion on and off (graph.SetFusion), in one run. Run with
// go test -bench Fusion -run ^$ -benchmem ./ops/.

// fusionCase builds a graph on g and returns the node to compile and the
// feeds.
type fusionCase struct {
	name  string
	build func(g *graph.Graph) (*graph.Node, graph.Feeds)
}

var fusionCases = []fusionCase{
	// A Dense layer's forward pass: the bias and the ReLU in the GEMM's
	// write-out.
	{"MatMul→Add→ReLU 256x784·784x256", func(g *graph.Graph) (*graph.Node, graph.Feeds) {
		x := g.Input("x", tensor.Float32, 256, 784)
		w := g.Param("w", ramp32(784, 256))
		bias := g.Param("b", ramp32(256))
		return ReLU(Add(MatMul(x, w), bias)), graph.Feeds{x: ramp32(256, 784)}
	}},
	// The backward pass through a ReLU: the mask in the write-out of dy·Wᵀ.
	{"MatMulNT→ReLUGrad 256x128·(256x128)ᵀ", func(g *graph.Graph) (*graph.Node, graph.Feeds) {
		dy := g.Input("dy", tensor.Float32, 256, 128)
		w := g.Param("w", ramp32(256, 128))
		y := g.Input("y", tensor.Float32, 256, 256)
		return reluGrad(y, MatMulT(dy, w, false, true)), graph.Feeds{dy: ramp32(256, 128), y: ramp32(256, 256)}
	}},
	// A chain of elementwise ops alone: swish, x·σ(x), then scaled and
	// shifted, on a million elements.
	{"Sigmoid→Mul→Mul→Add 1M", func(g *graph.Graph) (*graph.Node, graph.Feeds) {
		x := g.Input("x", tensor.Float32, 1024, 1024)
		y := Add(Mul(Mul(Sigmoid(x), x), ScalarLike(x, 0.5)), ScalarLike(x, 1))
		return y, graph.Feeds{x: ramp32(1024, 1024)}
	}},
}

func BenchmarkFusion(b *testing.B) {
	for _, c := range fusionCases {
		for _, on := range []bool{true, false} {
			name := fmt.Sprintf("%s/fused=%v", c.name, on)
			b.Run(name, func(b *testing.B) {
				g := graph.New()
				g.SetFusion(on)
				out, feeds := c.build(g)
				prog, err := graph.Compile(out)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := prog.Run(feeds); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// ramp32 is a float32 tensor of the given shape holding a sawtooth in
// [-1, 1), with signs mixed as a layer's are.
func ramp32(shape ...int) *tensor.Dense {
	n := graph.Shape(shape).Size()
	data := make([]float64, n)
	for i := range data {
		data[i] = float64(i%23)/11.5 - 1
	}
	return graftest.Tensor(tensor.Float32, data, shape...)
}
