package main

import (
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"graft/internal/atomicfile"
)

// writePlot draws two panels side by side: the eigenvalues in order, and
// the loss along the top eigenvector.
func writePlot(path string, r result) error {
	spectrum := plot.New()
	spectrum.Title.Text = "Hessian eigenvalues at the end of training"
	spectrum.X.Label.Text = "index (ascending)"
	spectrum.Y.Label.Text = "eigenvalue"
	var pts plotter.XYs
	for i, e := range r.eigenvalues {
		pts = append(pts, plotter.XY{X: float64(i), Y: e})
	}
	scatter, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	spectrum.Add(scatter, plotter.NewGrid())

	landscape := plot.New()
	landscape.Title.Text = "loss along the top eigenvector"
	landscape.X.Label.Text = "step s (θ + s·v_max)"
	landscape.Y.Label.Text = "binary cross-entropy"
	pts = nil
	for i, s := range r.steps {
		pts = append(pts, plotter.XY{X: s, Y: r.along[i]})
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	landscape.Add(line, plotter.NewGrid())

	canvas := vgsvg.New(10*vg.Inch, 4*vg.Inch)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 4}
	dc := draw.New(canvas)
	spectrum.Draw(tiles.At(dc, 0, 0))
	landscape.Draw(tiles.At(dc, 1, 0))
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := canvas.WriteTo(w)
		return err
	})
}
