package train_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/train"
)

func f64s(shape []int, data ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

func TestNewMetricsCountByHand(t *testing.T) {
	scores := f64s([]int{3, 3},
		0.1, 0.7, 0.2, // ranks: 1, 2, 0
		0.5, 0.3, 0.2, // 0, 1, 2
		0.3, 0.3, 0.4) // 2, then 0 and 1 tied
	oneHot := f64s([]int{3, 3}, 0, 1, 0, 0, 1, 0, 1, 0, 0)
	labels := f64s([]int{3}, 2, 1, 1)
	for _, tc := range []struct {
		name         string
		metric       train.Metric
		pred, target *tensor.Dense
		correct      int
	}{
		{"categorical", train.CategoricalAccuracy, scores, oneHot, 1}, // row 0 right; row 1 is 0 not 1; row 2 is 2 not 0
		{"top 1", train.TopKAccuracy(1), scores, labels, 0},
		{"top 2", train.TopKAccuracy(2), scores, labels, 3}, // 2 is second in row 0; 1 second in row 1; 1 ties for second in row 2
		{"top 3", train.TopKAccuracy(3), scores, labels, 3},
	} {
		c, n, err := tc.metric(tc.pred, tc.target)
		if c != tc.correct || n != 3 || err != nil {
			t.Errorf("%s: %d/%d (%v), want %d/3", tc.name, c, n, err, tc.correct)
		}
	}
	pred := f64s([]int{5, 1}, 0.9, 0.8, 0.2, 0.6, 0.1)
	target := f64s([]int{5}, 1, 0, 1, 1, 0)
	// predicted positive: rows 0, 1, 3; actual: 0, 2, 3. tp 2, fp 1, fn 1.
	for _, tc := range []struct {
		meter train.Meter
		want  float64
	}{
		{train.Precision(0.5), 2.0 / 3},
		{train.Recall(0.5), 2.0 / 3},
		{train.F1(0.5), 4.0 / 6},
		{train.MeanAbsoluteError(), (0.1 + 0.8 + 0.8 + 0.4 + 0.1) / 5},
		{train.MeanSquaredError(), (0.01 + 0.64 + 0.64 + 0.16 + 0.01) / 5},
		{train.Counted("accuracy", train.BinaryAccuracy(0.5)), 3.0 / 5},
	} {
		tc.meter.Reset()
		// Two halves of the batch give what the whole does.
		if err := tc.meter.Add(f64s([]int{2, 1}, 0.9, 0.8), f64s([]int{2}, 1, 0)); err != nil {
			t.Fatal(err)
		}
		if err := tc.meter.Add(f64s([]int{3, 1}, 0.2, 0.6, 0.1), f64s([]int{3}, 1, 1, 0)); err != nil {
			t.Fatal(err)
		}
		if got := tc.meter.Value(); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", tc.meter.Name(), got, tc.want)
		}
		tc.meter.Reset()
		if err := tc.meter.Add(pred, target); err != nil || math.Abs(tc.meter.Value()-tc.want) > 1e-12 {
			t.Errorf("%s of the whole batch = %v (%v), want %v", tc.meter.Name(), tc.meter.Value(), err, tc.want)
		}
	}
	none := train.Precision(0.5)
	if err := none.Add(f64s([]int{2}, 0.1, 0.2), f64s([]int{2}, 1, 1)); err != nil || none.Value() != 0 {
		t.Errorf("precision with no predicted positive = %v (%v), want 0", none.Value(), err)
	}
}

func TestNewMetricsRejectShapesTheyCannotCompare(t *testing.T) {
	scores := f64s([]int{2, 3}, 1, 2, 3, 4, 5, 6)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"categorical with class indices", third(train.CategoricalAccuracy(scores, f64s([]int{2}, 1, 2))),
			"graft: CategoricalAccuracy: target has shape (2,) and pred (2, 3); it needs one-hot targets"},
		{"categorical of one column", third(train.CategoricalAccuracy(f64s([]int{2, 1}, 1, 2), f64s([]int{2, 1}, 1, 0))), "with at least 2 classes"},
		{"top k past the classes", third(train.TopKAccuracy(4)(scores, f64s([]int{2}, 1, 2))), "k is 4; for 3 classes it must be from 1 to 3"},
		{"top k with a bad label", third(train.TopKAccuracy(1)(scores, f64s([]int{2}, 1, 3))), "target[1] is 3"},
		{"mae of other shapes", train.MeanAbsoluteError().Add(scores, f64s([]int{2}, 1, 2)), "graft: mae: pred has shape (2, 3) and target (2,)"},
		{"f1 of a nil target", train.F1(0.5).Add(scores, nil), "graft: f1: target is nil"},
		{"a nil Metric", train.Counted("acc", nil).Add(scores, scores), "the Metric is nil"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}

func third(_, _ int, err error) error { return err }
