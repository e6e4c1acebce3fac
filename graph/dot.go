package graph

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteDOT draws the nodes that outputs depend on (every node of their graph
// when outputs is empty and g is given) in Graphviz's DOT language. Inputs
// are green, parameters orange, constants grey; ops built by reverse-mode
// differentiation are blue and dashed, so a reader sees what autodiff added.
// Render it with `dot -Tsvg graph.dot > graph.svg`.
//
// g may be nil when outputs are given; otherwise the outputs must be g's.
func WriteDOT(w io.Writer, g *Graph, outputs ...*Node) error {
	if len(outputs) > 0 {
		og, err := commonGraph("output", outputs)
		switch {
		case err != nil:
			return fmt.Errorf("graft: WriteDOT: %w", err)
		case g == nil:
			g = og
		case og != g:
			return errors.New("graft: WriteDOT: the outputs belong to another graph than the one given")
		}
	}
	if g == nil {
		return errors.New("graft: WriteDOT needs a graph or some outputs to draw")
	}
	nodes := g.nodes
	if len(outputs) > 0 {
		nodes = needed(g, outputs)
	}
	isOutput := make(map[*Node]bool, len(outputs))
	for _, o := range outputs {
		isOutput[o] = true
	}
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "digraph graft {")
	fmt.Fprintln(b, "  rankdir=TB;")
	fmt.Fprintln(b, `  node [fontname="Helvetica", fontsize=10];`)
	writeDOTNodes(b, nodes, isOutput, nil)
	fmt.Fprintln(b, "}")
	return b.Flush()
}

// writeDOTNodes writes nodes and the edges between them; the nodes of each
// of clusters (a program's fused steps) are boxed together.
func writeDOTNodes(b *bufio.Writer, nodes []*Node, isOutput map[*Node]bool, clusters [][]*Node) {
	for k, c := range clusters {
		fmt.Fprintf(b, "  subgraph cluster_%d {\n    label=\"one step\"; fontname=\"Helvetica\"; fontsize=9; style=\"rounded,filled\"; fillcolor=\"#fff7bc\"; color=\"#d95f0e\";\n", k)
		for _, n := range c {
			fmt.Fprintf(b, "    n%d;\n", n.id)
		}
		fmt.Fprintln(b, "  }")
	}
	for _, n := range nodes {
		attrs := ""
		switch {
		case n.kind == Input:
			attrs = `shape=box, style=filled, fillcolor="#c7e9c0"`
		case n.kind == Param:
			attrs = `shape=box, style=filled, fillcolor="#fdd0a2"`
		case n.kind == Constant:
			attrs = `shape=box, style=filled, fillcolor="#e0e0e0"`
		case n.kind == State:
			attrs = `shape=box, style=filled, fillcolor="#dadaeb"`
		case n.gradient:
			attrs = `shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5"`
		default:
			attrs = `shape=ellipse`
		}
		if isOutput[n] {
			attrs += ", peripheries=2"
		}
		fmt.Fprintf(b, "  n%d [label=\"%s\\n%v\", %s];\n", n.id, dotLabel.Replace(n.Name()), n.shape, attrs)
	}
	drawn := make(map[*Node]bool, len(nodes))
	for _, n := range nodes {
		drawn[n] = true
	}
	for _, n := range nodes {
		for i, in := range n.inputs {
			if in == nil || in.graph != n.graph || !drawn[in] { // only in a graph with a build error
				continue
			}
			var attrs []string
			if len(n.inputs) > 1 {
				attrs = append(attrs, fmt.Sprintf("label=%d", i))
			}
			if n.gradient {
				attrs = append(attrs, `color="#2171b5"`)
			}
			fmt.Fprintf(b, "  n%d -> n%d [%s];\n", in.id, n.id, strings.Join(attrs, ", "))
		}
	}
}

// WriteDOT draws what the program computes as WriteDOT draws a graph, with
// the ops of each fused step boxed together, so a reader sees which
// values Compile never stores. Requested outputs have a double outline.
func (p *Program) WriteDOT(w io.Writer) error {
	if p == nil {
		return errors.New("graft: WriteDOT: the program is nil")
	}
	seen := map[*Node]bool{}
	var nodes []*Node
	var clusters [][]*Node
	add := func(n *Node) {
		if n != nil && n.id >= 0 && !seen[n] {
			seen[n] = true
			nodes = append(nodes, n)
		}
	}
	isOutput := make(map[*Node]bool, len(p.outputs))
	for _, o := range p.outputs {
		isOutput[o] = true
	}
	for i := range p.steps {
		s := &p.steps[i]
		members := s.nodes()
		if len(members) > 1 {
			clusters = append(clusters, members)
		}
		for _, n := range members {
			if n.id < 0 { // the copy of a requested leaf: draw the leaf
				add(n.inputs[0])
				continue
			}
			for _, in := range n.inputs {
				add(in)
			}
			add(n)
		}
	}
	slices.SortFunc(nodes, func(a, b *Node) int { return a.id - b.id })
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "digraph graft {")
	fmt.Fprintln(b, "  rankdir=TB;")
	fmt.Fprintln(b, `  node [fontname="Helvetica", fontsize=10];`)
	writeDOTNodes(b, nodes, isOutput, clusters)
	fmt.Fprintln(b, "}")
	return b.Flush()
}

// dotLabel makes a name safe inside a quoted DOT label that stays on one
// line: backslashes are escaped, double quotes become single ones and line
// breaks become DOT's \n.
var dotLabel = strings.NewReplacer(`\`, `\\`, `"`, `'`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
