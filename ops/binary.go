package ops

import (
	"fmt"

	"graft/graph"
	"graft/internal/vecmath"
)

// binary is the shared part of the elementwise binary ops: a name, a scalar
// function for each dtype, and the broadcast plan worked out by Infer. Each
// op embeds it and adds its own gradient rule (the rules get the operands,
// the output and the upstream gradient dy, and may return a broadcast shape,
// which autodiff sums back to the operand's shape).
type binary struct {
	name string
	fast fastKind // Add, Sub, Mul and Div get hand-written loops
	f32  func(a, b float32) float32
	f64  func(a, b float64) float64
	plan stridedPlan
}

func (op *binary) Name() string { return op.name }

func (op *binary) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	a, b := in[0], in[1]
	if a.DType() != b.DType() {
		return nil, graph.DType{}, fmt.Errorf("dtypes %v and %v differ; graft never converts implicitly", a.DType(), b.DType())
	}
	out, err := broadcastShapes(a.Shape(), b.Shape())
	if err != nil {
		return nil, graph.DType{}, err
	}
	op.plan = newStridedPlan(out, out.Strides(), broadcastStrides(a.Shape(), out), broadcastStrides(b.Shape(), out))
	return out, a.DType(), nil
}

func (op *binary) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, binaryKernel[float32], binaryKernel[float64])
}

// ForwardRange implements graph.Elementwise: elements [lo, hi) of the
// output, each operand being the output's shape, a scalar or a row (Compile
// fuses the op only then); a row is walked a run per row.
func (op *binary) ForwardRange(out *graph.Value, in []*graph.Value, lo, hi int) {
	cols := 1
	if s := out.Shape; len(s) > 0 {
		cols = s[len(s)-1]
	}
	if out.F32 != nil {
		binaryRange(op, out.F32, in[0].F32, in[1].F32, cols, lo, hi)
	} else {
		binaryRange(op, out.F64, in[0].F64, in[1].F64, cols, lo, hi)
	}
}

func binaryRange[T graph.Float](op *binary, out, a, b []T, cols, lo, hi int) {
	f := ofDType[func(a, b T) T](op.f32, op.f64)
	rowA, rowB := len(a) != len(out) && len(a) != 1, len(b) != len(out) && len(b) != 1
	for lo < hi {
		end := hi
		if rowA || rowB { // a row's elements repeat every cols: one run per row
			end = min(hi, (lo/cols+1)*cols)
		}
		ra, sa := rangeOf(a, len(out), cols, lo, end)
		rb, sb := rangeOf(b, len(out), cols, lo, end)
		binaryRun(op.fast, f, out[lo:end], ra, 0, sa, rb, 0, sb)
		lo = end
	}
}

// rangeOf returns the part of an operand that elements [lo, hi) of an
// output of size elements and rows of cols read, and its stride: all of it
// at lo for an operand of the output's size, its one element (stride 0)
// for a scalar, and the row's elements from lo mod cols for a row ([lo, hi)
// within one row).
func rangeOf[T graph.Float](x []T, size, cols, lo, hi int) ([]T, int) {
	switch {
	case len(x) == size:
		return x[lo:hi], 1
	case len(x) == 1:
		return x, 0
	}
	at := lo % cols
	return x[at : at+hi-lo], 1
}

// operands returns a binary node's inputs.
func operands(n *graph.Node) (a, b *graph.Node) { return n.Inputs()[0], n.Inputs()[1] }

// broadcastShapes applies NumPy's broadcasting rule to two shapes.
func broadcastShapes(a, b graph.Shape) (graph.Shape, error) {
	n := max(len(a), len(b))
	out := make(graph.Shape, n)
	for i := 1; i <= n; i++ {
		da, db := 1, 1
		if i <= len(a) {
			da = a[len(a)-i]
		}
		if i <= len(b) {
			db = b[len(b)-i]
		}
		switch {
		case da == db || db == 1:
			out[n-i] = da
		case da == 1:
			out[n-i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast: axis %d has %d and %d", a, b, -i, da, db)
		}
	}
	if _, err := sizeOf(out); err != nil {
		return nil, fmt.Errorf("shapes %v and %v broadcast to %v: %v", a, b, out, err)
	}
	return out, nil
}

type fastKind int

const (
	slowLoop fastKind = iota
	addLoop
	subLoop
	mulLoop
	divLoop
)

// binaryKernel runs the op's scalar function over the plan's runs. The
// common cases (same shape, or one operand a scalar or a row) of the four
// arithmetic ops get tight loops without a function call per element.
func binaryKernel[T graph.Float](op *binary, out []T, in []*graph.Value) {
	stridedBinary(&op.plan, op.fast, ofDType[func(a, b T) T](op.f32, op.f64), out, floats[T](in[0]), floats[T](in[1]))
}

// stridedBinary is binaryKernel on the plan p and slices. A plan with two
// outer axes, the layout of a per-channel bias (N, C, H·W) + (1, C, 1), walks
// its runs in two nested loops that step the operands' offsets by their
// strides, instead of working each run's offsets out with a division and a
// remainder per axis: on (64, 32, 10, 10) those cost about as much as the
// additions.
func stridedBinary[T graph.Float](p *stridedPlan, fast fastKind, f func(a, b T) T, out, a, b []T) {
	sa, sb := p.innerStride[1], p.innerStride[2]
	n := p.inner
	if len(p.outerDims) == 2 {
		sa0, sa1 := p.outerStrides[1][0], p.outerStrides[1][1]
		sb0, sb1 := p.outerStrides[2][0], p.outerStrides[2][1]
		r := 0
		for i := 0; i < p.outerDims[0]; i++ {
			oa, ob := i*sa0, i*sb0
			for j := 0; j < p.outerDims[1]; j++ {
				binaryRun(fast, f, out[r*n:r*n+n], a, oa, sa, b, ob, sb)
				oa += sa1
				ob += sb1
				r++
			}
		}
		return
	}
	for r := 0; r < p.runs; r++ {
		binaryRun(fast, f, out[r*n:r*n+n], a, p.offset(1, r), sa, b, p.offset(2, r), sb)
	}
}

// binaryRun computes one run o of a binary op, whose operands start at
// offsets oa and ob and step by sa and sb.
func binaryRun[T graph.Float](fast fastKind, f func(a, b T) T, o, a []T, oa, sa int, b []T, ob, sb int) {
	n := len(o)
	switch {
	case fast != slowLoop && sa == 1 && sb == 1:
		vectorVector(fast, o, a[oa:oa+n], b[ob:ob+n])
	case fast != slowLoop && sa == 1 && sb == 0:
		vectorScalar(fast, o, a[oa:oa+n], b[ob])
	case fast != slowLoop && sa == 0 && sb == 1:
		scalarVector(fast, o, a[oa], b[ob:ob+n])
	default:
		for i := range o {
			o[i] = f(a[oa], b[ob])
			oa += sa
			ob += sb
		}
	}
}

// vectorVector, vectorScalar and scalarVector run the vector kernels of
// internal/vecmath, which give the bits of the plain Go loops. A run
// shorter than vecmath.VectorMin, such as a row of an XOR network's 4×10
// layer, takes the loop right here: vecmath's own short path is two generic
// calls further down, which cost the XOR step about 2 % (1.03 µs against
// 1.01 µs), so these few loops stand twice on purpose.
func vectorVector[T graph.Float](k fastKind, o, a, b []T) {
	if len(o) >= vecmath.VectorMin {
		vecmath.VectorVector(k.arith(), o, a[:len(o)], b[:len(o)])
		return
	}
	a, b = a[:len(o)], b[:len(o)]
	switch k {
	case addLoop:
		for i := range o {
			o[i] = a[i] + b[i]
		}
	case subLoop:
		for i := range o {
			o[i] = a[i] - b[i]
		}
	case mulLoop:
		for i := range o {
			o[i] = a[i] * b[i]
		}
	case divLoop:
		for i := range o {
			o[i] = a[i] / b[i]
		}
	}
}

func vectorScalar[T graph.Float](k fastKind, o, a []T, b T) {
	if len(o) >= vecmath.VectorMin {
		vecmath.VectorScalar(k.arith(), o, a[:len(o)], b)
		return
	}
	a = a[:len(o)]
	switch k {
	case addLoop:
		for i := range o {
			o[i] = a[i] + b
		}
	case subLoop:
		for i := range o {
			o[i] = a[i] - b
		}
	case mulLoop:
		for i := range o {
			o[i] = a[i] * b
		}
	case divLoop:
		for i := range o {
			o[i] = a[i] / b
		}
	}
}

func scalarVector[T graph.Float](k fastKind, o []T, a T, b []T) {
	if len(o) >= vecmath.VectorMin {
		vecmath.ScalarVector(k.arith(), o, a, b[:len(o)])
		return
	}
	b = b[:len(o)]
	switch k {
	case addLoop:
		for i := range o {
			o[i] = a + b[i]
		}
	case subLoop:
		for i := range o {
			o[i] = a - b[i]
		}
	case mulLoop:
		for i := range o {
			o[i] = a * b[i]
		}
	case divLoop:
		for i := range o {
			o[i] = a / b[i]
		}
	}
}

// arith is the vecmath operation of one of the four fast loops.
func (k fastKind) arith() vecmath.Arith {
	switch k {
	case addLoop:
		return vecmath.Add
	case subLoop:
		return vecmath.Sub
	case mulLoop:
		return vecmath.Mul
	case divLoop:
		return vecmath.Div
	}
	panic("ops: no vector kernel for the generic loop")
}
