package main

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// plotLoss writes the per-epoch training loss as an SVG line chart.
func plotLoss(path string, loss []float64) error {
	if len(loss) == 0 {
		return fmt.Errorf("--plot: no epochs were trained, so there is no loss curve")
	}
	p := plot.New()
	p.Title.Text = "XOR training loss"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "binary cross-entropy (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	points := make(plotter.XYs, len(loss))
	for i, l := range loss {
		points[i] = plotter.XY{X: float64(i + 1), Y: l}
	}
	line, err := plotter.NewLine(points)
	if err != nil {
		return err
	}
	p.Add(line, plotter.NewGrid())
	return p.Save(6*vg.Inch, 4*vg.Inch, path)
}
