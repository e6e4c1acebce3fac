package train

import (
	"fmt"
)

// ReduceOnPlateau multiplies the optimizer's learning rate by Factor when a
// metric has not improved for Patience epochs, as Keras'
// ReduceLROnPlateau does: an epoch improves when its value beats the best
// so far by more than MinDelta. After a reduction the next Cooldown epochs
// are not counted, as in PyTorch's ReduceLROnPlateau (Keras counts the last
// epoch of its cooldown, so there a Cooldown of 1 changes nothing). It
// never sets a rate below MinLR. It works
// with any optimizer that has SetLearningRate (every one in optim). Do not
// combine it with Config.Schedule, which sets the rate before every step
// and would undo it.
type ReduceOnPlateau struct {
	Monitor  string  // the metric to watch; "" means "val_loss"
	Mode     string  // "min", "max", or "" to choose by the metric's name
	Factor   float64 // in (0, 1); 0 means 0.1
	Patience int     // epochs without improvement before a reduction (0 acts as 1)
	MinDelta float64 // the least change that counts as an improvement
	Cooldown int     // epochs after a reduction before counting again
	MinLR    float64 // the rate never goes below it

	best     monitor
	wait     int
	cooldown int
}

// OnTrainBegin forgets any earlier Fit.
func (r *ReduceOnPlateau) OnTrainBegin(s *State) error {
	r.best, r.wait, r.cooldown = monitor{}, 0, 0
	return nil
}

// OnEpochEnd compares the epoch's value with the best and reduces the
// learning rate after Patience epochs without improvement.
func (r *ReduceOnPlateau) OnEpochEnd(s *State) error {
	lr, ok := s.Optimizer.(learningRater)
	if !ok {
		return fmt.Errorf("graft: ReduceOnPlateau: the optimizer %T has no SetLearningRate", s.Optimizer)
	}
	factor := r.Factor
	if factor == 0 {
		factor = 0.1
	}
	if !(factor > 0 && factor < 1) {
		return fmt.Errorf("graft: ReduceOnPlateau: Factor %v must be in (0, 1)", r.Factor)
	}
	name := r.Monitor
	if name == "" {
		name = "val_loss"
	}
	better, err := r.best.improved("ReduceOnPlateau", name, r.Mode, r.MinDelta, s)
	if err != nil {
		return err
	}
	if better {
		r.wait = 0
	} else {
		r.wait++
	}
	if r.cooldown > 0 { // an epoch of cooldown is not counted
		r.cooldown--
		r.wait = 0
	}
	if r.wait >= max(r.Patience, 1) {
		if old := lr.LearningRate(); old > r.MinLR {
			lr.SetLearningRate(max(old*factor, r.MinLR))
			r.cooldown = r.Cooldown
		}
		r.wait = 0
	}
	return nil
}
