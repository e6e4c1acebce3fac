package main

import (
	"errors"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"graft/internal/atomicfile"
)

// curve is one line of a chart: a value per epoch.
type curve struct {
	name   string
	values []float64
	dashed bool
}

// plotCurves writes the loss and the accuracy per epoch, on the training
// batches and on the test images, as two charts side by side in one SVG.
func plotCurves(path string, s summary) error {
	loss, err := chart("MNIST loss", "softmax cross-entropy", true,
		curve{"training", floats(s.EpochTrainLoss), false}, curve{"test", floats(s.EpochTestLoss), true})
	if err != nil {
		return err
	}
	percent := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, a := range v {
			out[i] = 100 * a
		}
		return out
	}
	accuracy, err := chart("MNIST accuracy", "accuracy (%)", false,
		curve{"training", percent(s.EpochTrainAccuracy), false}, curve{"test", percent(s.EpochTestAccuracy), true})
	if err != nil {
		return err
	}
	canvas := vgsvg.New(10*vg.Inch, 4*vg.Inch)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 4}
	plots := [][]*plot.Plot{{loss, accuracy}}
	for i, c := range plot.Align(plots, tiles, draw.New(canvas))[0] {
		plots[0][i].Draw(c)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := canvas.WriteTo(w)
		return err
	})
}

// chart draws curves against their epochs, skipping values that are not
// finite (a diverged epoch leaves a gap the line joins over). The y axis is
// padded so that a flat curve, or a single epoch, sits inside a visible
// range. The legend goes at the top or, for rising curves, the bottom.
func chart(title, ylabel string, legendTop bool, curves ...curve) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = ylabel
	p.Legend.Top = legendTop
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range curves {
		var points plotter.XYs
		for i, v := range c.values {
			if finite(v) {
				points = append(points, plotter.XY{X: float64(i + 1), Y: v})
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if len(points) == 0 {
			continue
		}
		line, marks, err := plotter.NewLinePoints(points)
		if err != nil {
			return nil, err
		}
		if c.dashed {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			line.Color, marks.Color = color.RGBA{R: 200, A: 255}, color.RGBA{R: 200, A: 255}
		}
		p.Add(line, marks)
		p.Legend.Add(c.name, line, marks)
	}
	if lo > hi {
		return nil, errors.New("every value is NaN or infinite, so there is no curve to draw")
	}
	pad := math.Max(0.05*(hi-lo), 0.01*math.Max(math.Abs(lo), math.Abs(hi)))
	if pad == 0 {
		pad = 1
	}
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	p.X.Min, p.X.Max = 0.5, float64(len(curves[0].values))+0.5
	return p, nil
}

func floats(v []jsonFloat) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}
