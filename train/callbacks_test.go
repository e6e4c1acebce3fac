package train_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
	"graft/optim"
	"graft/train"
)

// replay feeds a callback a scripted "val_loss" per epoch, as Fit would,
// and returns the epoch after which it stopped training (0 if never).
func replay(t *testing.T, cb train.Callback, s *train.State, losses []float64, each func(epoch int)) int {
	t.Helper()
	s.History = &train.History{Metrics: map[string][]float64{}}
	if b, ok := cb.(train.TrainBeginner); ok {
		if err := b.OnTrainBegin(s); err != nil {
			t.Fatal(err)
		}
	}
	stopped := 0
	for i, l := range losses {
		s.Epoch = i + 1
		if each != nil {
			each(s.Epoch)
		}
		s.History.Names = []string{"val_loss"}
		s.History.Metrics["val_loss"] = append(s.History.Metrics["val_loss"], l)
		s.History.Epochs = s.Epoch
		if err := cb.OnEpochEnd(s); err != nil {
			t.Fatal(err)
		}
		if s.Stop {
			stopped = s.Epoch
			break
		}
	}
	if e, ok := cb.(train.TrainEnder); ok {
		if err := e.OnTrainEnd(s); err != nil {
			t.Fatal(err)
		}
	}
	return stopped
}

func TestEarlyStoppingCountsPatienceAndMinDelta(t *testing.T) {
	for _, tc := range []struct {
		name      string
		es        train.EarlyStopping
		losses    []float64
		stop      int
		bestEpoch int
	}{
		// best 0.5 at epoch 2; epochs 3 and 4 do not beat it: stop after 4.
		{"patience 2", train.EarlyStopping{Patience: 2}, []float64{1, 0.5, 0.6, 0.5, 0.4}, 4, 2},
		// 0.45 beats 0.5 by 0.05, not by more than MinDelta 0.1; 0.3 does.
		{"min delta", train.EarlyStopping{Patience: 2, MinDelta: 0.1}, []float64{0.5, 0.45, 0.3, 0.25, 0.22}, 5, 3},
		{"patience 0 stops at the first miss", train.EarlyStopping{}, []float64{1, 0.9, 0.95, 0.1}, 3, 2},
		{"never stops while improving", train.EarlyStopping{Patience: 1}, []float64{3, 2, 1}, 0, 3},
		// in max mode a loss going up is the improvement
		{"max mode", train.EarlyStopping{Patience: 1, Mode: "max"}, []float64{1, 2, 1.5}, 3, 2},
	} {
		es := tc.es
		stop := replay(t, &es, &train.State{}, tc.losses, nil)
		if stop != tc.stop || es.StoppedEpoch != tc.stop || es.BestEpoch != tc.bestEpoch {
			t.Errorf("%s: stopped after epoch %d (StoppedEpoch %d), best %d; want %d and %d", tc.name, stop, es.StoppedEpoch, es.BestEpoch, tc.stop, tc.bestEpoch)
		}
	}
}

// RestoreBest copies back the weights of the best epoch, here epoch 2,
// whose weight was 20.
func TestEarlyStoppingRestoresTheBestWeights(t *testing.T) {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})))
	counter, _ := g.RandomCounter()
	s := &train.State{Weights: []*graph.Node{w, counter}}
	es := &train.EarlyStopping{Patience: 2, RestoreBest: true}
	replay(t, es, s, []float64{3, 1, 2, 2, 2}, func(epoch int) {
		w.Value().Float64s()[0] = float64(10 * epoch)
		counter.Value().Float64s()[0] = float64(epoch)
	})
	if got := w.Value().Float64s()[0]; got != 20 {
		t.Errorf("w = %v after training; want the best epoch's 20", got)
	}
	if got := counter.Value().Float64s()[0]; got != 2 {
		t.Errorf("the state = %v; want the best epoch's 2", got)
	}
}

// ReduceOnPlateau multiplies the rate by Factor after Patience epochs
// without improvement, waits Cooldown epochs, and stops at MinLR.
func TestReduceOnPlateauByHand(t *testing.T) {
	opt := optim.NewSGD(1)
	r := &train.ReduceOnPlateau{Factor: 0.5, Patience: 2, Cooldown: 1, MinLR: 0.2}
	var lrs []float64
	replay(t, r, &train.State{Optimizer: opt}, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1}, func(int) {
		lrs = append(lrs, opt.LearningRate())
	})
	lrs = append(lrs, opt.LearningRate())
	// Epoch 1 sets the best; 2 and 3 miss it: halve to 0.5 after 3. Epoch
	// 4 is cooldown; 5 and 6 miss: 0.25 after 6. 7 is cooldown, 8 and 9
	// miss: 0.125 is below MinLR, so 0.2.
	want := []float64{1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2}
	for i := range want {
		if lrs[i] != want[i] {
			t.Fatalf("rates by epoch %v, want %v", lrs, want)
		}
	}
	err := r.OnEpochEnd(&train.State{Optimizer: sgd{0.1}, History: &train.History{}})
	if err == nil || !strings.Contains(err.Error(), "has no SetLearningRate") {
		t.Errorf("an optimizer without SetLearningRate: %v", err)
	}
}

// BestCheckpoint saves on the epochs that improve, and the file holds the
// best epoch's weights.
func TestBestCheckpointSavesTheBestEpoch(t *testing.T) {
	g := graph.New()
	w := g.Param("w", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})))
	path := filepath.Join(t.TempDir(), "best.safetensors")
	b := &train.BestCheckpoint{Path: path}
	var saved []int
	replay(t, b, &train.State{Weights: []*graph.Node{w}}, []float64{3, 1, 2, 0.5, 4}, func(epoch int) {
		w.Value().Float64s()[0] = float64(epoch)
		if epoch > 1 {
			saved = append(saved, b.SavedEpoch)
		}
	})
	saved = append(saved, b.SavedEpoch)
	if want := []int{1, 2, 2, 4, 4}; !slices.Equal(saved, want) {
		t.Errorf("saved epochs as training went %v, want %v", saved, want)
	}
	w.Value().Float64s()[0] = -1
	if err := checkpoint.Load(path, []*graph.Node{w}); err != nil {
		t.Fatal(err)
	}
	if got := w.Value().Float64s()[0]; got != 4 {
		t.Errorf("the checkpoint holds w = %v, want epoch 4's", got)
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
	err := (&train.BestCheckpoint{Path: path, Monitor: "val_accuracy"}).OnEpochEnd(&train.State{History: &train.History{Names: []string{"loss"}}})
	if err == nil || !strings.Contains(err.Error(), `the History has no "val_accuracy"; it holds [loss]`) {
		t.Errorf("a missing metric: %v", err)
	}
}

// The loggers write every metric of each epoch, in the History's order.
func TestLoggersWriteEveryEpoch(t *testing.T) {
	g := graph.New()
	x, y := lineData(4)
	var csv, jsonl bytes.Buffer
	h, err := train.Fit(g, linear(g), mse, optim.NewSGD(0.1), x, y, train.Config{
		Epochs: 2, BatchSize: 2, NoShuffle: true, ValidationSplit: 0.25, Metrics: []train.Meter{train.MeanAbsoluteError()},
		Callbacks: []train.Callback{&train.CSVLogger{W: &csv}, &train.JSONLinesLogger{W: &jsonl}},
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if len(lines) != 3 || lines[0] != "epoch,loss,mae,val_loss,val_mae,lr" || !strings.HasPrefix(lines[2], "2,") {
		t.Fatalf("CSV log:\n%s", csv.String())
	}
	wantRow := "1," + strconvG(h.Metrics["loss"][0]) + "," + strconvG(h.Metrics["mae"][0]) + "," + strconvG(h.Metrics["val_loss"][0]) + "," + strconvG(h.Metrics["val_mae"][0]) + ",0.1"
	if lines[1] != wantRow {
		t.Errorf("CSV row %q, want %q", lines[1], wantRow)
	}
	jl := strings.Split(strings.TrimSpace(jsonl.String()), "\n")
	if len(jl) != 2 || !strings.HasPrefix(jl[0], `{"epoch":1,"loss":`) || !strings.HasSuffix(jl[1], `"lr":0.1}`) {
		t.Errorf("JSON lines:\n%s", jsonl.String())
	}
}

// A callback that sets Stop ends Fit after that epoch; one that fails ends
// it with its error.
func TestACallbackStopsOrFailsFit(t *testing.T) {
	g := graph.New()
	x, y := lineData(4)
	h, err := train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 10, BatchSize: 4,
		Callbacks: []train.Callback{stopAt(3)}})
	if err != nil || h.Epochs != 3 || len(h.Loss) != 3 || h.Steps != 3 {
		t.Errorf("stopped at 3: %d epochs, %d losses, %d steps, error %v", h.Epochs, len(h.Loss), h.Steps, err)
	}
	_, err = train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 10, BatchSize: 4,
		Callbacks: []train.Callback{&train.EarlyStopping{Monitor: "val_loss"}}})
	if err == nil || !strings.Contains(err.Error(), `graft: EarlyStopping: the History has no "val_loss"`) {
		t.Errorf("EarlyStopping on val_loss without validation: %v", err)
	}
}

type stopAt int

func (s stopAt) OnEpochEnd(st *train.State) error {
	st.Stop = st.Epoch >= int(s)
	return nil
}

// ClipNorm scales the gradients to the global norm asked before the step:
// with w = b = 0 on the line's first 2 rows the gradient of the loss is
// (-0.2, -2.2)·..., far above 0.01, so the first step moves the
// parameters by lr·0.01 in all.
func TestFitClipsTheGlobalNorm(t *testing.T) {
	g := graph.New()
	model, w, b := linearWithParams(g)
	x, y := lineData(2)
	if _, err := train.Fit(g, model, mse, sgd{1}, x, y, train.Config{Epochs: 1, BatchSize: 2, ClipNorm: 0.01}); err != nil {
		t.Fatal(err)
	}
	moved := math.Hypot(w.Value().Float64s()[0], b.Value().Float64s()[0])
	if math.Abs(moved-0.01) > 1e-12 {
		t.Errorf("the step moved the parameters by %v, want the clipped 0.01", moved)
	}
	_, err := train.Fit(g, model, mse, sgd{1}, x, y, train.Config{Epochs: 1, BatchSize: 2, ClipNorm: -1})
	if err == nil || !strings.Contains(err.Error(), "ClipNorm is -1") {
		t.Errorf("ClipNorm -1: %v", err)
	}
}

func strconvG(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
