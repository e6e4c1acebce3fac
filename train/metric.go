package train

import (
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"graft/graph"
)

// BinaryAccuracy counts predictions on the same side of threshold as their
// 0/1 targets: use 0.5 for probabilities and 0 for logits, as Keras does.
// The targets may be floats or graph.Int64; a target counts as 1 above 0.5.
// pred and target are compared element by element, so they must have the
// same shape, up to axes of size 1: a (batch, 1) sigmoid output and (batch,)
// targets agree; a (batch, classes) softmax output is an error (count it
// with SparseCategoricalAccuracy).
func BinaryAccuracy(threshold float64) Metric {
	return func(pred, target *tensor.Dense) (int, int, error) {
		p, t, err := metricOperands("BinaryAccuracy", pred, target)
		if err != nil {
			return 0, 0, err
		}
		if !sameUpToUnitAxes(pred.Shape(), target.Shape()) {
			return 0, 0, fmt.Errorf("graft: BinaryAccuracy: pred has shape %v and target %v; it compares them element by element, so they need one shape (for a score per class use SparseCategoricalAccuracy)",
				graph.Shape(pred.Shape()), graph.Shape(target.Shape()))
		}
		correct := 0
		for i := 0; i < p.len; i++ {
			if (p.at(i) > threshold) == (t.at(i) > 0.5) {
				correct++
			}
		}
		return correct, p.len, nil
	}
}

// SparseCategoricalAccuracy counts rows of pred (batch, classes) whose
// largest entry is at the class index held in target, of shape (batch,) or
// (batch, 1): graph.Int64 class ids, as losses.SoftmaxCrossEntropy takes
// them, or whole numbers held as floats. pred needs at least two classes: a
// (batch, 1) output is one probability per row, which BinaryAccuracy counts
// (here every row's largest entry would be class 0, a silently wrong
// accuracy). A target that is not a whole number from 0 to classes-1 is an
// error naming its row.
func SparseCategoricalAccuracy(pred, target *tensor.Dense) (int, int, error) {
	p, t, err := metricOperands("SparseCategoricalAccuracy", pred, target)
	if err != nil {
		return 0, 0, err
	}
	ps, ts := graph.Shape(pred.Shape()), graph.Shape(target.Shape())
	switch {
	case ps.Rank() != 2:
		return 0, 0, fmt.Errorf("graft: SparseCategoricalAccuracy: pred has shape %v; it needs (batch, classes)", ps)
	case ps[1] < 2:
		return 0, 0, fmt.Errorf("graft: SparseCategoricalAccuracy: pred has shape %v, one score per row, not one per class; count a single probability or logit with BinaryAccuracy", ps)
	case !(ts.Equal(graph.Shape{ps[0]}) || ts.Equal(graph.Shape{ps[0], 1})):
		return 0, 0, fmt.Errorf("graft: SparseCategoricalAccuracy: target has shape %v; for pred %v it needs (%d,), one class index per row", ts, ps, ps[0])
	}
	rows, classes := ps[0], ps[1]
	correct := 0
	for r := 0; r < rows; r++ {
		label := t.at(r)
		if label != math.Trunc(label) || label < 0 || label >= float64(classes) {
			return 0, 0, fmt.Errorf("graft: SparseCategoricalAccuracy: target[%d] is %v; a class index is a whole number from 0 to %d", r, label, classes-1)
		}
		best := 0
		for c := 1; c < classes; c++ {
			if p.at(r*classes+c) > p.at(r*classes+best) {
				best = c
			}
		}
		if float64(best) == label {
			correct++
		}
	}
	return correct, rows, nil
}

// metricOperands checks what every metric needs of its tensors and returns
// views of their values. pred is float32 or float64; target may also be
// graph.Int64 (labels).
func metricOperands(metric string, pred, target *tensor.Dense) (p, t numberView, err error) {
	for _, op := range []struct {
		name string
		t    *tensor.Dense
	}{{"pred", pred}, {"target", target}} {
		switch {
		case op.t == nil:
			return p, t, fmt.Errorf("graft: %s: %s is nil", metric, op.name)
		case !metricDType(op.name, op.t.Dtype()):
			also := ""
			if op.name == "target" {
				also = ", and takes int64 targets"
			}
			return p, t, fmt.Errorf("graft: %s: %s is %s; graft computes in float32 and float64%s", metric, op.name, graph.DTypeName(op.t.Dtype()), also)
		case op.t.RequiresIterator():
			return p, t, fmt.Errorf("graft: %s: %s is a non-contiguous view; call Materialize() first", metric, op.name)
		}
	}
	p, t = numbers(pred), numbers(target)
	if p.len == 0 || t.len == 0 {
		return p, t, errors.New("graft: " + metric + ": pred and target must not be empty")
	}
	return p, t, nil
}

// metricDType reports whether a metric takes the dtype dt for its operand
// called name: floats for both, int64 labels for the target.
func metricDType(name string, dt tensor.Dtype) bool {
	return dt == tensor.Float32 || dt == tensor.Float64 || (name == "target" && dt == graph.Int64)
}

// sameUpToUnitAxes reports whether a and b are the same shape once their
// axes of size 1 are dropped: (4, 1) and (4,) are, (4, 2) and (4,) are not.
func sameUpToUnitAxes(a, b tensor.Shape) bool {
	i, j := 0, 0
	for {
		for i < len(a) && a[i] == 1 {
			i++
		}
		for j < len(b) && b[j] == 1 {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i, j = i+1, j+1
	}
}

// numberView reads a float32, float64 or int64 tensor as float64 without
// copying.
type numberView struct {
	f32 []float32
	f64 []float64
	i64 []int64
	len int
}

func numbers(t *tensor.Dense) numberView {
	switch t.Dtype() {
	case tensor.Float32:
		d := t.Float32s()
		return numberView{f32: d, len: len(d)}
	case tensor.Int64:
		d := t.Int64s()
		return numberView{i64: d, len: len(d)}
	}
	d := t.Float64s()
	return numberView{f64: d, len: len(d)}
}

func (v numberView) at(i int) float64 {
	switch {
	case v.f32 != nil:
		return float64(v.f32[i])
	case v.i64 != nil:
		return float64(v.i64[i])
	}
	return v.f64[i]
}
