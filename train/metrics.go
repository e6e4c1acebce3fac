package train

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Meter accumulates a metric over the batches of an epoch: Fit and
// Evaluate Reset it, Add each batch's predictions and targets, and read
// Value at the end. Add returns an error, and Fit stops with it, when pred
// and target cannot be compared, rather than count a wrong number. The
// meters here allocate nothing in Add.
type Meter interface {
	Name() string                         // the metric's name in a History ("mae", "f1")
	Reset()                               // forget every batch
	Add(pred, target *tensor.Dense) error // count one batch
	Value() float64                       // the metric over the batches added since Reset
}

// Counted makes a Meter of a Metric that counts right predictions: its
// Value is the share of right ones over every batch added, named name.
// Counted("accuracy", BinaryAccuracy(0.5)) is what Config.Metric reports.
func Counted(name string, m Metric) Meter { return &counted{name: name, metric: m} }

type counted struct {
	name           string
	metric         Metric
	correct, total int
}

func (c *counted) Name() string { return c.name }
func (c *counted) Reset()       { c.correct, c.total = 0, 0 }
func (c *counted) Value() float64 {
	return float64(c.correct) / float64(max(c.total, 1))
}

func (c *counted) Add(pred, target *tensor.Dense) error {
	if c.metric == nil {
		return fmt.Errorf("graft: %s: the Metric is nil", c.name)
	}
	k, n, err := c.metric(pred, target)
	c.correct, c.total = c.correct+k, c.total+n
	return err
}

// CategoricalAccuracy counts rows of pred (batch, classes) whose largest
// entry is where the one-hot row of target (batch, classes) has its 1, as
// Keras' categorical_accuracy does (the first largest entry wins a tie, in
// both). For class indices as targets use SparseCategoricalAccuracy.
func CategoricalAccuracy(pred, target *tensor.Dense) (int, int, error) {
	p, t, err := metricOperands("CategoricalAccuracy", pred, target)
	if err != nil {
		return 0, 0, err
	}
	ps, ts := graph.Shape(pred.Shape()), graph.Shape(target.Shape())
	switch {
	case ps.Rank() != 2 || ps[1] < 2:
		return 0, 0, fmt.Errorf("graft: CategoricalAccuracy: pred has shape %v; it needs (batch, classes) with at least 2 classes", ps)
	case !ts.Equal(ps):
		return 0, 0, fmt.Errorf("graft: CategoricalAccuracy: target has shape %v and pred %v; it needs one-hot targets of pred's shape (for class indices use SparseCategoricalAccuracy)", ts, ps)
	}
	rows, classes := ps[0], ps[1]
	correct := 0
	for r := 0; r < rows; r++ {
		if argmax(p, r*classes, classes) == argmax(t, r*classes, classes) {
			correct++
		}
	}
	return correct, rows, nil
}

func argmax(v numberView, at, n int) int {
	best := 0
	for c := 1; c < n; c++ {
		if v.at(at+c) > v.at(at+best) {
			best = c
		}
	}
	return best
}

// TopKAccuracy counts rows of pred (batch, classes) whose k largest
// entries include the class index held in target, of shape (batch,) or
// (batch, 1), as Keras' sparse_top_k_categorical_accuracy does. A class
// whose score ties the k-th largest counts as among them. k must be from 1
// to the number of classes; TopKAccuracy(1) is SparseCategoricalAccuracy
// up to ties.
func TopKAccuracy(k int) Metric {
	return func(pred, target *tensor.Dense) (int, int, error) {
		p, t, err := metricOperands("TopKAccuracy", pred, target)
		if err != nil {
			return 0, 0, err
		}
		ps, ts := graph.Shape(pred.Shape()), graph.Shape(target.Shape())
		switch {
		case ps.Rank() != 2 || ps[1] < 2:
			return 0, 0, fmt.Errorf("graft: TopKAccuracy: pred has shape %v; it needs (batch, classes) with at least 2 classes", ps)
		case k < 1 || k > ps[1]:
			return 0, 0, fmt.Errorf("graft: TopKAccuracy: k is %d; for %d classes it must be from 1 to %d", k, ps[1], ps[1])
		case !(ts.Equal(graph.Shape{ps[0]}) || ts.Equal(graph.Shape{ps[0], 1})):
			return 0, 0, fmt.Errorf("graft: TopKAccuracy: target has shape %v; for pred %v it needs (%d,), one class index per row", ts, ps, ps[0])
		}
		rows, classes := ps[0], ps[1]
		correct := 0
		for r := 0; r < rows; r++ {
			label := t.at(r)
			if label != math.Trunc(label) || label < 0 || label >= float64(classes) {
				return 0, 0, fmt.Errorf("graft: TopKAccuracy: target[%d] is %v; a class index is a whole number from 0 to %d", r, label, classes-1)
			}
			// The label is in the top k when fewer than k classes score
			// strictly higher.
			score, higher := p.at(r*classes+int(label)), 0
			for c := 0; c < classes; c++ {
				if p.at(r*classes+c) > score {
					higher++
				}
			}
			if higher < k && !math.IsNaN(score) {
				correct++
			}
		}
		return correct, rows, nil
	}
}

// MeanAbsoluteError is a Meter of mean(|pred - target|) over every element
// of every batch added, named "mae". pred and target need one shape, up to
// axes of size 1.
func MeanAbsoluteError() Meter { return &errorMeter{name: "mae", abs: true} }

// MeanSquaredError is a Meter of mean((pred - target)²) over every element
// of every batch added, named "mse". pred and target need one shape, up to
// axes of size 1.
func MeanSquaredError() Meter { return &errorMeter{name: "mse"} }

type errorMeter struct {
	name string
	abs  bool
	sum  float64
	n    int
}

func (m *errorMeter) Name() string   { return m.name }
func (m *errorMeter) Reset()         { m.sum, m.n = 0, 0 }
func (m *errorMeter) Value() float64 { return m.sum / float64(max(m.n, 1)) }

func (m *errorMeter) Add(pred, target *tensor.Dense) error {
	p, t, err := sameShapeOperands(m.name, pred, target)
	if err != nil {
		return err
	}
	for i := 0; i < p.len; i++ {
		d := p.at(i) - t.at(i)
		if m.abs {
			m.sum += math.Abs(d)
		} else {
			m.sum += d * d
		}
	}
	m.n += p.len
	return nil
}

// sameShapeOperands checks operands compared element by element.
func sameShapeOperands(name string, pred, target *tensor.Dense) (p, t numberView, err error) {
	if p, t, err = metricOperands(name, pred, target); err != nil {
		return p, t, err
	}
	if !sameUpToUnitAxes(pred.Shape(), target.Shape()) {
		return p, t, fmt.Errorf("graft: %s: pred has shape %v and target %v; it compares them element by element, so they need one shape",
			name, graph.Shape(pred.Shape()), graph.Shape(target.Shape()))
	}
	return p, t, nil
}

// Precision is a Meter of tp / (tp + fp) for a binary problem, named
// "precision": a prediction above threshold (0.5 for probabilities, 0 for
// logits) is a positive, a target above 0.5 is one. With no predicted
// positive it is 0, as Keras reports it.
func Precision(threshold float64) Meter {
	return &confusion{name: "precision", threshold: threshold}
}

// Recall is a Meter of tp / (tp + fn) for a binary problem, named "recall",
// with Precision's thresholds. With no positive target it is 0.
func Recall(threshold float64) Meter { return &confusion{name: "recall", threshold: threshold} }

// F1 is a Meter of the harmonic mean of precision and recall, 2·tp / (2·tp
// + fp + fn), for a binary problem, named "f1", with Precision's
// thresholds. With neither a predicted nor a target positive it is 0.
func F1(threshold float64) Meter { return &confusion{name: "f1", threshold: threshold} }

// confusion counts a binary problem's true positives, false positives and
// false negatives.
type confusion struct {
	name       string
	threshold  float64
	tp, fp, fn int
}

func (c *confusion) Name() string { return c.name }
func (c *confusion) Reset()       { c.tp, c.fp, c.fn = 0, 0, 0 }

func (c *confusion) Value() float64 {
	var num, den int
	switch c.name {
	case "precision":
		num, den = c.tp, c.tp+c.fp
	case "recall":
		num, den = c.tp, c.tp+c.fn
	default:
		num, den = 2*c.tp, 2*c.tp+c.fp+c.fn
	}
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

func (c *confusion) Add(pred, target *tensor.Dense) error {
	p, t, err := sameShapeOperands(c.name, pred, target)
	if err != nil {
		return err
	}
	for i := 0; i < p.len; i++ {
		predicted, actual := p.at(i) > c.threshold, t.at(i) > 0.5
		switch {
		case predicted && actual:
			c.tp++
		case predicted:
			c.fp++
		case actual:
			c.fn++
		}
	}
	return nil
}
