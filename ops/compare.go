package ops

import (
	"fmt"

	"graft/graph"
)

// Comparisons return a mask of the operands' dtype: 1 where the comparison
// holds and 0 where it does not, with broadcasting. A mask has no gradient
// (it is piecewise constant); use it with Mul or Where.

// Equal returns 1 where a == b and 0 elsewhere.
func Equal(a, b *graph.Node) *graph.Node {
	return compare("Equal", equal[float32], equal[float64], a, b)
}

// NotEqual returns 1 where a != b and 0 elsewhere.
func NotEqual(a, b *graph.Node) *graph.Node {
	return compare("NotEqual", notEqual[float32], notEqual[float64], a, b)
}

// Less returns 1 where a < b and 0 elsewhere.
func Less(a, b *graph.Node) *graph.Node { return compare("Less", less[float32], less[float64], a, b) }

// LessEqual returns 1 where a <= b and 0 elsewhere.
func LessEqual(a, b *graph.Node) *graph.Node {
	return compare("LessEqual", lessEqual[float32], lessEqual[float64], a, b)
}

// Greater returns 1 where a > b and 0 elsewhere.
func Greater(a, b *graph.Node) *graph.Node {
	return compare("Greater", greater[float32], greater[float64], a, b)
}

// GreaterEqual returns 1 where a >= b and 0 elsewhere.
func GreaterEqual(a, b *graph.Node) *graph.Node {
	return compare("GreaterEqual", greaterEqual[float32], greaterEqual[float64], a, b)
}

func compare(name string, f32 func(a, b float32) float32, f64 func(a, b float64) float64, a, b *graph.Node) *graph.Node {
	return graph.Apply(&compareOp{binary{name: name, f32: f32, f64: f64}}, a, b)
}

type compareOp struct{ binary }

func (*compareOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

func equal[T graph.Float](a, b T) T        { return mask[T](a == b) }
func notEqual[T graph.Float](a, b T) T     { return mask[T](a != b) }
func less[T graph.Float](a, b T) T         { return mask[T](a < b) }
func lessEqual[T graph.Float](a, b T) T    { return mask[T](a <= b) }
func greater[T graph.Float](a, b T) T      { return mask[T](a > b) }
func greaterEqual[T graph.Float](a, b T) T { return mask[T](a >= b) }

func mask[T graph.Float](c bool) T {
	if c {
		return 1
	}
	return 0
}

// Where returns a where cond is nonzero and b elsewhere, with all three
// broadcast together. The gradient flows to the chosen operand only; cond
// gets none.
func Where(cond, a, b *graph.Node) *graph.Node {
	return graph.Apply(&whereOp{}, cond, a, b)
}

type whereOp struct{ plan stridedPlan }

func (*whereOp) Name() string { return "Where" }

func (op *whereOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	for _, n := range in[1:] {
		if n.DType() != in[0].DType() {
			return nil, graph.DType{}, fmt.Errorf("dtypes %v, %v and %v differ; graft never converts implicitly", in[0].DType(), in[1].DType(), in[2].DType())
		}
	}
	out, err := broadcastShapes(in[0].Shape(), in[1].Shape())
	if err == nil {
		out, err = broadcastShapes(out, in[2].Shape())
	}
	if err != nil {
		return nil, graph.DType{}, err
	}
	op.plan = newStridedPlan(out, out.Strides(), broadcastStrides(in[0].Shape(), out),
		broadcastStrides(in[1].Shape(), out), broadcastStrides(in[2].Shape(), out))
	return out, in[1].DType(), nil
}

func (op *whereOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, whereKernel[float32], whereKernel[float64])
}

func (*whereOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	cond := n.Inputs()[0]
	switch i {
	case 1:
		return Where(cond, dy, ScalarLike(dy, 0))
	case 2:
		return Where(cond, ScalarLike(dy, 0), dy)
	}
	return nil
}

func whereKernel[T graph.Float](op *whereOp, out []T, in []*graph.Value) {
	p, cond, a, b := &op.plan, floats[T](in[0]), floats[T](in[1]), floats[T](in[2])
	sc, sa, sb := p.innerStride[1], p.innerStride[2], p.innerStride[3]
	for r := 0; r < p.runs; r++ {
		oc, oa, ob := p.offset(1, r), p.offset(2, r), p.offset(3, r)
		o := out[r*p.inner : (r+1)*p.inner]
		for i := range o {
			if cond[oc] != 0 {
				o[i] = a[oa]
			} else {
				o[i] = b[ob]
			}
			oc += sc
			oa += sa
			ob += sb
		}
	}
}
