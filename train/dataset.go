package train

import (
	"errors"

	"gorgonia.org/tensor"

	"graft/data"
)

// FitDataset is Fit on the examples of a data.Dataset, which gives the
// inputs and the targets: it trains m as cfg says and returns the History
// of every epoch. Its batches are read by ds.Batch into buffers allocated
// once, so a steady-state step allocates nothing, and it visits the rows in
// the order Fit visits those of tensors for the same Config (the same
// Seed, the same shuffle), so that on data.FromTensors(x, y) it gives Fit's
// numbers bit for bit. A ValidationSplit holds out the dataset's last rows.
//
// Unlike Fit, FitDataset reads each batch just before its step rather than
// during the step before: a Dataset need not be safe to read from two
// goroutines. An error from ds.Batch stops training and is returned as it
// is.
func (m *Model) FitDataset(opt Optimizer, ds data.Dataset, cfg Config) (History, error) {
	if err := m.check("FitDataset", true); err != nil {
		return History{}, err
	}
	if opt == nil {
		return History{}, errors.New("graft: FitDataset: the optimizer is nil")
	}
	src, err := sourceOf("FitDataset", ds, true)
	if err != nil {
		return History{}, err
	}
	if err := checkLoop(cfg); err != nil {
		return History{}, err
	}
	return m.fit(opt, src, ds.Len(), cfg)
}

// PredictDataset is Predict on the inputs of a data.Dataset: it returns
// the predictions of every row, in order, read batchSize rows at a time
// (0 means DefaultBatchSize). The dataset's targets, if it has any, are not
// read.
func (m *Model) PredictDataset(ds data.Dataset, batchSize int) (*tensor.Dense, error) {
	if err := m.check("PredictDataset", false); err != nil {
		return nil, err
	}
	src, err := sourceOf("PredictDataset", ds, false)
	if err != nil {
		return nil, err
	}
	if err := checkBatchSize("PredictDataset", batchSize); err != nil {
		return nil, err
	}
	return m.predict(src, ds.Len(), orDefault(batchSize, DefaultBatchSize))
}

// EvaluateDataset is Evaluate on the inputs and targets of a data.Dataset:
// it returns the loss averaged over every row under "loss" and each meter's
// value under its Name, reading batchSize rows at a time (0 means
// DefaultBatchSize). Every meter is Reset first.
func (m *Model) EvaluateDataset(ds data.Dataset, batchSize int, meters ...Meter) (map[string]float64, error) {
	if err := m.check("EvaluateDataset", true); err != nil {
		return nil, err
	}
	src, err := sourceOf("EvaluateDataset", ds, true)
	if err != nil {
		return nil, err
	}
	if err := checkBatchSize("EvaluateDataset", batchSize); err != nil {
		return nil, err
	}
	return m.scores(src, ds.Len(), batchSize, meters)
}
