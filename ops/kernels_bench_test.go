package ops

import (
	"math"
	"math/rand/v2"
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
		{"ReLU", relu32, func(v float64) float64 { return max(v, 0) }},
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

// BenchmarkReLUKernels runs ReLU and its gradient on normal random numbers,
// whose signs no branch predictor guesses, as a layer's are not: the
// branch-free loops against the branching loop and against the gradient as
// two ops (Greater against a scalar 0, then Mul), which it was until reluGrad.
func BenchmarkReLUKernels(b *testing.B) {
	shape := graph.Shape{256, 256}
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() *graph.Value {
		v := benchValue(shape)
		for i := range v.F32 {
			v.F32[i] = float32(rng.NormFloat64())
		}
		return v
	}
	x, dy, out := random(), random(), benchValue(shape)
	g := graph.New()
	xn := g.Input("x", tensor.Float32, shape...)
	greaterOp := &compareOp{binary{name: "Greater", f32: greater[float32], f64: greater[float64]}}
	mulOp := &binary{name: "Mul", fast: mulLoop, f32: mul[float32], f64: mul[float64]}
	for _, op := range []*binary{&greaterOp.binary, mulOp} {
		if _, _, err := op.Infer([]*graph.Node{xn, g.Input("y", tensor.Float32, shape...)}); err != nil {
			b.Fatal(err)
		}
	}
	if _, _, err := greaterOp.Infer([]*graph.Node{xn, g.Input("zero", tensor.Float32)}); err != nil {
		b.Fatal(err)
	}
	zero, mask := benchValue(graph.Shape{}), benchValue(shape)
	zero.F32[0] = 0
	for _, k := range []struct {
		name string
		run  func()
	}{
		{"forward/branch-free", func() { relu32(out.F32, x.F32) }},
		{"forward/branching", func() { reluWithABranch(out.F32, x.F32) }},
		{"gradient/one op", func() { (&reluGradOp{}).Forward(out, []*graph.Value{x, dy}) }},
		{"gradient/two ops", func() {
			greaterOp.Forward(mask, []*graph.Value{x, zero})
			mulOp.Forward(out, []*graph.Value{dy, mask})
		}},
	} {
		b.Run(k.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(4 * shape.Size()))
			for b.Loop() {
				k.run()
			}
		})
	}
}

// BenchmarkBiasKernels runs the kernels of a bias and its gradient on the
// MNIST CNN's first layer and the MLP's first hidden layer at batch 64: the
// broadcast Add and the Sum back to the bias, the latter with and without
// its four-run fold.
func BenchmarkBiasKernels(b *testing.B) {
	for _, c := range []struct {
		name string
		x, b graph.Shape
		axes []int
	}{
		{"channels (64,16,28,28)+(1,16,1,1)", graph.Shape{64, 16, 28, 28}, graph.Shape{1, 16, 1, 1}, []int{0, 2, 3}},
		{"channels (64,32,10,10)+(1,32,1,1)", graph.Shape{64, 32, 10, 10}, graph.Shape{1, 32, 1, 1}, []int{0, 2, 3}},
		{"features (64,128)+(128,)", graph.Shape{64, 128}, graph.Shape{128}, []int{0}},
	} {
		g := graph.New()
		x, bias := g.Input("x", tensor.Float32, c.x...), g.Input("b", tensor.Float32, c.b...)
		add := &binary{name: "Add", fast: addLoop, f32: add[float32], f64: add[float64]}
		shape, _, err := add.Infer([]*graph.Node{x, bias})
		if err != nil {
			b.Fatal(err)
		}
		out, in := benchValue(shape), []*graph.Value{benchValue(c.x), benchValue(c.b)}
		b.Run(c.name+"/Add", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(4 * shape.Size()))
			for b.Loop() {
				add.Forward(out, in)
			}
		})
		sum := &reduceOp{reduction: sumReduction(), axes: c.axes}
		sumShape, _, err := sum.Infer([]*graph.Node{x})
		if err != nil {
			b.Fatal(err)
		}
		lanes := sum.lanes
		for _, path := range []struct {
			name  string
			lanes int
		}{{"Sum/four runs at once", lanes}, {"Sum/one run at a time", 0}} {
			if path.name == "Sum/four runs at once" && lanes == 0 {
				continue
			}
			b.Run(c.name+"/"+path.name, func(b *testing.B) {
				sum.lanes = path.lanes
				sumOut, sumIn := benchValue(sumShape), []*graph.Value{benchValue(c.x)}
				b.ReportAllocs()
				b.SetBytes(int64(4 * c.x.Size()))
				for b.Loop() {
					sum.Forward(sumOut, sumIn)
				}
			})
		}
	}
}
