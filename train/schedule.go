package train

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate of an optimizer step from the number of
// steps taken before it (0 for the first). Fit sets it with the
// optimizer's SetLearningRate before every step, so a schedule works with
// every optimizer in package optim. A schedule written in epochs counts
// steps in multiples of StepsPerEpoch. The count starts at 0 in every Fit:
// a loop that calls Fit once per epoch sets the rate itself, or uses one
// Fit of many epochs.
type Schedule func(step int) float64

// StepsPerEpoch is the number of steps an epoch of rows rows takes in
// batches of batchSize: a smaller last batch is a step too.
func StepsPerEpoch(rows, batchSize int) int {
	if batchSize < 1 {
		return 0
	}
	return (rows + batchSize - 1) / batchSize
}

// StepDecay multiplies the rate initial by factor every every steps:
// initial·factor^⌊step/every⌋, as PyTorch's StepLR does with every given in
// steps.
func StepDecay(initial, factor float64, every int) (Schedule, error) {
	if err := checkRate("StepDecay", initial); err != nil {
		return nil, err
	}
	if !(factor > 0 && factor <= 1) || every < 1 {
		return nil, fmt.Errorf("graft: StepDecay: factor %v must be in (0, 1] and every (%d) at least 1", factor, every)
	}
	return func(step int) float64 { return initial * math.Pow(factor, float64(step/every)) }, nil
}

// ExponentialDecay decays the rate initial smoothly by rate every
// decaySteps steps: initial·rate^(step/decaySteps), Keras'
// ExponentialDecay without staircase.
func ExponentialDecay(initial, rate float64, decaySteps int) (Schedule, error) {
	if err := checkRate("ExponentialDecay", initial); err != nil {
		return nil, err
	}
	if !(rate > 0 && rate <= 1) || decaySteps < 1 {
		return nil, fmt.Errorf("graft: ExponentialDecay: rate %v must be in (0, 1] and decaySteps (%d) at least 1", rate, decaySteps)
	}
	return func(step int) float64 { return initial * math.Pow(rate, float64(step)/float64(decaySteps)) }, nil
}

// CosineWithWarmup rises linearly to peak over the first warmup steps
// (peak·(step+1)/warmup, so the first step does not waste itself at rate
// 0), then follows half a cosine from peak down to floor at step total,
// and stays at floor after:
//
//	floor + (peak-floor)·(1 + cos(π·(step-warmup)/(total-warmup)))/2
//
// This is the warmup-then-cosine schedule of transformer training (Keras'
// CosineDecay with warmup_target); warmup may be 0.
func CosineWithWarmup(peak float64, warmup, total int, floor float64) (Schedule, error) {
	if err := checkRate("CosineWithWarmup", peak); err != nil {
		return nil, err
	}
	switch {
	case !(floor >= 0 && floor <= peak):
		return nil, fmt.Errorf("graft: CosineWithWarmup: floor %v must be from 0 to the peak %v", floor, peak)
	case warmup < 0 || total <= warmup:
		return nil, fmt.Errorf("graft: CosineWithWarmup: warmup %d and total %d steps: warmup must be at least 0 and below total", warmup, total)
	}
	return func(step int) float64 {
		if step < warmup {
			return peak * float64(step+1) / float64(warmup)
		}
		p := math.Min(float64(step-warmup)/float64(total-warmup), 1)
		return floor + (peak-floor)*(1+math.Cos(math.Pi*p))/2
	}, nil
}

func checkRate(name string, lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("graft: %s: the learning rate %v must be positive and finite", name, lr)
	}
	return nil
}
