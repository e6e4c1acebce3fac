package ops

import (
	"fmt"

	"graft/graph"
)

// Take picks slices of x along axis at the given integer (graph.Int64)
// indices, as numpy.take(x, indices, axis) does: the result has x's shape
// with axis replaced by the indices' shape, and
//
//	out[a..., i..., b...] = x[a..., indices[i...], b...]
//
// An index may repeat; each must lie in [0, size of axis). A negative index
// is an error, as in PyTorch's index_select and embedding (NumPy would
// count it from the end): Run returns an error naming the op, the index and
// where it was built, before any step computes. Its gradient with respect
// to x adds each slice of dy back at its index (repeated indices add up),
// an op that is itself differentiable; indices get none.
func Take(x, indices *graph.Node, axis int) *graph.Node {
	return graph.Apply(&takeOp{axis: axis}, x, indices)
}

// IndexSelect is Take with a 1-D list of indices, torch.index_select(x,
// axis, indices): the result has x's rank, with axis as long as the list.
func IndexSelect(x *graph.Node, axis int, indices *graph.Node) *graph.Node {
	if indices != nil && indices.Shape().Rank() != 1 {
		return graph.Reject("IndexSelect", fmt.Errorf("the indices must be 1-D, got shape %v", indices.Shape()), x, indices)
	}
	return graph.Apply(&takeOp{axis: axis, name: "IndexSelect"}, x, indices)
}

// takeGeometry splits x around axis: outer·size·inner elements, size along
// axis, and count indices.
type takeGeometry struct {
	outer, size, inner, count int
}

type takeOp struct {
	name string // "" is Take
	axis int
	geom takeGeometry
}

func (op *takeOp) Name() string {
	if op.name != "" {
		return op.name
	}
	return "Take"
}

func (*takeOp) TakesIndices(i int) bool { return i == 1 }

func (op *takeOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x, idx := in[0], in[1]
	if !graph.IsInteger(idx.DType()) {
		return nil, x.DType(), fmt.Errorf("the indices must be %v, not %s", graph.Int64, graph.DTypeName(idx.DType()))
	}
	xs := x.Shape()
	axis, err := normAxis(op.axis, len(xs))
	if err != nil {
		return nil, x.DType(), err
	}
	op.axis = axis
	op.geom = takeGeometry{
		outer: graph.Shape(xs[:axis]).Size(), size: xs[axis],
		inner: graph.Shape(xs[axis+1:]).Size(), count: idx.Shape().Size(),
	}
	out := append(append(append(graph.Shape{}, xs[:axis]...), idx.Shape()...), xs[axis+1:]...)
	if _, ok := out.CheckedSize(); !ok {
		return nil, x.DType(), fmt.Errorf("the result, %v, would have more elements than an int can count", out)
	}
	return out, x.DType(), nil
}

func (op *takeOp) CheckRun(in []*graph.Value) error {
	return checkIndices(in[1].I64, op.geom.size, op.axis)
}

// checkIndices reports the first index outside [0, size) of axis (-1: of
// a one-hot depth). It allocates only when it finds one.
func checkIndices(idx []int64, size, axis int) error {
	for i, v := range idx {
		if v >= 0 && v < int64(size) {
			continue
		}
		of := fmt.Sprintf("axis %d of size %d", axis, size)
		if axis < 0 {
			of = fmt.Sprintf("depth %d", size)
		}
		return fmt.Errorf("index %d (element %d of the indices) is out of range for %s", v, i, of)
	}
	return nil
}

func (op *takeOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, takeKernel[float32], takeKernel[float64])
}

func takeKernel[T graph.Float](op *takeOp, out []T, in []*graph.Value) {
	g, x, idx := op.geom, floats[T](in[0]), in[1].I64
	for o := range g.outer {
		for j, v := range idx {
			src := x[(o*g.size+int(v))*g.inner:][:g.inner]
			copy(out[(o*g.count+j)*g.inner:][:g.inner], src)
		}
	}
}

// Grad: dx adds each slice of dy back at its index.
func (op *takeOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	if i != 0 {
		return nil
	}
	x, idx := n.Inputs()[0], n.Inputs()[1]
	return graph.Apply(&takeScatterOp{axis: op.axis, geom: op.geom, shape: x.Shape()}, dy, idx)
}

// takeScatterOp is the gradient of Take with respect to x: a zero tensor of
// x's shape with each slice of dy added at its index. It is linear in dy;
// its own gradient is Take of the gradient at the same indices.
type takeScatterOp struct {
	axis  int
	geom  takeGeometry
	shape graph.Shape
}

func (*takeScatterOp) Name() string            { return "TakeScatter" }
func (*takeScatterOp) TakesIndices(i int) bool { return i == 1 }

func (op *takeScatterOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	if in[1].Shape().Size() != op.geom.count {
		return nil, in[0].DType(), fmt.Errorf("the indices must have %d elements", op.geom.count)
	}
	return op.shape, in[0].DType(), nil
}

func (op *takeScatterOp) CheckRun(in []*graph.Value) error {
	return checkIndices(in[1].I64, op.geom.size, op.axis)
}

func (op *takeScatterOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, takeScatterKernel[float32], takeScatterKernel[float64])
}

func takeScatterKernel[T graph.Float](op *takeScatterOp, out []T, in []*graph.Value) {
	g, dy, idx := op.geom, floats[T](in[0]), in[1].I64
	clear(out)
	for o := range g.outer {
		for j, v := range idx {
			dst := out[(o*g.size+int(v))*g.inner:][:g.inner]
			for k, d := range dy[(o*g.count+j)*g.inner:][:g.inner] {
				dst[k] += d
			}
		}
	}
}

func (op *takeScatterOp) Grad(n, g *graph.Node, i int) *graph.Node {
	if i != 0 {
		return nil
	}
	return Take(g, n.Inputs()[1], op.axis)
}

// OneHot returns a float tensor of dtype dt with the indices' shape and one
// more axis of size depth: 1 at each index, 0 elsewhere, as
// torch.nn.functional.one_hot(indices, depth) (which gives integers; graft
// gives floats, since that is what a loss multiplies them with). Each index
// must lie in [0, depth); Run reports one that does not.
func OneHot(indices *graph.Node, depth int, dt graph.DType) *graph.Node {
	if depth < 1 {
		return graph.Reject("OneHot", fmt.Errorf("depth %d is below 1", depth), indices)
	}
	return graph.Apply(&oneHotOp{depth: depth, dtype: dt}, indices)
}

type oneHotOp struct {
	depth int
	dtype graph.DType
}

func (*oneHotOp) Name() string            { return "OneHot" }
func (*oneHotOp) TakesIndices(i int) bool { return true }

func (op *oneHotOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	if !graph.IsInteger(in[0].DType()) {
		return nil, op.dtype, fmt.Errorf("the indices must be %v, not %s", graph.Int64, graph.DTypeName(in[0].DType()))
	}
	if err := graph.CheckDType(op.dtype); err != nil {
		return nil, op.dtype, err
	}
	return append(in[0].Shape().Clone(), op.depth), op.dtype, nil
}

func (op *oneHotOp) CheckRun(in []*graph.Value) error {
	return checkIndices(in[0].I64, op.depth, -1)
}

func (op *oneHotOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, oneHotKernel[float32], oneHotKernel[float64])
}

func oneHotKernel[T graph.Float](op *oneHotOp, out []T, in []*graph.Value) {
	clear(out)
	for i, v := range in[0].I64 {
		out[i*op.depth+int(v)] = 1
	}
}

// Grad is nil: nothing flows into indices.
func (*oneHotOp) Grad(n, dy *graph.Node, i int) *graph.Node { return nil }

// Cast converts x to dtype dt: an int64 tensor of labels or counts to
// floats (exact up to 2^24 in float32 and 2^53 in float64), or one float
// dtype to the other (rounded to nearest). Casting to Int64 is not offered:
// graft has no rounding rule it could call the obvious one. The gradient of
// a float-to-float cast is the cast back; an integer input gets none.
func Cast(x *graph.Node, dt graph.DType) *graph.Node {
	return graph.Apply(&castOp{dtype: dt}, x)
}

type castOp struct{ dtype graph.DType }

func (*castOp) Name() string            { return "Cast" }
func (*castOp) TakesIndices(i int) bool { return true }

func (op *castOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	if err := graph.CheckDType(op.dtype); err != nil {
		return nil, op.dtype, fmt.Errorf("Cast converts to float32 or float64: %w", err)
	}
	return in[0].Shape(), op.dtype, nil
}

func (op *castOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, castKernel[float32], castKernel[float64])
}

func castKernel[T graph.Float](op *castOp, out []T, in []*graph.Value) {
	switch x := in[0]; {
	case x.F32 != nil:
		for i, v := range x.F32 {
			out[i] = T(v)
		}
	case x.F64 != nil:
		for i, v := range x.F64 {
			out[i] = T(v)
		}
	default:
		for i, v := range x.I64 {
			out[i] = T(v)
		}
	}
}

func (op *castOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	x := n.Inputs()[0]
	if graph.IsInteger(x.DType()) {
		return nil
	}
	return Cast(dy, x.DType())
}
