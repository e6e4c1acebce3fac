package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// fuzzBytes hands out the fuzzer's bytes one at a time, and zeros once they
// run out, so that every input builds some graph.
type fuzzBytes struct{ data []byte }

func (b *fuzzBytes) next() int {
	if len(b.data) == 0 {
		return 0
	}
	v := b.data[0]
	b.data = b.data[1:]
	return int(v)
}

// small returns an int in [lo, lo+n).
func (b *fuzzBytes) small(lo, n int) int { return lo + b.next()%n }

// shape returns a shape of rank 0 to 3 with axes of 1 to 4.
func (b *fuzzBytes) shape() []int {
	s := make([]int, b.small(0, 4))
	for i := range s {
		s[i] = b.small(1, 4)
	}
	return s
}

// fuzzNode is a node of a random graph with a bound on the magnitude of its
// elements: Inf when the op may overflow or leave its domain (Log of a
// negative number, a division by zero), so that only a finite bound obliges
// the values to be finite.
type fuzzNode struct {
	n     *graph.Node
	bound float64
}

// boundedBy is the bound c of an op whose output is bounded for any finite
// input (Tanh, Softmax), or Inf when x itself may hold NaN or Inf.
func boundedBy(x fuzzNode, c float64) float64 {
	if math.IsInf(x.bound, 1) || math.IsNaN(x.bound) {
		return math.Inf(1)
	}
	return c
}

// fuzzOps are the ops a random graph is built from. Each takes the nodes
// built so far and the bytes, may pick bad axes or shapes (a build error is
// a fine outcome; a panic is not) and returns the new node with its bound.
var fuzzOps = []func(b *fuzzBytes, pick func() fuzzNode) fuzzNode{
	func(b *fuzzBytes, pick func() fuzzNode) fuzzNode { // bounded unary ops
		x := pick()
		switch b.next() % 9 {
		case 0:
			return fuzzNode{ops.Neg(x.n), x.bound}
		case 1:
			return fuzzNode{ops.Abs(x.n), x.bound}
		case 2:
			return fuzzNode{ops.ReLU(x.n), x.bound}
		case 3:
			return fuzzNode{ops.Tanh(x.n), boundedBy(x, 1)}
		case 4:
			return fuzzNode{ops.Sin(x.n), boundedBy(x, 1)}
		case 5:
			return fuzzNode{ops.Sigmoid(x.n), boundedBy(x, 1)}
		case 6:
			return fuzzNode{ops.Erf(x.n), boundedBy(x, 1)}
		case 7:
			return fuzzNode{ops.Softplus(x.n), x.bound + 1}
		}
		return fuzzNode{ops.StopGradient(x.n), x.bound}
	},
	func(b *fuzzBytes, pick func() fuzzNode) fuzzNode { // unary ops that may overflow or leave their domain
		x := pick()
		switch b.next() % 7 {
		case 0:
			return fuzzNode{ops.Exp(x.n), math.Exp(x.bound)}
		case 1:
			return fuzzNode{ops.Square(x.n), x.bound * x.bound}
		case 2:
			return fuzzNode{ops.Log(x.n), math.Inf(1)}
		case 3:
			return fuzzNode{ops.Sqrt(x.n), math.Inf(1)}
		case 4:
			return fuzzNode{ops.Log1p(x.n), math.Inf(1)}
		case 5:
			return fuzzNode{ops.Expm1(x.n), math.Exp(x.bound)}
		}
		return fuzzNode{ops.Sign(x.n), boundedBy(x, 1)}
	},
	func(b *fuzzBytes, pick func() fuzzNode) fuzzNode { // binary ops
		x, y := pick(), pick()
		switch b.next() % 8 {
		case 0:
			return fuzzNode{ops.Add(x.n, y.n), x.bound + y.bound}
		case 1:
			return fuzzNode{ops.Sub(x.n, y.n), x.bound + y.bound}
		case 2:
			return fuzzNode{ops.Mul(x.n, y.n), x.bound * y.bound}
		case 3:
			return fuzzNode{ops.Div(x.n, y.n), math.Inf(1)}
		case 4:
			return fuzzNode{ops.Pow(x.n, y.n), math.Inf(1)}
		case 5:
			return fuzzNode{ops.Maximum(x.n, y.n), max(x.bound, y.bound)}
		case 6:
			return fuzzNode{ops.Minimum(x.n, y.n), max(x.bound, y.bound)}
		}
		return fuzzNode{ops.Greater(x.n, y.n), boundedBy(x, boundedBy(y, 1))}
	},
	func(b *fuzzBytes, pick func() fuzzNode) fuzzNode {
		c, x, y := pick(), pick(), pick()
		return fuzzNode{ops.Where(c.n, x.n, y.n), max(x.bound, y.bound)}
	},
	func(b *fuzzBytes, pick func() fuzzNode) fuzzNode {
		x, y := pick(), pick()
		k := float64(x.n.Shape().Size()) // the contracted axis is no longer
		return fuzzNode{ops.MatMulT(x.n, y.n, b.next()%2 == 0, b.next()%2 == 0), x.bound * y.bound * k}
	},
	func(b *fuzzBytes, pick func() fuzzNode) fuzzNode { // shape ops
		x := pick()
		axis := b.small(-4, 8)
		switch b.next() % 7 {
		case 0:
			shape := b.shape()
			if len(shape) > 0 && b.next()%2 == 0 {
				shape[0] = -1
			}
			return fuzzNode{ops.Reshape(x.n, shape...), x.bound}
		case 1:
			perm := make([]int, b.small(0, 4))
			for i := range perm {
				perm[i] = b.small(-1, 5)
			}
			return fuzzNode{ops.Transpose(x.n, perm...), x.bound}
		case 2:
			return fuzzNode{ops.BroadcastTo(x.n, b.shape()...), x.bound}
		case 3:
			return fuzzNode{ops.Slice(x.n, axis, b.small(-4, 8), b.small(-4, 8)), x.bound}
		case 4:
			return fuzzNode{ops.Pad(x.n, axis, b.small(-1, 4), b.small(0, 3)), x.bound}
		case 5:
			y := pick()
			return fuzzNode{ops.Concat(axis, x.n, y.n), max(x.bound, y.bound)}
		}
		return fuzzNode{ops.Transpose(x.n), x.bound}
	},
	func(b *fuzzBytes, pick func() fuzzNode) fuzzNode { // reductions and softmax
		x := pick()
		n := float64(x.n.Shape().Size())
		axes := make([]int, b.small(0, 3))
		for i := range axes {
			axes[i] = b.small(-4, 8)
		}
		switch b.next() % 8 {
		case 0:
			return fuzzNode{ops.Sum(x.n, axes...), x.bound * n}
		case 1:
			return fuzzNode{ops.SumKeepDims(x.n, axes...), x.bound * n}
		case 2:
			return fuzzNode{ops.Max(x.n, axes...), x.bound}
		case 3:
			return fuzzNode{ops.MaxKeepDims(x.n, axes...), x.bound}
		case 4:
			return fuzzNode{ops.Mean(x.n, axes...), x.bound}
		case 5:
			return fuzzNode{ops.MeanKeepDims(x.n, axes...), x.bound}
		case 6:
			return fuzzNode{ops.Softmax(x.n, b.small(-4, 8)), boundedBy(x, 1)}
		}
		// |x - max| ≤ 2·bound, and log Σ e^(x - max) ≤ log n.
		return fuzzNode{ops.LogSoftmax(x.n, b.small(-4, 8)), 2*x.bound + math.Log(n)}
	},
}

// FuzzRandomGraph builds a small graph of random ops, shapes and axes on one
// to three inputs, and checks that graft holds its promise on it: building
// never panics; Compile fails exactly when the graph recorded a build error;
// otherwise Run succeeds, gives the same bits twice and finite values
// wherever the math is finite (the tracked bound), and the gradient of the
// result with respect to every input builds and runs.
func FuzzRandomGraph(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 2, 2, 3, 0, 3, 1, 4, 2, 2, 0, 5, 1, 1, 6, 0, 0},
		{2, 3, 3, 2, 1, 1, 2, 4, 4, 1, 0, 0, 2, 2, 2, 3, 3, 3, 4, 4, 6, 6, 6},
		{3, 2, 2, 2, 3, 4, 2, 4, 4, 4, 4, 5, 5, 2, 6, 5, 7, 0, 1, 2, 3},
		{1, 1, 3, 0, 1, 3, 2, 1, 1, 4, 5, 0, 2, 0, 1, 6, 1, 8, 3, 7},
		{2, 2, 1, 4, 2, 3, 3, 6, 4, 6, 0, 0, 5, 3, 5, 4, 5, 6, 7, 1, 2},
		{255, 128, 7, 200, 13, 99, 1, 6, 250, 3, 77, 42, 5, 5, 5, 9, 31},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &fuzzBytes{data}
		dt := tensor.Float64
		if b.next()%4 == 0 {
			dt = tensor.Float32
		}
		g := graph.New()
		var nodes []fuzzNode
		var leaves []*graph.Node
		feeds := graph.Feeds{}
		for i := range b.small(1, 3) {
			shape := b.shape()
			x := g.Input(string(rune('a'+i)), dt, shape...)
			values := make([]float64, graph.Shape(shape).Size())
			for j := range values {
				values[j] = float64(b.next())/64 - 2 // in [-2, 2)
			}
			feeds[x] = graftest.Tensor(dt, values, shape...)
			nodes = append(nodes, fuzzNode{x, 2})
			leaves = append(leaves, x)
		}
		pick := func() fuzzNode { return nodes[b.next()%len(nodes)] }
		for range b.small(1, 6) {
			nodes = append(nodes, fuzzOps[b.next()%len(fuzzOps)](b, pick))
		}
		out := nodes[len(nodes)-1]
		prog, err := graph.Compile(out.n)
		if (err != nil) != (g.Err() != nil) {
			t.Fatalf("Compile error %v, graph error %v", err, g.Err())
		}
		if err != nil {
			return
		}
		first := runFuzz(t, prog, feeds)
		if again := runFuzz(t, prog, feeds); !sameBits(first, again) {
			t.Fatalf("two runs differ: %v and %v", first, again)
		}
		limit := 1e300
		if dt == tensor.Float32 {
			limit = 1e37
		}
		if out.bound < limit {
			for i, v := range first {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%v [%d] = %v, but every element is bounded by %g", out.n, i, v, out.bound)
				}
			}
		}
		y := out.n
		if y.Shape().Size() != 1 {
			y = ops.Sum(y)
		}
		grads, err := autodiff.Grad(y, leaves...)
		if err != nil {
			t.Fatalf("Grad of %v: %v", y, err)
		}
		gradProg, err := graph.Compile(grads...)
		if err != nil {
			t.Fatalf("Compile of the gradients: %v", err)
		}
		fused := runAllFuzz(t, gradProg, feeds)
		// Fusion changes how the steps run, never the numbers: the same
		// outputs compiled step by step give the same bits.
		g.SetFusion(false)
		plain, err := graph.Compile(append([]*graph.Node{out.n}, grads...)...)
		if err != nil {
			t.Fatalf("Compile without fusion: %v", err)
		}
		unfused := runAllFuzz(t, plain, feeds)
		if !sameBits(first, unfused[0]) {
			t.Fatalf("fused %v gives %v, unfused %v", prog.Steps(), first, unfused[0])
		}
		for i := range fused {
			if !sameBits(fused[i], unfused[i+1]) {
				t.Fatalf("gradient %d: fused %v gives %v, unfused %v", i, gradProg.Steps(), fused[i], unfused[i+1])
			}
		}
	})
}

// runAllFuzz runs prog and returns every output's values.
func runAllFuzz(t *testing.T, prog *graph.Program, feeds graph.Feeds) [][]float64 {
	t.Helper()
	outs, err := prog.Run(feeds)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	vals := make([][]float64, len(outs))
	for i, o := range outs {
		vals[i] = graph.Float64s(o)
	}
	return vals
}

// runFuzz runs prog and returns its first output's values.
func runFuzz(t *testing.T, prog *graph.Program, feeds graph.Feeds) []float64 {
	t.Helper()
	outs, err := prog.Run(feeds)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return graph.Float64s(outs[0])
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
