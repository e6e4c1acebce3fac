// Package chart samples activation curves and draws them as SVG with
// gonum.org/v1/plot: the function beside the derivative that autodiff
// computes, and optionally the second derivative. It is a separate package
// so that only programs that sample or draw depend on autodiff and the
// plotting library; package activations itself builds on graph and ops only.
package chart

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// PanelWidth and PanelHeight are the size of each panel of a chart.
const (
	PanelWidth  = 3.2 * vg.Inch
	PanelHeight = 2.4 * vg.Inch
)

var (
	functionColor   = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	derivativeColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	secondColor     = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
)

// WriteSVG draws c as panels side by side: the function, its first
// derivative and, if second is set, its second derivative, each titled with
// name, and writes the SVG document to w.
func WriteSVG(w io.Writer, name string, c Curve, second bool) error {
	type series struct {
		title string
		ys    []float64
		color color.Color
	}
	panels := []series{
		{name + "(x)", c.Y, functionColor},
		{name + "′(x), by autodiff", c.D1, derivativeColor},
	}
	if second {
		panels = append(panels, series{name + "″(x), by autodiff", c.D2, secondColor})
	}
	row := make([]*plot.Plot, len(panels))
	for i, p := range panels {
		pl, err := panel(p.title, c.X, p.ys, p.color)
		if err != nil {
			return fmt.Errorf("graft: chart %s: %w", p.title, err)
		}
		row[i] = pl
	}
	canvas := vgsvg.New(PanelWidth*vg.Length(len(panels)), PanelHeight)
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 4}
	cells := plot.Align([][]*plot.Plot{row}, tiles, dc)
	for i, pl := range row {
		pl.Draw(cells[0][i])
	}
	_, err := canvas.WriteTo(w)
	return err
}

// panel plots ys against xs with a grid and the axes through 0.
func panel(title string, xs, ys []float64, c color.Color) (*plot.Plot, error) {
	if len(xs) != len(ys) || len(xs) < 2 {
		return nil, fmt.Errorf("%d x values and %d y values; need two or more of each, as many", len(xs), len(ys))
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x"
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Color = c
	line.Width = vg.Points(1.5)
	p.Add(line)
	// A flat curve (the derivative of identity, say) gets some room
	// around it instead of a degenerate axis.
	if p.Y.Max-p.Y.Min < 1e-9 {
		p.Y.Min, p.Y.Max = p.Y.Min-1, p.Y.Max+1
	}
	return p, nil
}
