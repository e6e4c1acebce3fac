package train_test

import (
	"fmt"

	"graft/train"
)

// StepDecay halves the rate every 2 steps here; give every in steps
// (epochs times StepsPerEpoch).
func ExampleStepDecay() {
	s, _ := train.StepDecay(0.1, 0.5, 2)
	for step := range 5 {
		fmt.Print(s(step), " ")
	}
	fmt.Println()
	// Output: 0.1 0.1 0.05 0.05 0.025
}

// ExponentialDecay decays smoothly: by 0.5 every 2 steps here.
func ExampleExponentialDecay() {
	s, _ := train.ExponentialDecay(1, 0.5, 2)
	fmt.Printf("%.4f %.4f %.4f\n", s(0), s(1), s(2))
	// Output: 1.0000 0.7071 0.5000
}

// CosineWithWarmup rises over the warmup steps, then falls along half a
// cosine to the floor.
func ExampleCosineWithWarmup() {
	s, err := train.CosineWithWarmup(1, 2, 6, 0)
	for step := range 7 {
		fmt.Printf("%.3f ", s(step))
	}
	fmt.Println(err)
	// Output: 0.500 1.000 1.000 0.854 0.500 0.146 0.000 <nil>
}

// A Schedule is any function of the step; Config.Schedule applies it to
// the optimizer before every step.
func ExampleSchedule() {
	var inverse train.Schedule = func(step int) float64 { return 0.1 / float64(1+step) }
	fmt.Println(inverse(0), inverse(4))
	// Output: 0.1 0.02
}

// StepsPerEpoch counts a smaller last batch as a step.
func ExampleStepsPerEpoch() {
	fmt.Println(train.StepsPerEpoch(60000, 128))
	// Output: 469
}
