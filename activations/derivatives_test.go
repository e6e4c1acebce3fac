package activations

import (
	"testing"

	"graft/autodiff"
)

// checkPoints avoid every kink (0, ±1, ±3, 6) by more than the
// central-difference step.
var checkPoints = []float64{-7.3, -3.6, -2.2, -1.3, -0.4, 0.35, 0.9, 1.6, 2.4, 4.1, 6.7}

func TestFirstAndSecondDerivativesPassTheGradientCheck(t *testing.T) {
	for _, e := range Entries() {
		if err := autodiff.CheckFunc(e.Func, checkPoints, autodiff.DefaultTolerance); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
	}
}

func TestParametrisedDerivativesPassTheGradientCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Func
	}{
		{"LeakyReLU(0.2)", LeakyReLU(0.2)},
		{"LeakyReLU(-0.5)", LeakyReLU(-0.5)},
		{"ELU(0.5)", ELU(0.5)},
		{"ELU(2)", ELU(2)},
		{"CELU(0.5)", CELU(0.5)},
		{"CELU(3)", CELU(3)},
	} {
		if err := autodiff.CheckFunc(tc.f, checkPoints, autodiff.DefaultTolerance); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
