package graph

import (
	"bufio"
	"errors"
	"fmt"
	"io"
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
	for _, n := range nodes {
		for i, in := range n.inputs {
			if in == nil || in.graph != n.graph { // only in a graph with a build error
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
	fmt.Fprintln(b, "}")
	return b.Flush()
}

// dotLabel makes a name safe inside a quoted DOT label that stays on one
// line: backslashes are escaped, double quotes become single ones and line
// breaks become DOT's \n.
var dotLabel = strings.NewReplacer(`\`, `\\`, `"`, `'`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
