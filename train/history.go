package train

import (
	"errors"
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"graft/internal/atomicfile"
)

// History holds every metric of every epoch: the training loss and
// metrics, measured on the batches as they were trained (like Keras' fit),
// the validation ones ("val_loss", "val_" + a metric's name) measured after
// the epoch, and the learning rate the epoch ended with ("lr", when the
// optimizer has one).
type History struct {
	Loss     []float64 // the same slice as Metrics["loss"]
	Accuracy []float64 // Metrics["accuracy"]: empty without a Metric
	Steps    int       // optimizer steps taken
	Epochs   int       // epochs completed
	// Names lists the metrics in the order they were first recorded, the
	// column order of loggers and plots.
	Names   []string
	Metrics map[string][]float64
}

// record appends an epoch's value of the metric name.
func (h *History) record(name string, v float64) {
	if _, ok := h.Metrics[name]; !ok {
		h.Names = append(h.Names, name)
	}
	h.Metrics[name] = append(h.Metrics[name], v)
}

// Last returns the latest value of the metric name, and false if the
// History has none.
func (h *History) Last(name string) (float64, bool) {
	v := h.Metrics[name]
	if len(v) == 0 {
		return 0, false
	}
	return v[len(v)-1], true
}

// PlotSVG writes an SVG line chart of the named metrics against the epoch
// to path (replacing the file whole, never leaving half of one); no names
// plots every metric but the learning rate, whose scale differs. NaN and
// infinite values leave gaps that the line joins across.
func (h *History) PlotSVG(path string, names ...string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return h.plot(w, names) })
}

// WriteSVG writes the chart PlotSVG draws to w.
func (h *History) WriteSVG(w io.Writer, names ...string) error { return h.plot(w, names) }

func (h *History) plot(w io.Writer, names []string) error {
	if len(names) == 0 {
		for _, n := range h.Names {
			if n != "lr" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return errors.New("graft: History.PlotSVG: the History holds no epoch")
	}
	p := plot.New()
	p.X.Label.Text = "epoch"
	p.Add(plotter.NewGrid())
	for i, name := range names {
		values, ok := h.Metrics[name]
		if !ok {
			return fmt.Errorf("graft: History.PlotSVG: no metric %q; the History holds %v", name, h.Names)
		}
		var xys plotter.XYs
		for e, v := range values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				xys = append(xys, plotter.XY{X: float64(e + 1), Y: v})
			}
		}
		if len(xys) == 0 {
			continue
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("graft: History.PlotSVG: %s: %w", name, err)
		}
		line.Color = plotutil.Color(i)
		line.Dashes = plotutil.Dashes(i / 7)
		p.Add(line)
		p.Legend.Add(name, line)
	}
	p.Legend.Top = true
	svg, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "svg")
	if err != nil {
		return fmt.Errorf("graft: History.PlotSVG: %w", err)
	}
	_, err = svg.WriteTo(w)
	return err
}
