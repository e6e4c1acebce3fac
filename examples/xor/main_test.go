package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func runXOR(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func runJSON(t *testing.T, args ...string) summary {
	t.Helper()
	out, errOut, code := runXOR(t, append([]string{"--json"}, args...)...)
	if code != 0 {
		t.Fatalf("xor %v: exit %d, stderr %q", args, code, errOut)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("xor %v printed %q, not one JSON line: %v", args, out, err)
	}
	return s
}

// The promise: with the defaults, every seed from 1 to 20 reaches
// 100% accuracy and a loss under 0.05.
func TestDefaultsConvergeForSeeds1To20(t *testing.T) {
	for seed := 1; seed <= 20; seed++ {
		for _, dtype := range []string{"float32", "float64"} {
			s := runJSON(t, "--seed", itoa(seed), "--dtype", dtype)
			if s.Accuracy != 1 || s.FinalLoss >= 0.05 {
				t.Errorf("seed %d %s: accuracy %v, loss %v; want 1 and < 0.05 (predictions %v)", seed, dtype, s.Accuracy, s.FinalLoss, s.Predictions)
			}
			if s.Epochs != 300 || s.Steps != 300 {
				t.Errorf("seed %d: %d epochs, %d steps; want 300 full-batch steps", seed, s.Epochs, s.Steps)
			}
		}
	}
}

func TestSameSeedSameNumbers(t *testing.T) {
	a, b := runJSON(t, "--seed", "5", "--dtype", "float64"), runJSON(t, "--seed", "5", "--dtype", "float64")
	if a.FinalLoss != b.FinalLoss {
		t.Errorf("loss %v then %v for the same seed", a.FinalLoss, b.FinalLoss)
	}
	for i := range a.Predictions {
		if a.Predictions[i] != b.Predictions[i] {
			t.Errorf("prediction %d: %v then %v", i, a.Predictions[i], b.Predictions[i])
		}
	}
}

func TestPrintsProgressAndTruthTable(t *testing.T) {
	out, _, code := runXOR(t, "--seed", "2", "--progress", "lines")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Epoch 300/300 - loss: ", "accuracy: 1.0000", " x1  x2 | target | predicted", "  1   1 |   0    | 0.0", "accuracy 100%"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WRONG") {
		t.Errorf("a row is wrong:\n%s", out)
	}
}

func TestSaveThenLoadGivesTheSamePredictions(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "xor.safetensors")
	trained := runJSON(t, "--seed", "4", "--save", file)
	loaded := runJSON(t, "--seed", "99", "--load", file, "--epochs", "0")
	for i := range trained.Predictions {
		if trained.Predictions[i] != loaded.Predictions[i] {
			t.Errorf("prediction %d: %v after training, %v after loading", i, trained.Predictions[i], loaded.Predictions[i])
		}
	}
	if loaded.Steps != 0 {
		t.Errorf("--epochs 0 took %d steps", loaded.Steps)
	}
}

func TestWritesPlotAndDOT(t *testing.T) {
	dir := t.TempDir()
	svg, dot := filepath.Join(dir, "loss.svg"), filepath.Join(dir, "xor.dot")
	runJSON(t, "--plot", svg, "--dot", dot, "--epochs", "20")
	s, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(s, []byte("<svg")) || !bytes.Contains(s, []byte("XOR training loss")) {
		t.Errorf("plot: %v, %.80q", err, s)
	}
	d, err := os.ReadFile(dot)
	if err != nil || !bytes.HasPrefix(d, []byte("digraph")) || !bytes.Contains(d, []byte("dashed")) || !bytes.Contains(d, []byte("dense1/W")) {
		t.Errorf("dot: %v, %.80q", err, d)
	}
}

func TestBadFlagsExitWithStatus2AndOneLine(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--activation", "nope"}, "unknown"},
		{[]string{"--epochs", "-1"}, "--epochs is -1"},
		{[]string{"--load", "/no/such/file.safetensors"}, "--load"},
		{[]string{"--optimizer", "adamax"}, "--optimizer"},
		{[]string{"--dtype", "int8"}, "--dtype"},
		{[]string{"--batch-size", "0"}, "--batch-size"},
		{[]string{"--lr", "0"}, "--lr"},
		{[]string{"--init", "orthogonal"}, "--init"},
		{[]string{"--epochs", "0"}, "needs --load"},
		{[]string{"--no-such-flag"}, "unknown flag"},
		{[]string{"stray"}, "unexpected argument"},
		{[]string{"--progress", "bar"}, "--progress"},
	}
	for _, c := range cases {
		_, errOut, code := runXOR(t, c.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if !strings.Contains(errOut, c.want) || (c.want != "unknown flag" && len(lines) != 1) {
			t.Errorf("%v: stderr %q, want one line mentioning %q", c.args, errOut, c.want)
		}
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	_, errOut, code := runXOR(t, "--help")
	if code != 0 {
		t.Errorf("--help exit %d", code)
	}
	for _, flag := range []string{"--epochs", "--batch-size", "--lr", "--hidden", "--activation", "--optimizer", "--seed", "--dtype", "--json", "--plot", "--dot", "--save", "--load", "--init", "--bias-init", "--progress"} {
		if !strings.Contains(errOut, flag) {
			t.Errorf("--help does not document %s", flag)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// Piped output (here a buffer) gets no progress by default: only the table.
func TestPipedOutputHasNoProgressByDefault(t *testing.T) {
	out, _, code := runXOR(t, "--seed", "2")
	if code != 0 || strings.Contains(out, "Epoch") || !strings.Contains(out, "accuracy 100%") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}
