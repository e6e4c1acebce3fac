package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runSequence(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func runJSON(t *testing.T, args ...string) summary {
	t.Helper()
	out, errOut, code := runSequence(t, append([]string{"--json"}, args...)...)
	if code != 0 {
		t.Fatalf("sequence %v: exit %d, stderr %q", args, code, errOut)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("sequence %v printed %q, not one JSON line: %v", args, out, err)
	}
	return s
}

// A short run, sequences of 8 steps, hidden size 16, 4 epochs of 128
// steps, reaches the target test MSE of 0.01 with either cell (both pass
// it at epoch 2 and end under 0.001; the default run, 20 steps, hidden 32,
// 20 epochs, ends near 0.0002).
func TestShortRunsReachTheTarget(t *testing.T) {
	for _, cell := range []string{"lstm", "gru"} {
		s := runJSON(t, "--cell", cell, "--length", "8", "--hidden", "16", "--train", "2048", "--batch-size", "16", "--epochs", "4", "--lr", "0.01")
		if !s.Reached || s.TestMSE >= targetMSE || s.ReachedEpoch == 0 {
			t.Errorf("%s: test MSE %v after %d epochs (%v per epoch); want under %v", cell, s.TestMSE, s.Epochs, s.EpochTestMSE, targetMSE)
		}
		if s.Steps != 4*128 || s.Cell != cell || s.BaselineMSE != baseline {
			t.Errorf("%s: %+v", cell, s)
		}
	}
}

// Each sequence has one marker in each half, and its answer is the sum of
// the two marked values; the test set is not the training set.
func TestAddingDataHasTwoMarkersAndTheirSum(t *testing.T) {
	const n, length = 200, 9
	x, y := addingData(n, length, rand.New(rand.NewPCG(1, 1)))
	xs, ys := x.Float32s(), y.Float32s()
	for i := range n {
		var markers []int
		var sum float32
		for step := range length {
			v, m := xs[(i*length+step)*2], xs[(i*length+step)*2+1]
			if v < 0 || v >= 1 || (m != 0 && m != 1) {
				t.Fatalf("sequence %d step %d: value %v, marker %v", i, step, v, m)
			}
			if m == 1 {
				markers = append(markers, step)
				sum += v
			}
		}
		if len(markers) != 2 || markers[0] >= length/2 || markers[1] < length/2 || ys[i] != sum {
			t.Fatalf("sequence %d: markers at %v, answer %v, sum %v", i, markers, ys[i], sum)
		}
	}
	other, _ := addingData(n, length, rand.New(rand.NewPCG(1, 2)))
	if other.Float32s()[0] == xs[0] {
		t.Error("the test stream repeats the training stream")
	}
}

func TestSameSeedSameNumbers(t *testing.T) {
	args := []string{"--epochs", "1", "--train", "256", "--length", "5", "--seed", "3"}
	a, b := runJSON(t, args...), runJSON(t, args...)
	if a.TestMSE != b.TestMSE || a.EpochLoss[0] != b.EpochLoss[0] {
		t.Errorf("test MSE %v then %v, loss %v then %v for the same seed", a.TestMSE, b.TestMSE, a.EpochLoss[0], b.EpochLoss[0])
	}
}

func TestSaveThenLoadGivesTheSameTestError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "adding.safetensors")
	for _, cell := range []string{"lstm", "gru"} {
		trained := runJSON(t, "--cell", cell, "--epochs", "1", "--train", "256", "--length", "5", "--save", file)
		loaded := runJSON(t, "--cell", cell, "--epochs", "0", "--length", "5", "--load", file)
		if trained.TestMSE != loaded.TestMSE || loaded.Steps != 0 {
			t.Errorf("%s: test MSE %v after training, %v after loading (%d steps)", cell, trained.TestMSE, loaded.TestMSE, loaded.Steps)
		}
	}
	// A GRU's checkpoint does not fit an LSTM: the names differ.
	if _, errOut, code := runSequence(t, "--cell", "lstm", "--epochs", "0", "--length", "5", "--load", file); code != 1 || !strings.Contains(errOut, "--load") {
		t.Errorf("loading a GRU into an LSTM: exit %d, stderr %q", code, errOut)
	}
}

func TestPrintsEpochsAndTheVerdict(t *testing.T) {
	out, _, code := runSequence(t, "--epochs", "2", "--train", "128", "--length", "4")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"adding problem: 128 training and 1000 test sequences of 4 steps", "epoch 1/2  loss ", "epoch 2/2", "test MSE ", "target MSE 0.01"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDivergedTrainingFailsAndSavesNothing(t *testing.T) {
	save := filepath.Join(t.TempDir(), "m.safetensors")
	out, errOut, code := runSequence(t, "--json", "--lr", "1e300", "--epochs", "1", "--train", "64", "--length", "4", "--save", save)
	if code != 1 || !strings.Contains(errOut, "diverged") || !strings.Contains(out, `"test_mse":null`) {
		t.Errorf("exit %d, stdout %q, stderr %q; want status 1 and a null MSE", code, out, errOut)
	}
	if _, err := os.Stat(save); !os.IsNotExist(err) {
		t.Errorf("a diverged model was saved: %v", err)
	}
}

func TestBadFlagsExitWithStatus2AndOneLine(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--cell", "rnn"}, `--cell is "rnn"; use lstm or gru`},
		{[]string{"--length", "1"}, "--length is 1"},
		{[]string{"--length", "1001"}, "--length is 1001"},
		{[]string{"--hidden", "0"}, "--hidden is 0"},
		{[]string{"--hidden", "1099511627776"}, "--hidden is 1099511627776"},
		{[]string{"--epochs", "-1"}, "--epochs is -1"},
		{[]string{"--epochs", "0"}, "needs --load"},
		{[]string{"--batch-size", "0"}, "--batch-size is 0"},
		{[]string{"--train", "0"}, "--train is 0"},
		{[]string{"--lr", "NaN"}, "--lr is NaN"},
		{[]string{"--lr", "Inf"}, "--lr is +Inf"},
		{[]string{"--load", filepath.Join(dir, "missing")}, "--load"},
		{[]string{"--save", filepath.Join(dir, "no", "m.safetensors")}, "--save"},
		{[]string{"stray"}, "unexpected argument"},
		{[]string{"--no-such-flag"}, "unknown flag"},
	}
	for _, c := range cases {
		out, errOut, code := runSequence(t, c.args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and no output", c.args, code, out)
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if !strings.Contains(errOut, c.want) || (c.want != "unknown flag" && len(lines) != 1) {
			t.Errorf("%v: stderr %q, want one line mentioning %q", c.args, errOut, c.want)
		}
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	_, errOut, code := runSequence(t, "--help")
	if code != 0 {
		t.Errorf("--help exit %d", code)
	}
	for _, flag := range []string{"--cell", "--length", "--hidden", "--epochs", "--batch-size", "--train", "--lr", "--seed", "--json", "--save", "--load"} {
		if !strings.Contains(errOut, flag) {
			t.Errorf("--help does not document %s", flag)
		}
	}
}
