// Package autodiff differentiates graft graphs in reverse mode.
//
// Words used here: y is the scalar being differentiated; the adjoint of a
// node is the gradient of y with respect to that node, and a contribution is
// one term of it, sent back along one edge by the consumer's gradient rule.
// Grad walks the graph once, from y back to the xs, in three phases:
//
//  1. mark the nodes that lie on a path from some x to y;
//  2. seed y's adjoint with ones, then visit the marked nodes in reverse
//     topological order: sum a node's contributions into its adjoint, ask its
//     op for each input's contribution, and sum back over broadcast axes
//     (unbroadcast) so every contribution has its input's shape;
//  3. return each x's adjoint, or zeros when y does not depend on x.
//
// The adjoints are ordinary graph nodes built from ops, so Grad can be
// applied to them again for second derivatives.
package autodiff

import (
	"errors"
	"fmt"

	"graft/graph"
	"graft/ops"
)

// Grad returns the gradient of the scalar y with respect to each of xs, as
// nodes added to y's graph (marked as gradient nodes). Each gradient has its
// x's shape; an x that y does not depend on gets zeros.
//
// Grad reads y's graph only inside MarkingGradients, so a Grad that overlaps
// another on the same graph gets an error before it reads a single node.
func Grad(y *graph.Node, xs ...*graph.Node) ([]*graph.Node, error) {
	if y == nil {
		return nil, errors.New("graft: Grad: y is nil")
	}
	g := y.Graph()
	var grads []*graph.Node
	var err error
	markErr := g.MarkingGradients(func() { grads, err = grad(g, y, xs) })
	if err == nil {
		err = markErr
	}
	if err != nil {
		return nil, err
	}
	return grads, nil
}

// grad is Grad's three phases; it runs under MarkingGradients.
func grad(g *graph.Graph, y *graph.Node, xs []*graph.Node) ([]*graph.Node, error) {
	if err := checkArgs(y, xs); err != nil {
		return nil, err
	}
	onPath := markPath(g, y, xs)
	adjoint, err := backward(g, y, onPath)
	if err == nil {
		err = g.Err()
	}
	if err != nil {
		return nil, err
	}
	grads := make([]*graph.Node, len(xs))
	for i, x := range xs {
		if len(adjoint[x]) == 0 {
			grads[i] = zerosOf(x)
		} else {
			grads[i] = sum(adjoint[x])
		}
	}
	return grads, g.Err()
}

// backward seeds y's adjoint and sends it back along every edge on the path,
// from y down to the first node, returning each node's contributions.
func backward(g *graph.Graph, y *graph.Node, onPath map[*graph.Node]bool) (map[*graph.Node][]*graph.Node, error) {
	adjoint := map[*graph.Node][]*graph.Node{y: {ops.OnesLike(y)}}
	copies := map[*graph.Node]*graph.Node{} // recomputed copies of rematerialized nodes
	nodes := g.Nodes()
	for id := y.ID(); id >= 0; id-- {
		n := nodes[id]
		if !onPath[n] || n.Kind() != graph.OpNode || len(adjoint[n]) == 0 {
			continue
		}
		var err error
		// Every node built here is part of n's gradient: Deriving records
		// n on it, so a NaN in one is reported at the line that built n.
		g.Deriving(n, func() { err = sendBack(n, sum(adjoint[n]), onPath, adjoint, copies) })
		if err != nil {
			return nil, err
		}
	}
	return adjoint, nil
}

// sendBack asks n's op for each input's contribution, given dy, the
// gradient with respect to n, and adds it, summed back to the input's
// shape, to that input's contributions.
func sendBack(n, dy *graph.Node, onPath map[*graph.Node]bool, adjoint map[*graph.Node][]*graph.Node, copies map[*graph.Node]*graph.Node) error {
	// The rule reads n and its inputs; for a rematerialized n it reads a
	// copy recomputed from the segment's inputs (graph.Rematerialize).
	rule := recomputed(n, copies)
	for i, in := range n.Inputs() {
		if !onPath[in] {
			continue
		}
		c := rule.Op().Grad(rule, dy, i)
		if c == nil {
			continue
		}
		if err := checkContribution(c, in, n); err != nil {
			return err
		}
		c, err := unbroadcast(c, in, n)
		if err != nil {
			return err
		}
		adjoint[in] = append(adjoint[in], c)
	}
	return nil
}

// recomputed returns n itself, or for a rematerialized node a copy built
// again from recomputed copies of its inputs in the same segment (and the
// original values of the others), made once per differentiation.
func recomputed(n *graph.Node, copies map[*graph.Node]*graph.Node) *graph.Node {
	if !n.Rematerialized() {
		return n
	}
	if c, ok := copies[n]; ok {
		return c
	}
	inputs := make([]*graph.Node, len(n.Inputs()))
	for i, in := range n.Inputs() {
		inputs[i] = in
		if in.Segment() == n.Segment() {
			inputs[i] = recomputed(in, copies)
		}
	}
	c := graph.Reapply(n, inputs...)
	copies[n] = c
	return c
}

func checkArgs(y *graph.Node, xs []*graph.Node) error {
	if err := y.Graph().Err(); err != nil {
		return err
	}
	if graph.IsInteger(y.DType()) {
		return fmt.Errorf("graft: Grad: y (%v, built at %s) is %v: integers are not differentiated", y.Name(), y.Origin(), y.DType())
	}
	if !oneElement(y.Shape()) {
		return fmt.Errorf("graft: Grad: y (%v, built at %s) must be a scalar, it has shape %v; reduce it first, with ops.Sum or ops.Mean", y.Name(), y.Origin(), y.Shape())
	}
	for i, x := range xs {
		switch {
		case x == nil:
			return fmt.Errorf("graft: Grad: x %d is nil", i)
		case x.Graph() != y.Graph():
			return fmt.Errorf("graft: Grad: x %d (%v, built at %s) belongs to another graph than y", i, x.Name(), x.Origin())
		case graph.IsInteger(x.DType()):
			return fmt.Errorf("graft: Grad: x %d (%v, built at %s) is %v: indices and labels are not differentiated, so there is no gradient to ask for", i, x.Name(), x.Origin(), x.DType())
		}
	}
	return nil
}

// oneElement reports whether every axis of s has size 1. It never
// multiplies, so a shape whose size overflows to 1 (7 × 0x6DB6DB6DB6DB6DB7)
// is not taken for a scalar.
func oneElement(s graph.Shape) bool {
	for _, d := range s {
		if d != 1 {
			return false
		}
	}
	return true
}

// markPath returns the nodes that depend on some x and that y depends on.
func markPath(g *graph.Graph, y *graph.Node, xs []*graph.Node) map[*graph.Node]bool {
	fromX := make(map[*graph.Node]bool)
	for _, x := range xs {
		fromX[x] = true
	}
	for _, n := range g.Nodes()[:y.ID()+1] {
		for _, in := range n.Inputs() {
			if fromX[in] && !graph.IsInteger(n.DType()) { // nothing flows through integers
				fromX[n] = true
			}
		}
	}
	onPath := make(map[*graph.Node]bool)
	stack := []*graph.Node{y}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if onPath[n] || !fromX[n] {
			continue
		}
		onPath[n] = true
		stack = append(stack, n.Inputs()...)
	}
	return onPath
}

// sum adds up contributions in the order they arrived, so the result is the
// same on every run.
func sum(terms []*graph.Node) *graph.Node {
	total := terms[0]
	for _, t := range terms[1:] {
		total = ops.Add(total, t)
	}
	return total
}

// unbroadcast sums a contribution c over the axes along which input in was
// broadcast to reach the consumer's shape, giving it in's shape.
func unbroadcast(c, in, consumer *graph.Node) (*graph.Node, error) {
	from, to := c.Shape(), in.Shape()
	if from.Equal(to) {
		return c, nil
	}
	if oneElement(from) && oneElement(to) { // (), (1,) and (1, 1) differ only in form
		return ops.Reshape(c, to...), nil
	}
	lead := len(from) - len(to)
	if lead < 0 {
		return nil, ruleError(c, in, consumer)
	}
	var axes []int
	for d := range from {
		switch {
		case d < lead:
			axes = append(axes, d)
		case to[d-lead] == 1 && from[d] != 1:
			axes = append(axes, d)
		case to[d-lead] != from[d]:
			return nil, ruleError(c, in, consumer)
		}
	}
	summed := ops.Sum(c, axes...)
	if summed.Shape().Equal(to) {
		return summed, nil
	}
	return ops.Reshape(summed, to...), nil
}

// checkContribution reports a gradient rule that returned a node Grad
// cannot use: one of another graph, of no graph (a zero graph.Node), or
// one whose building failed. The error names the op and where its node was
// built, so that the faulty rule is found at once, not at Compile.
func checkContribution(c, in, consumer *graph.Node) error {
	var problem string
	switch {
	case c.Graph() == nil:
		problem = "a node of no graph"
	case c.Graph() != consumer.Graph():
		problem = fmt.Sprintf("a node of another graph (%s, built at %s)", c.Name(), c.Origin())
	case c.DType() != in.DType() && c.Graph().Err() == nil:
		problem = fmt.Sprintf("a node of dtype %v (%s, built at %s) for a %v input", c.DType(), c.Name(), c.Origin(), in.DType())
	case c.Graph().Err() != nil:
		return fmt.Errorf("graft: Grad: the gradient rule of %s (node %s, built at %s) for input %s failed: %w",
			consumer.Op().Name(), consumer.Name(), consumer.Origin(), in.Name(), c.Graph().Err())
	default:
		return nil
	}
	return fmt.Errorf("graft: Grad: the gradient rule of %s (node %s, built at %s) returned %s for input %s",
		consumer.Op().Name(), consumer.Name(), consumer.Origin(), problem, in.Name())
}

func ruleError(c, in, consumer *graph.Node) error {
	return fmt.Errorf("graft: Grad: the gradient rule of %s (node %s, built at %s) gave shape %v for input %s of shape %v, which cannot be summed back to it",
		consumer.Op().Name(), consumer.Name(), consumer.Origin(), c.Shape(), in.Name(), in.Shape())
}

// zerosOf is the gradient of an x that y does not depend on: a scalar zero
// broadcast to x's shape, so that no tensor of x's size is allocated while
// the graph is built (Compile allocates the buffer, and refuses a size
// beyond its cap).
func zerosOf(x *graph.Node) *graph.Node {
	return ops.BroadcastTo(ops.ScalarLike(x, 0), x.Shape()...)
}
