package ops

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// The hand-written loops of Add, Sub, Mul, Div (binary.go) and of Neg,
// Square, ReLU and Sign (unary.go) against the generic path they replace: a
// function call per element. Run with go test -bench Kernels -run ^$ ./ops/.

// benchValue returns a float32 value of shape s with distinct elements.
func benchValue(s graph.Shape) *graph.Value {
	v := &graph.Value{Shape: s, DType: tensor.Float32, F32: make([]float32, s.Size())}
	for i := range v.F32 {
		v.F32[i] = float32(i%17) - 8.5
	}
	return v
}

func BenchmarkBinaryKernels(b *testing.B) {
	shapes := []struct {
		name string
		a, b graph.Shape
	}{
		{"same shape (256,256)", graph.Shape{256, 256}, graph.Shape{256, 256}},
		{"row (256,256)+(256,)", graph.Shape{256, 256}, graph.Shape{256}},
		{"scalar (256,256)+()", graph.Shape{256, 256}, graph.Shape{}},
	}
	for _, s := range shapes {
		for _, path := range []struct {
			name string
			fast fastKind
		}{{"fast loop", mulLoop}, {"generic", slowLoop}} {
			b.Run(s.name+"/"+path.name, func(b *testing.B) {
				g := graph.New()
				x, y := g.Input("a", tensor.Float32, s.a...), g.Input("b", tensor.Float32, s.b...)
				op := &binary{name: "Mul", fast: path.fast, f32: mul[float32], f64: mul[float64]}
				shape, _, err := op.Infer([]*graph.Node{x, y})
				if err != nil {
					b.Fatal(err)
				}
				out, in := benchValue(shape), []*graph.Value{benchValue(s.a), benchValue(s.b)}
				b.ReportAllocs()
				b.SetBytes(int64(4 * shape.Size()))
				for b.Loop() {
					op.Forward(out, in)
				}
			})
		}
	}
}

func BenchmarkUnaryKernels(b *testing.B) {
	shape := graph.Shape{256, 256}
	kernels := []struct {
		name    string
		fast    func(out, x []float32)
		generic func(float64) float64
	}{
		{"Neg", neg[float32], func(v float64) float64 { return -v }},
		{"Square", square[float32], func(v float64) float64 { return v * v }},
		{"ReLU", relu[float32], func(v float64) float64 { return max(v, 0) }},
		{"Sign", sign[float32], func(v float64) float64 { return math.Copysign(1, v) }},
	}
	for _, k := range kernels {
		for _, path := range []struct {
			name string
			f32  func(out, x []float32)
		}{{"fast loop", k.fast}, {"generic", mapFloat[float32](k.generic)}} {
			b.Run(k.name+"/"+path.name, func(b *testing.B) {
				op := &unary{name: k.name, f32: path.f32}
				out, in := benchValue(shape), []*graph.Value{benchValue(shape)}
				b.ReportAllocs()
				b.SetBytes(int64(4 * shape.Size()))
				for b.Loop() {
					op.Forward(out, in)
				}
			})
		}
	}
}

func BenchmarkReduceKernels(b *testing.B) {
	for _, c := range []struct {
		name string
		axes []int
	}{{"Sum all (256,256)", nil}, {"Sum axis 0 (256,256)", []int{0}}, {"Sum axis 1 (256,256)", []int{1}}} {
		b.Run(c.name, func(b *testing.B) {
			g := graph.New()
			x := g.Input("x", tensor.Float32, 256, 256)
			op := &reduceOp{reduction: sumReduction(), axes: c.axes}
			shape, _, err := op.Infer([]*graph.Node{x})
			if err != nil {
				b.Fatal(err)
			}
			out, in := benchValue(shape), []*graph.Value{benchValue(x.Shape())}
			b.ReportAllocs()
			for b.Loop() {
				op.Forward(out, in)
			}
		})
	}
}
