package optim

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
)

// A Step that begins while another Step of the same optimizer is running
// returns an error and touches nothing; once that Step is over, Step works
// again. The running Step is stood in for by setting the flag it sets.
func TestStepWhileAnotherStepRunsReturnsAnError(t *testing.T) {
	w := graph.New().Param("w", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})))
	grads := []*tensor.Dense{tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1}))}
	for _, opt := range []interface {
		Optimizer
		busy() *state
	}{NewSGD(0.1), NewAdam(0.1), NewRMSProp(0.1), NewAdagrad(0.1)} {
		opt.busy().stepping.Store(true)
		err := opt.Step([]*graph.Node{w}, grads)
		if err == nil || !strings.Contains(err.Error(), "another Step of this optimizer is running") {
			t.Errorf("%T: Step error = %v, want the busy error", opt, err)
		}
		if v := w.Value().Float64s(); v[0] != 1 || v[1] != 2 {
			t.Fatalf("%T: w moved to %v while another Step ran", opt, v)
		}
		if opt.busy().slots != nil {
			t.Errorf("%T: a refused Step made slots", opt)
		}
		opt.busy().stepping.Store(false)
		if err := opt.Step([]*graph.Node{w}, grads); err != nil {
			t.Errorf("%T: Step after the other finished: %v", opt, err)
		}
		if opt.busy().stepping.Load() {
			t.Errorf("%T: Step left the busy flag set", opt)
		}
		copy(w.Value().Float64s(), []float64{1, 2})
	}
}

// busy gives the test the state an optimizer embeds.
func (s *state) busy() *state { return s }
