package graph

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteDOT draws the nodes that outputs depend on (every node of their graph
// when outputs is empty and g is given) in Graphviz's DOT language. Inputs
// are green, parameters orange, constants grey; ops built by reverse-mode
// differentiation are blue and dashed, so a reader sees what autodiff added.
// Render it with `dot -Tsvg graph.dot > graph.svg`.
func WriteDOT(w io.Writer, g *Graph, outputs ...*Node) error {
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
	for _, n := range nodes {
		attrs := ""
		switch {
		case n.kind == Input:
			attrs = `shape=box, style=filled, fillcolor="#c7e9c0"`
		case n.kind == Param:
			attrs = `shape=box, style=filled, fillcolor="#fdd0a2"`
		case n.kind == Constant:
			attrs = `shape=box, style=filled, fillcolor="#e0e0e0"`
		case n.gradient:
			attrs = `shape=ellipse, style=dashed, color="#2171b5", fontcolor="#2171b5"`
		default:
			attrs = `shape=ellipse`
		}
		if isOutput[n] {
			attrs += ", peripheries=2"
		}
		fmt.Fprintf(b, "  n%d [label=\"%s\\n%v\", %s];\n", n.id, strings.ReplaceAll(n.Name(), `"`, `'`), n.shape, attrs)
	}
	for _, n := range nodes {
		for i, in := range n.inputs {
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
	fmt.Fprintln(b, "}")
	return b.Flush()
}
