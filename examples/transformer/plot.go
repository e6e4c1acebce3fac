package main

import (
	"fmt"
	"html"
	"io"
	"math"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/atomicfile"
	"graft/layers"
)

// writeAttentionSVG draws the attention weights of every block, each
// (heads, T, T), as one heat map per head: a row of maps per block, row i
// of a map query step i, column j key step j, darker for more weight
// (white 0, black 1). tokens label the steps.
func writeAttentionSVG(path string, blocks []*tensor.Dense, tokens []string) error {
	s := blocks[0].Shape()
	heads, t := s[0], s[1]
	const cell, gap, margin, caption = 14, 24, 30, 30
	panel := t * cell
	width := margin + heads*(panel+gap)
	rowHeight := margin + panel + caption
	return atomicfile.Write(path, func(out io.Writer) error {
		p := func(format string, args ...any) { fmt.Fprintf(out, format, args...) }
		p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="monospace" font-size="10">`+"\n", width, len(blocks)*rowHeight)
		p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
		for b, weights := range blocks {
			w := graph.Float64s(weights)
			y0 := b * rowHeight
			for h := range heads {
				drawHead(p, w[h*t*t:(h+1)*t*t], tokens, margin+h*(panel+gap), y0, cell, margin, fmt.Sprintf("block %d, head %d", b+1, h+1))
			}
		}
		p("</svg>\n")
		return nil
	})
}

// drawHead draws one (T, T) map w with its top-left corner at (x0,
// y0+margin), its tokens above it (and left of it when x0 is the first
// column) and its caption below.
func drawHead(p func(string, ...any), w []float64, tokens []string, x0, y0, cell, margin int, caption string) {
	t := len(tokens)
	panel := t * cell
	top := y0 + margin
	p(`<text x="%d" y="%d">%s</text>`+"\n", x0, top+panel+16, caption)
	for i := range t {
		for j := range t {
			v := w[i*t+j]
			if math.IsNaN(v) {
				v = 0
			}
			shade := int(math.Round(255 * (1 - math.Max(0, math.Min(1, v)))))
			p(`<rect x="%d" y="%d" width="%d" height="%d" fill="rgb(%d,%d,%d)"/>`+"\n", x0+j*cell, top+i*cell, cell, cell, shade, shade, shade)
		}
	}
	for k, tok := range tokens {
		p(`<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", x0+k*cell+cell/2, top-6, html.EscapeString(tok))
		if x0 == margin {
			p(`<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", margin-4, top+k*cell+cell-3, html.EscapeString(tok))
		}
	}
	p(`<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="gray"/>`+"\n", x0, top, panel, panel)
}

// writeBlockDOT draws one transformer block of the run's width and heads,
// applied to a (1, 4, d) input, forward only, as a Graphviz DOT file.
func writeBlockDOT(path string, cfg config) error {
	g := graph.New()
	m := layers.NewModel(1)
	block := m.TransformerBlock(cfg.dModel, layers.BlockConfig{Heads: cfg.heads, Causal: true})
	y := block.Apply(g.Input("x", cfg.dtype, 1, 4, cfg.dModel))
	if err := g.Err(); err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { return graph.WriteDOT(w, g, y) })
}
