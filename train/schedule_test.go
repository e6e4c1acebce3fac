package train_test

import (
	"math"
	"strings"
	"testing"

	"graft/graph"
	"graft/optim"
	"graft/train"
)

// Each schedule against rates worked out by hand.
func TestSchedulesGiveHandWorkedRates(t *testing.T) {
	must := func(s train.Schedule, err error) train.Schedule {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		s     train.Schedule
		steps []int
		want  []float64
	}{
		// 0.1·0.5^⌊step/3⌋
		{"step decay", must(train.StepDecay(0.1, 0.5, 3)), []int{0, 2, 3, 5, 6, 9}, []float64{0.1, 0.1, 0.05, 0.05, 0.025, 0.0125}},
		// 1·0.5^(step/2): step 1 is 1/√2
		{"exponential decay", must(train.ExponentialDecay(1, 0.5, 2)), []int{0, 1, 2, 4}, []float64{1, 1 / math.Sqrt2, 0.5, 0.25}},
		// warmup over 4 steps to 1: 0.25, 0.5, 0.75, 1; then a cosine over
		// the 4 steps to 8, from 1 to 0.2: at step 6, halfway, 0.6; at 5,
		// 0.2 + 0.8·(1+cos(π/4))/2.
		{"cosine with warmup", must(train.CosineWithWarmup(1, 4, 8, 0.2)), []int{0, 1, 3, 4, 5, 6, 8, 20},
			[]float64{0.25, 0.5, 1, 1, 0.2 + 0.4*(1+math.Sqrt2/2), 0.6, 0.2, 0.2}},
		{"cosine without warmup", must(train.CosineWithWarmup(2, 0, 2, 0)), []int{0, 1, 2}, []float64{2, 1, 0}},
	} {
		for i, step := range tc.steps {
			if got := tc.s(step); math.Abs(got-tc.want[i]) > 1e-15 {
				t.Errorf("%s at step %d: %v, want %v", tc.name, step, got, tc.want[i])
			}
		}
	}
}

func TestSchedulesRejectBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"step decay of rate 0", second(train.StepDecay(0, 0.5, 1)), "StepDecay: the learning rate 0"},
		{"step decay every 0", second(train.StepDecay(1, 0.5, 0)), "every (0) at least 1"},
		{"exponential growth", second(train.ExponentialDecay(1, 2, 1)), "rate 2 must be in (0, 1]"},
		{"cosine floor above peak", second(train.CosineWithWarmup(1, 0, 10, 2)), "floor 2 must be from 0 to the peak 1"},
		{"cosine warmup past total", second(train.CosineWithWarmup(1, 10, 10, 0)), "warmup 10 and total 10"},
		{"NaN peak", second(train.CosineWithWarmup(math.NaN(), 0, 10, 0)), "learning rate NaN"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
	if got := train.StepsPerEpoch(10, 4); got != 3 {
		t.Errorf("StepsPerEpoch(10, 4) = %d, want 3", got)
	}
}

func second(_ train.Schedule, err error) error { return err }

// Fit sets the schedule's rate before every step: with plain SGD on a
// line, the History's "lr" is the rate of the last step of each epoch.
func TestFitFollowsTheSchedule(t *testing.T) {
	g := graph.New()
	x, y := lineData(4)
	sched, _ := train.StepDecay(0.1, 0.5, 2) // 2 steps an epoch: epoch e runs at 0.1·0.5^(e-1)
	opt := optim.NewSGD(1)
	h, err := train.Fit(g, linear(g), mse, opt, x, y, train.Config{Epochs: 3, BatchSize: 2, Schedule: sched})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.1, 0.05, 0.025}
	for i, w := range want {
		if h.Metrics["lr"][i] != w {
			t.Errorf("epoch %d ran at lr %v, want %v", i+1, h.Metrics["lr"][i], w)
		}
	}
	_, err = train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 1, BatchSize: 2, Schedule: sched})
	if err == nil || !strings.Contains(err.Error(), "has no SetLearningRate") {
		t.Errorf("a schedule for an optimizer without SetLearningRate: error %v", err)
	}
}
