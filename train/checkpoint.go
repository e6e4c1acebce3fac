package train

import (
	"errors"

	"graft/checkpoint"
)

// BestCheckpoint saves the model's weights (every parameter and state,
// State.Weights) with checkpoint.Save to Path after every epoch whose
// metric beats the best so far by more than MinDelta, as Keras'
// ModelCheckpoint with save_best_only does; checkpoint.Load brings them
// back. The file is replaced whole, so a crash leaves the last best one.
type BestCheckpoint struct {
	Path     string  // the checkpoint file
	Monitor  string  // the metric to watch; "" means "val_loss"
	Mode     string  // "min", "max", or "" to choose by the metric's name
	MinDelta float64 // the least change that counts as an improvement

	// SavedEpoch is the epoch last saved, 0 before the first.
	SavedEpoch int
	best       monitor
}

// OnTrainBegin forgets any earlier Fit and checks the path.
func (b *BestCheckpoint) OnTrainBegin(s *State) error {
	if b.Path == "" {
		return errors.New("graft: BestCheckpoint: Path is empty")
	}
	b.best, b.SavedEpoch = monitor{}, 0
	return nil
}

// OnEpochEnd saves the weights if the epoch is the best so far.
func (b *BestCheckpoint) OnEpochEnd(s *State) error {
	name := b.Monitor
	if name == "" {
		name = "val_loss"
	}
	better, err := b.best.improved("BestCheckpoint", name, b.Mode, b.MinDelta, s)
	if err != nil || !better {
		return err
	}
	if err := checkpoint.Save(b.Path, s.Weights); err != nil {
		return err
	}
	b.SavedEpoch = s.Epoch
	return nil
}
