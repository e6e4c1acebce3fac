package graph

import (
	"errors"
	"fmt"
	"sync/atomic"

	"gorgonia.org/tensor"
)

// Program is a compiled graph: the steps that compute the requested outputs,
// in topological order, with every buffer planned ahead. Running it on feeds
// of the compiled shapes allocates nothing.
//
// A Program runs in one goroutine at a time. A Run that starts while another
// Run of the same program is in progress (from another goroutine, or from
// inside one of its own ops) returns an error at once instead of sharing the
// buffers; the check is one atomic operation. The results a Run returns are
// overwritten by the next Run, so a goroutine reading them must be done
// before another Run starts: that is the caller's to order, and the race
// detector reports it. Programs, even of one graph, run concurrently with
// each other; compile one per goroutine.
type Program struct {
	graph    *Graph
	outputs  []*Node // as requested
	steps    []step
	inputs   []*Node  // the inputs the outputs need, with their values
	params   []*Node  // the parameters and states the outputs need
	paramVal []*Value // their values, refreshed from the tensors on every run
	updates  []planned
	inVal    []*Value
	results  []*tensor.Dense
	f32      []float32 // the arenas every op's output lives in
	f64      []float64
	i64      []int64
	// staging holds, for each input and then each parameter, a copy of a
	// tensor whose backing lies in this program's own arenas (a result fed
	// back): a step could overwrite it before a later step reads it. Each
	// buffer is made the first time it is needed and reused after.
	staging32 [][]float32
	staging64 [][]float64
	stagingI  [][]int64
	checks    []check     // the steps whose inputs Run checks first (RunChecker)
	finite    bool        // CheckFinite: stop at the first NaN or infinity
	running   atomic.Bool // a Run is in progress
}

type step struct {
	op   Op
	out  *Value
	in   []*Value
	node *Node // for errors: which node the step computes
}

// check is a step whose op checks its inputs before a run computes.
type check struct {
	op   RunChecker
	node *Node
	in   []*Value
}

// Compile returns a program that computes outputs, and only what they need.
// It reports the first error recorded while building the graph.
func Compile(outputs ...*Node) (*Program, error) {
	if len(outputs) == 0 {
		return nil, errors.New("graft: Compile needs at least one output")
	}
	g, err := commonGraph("output", outputs)
	if g != nil && g.Err() != nil {
		return nil, g.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("graft: Compile: %w", err)
	}
	for _, out := range outputs {
		if out.failed { // failed in another graph that has its own error
			return nil, fmt.Errorf("graft: Compile: output %s could not be built", out.Name())
		}
	}
	order := needed(g, outputs)
	ups, err := g.updatesFor(order)
	if err != nil {
		return nil, err
	}
	if len(ups) > 0 {
		order = needed(g, append(append([]*Node(nil), outputs...), updateValues(ups)...))
	}
	p := &Program{graph: g, outputs: append([]*Node(nil), outputs...)}
	values := make(map[*Node]*Value, len(order))
	for _, n := range order {
		values[n] = &Value{Shape: n.shape, DType: n.dtype}
		switch n.kind {
		case Input:
			p.inputs = append(p.inputs, n)
			p.inVal = append(p.inVal, values[n])
		case Param, State:
			p.params = append(p.params, n)
			p.paramVal = append(p.paramVal, values[n])
		case Constant:
			setData(values[n], n.value) // constants never change: bind once
		}
	}
	// A requested leaf, or a node requested a second time, is copied into a
	// buffer of its own, so results never alias a parameter, a feed or each
	// other (an optimizer may scale each result in place).
	outs := make([]*Node, len(outputs))
	requested := make(map[*Node]bool, len(outputs))
	for i, o := range outputs {
		outs[i] = o
		if o.kind != OpNode || requested[o] {
			outs[i] = &Node{graph: g, id: -1, op: copyOp{}, inputs: []*Node{o}, shape: o.shape, dtype: o.dtype, origin: o.origin}
			order = append(order, outs[i])
			values[outs[i]] = &Value{Shape: o.shape, DType: o.dtype}
		}
		requested[o] = true
	}
	kept := append(outs, updateValues(ups)...)
	var chains map[*Node]*chain
	var reads map[*Node][]*Node
	if g.Fusion() {
		order, chains, reads = fuse(order, kept, requested)
	}
	if err := p.planBuffers(order, kept, values, reads); err != nil {
		return nil, err
	}
	p.updates = planUpdates(ups, values)
	p.staging32 = make([][]float32, len(p.inputs)+len(p.params))
	p.staging64 = make([][]float64, len(p.inputs)+len(p.params))
	p.stagingI = make([][]int64, len(p.inputs)+len(p.params))
	for _, n := range order {
		if n.kind != OpNode {
			continue
		}
		s := step{op: n.op, out: values[n], in: make([]*Value, len(n.inputs)), node: n}
		for i, in := range n.inputs {
			s.in[i] = values[in]
		}
		if c := chains[n]; c != nil {
			s.op, s.in = newFusedOp(c, values), nil
		}
		p.steps = append(p.steps, s)
		if c, ok := n.op.(RunChecker); ok {
			p.checks = append(p.checks, check{op: c, node: n, in: s.in})
		}
	}
	for _, o := range outs {
		p.results = append(p.results, denseOf(values[o]))
	}
	return p, nil
}

// needed returns the nodes of g the outputs depend on, in build
// (topological) order. A graph with a build error may have nil inputs or
// inputs from another graph: they are skipped.
func needed(g *Graph, outputs []*Node) []*Node {
	mark := make([]bool, len(g.nodes))
	stack := append([]*Node(nil), outputs...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || n.graph != g || n.id < 0 || mark[n.id] {
			continue
		}
		mark[n.id] = true
		stack = append(stack, n.inputs...)
	}
	var order []*Node
	for _, n := range g.nodes {
		if mark[n.id] {
			order = append(order, n)
		}
	}
	return order
}

func denseOf(v *Value) *tensor.Dense {
	shape := tensor.Shape(append([]int{}, v.Shape...))
	switch {
	case v.DType == tensor.Float32:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v.F32))
	case IsInteger(v.DType):
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v.I64))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v.F64))
}

// copyOp copies a leaf into an output buffer.
type copyOp struct{}

func (copyOp) Name() string                           { return "Copy" }
func (copyOp) Infer(in []*Node) (Shape, DType, error) { return in[0].shape, in[0].dtype, nil }
func (copyOp) Grad(node, dy *Node, i int) *Node       { return dy }
func (copyOp) Forward(out *Value, in []*Value)        { CopyValue(out, in[0]) }
