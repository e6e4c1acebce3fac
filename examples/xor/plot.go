package main

import (
	"errors"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"graft/internal/atomicfile"
)

// plotLoss writes the per-epoch training loss as an SVG line chart.
func plotLoss(path string, loss []float64) error {
	p, err := lossPlot(loss)
	if err != nil {
		return err
	}
	svg, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "svg")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := svg.WriteTo(w)
		return err
	})
}

// lossPlot charts the finite values of loss against their epochs. The y
// axis is logarithmic when the curve spans at least a decade of positive
// values, as a converging loss does; otherwise (one epoch, a flat or
// nearly flat curve, a zero or negative loss) it is linear, padded so that
// a flat line sits inside a visible range. gonum's log ticks panic on a
// range that reaches 0 or below, which a flat curve's default padding of ±1
// does.
func lossPlot(loss []float64) (*plot.Plot, error) {
	if len(loss) == 0 {
		return nil, errors.New("no epochs were trained, so there is no loss curve")
	}
	var points plotter.XYs
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, l := range loss {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			continue // a diverged epoch has no point; the line joins its neighbours
		}
		points = append(points, plotter.XY{X: float64(i + 1), Y: l})
		lo, hi = math.Min(lo, l), math.Max(hi, l)
	}
	if len(points) == 0 {
		return nil, errors.New("the loss is NaN or infinite at every epoch, so there is no curve to draw")
	}
	p := plot.New()
	p.Title.Text = "XOR training loss"
	p.X.Label.Text = "epoch"
	line, err := plotter.NewLine(points)
	if err != nil {
		return nil, err
	}
	p.Add(line, plotter.NewGrid())
	if lo > 0 && hi >= 10*lo {
		p.Y.Label.Text = "binary cross-entropy (log scale)"
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		return p, nil
	}
	p.Y.Label.Text = "binary cross-entropy"
	pad := math.Max(0.05*(hi-lo), 0.05*math.Max(math.Abs(lo), math.Abs(hi)))
	if pad == 0 || math.IsInf(pad, 0) {
		pad = 1
	}
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	return p, nil
}
