package train_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/train"
)

func column(data ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(data), 1), tensor.WithBacking(data))
}

// CategoricalAccuracy compares each row's largest score with its one-hot
// target.
func ExampleCategoricalAccuracy() {
	scores := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0.1, 0.7, 0.2, 0.5, 0.3, 0.2}))
	oneHot := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0, 1, 0, 0, 0, 1}))
	fmt.Println(train.CategoricalAccuracy(scores, oneHot))
	// Output: 1 2 <nil>
}

// TopKAccuracy counts a row right when its class is among its k best
// scores.
func ExampleTopKAccuracy() {
	scores := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0.1, 0.7, 0.2, 0.5, 0.3, 0.2}))
	labels := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{2, 2}))
	fmt.Println(train.TopKAccuracy(2)(scores, labels))
	// Output: 1 2 <nil>
}

// MeanAbsoluteError accumulates over the batches added since Reset.
func ExampleMeanAbsoluteError() {
	m := train.MeanAbsoluteError()
	m.Add(column(1, 2), column(1, 1))
	m.Add(column(0, 0), column(1, 1))
	fmt.Println(m.Name(), m.Value())
	// Output: mae 0.75
}

// MeanSquaredError accumulates over the batches added since Reset.
func ExampleMeanSquaredError() {
	m := train.MeanSquaredError()
	m.Add(column(1, 3), column(1, 1))
	fmt.Println(m.Name(), m.Value())
	// Output: mse 2
}

// Precision, Recall and F1 count a binary problem's positives at a
// threshold: 0.5 for probabilities.
func ExamplePrecision() {
	pred, target := column(0.9, 0.8, 0.2, 0.6), column(1, 0, 1, 1)
	for _, m := range []train.Meter{train.Precision(0.5), train.Recall(0.5), train.F1(0.5)} {
		m.Add(pred, target)
		fmt.Printf("%s %.3f\n", m.Name(), m.Value())
	}
	// Output:
	// precision 0.667
	// recall 0.667
	// f1 0.667
}

// Recall is the share of positive targets predicted positive; 0 is the
// threshold for logits.
func ExampleRecall() {
	m := train.Recall(0)
	m.Add(column(2.1, -0.3, 0.4), column(1, 1, 0))
	fmt.Println(m.Value())
	// Output: 0.5
}

// F1 is the harmonic mean of precision and recall.
func ExampleF1() {
	m := train.F1(0.5)
	m.Add(column(0.9, 0.9, 0.1), column(1, 0, 1)) // tp 1, fp 1, fn 1
	fmt.Println(m.Value())
	// Output: 0.5
}

// Counted makes a Meter of a counting Metric, for Config.Metrics or
// Evaluate.
func ExampleCounted() {
	m := train.Counted("accuracy", train.BinaryAccuracy(0.5))
	m.Add(column(0.9, 0.2), column(1, 1))
	m.Add(column(0.7, 0.1), column(1, 0))
	fmt.Println(m.Name(), m.Value())
	// Output: accuracy 0.75
}

// meanPrediction is a Meter of one's own: the mean of the predictions.
type meanPrediction struct {
	sum float64
	n   int
}

func (m *meanPrediction) Name() string { return "mean_pred" }
func (m *meanPrediction) Reset()       { *m = meanPrediction{} }
func (m *meanPrediction) Value() float64 {
	return m.sum / float64(max(m.n, 1))
}
func (m *meanPrediction) Add(pred, _ *tensor.Dense) error {
	for _, v := range pred.Float64s() {
		m.sum += v
	}
	m.n += pred.Shape().TotalSize()
	return nil
}

// A Meter of one's own goes in Config.Metrics like the built-in ones.
func ExampleMeter() {
	m := &meanPrediction{}
	m.Add(column(1, 2, 3), nil)
	fmt.Println(m.Name(), m.Value())
	// Output: mean_pred 2
}
