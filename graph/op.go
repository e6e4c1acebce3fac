package graph

// Op is one kind of computation. Package ops implements graft's own ops;
// a user adds a new primitive the same way.
//
// An op value belongs to one node: Infer may keep what it works out from the
// input shapes (broadcast strides, say) for Forward to use.
type Op interface {
	// Name is the op's name in errors and drawings, such as "MatMul".
	Name() string
	// Infer checks the inputs and returns the output's shape and dtype.
	// It is called once, when the node is built. Its error should say
	// what is wrong; the graph adds the op, the inputs' shapes and the
	// user's file:line.
	Infer(inputs []*Node) (Shape, DType, error)
	// Forward computes out from in. The values have the shapes and dtype
	// fixed at build time, and out never shares memory with an input.
	Forward(out *Value, in []*Value)
	// Grad returns the gradient with respect to input i, given the op's
	// own node and dy, the gradient with respect to its output. It is
	// built from graph nodes (so it can be differentiated again). It may
	// have the broadcast shape of the output: the reverse-mode walk sums
	// it back to the input's shape. nil means no gradient flows to input i.
	Grad(node, dy *Node, i int) *Node
}

// Value is a kernel's view of one tensor: its shape and its row-major data,
// in F32 or F64 according to DType (the other slice is nil).
type Value struct {
	Shape Shape
	DType DType
	F32   []float32
	F64   []float64
}

// CopyValue copies src's numbers into dst, which has src's dtype and size:
// the kernel of an op that passes its input through unchanged (a reshape, a
// stop-gradient, a check on its inputs, the copy of a requested leaf).
func CopyValue(dst, src *Value) {
	copy(dst.F32, src.F32)
	copy(dst.F64, src.F64)
}
