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
// in F32, F64 or I64 according to DType (the other slices are nil).
type Value struct {
	Shape Shape
	DType DType
	F32   []float32
	F64   []float64
	I64   []int64 // indices and labels (tensor.Int64)
}

// IndexOp is an op that takes integer (tensor.Int64) inputs: indices, as a
// gather's, or class labels. Apply refuses an integer input to any other
// op, so no float kernel ever meets integer data; TakesIndices says which
// of the op's inputs may be integers.
type IndexOp interface {
	Op
	TakesIndices(input int) bool
}

// RunChecker is an op whose inputs can be wrong in a way no shape shows: an
// index out of range, a label above the number of classes. Run calls
// CheckRun with the step's inputs before any step of the run computes, and
// returns its error (naming the op and where it was built) instead of
// running; Forward may then assume the inputs are valid. CheckRun must not
// allocate unless it finds a mistake.
type RunChecker interface {
	Op
	CheckRun(in []*Value) error
}

// CopyValue copies src's numbers into dst, which has src's dtype and size:
// the kernel of an op that passes its input through unchanged (a reshape, a
// stop-gradient, a check on its inputs, the copy of a requested leaf).
func CopyValue(dst, src *Value) {
	copy(dst.F32, src.F32)
	copy(dst.F64, src.F64)
	copy(dst.I64, src.I64)
}
