package train

import (
	"gorgonia.org/tensor"
)

// EarlyStopping stops training when a metric has not improved for Patience
// epochs, as Keras' EarlyStopping does: an epoch improves when its value
// beats the best so far by more than MinDelta. With RestoreBest, the
// weights (every parameter and state, State.Weights) of the best epoch are
// copied back when training ends; Keras restores them only when it stopped
// early, graft whenever the last epoch was not the best, so the model Fit
// returns is always the best one seen.
type EarlyStopping struct {
	Monitor     string  // the metric to watch; "" means "val_loss"
	Mode        string  // "min", "max", or "" to choose by the metric's name
	Patience    int     // stop after this many epochs in a row without improvement (0 acts as 1)
	MinDelta    float64 // the least change that counts as an improvement
	RestoreBest bool    // copy the best epoch's weights back at the end

	// StoppedEpoch is the epoch after which it stopped training (0 if it
	// did not) and BestEpoch the epoch of the best value, set as Fit runs.
	StoppedEpoch, BestEpoch int

	best monitor
	wait int
	snap []*tensor.Dense // the best epoch's weights
}

func (e *EarlyStopping) monitored() string {
	if e.Monitor == "" {
		return "val_loss"
	}
	return e.Monitor
}

// OnTrainBegin forgets any earlier Fit, so one EarlyStopping serves
// several.
func (e *EarlyStopping) OnTrainBegin(s *State) error {
	e.best, e.wait, e.StoppedEpoch, e.BestEpoch = monitor{}, 0, 0, 0
	return nil
}

// OnEpochEnd compares the epoch's value with the best and stops training
// after Patience epochs without improvement.
func (e *EarlyStopping) OnEpochEnd(s *State) error {
	better, err := e.best.improved("EarlyStopping", e.monitored(), e.Mode, e.MinDelta, s)
	if err != nil {
		return err
	}
	if better {
		e.wait, e.BestEpoch = 0, s.Epoch
		if e.RestoreBest {
			e.snap = snapshot(s, e.snap)
		}
		return nil
	}
	e.wait++
	if e.wait >= e.Patience {
		e.StoppedEpoch, s.Stop = s.Epoch, true
	}
	return nil
}

// OnTrainEnd restores the best weights when RestoreBest asks for them.
func (e *EarlyStopping) OnTrainEnd(s *State) error {
	if e.RestoreBest && e.BestEpoch != 0 && e.BestEpoch != s.Epoch {
		restore(s, e.snap)
	}
	return nil
}

// snapshot copies the values of s.Weights into snap, reusing its tensors.
func snapshot(s *State, snap []*tensor.Dense) []*tensor.Dense {
	if len(snap) != len(s.Weights) {
		snap = make([]*tensor.Dense, len(s.Weights))
		for i, w := range s.Weights {
			snap[i] = w.Value().Clone().(*tensor.Dense)
		}
		return snap
	}
	for i, w := range s.Weights {
		copyAll(snap[i], w.Value())
	}
	return snap
}

func restore(s *State, snap []*tensor.Dense) {
	for i, w := range s.Weights {
		copyAll(w.Value(), snap[i])
	}
}
