package graph

import (
	"fmt"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"graft/internal/workers"
)

// Elementwise is an op whose output element i is computed from element i of
// each input alone, so that Compile can run a chain of such ops in one pass
// over memory (fusion): each op of the chain works on a block of elements
// that the previous one has just written and that is still in cache, and
// the values between the ops of the chain are never stored.
//
// Compile fuses a node only when every input has the node's dtype and
// either the node's shape, a single element (broadcast everywhere), or the
// length of the output's last axis, with any leading axes of size 1 (a row,
// broadcast over the other axes, as a bias is). ForwardRange must handle
// those three kinds, which it can tell apart by length alone: an input as
// long as the output is indexed like it, one element is read at 0, and a
// row at i mod the last axis's length.
type Elementwise interface {
	Op
	// ForwardRange computes elements [lo, hi) of out. out may be an input
	// of out's shape itself (the chain computes in place), so each element
	// must be read before it is written.
	ForwardRange(out *Value, in []*Value, lo, hi int)
}

// Epilogue finishes a block of an output seen as items × rows × cols (its
// axes before the last two, its second-to-last, its last; a 1-D output is
// one row): rows [r0, r1) and columns [c0, c1) of item. A Tiled op calls it
// for each block once the block's values are final.
type Epilogue func(item, r0, r1, c0, c1 int)

// Tiled is an op that computes its output in blocks and can finish each
// block while it is still in cache, such as a matrix product that applies a
// bias and an activation in its write-out. Compile makes a Tiled node the
// head of a fused chain of Elementwise ops.
type Tiled interface {
	Op
	// ForwardTiled is Forward, and calls finish exactly once on every
	// element of out, in blocks, once they hold their final values. Calls
	// for different blocks may come from different goroutines at once.
	ForwardTiled(out *Value, in []*Value, finish Epilogue)
}

// SetFusion turns fusion on (the default) or off for the programs compiled
// from g after it: on, Compile runs each chain of Elementwise ops, with a
// Tiled op at its head when there is one, as one step. Fused and unfused
// programs give the same numbers bit for bit; off is for measuring what
// fusion buys and for reading a program step by step.
func (g *Graph) SetFusion(on bool) {
	if g != nil {
		g.unfused = !on
	}
}

// Fusion reports whether Compile fuses; a nil graph does not.
func (g *Graph) Fusion() bool { return g != nil && !g.unfused }

// fuseMinElements is the smallest node Compile fuses: on tensors as small
// as an XOR network's (4×10) the calls of a fused step cost more than the
// passes over memory they save (BenchmarkXORStep: 1.11 µs fused, 1.02 µs
// not).
const fuseMinElements = 256

// fusedBlock is how many elements each op of a fused chain computes before
// the next takes over: 4096 float32s, 16 KiB, stay in the level-1 cache.
const fusedBlock = 4096

// A chain of Elementwise ops over many elements is split into parts of
// fusedPart elements run by the caller and internal/workers' pool, as
// optim splits its updates: each element is computed on its own, so the
// bits do not depend on the split. It is split when workers.Pays says so
// for its estimated time, linkTimePs per element and op (a SIMD add moves
// an element in about 0.15 ns, a sigmoid takes several). Single
// Elementwise nodes of at least splitMinElements are run as chains of one
// for this. A chain with a Tiled head is split by its head (the GEMM splits
// its products, and finishes each part's blocks itself).
const (
	fusedPart        = 16 * fusedBlock
	splitMinElements = 1 << 16
	linkTimePs       = 300
)

// chain is a run of nodes each of which is the only reader of the one
// before: the head, Elementwise or Tiled, then Elementwise links. Only the
// last node, the root, has a buffer; the head writes into it and each link
// recomputes it in place.
type chain struct {
	nodes []*Node
}

func (c *chain) root() *Node { return c.nodes[len(c.nodes)-1] }

// findChains returns the chains of order worth fusing, each keyed by its
// root: two nodes or more, or one long Elementwise node alone, so that it
// too is split over the cores. keep holds the nodes that must keep a
// buffer of their own: the outputs and the values of state updates.
func findChains(order []*Node, keep map[*Node]bool) map[*Node]*chain {
	readers := make(map[*Node]int, len(order))
	for _, n := range order {
		for _, in := range n.inputs {
			readers[in]++
		}
	}
	chainOf := make(map[*Node]*chain)
	for _, n := range order {
		if n.shape.Size() < fuseMinElements || !fusable(n) {
			continue
		}
		if _, ok := n.op.(Elementwise); !ok {
			continue
		}
		var c *chain
		for _, in := range n.inputs {
			if canPrecede(in, n, readers, keep) {
				if c = chainOf[in]; c == nil {
					c = &chain{nodes: []*Node{in}}
				}
				delete(chainOf, in)
				break
			}
		}
		if c == nil && n.shape.Size() >= splitMinElements {
			c = &chain{}
		}
		if c != nil {
			c.nodes = append(c.nodes, n)
			chainOf[n] = c
		}
	}
	return chainOf
}

// canPrecede reports whether in can be the node before n in a chain: an op
// node of n's shape and dtype that n alone reads, needed for nothing else,
// and itself Elementwise (and fusable) or Tiled.
func canPrecede(in, n *Node, readers map[*Node]int, keep map[*Node]bool) bool {
	if in == nil || in.kind != OpNode || keep[in] || !in.shape.Equal(n.shape) || in.dtype != n.dtype {
		return false
	}
	uses := 0
	for _, x := range n.inputs {
		if x == in {
			uses++
		}
	}
	if readers[in] != uses {
		return false
	}
	if _, ok := in.op.(RunChecker); ok {
		return false
	}
	if _, ok := in.op.(Tiled); ok {
		return true
	}
	_, ok := in.op.(Elementwise)
	return ok && fusable(in)
}

// fusable reports whether an Elementwise node's inputs are all of the kinds
// ForwardRange handles: the node's shape, one element, or a row.
func fusable(n *Node) bool {
	if n.kind != OpNode || !isFloat(n.dtype) {
		return false
	}
	if _, ok := n.op.(RunChecker); ok {
		return false
	}
	for _, in := range n.inputs {
		if in == nil || in.dtype != n.dtype {
			return false
		}
		if !in.shape.Equal(n.shape) && in.shape.Size() != 1 && !isRowOf(in.shape, n.shape) {
			return false
		}
	}
	return true
}

func isFloat(dt DType) bool { return dt == tensor.Float32 || dt == tensor.Float64 }

// isRowOf reports whether s is the last axis of out, with leading 1s.
func isRowOf(s, out Shape) bool {
	if len(out) == 0 || len(s) == 0 || len(s) > len(out) || s[len(s)-1] != out[len(out)-1] {
		return false
	}
	for _, d := range s[:len(s)-1] {
		if d != 1 {
			return false
		}
	}
	return true
}

// fusedOp runs a chain as one step. It is an Op only so that it fits in a
// step; it is never part of a graph.
type fusedOp struct {
	head    Op // Elementwise or Tiled
	headIn  []*Value
	links   []link
	out     *Value
	nodes   []*Node
	rows    int              // of an item: the output's second-to-last axis
	cols    int              // the output's last axis
	perRow  bool             // some input is a row: blocks must not cross rows
	finishF Epilogue         // f.finish, made once so that a run allocates nothing
	blockF  func(lo, hi int) // f.block, likewise
	job     workers.Job      // splits a long chain (Part)
	size    int              // the output's elements
}

// link is an Elementwise op of a chain, with its inputs; those that were the
// previous node of the chain are the chain's output buffer.
type link struct {
	op Elementwise
	in []*Value
}

// newFusedOp builds the step of chain c, whose nodes' values are in values
// (the root's with its buffer, the others' without).
func newFusedOp(c *chain, values map[*Node]*Value) *fusedOp {
	root := c.root()
	out := values[root]
	f := &fusedOp{head: c.nodes[0].op, out: out, nodes: c.nodes}
	f.cols, f.rows = 1, 1
	if s := root.shape; len(s) >= 1 {
		f.cols = s[len(s)-1]
		if len(s) >= 2 {
			f.rows = s[len(s)-2]
		}
	}
	f.headIn = valuesOf(c.nodes[0].inputs, values, nil, nil)
	for k, n := range c.nodes[1:] {
		prev := c.nodes[k]
		f.links = append(f.links, link{op: n.op.(Elementwise), in: valuesOf(n.inputs, values, prev, out)})
	}
	f.finishF, f.blockF = f.finish, f.block
	f.size = root.shape.Size()
	return f
}

// valuesOf returns the values of nodes, with prev's replaced by out.
func valuesOf(nodes []*Node, values map[*Node]*Value, prev *Node, out *Value) []*Value {
	vs := make([]*Value, len(nodes))
	for i, n := range nodes {
		vs[i] = values[n]
		if n == prev {
			vs[i] = out
		}
	}
	return vs
}

func (f *fusedOp) Name() string {
	if len(f.nodes) == 1 { // a long node run over the cores
		return f.nodes[0].op.Name()
	}
	names := make([]string, len(f.nodes))
	for i, n := range f.nodes {
		names[i] = n.op.Name()
	}
	return "Fused(" + strings.Join(names, "→") + ")"
}

func (f *fusedOp) Infer([]*Node) (Shape, DType, error) {
	return nil, DType{}, fmt.Errorf("a fused step is made by Compile, not built")
}

func (f *fusedOp) Grad(node, dy *Node, i int) *Node { return nil }

// Forward runs the head, then the links over each block it finishes.
func (f *fusedOp) Forward(out *Value, _ []*Value) {
	if t, ok := f.head.(Tiled); ok {
		t.ForwardTiled(out, f.headIn, f.finishF)
		return
	}
	if f.split() {
		f.job.Run(f, (f.size+fusedPart-1)/fusedPart)
		return
	}
	f.blocks(0, f.size, f.blockF)
}

// split reports whether a chain with an Elementwise head is worth running
// over the worker pool.
func (f *fusedOp) split() bool {
	return f.size >= splitMinElements && workers.Pays(time.Duration(f.size*len(f.nodes)*linkTimePs/1000))
}

// Part computes part i of a split chain: elements [i·fusedPart,
// (i+1)·fusedPart).
func (f *fusedOp) Part(i, _ int) {
	lo := i * fusedPart
	f.blocks(lo, min(f.size, lo+fusedPart), f.blockF)
}

// block computes [lo, hi) of a chain whose head is Elementwise.
func (f *fusedOp) block(lo, hi int) {
	f.head.(Elementwise).ForwardRange(f.out, f.headIn, lo, hi)
	f.runLinks(lo, hi)
}

// finish runs the links over a block a Tiled head has finished.
func (f *fusedOp) finish(item, r0, r1, c0, c1 int) {
	base := item * f.rows * f.cols
	if c0 == 0 && c1 == f.cols {
		f.blocks(base+r0*f.cols, base+r1*f.cols, f.runLinks)
		return
	}
	for r := r0; r < r1; r++ {
		f.blocks(base+r*f.cols+c0, base+r*f.cols+c1, f.runLinks)
	}
}

func (f *fusedOp) runLinks(lo, hi int) {
	for i := range f.links {
		l := &f.links[i]
		l.op.ForwardRange(f.out, l.in, lo, hi)
	}
}

// blocks calls do on [lo, hi) cut into blocks of at most fusedBlock
// elements.
func (f *fusedOp) blocks(lo, hi int, do func(lo, hi int)) {
	for lo < hi {
		end := min(hi, lo+fusedBlock)
		do(lo, end)
		lo = end
	}
}

// nodes returns the graph nodes a step computes: a fused step's chain, or
// the one node of any other step.
func (s *step) nodes() []*Node {
	if f, ok := s.op.(*fusedOp); ok {
		return f.nodes
	}
	return []*Node{s.node}
}

// locate finds the node of the chain that first produced a NaN or an
// infinity, for CheckFinite: it recomputes the chain node by node into
// buffers of its own (the chain's inputs are intact, since the fused step
// never writes over them) and returns the step of the first node whose
// output is not finite, with where. It allocates, but only on that error.
func (f *fusedOp) locate() (*step, float64, int) {
	var prev *Value
	for k, n := range f.nodes {
		v := &Value{Shape: n.shape, DType: n.dtype}
		size := n.shape.Size()
		if n.dtype == tensor.Float32 {
			v.F32 = make([]float32, size)
		} else {
			v.F64 = make([]float64, size)
		}
		in := f.headIn
		if k > 0 {
			in = append([]*Value(nil), f.links[k-1].in...)
			for i := range in {
				if in[i] == f.out {
					in[i] = prev
				}
			}
		}
		n.op.Forward(v, in)
		if bad, at := firstNonFinite(v); bad != 0 {
			return &step{op: n.op, out: v, in: in, node: n}, bad, at
		}
		prev = v
	}
	return nil, 0, -1
}

// fuse finds the chains of order and returns order without the nodes inside
// them (they get no buffer), the chains by root, and for each root what its
// step reads: the inputs of every node of its chain but the one before.
func fuse(order, kept []*Node, requested map[*Node]bool) ([]*Node, map[*Node]*chain, map[*Node][]*Node) {
	keep := make(map[*Node]bool, len(kept)+len(requested))
	for _, n := range kept {
		keep[n] = true
	}
	for n := range requested {
		keep[n] = true
	}
	chains := findChains(order, keep)
	if len(chains) == 0 {
		return order, nil, nil
	}
	inside := make(map[*Node]bool)
	reads := make(map[*Node][]*Node, len(chains))
	for root, c := range chains {
		var r []*Node
		for k, n := range c.nodes {
			if n != root {
				inside[n] = true
			}
			for _, in := range n.inputs {
				if k == 0 || in != c.nodes[k-1] {
					r = append(r, in)
				}
			}
		}
		reads[root] = r
	}
	kept2 := order[:0:0]
	for _, n := range order {
		if !inside[n] {
			kept2 = append(kept2, n)
		}
	}
	return kept2, chains, reads
}

// Steps returns the name of each step the program runs, in order: an op's
// name, or for a fused chain "Fused(" and its ops' names, such as
// "Fused(MatMul→Add→ReLU)". It is for reading what Compile made of a graph.
func (p *Program) Steps() []string {
	if p == nil {
		return nil
	}
	names := make([]string, len(p.steps))
	for i, s := range p.steps {
		names[i] = s.op.Name()
	}
	return names
}
