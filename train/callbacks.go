package train

import (
	"fmt"

	"graft/graph"
)

// Callback is told of the end of every epoch of a Fit, after the epoch's
// validation and its History entry, and may stop training by setting
// s.Stop (Fit finishes that epoch and returns) or end it with an error. A
// callback that also implements TrainBeginner, BatchEnder or TrainEnder is
// told of those moments too.
type Callback interface {
	OnEpochEnd(s *State) error
}

// TrainBeginner is a Callback told when Fit starts, before the first step.
type TrainBeginner interface {
	OnTrainBegin(s *State) error
}

// BatchEnder is a Callback told after every optimizer step.
type BatchEnder interface {
	OnBatchEnd(s *State) error
}

// TrainEnder is a Callback told when Fit ends without an error, after the
// last epoch or a Stop.
type TrainEnder interface {
	OnTrainEnd(s *State) error
}

// State is what callbacks see of a running Fit.
type State struct {
	Epoch         int // the epoch running or just ended, from 1
	Epochs        int // Config.Epochs
	StepsPerEpoch int
	History       *History      // every epoch so far; History.Steps counts the steps
	Optimizer     Optimizer     // the optimizer, whose learning rate a callback may set
	Weights       []*graph.Node // every parameter and state of the model's graph
	Stop          bool          // set to end training after this epoch
}

func callBegin(cbs []Callback, s *State) error {
	for _, c := range cbs {
		if b, ok := c.(TrainBeginner); ok {
			if err := b.OnTrainBegin(s); err != nil {
				return err
			}
		}
	}
	return nil
}

func callBatch(cbs []Callback, s *State) error {
	for _, c := range cbs {
		if b, ok := c.(BatchEnder); ok {
			if err := b.OnBatchEnd(s); err != nil {
				return err
			}
		}
	}
	return nil
}

func callEpochEnd(cbs []Callback, s *State) error {
	for i, c := range cbs {
		if c == nil {
			return fmt.Errorf("graft: Fit: Config.Callbacks[%d] is nil", i)
		}
		if err := c.OnEpochEnd(s); err != nil {
			return err
		}
	}
	return nil
}

func callEnd(cbs []Callback, s *State) error {
	for _, c := range cbs {
		if e, ok := c.(TrainEnder); ok {
			if err := e.OnTrainEnd(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// monitor follows one metric of the History for the callbacks that watch
// for improvement: lower is better unless Mode is "max", or Mode is empty
// and the name is of a metric where higher is better (accuracy, precision,
// recall, f1), as Keras' mode "auto" decides.
type monitor struct {
	best    float64
	epoch   int // the epoch of best; 0 before the first
	maximum bool
}

// improved reports whether the metric's latest value beats the best by more
// than minDelta, and if so makes it the best.
func (m *monitor) improved(who, name, mode string, minDelta float64, s *State) (bool, error) {
	v, ok := s.History.Last(name)
	if !ok {
		return false, fmt.Errorf("graft: %s: the History has no %q; it holds %v (validation metrics need ValidationX or ValidationSplit)", who, name, s.History.Names)
	}
	if m.epoch == 0 {
		switch mode {
		case "min":
		case "max":
			m.maximum = true
		case "":
			m.maximum = higherIsBetter(name)
		default:
			return false, fmt.Errorf("graft: %s: Mode %q; it is \"min\", \"max\" or \"\" for the metric's own", who, mode)
		}
	}
	better := m.epoch == 0 && v == v // the first value that is not NaN
	if m.epoch != 0 {
		if m.maximum {
			better = v-minDelta > m.best
		} else {
			better = v+minDelta < m.best
		}
	}
	if better {
		m.best, m.epoch = v, s.Epoch
	}
	return better, nil
}

func higherIsBetter(name string) bool {
	for _, suffix := range []string{"accuracy", "precision", "recall", "f1"} {
		if len(name) >= len(suffix) && name[len(name)-len(suffix):] == suffix {
			return true
		}
	}
	return false
}
