package train_test

import (
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/losses"
	"graft/ops"
	"graft/train"
)

func int64s(shape []int, ids ...float64) *tensor.Dense {
	t, err := graph.NewTensor(graph.Int64, ids, shape...)
	if err != nil {
		panic(err) // the test itself is wrong
	}
	return t
}

func TestMetricsCountInt64TargetsByHand(t *testing.T) {
	logits := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{1, 5, 2, 0, 0, 9, 7, 1, 1}))
	for _, shape := range [][]int{{3}, {3, 1}} {
		if c, n, err := train.SparseCategoricalAccuracy(logits, int64s(shape, 1, 0, 0)); c != 2 || n != 3 || err != nil {
			t.Errorf("categorical accuracy with %v int64 labels: %d/%d (%v), want 2/3", shape, c, n, err)
		}
	}
	pred := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{0.9, 0.4, 0.6, 0.1}))
	if c, n, err := train.BinaryAccuracy(0.5)(pred, int64s([]int{4}, 1, 1, 0, 0)); c != 2 || n != 4 || err != nil {
		t.Errorf("binary accuracy with int64 targets: %d/%d (%v), want 2/4", c, n, err)
	}
}

func TestMetricsRejectBadInt64Operands(t *testing.T) {
	scores := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.1, 0.9, 0.9, 0.1}))
	for _, tc := range []struct {
		name         string
		pred, target *tensor.Dense
		want         string
	}{
		{"a label past the last class", scores, int64s([]int{2}, 1, 2), "graft: SparseCategoricalAccuracy: target[1] is 2; a class index is a whole number from 0 to 1"},
		{"a negative label", scores, int64s([]int{2}, -1, 0), "target[0] is -1"},
		{"int64 predictions", int64s([]int{2, 2}, 0, 1, 1, 0), int64s([]int{2}, 1, 0), "pred is int64; graft computes in float32 and float64"},
		{"int32 labels", scores, tensor.New(tensor.WithShape(2), tensor.WithBacking([]int32{1, 0})), "target is int32; graft computes in float32 and float64, and takes int64 targets"},
	} {
		c, n, err := train.SparseCategoricalAccuracy(tc.pred, tc.target)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %d/%d, error %v; want an error containing %q", tc.name, c, n, err, tc.want)
		}
	}
}

// classData is a three-class problem a linear model separates: the class of
// x is the index of its largest coordinate. The labels come as int64 ids and
// as the same ids held in float64.
func classData() (x, ids, floatIDs *tensor.Dense) {
	xs := []float64{
		1, 0, 0, 0, 2, 0, 0, 0, 3, 0.5, 0.1, 0.2,
		0.1, 0.9, 0.3, 0.2, 0.1, 1.5, 2, 1, 0, 0, 1, 0.5,
	}
	labels := []float64{0, 1, 2, 0, 1, 2, 0, 1}
	return tensor.New(tensor.WithShape(8, 3), tensor.WithBacking(xs)),
		int64s([]int{8}, labels...),
		tensor.New(tensor.WithShape(8), tensor.WithBacking(append([]float64(nil), labels...)))
}

// fitClasses trains a fresh linear classifier on x and labels y, in
// shuffled batches of 3 or, with noShuffle, in the stored order.
func fitClasses(t *testing.T, x, y *tensor.Dense, epochs int, noShuffle bool) (train.History, error) {
	t.Helper()
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(3, 3), tensor.Of(tensor.Float64)))
	model := func(x *graph.Node) *graph.Node { return ops.MatMul(x, w) }
	return train.Fit(g, model, losses.SoftmaxCrossEntropy, sgd{lr: 0.5}, x, y, train.Config{
		Epochs: epochs, BatchSize: 3, Seed: 7, NoShuffle: noShuffle, Metric: train.SparseCategoricalAccuracy,
	})
}

// Fit takes int64 labels (copying their rows into each batch as it does
// floats) and trains to the same numbers as with the ids held as floats.
func TestFitTrainsOnInt64LabelsAsOnFloatLabels(t *testing.T) {
	x, ids, floatIDs := classData()
	h, err := fitClasses(t, x, ids, 60, false)
	if err != nil {
		t.Fatal(err)
	}
	if last := len(h.Loss) - 1; h.Loss[last] >= h.Loss[0]/4 || h.Accuracy[last] != 1 {
		t.Errorf("loss %.4g → %.4g, accuracy %v at the end; want the loss down 4× and every example right", h.Loss[0], h.Loss[last], h.Accuracy[last])
	}
	hf, err := fitClasses(t, x, floatIDs, 60, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h, hf) {
		t.Errorf("int64 labels trained to %v, float labels to %v; want the same bits", h.Loss, hf.Loss)
	}
}

// A label out of range stops Fit with the loss's run error before the step
// of its batch.
func TestFitStopsOnAnInt64LabelThatNamesNoClass(t *testing.T) {
	x, _, _ := classData()
	h, err := fitClasses(t, x, int64s([]int{8}, 0, 1, 2, 0, 1, 3, 0, 1), 1, true)
	if err == nil || !strings.Contains(err.Error(), "graft: Run: SoftmaxCrossEntropy built at") || !strings.Contains(err.Error(), "label 3") {
		t.Fatalf("Fit error %v, want SoftmaxCrossEntropy's run error for label 3", err)
	}
	if h.Steps != 1 {
		t.Errorf("Fit took %d steps; want 1, the batch before the bad label's", h.Steps)
	}
}
