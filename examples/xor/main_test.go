package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/layers"
	"graft/train"
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

// A flag that cannot work is refused before any training: non-finite
// numbers, sizes that would exhaust memory, output paths that cannot be
// written (checked without leaving anything behind).
func TestBadFlagsExitWithStatus2AndOneLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
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
		{[]string{"--bias-init", "NaN"}, "--bias-init is NaN; it must be a finite number"},
		{[]string{"--bias-init", "-Inf"}, "--bias-init is -Inf"},
		{[]string{"--lr", "Inf"}, "--lr is +Inf; it must be a positive finite number"},
		{[]string{"--lr", "NaN"}, "--lr is NaN"},
		{[]string{"--lr", "-0.1"}, "--lr is -0.1"},
		{[]string{"--hidden", "1099511627776"}, "--hidden is 1099511627776; at most 65536"},
		{[]string{"--hidden", "0"}, "--hidden is 0"},
		{[]string{"--epochs", "1000001"}, "--epochs is 1000001; at most 1000000"},
		{[]string{"--save", filepath.Join(dir, "missing", "m.safetensors")}, "--save: cannot create m.safetensors in directory"},
		{[]string{"--plot", dir}, "--plot: " + dir + " is a directory"},
		{[]string{"--dot", filepath.Join(file, "g.dot")}, "not a directory"},
		{[]string{"--epochs", "0", "--load", file, "--plot", filepath.Join(dir, "l.svg")}, "--plot has no loss curve"},
	}
	for _, c := range cases {
		out, errOut, code := runXOR(t, c.args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and no output", c.args, code, out)
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if !strings.Contains(errOut, c.want) || (c.want != "unknown flag" && len(lines) != 1) {
			t.Errorf("%v: stderr %q, want one line mentioning %q", c.args, errOut, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the checks left files behind: %v", entries)
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

func TestDivergedTrainingFailsAndNaNIsNeverOK(t *testing.T) {
	dir := t.TempDir()
	save := filepath.Join(dir, "m.safetensors")
	out, errOut, code := runXOR(t, "--lr", "1e300", "--save", save)
	if code != 1 || !strings.Contains(errOut, "final loss is NaN") || !strings.Contains(errOut, "not saved") {
		t.Errorf("exit %d, stderr %q; want status 1 naming the NaN loss", code, errOut)
	}
	if !strings.Contains(out, "NaN  WRONG") || strings.Contains(out, "ok") || !strings.Contains(out, "accuracy 0%") {
		t.Errorf("a NaN prediction was not marked WRONG:\n%s", out)
	}
	if _, err := os.Stat(save); !os.IsNotExist(err) {
		t.Errorf("a diverged model was saved: %v", err)
	}
	if !correct(0.2, 0) || correct(jsonFloat(math.NaN()), 0) || correct(jsonFloat(math.NaN()), 1) || correct(jsonFloat(math.Inf(1)), 1) {
		t.Error("correct accepts a non-finite probability or rejects a right one")
	}
}

func TestJSONWritesNonFiniteNumbersAsNull(t *testing.T) {
	out, _, code := runXOR(t, "--json", "--lr", "1e300")
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != 1 {
		t.Fatalf("exit %d, %q: %v; want status 1 and one JSON line", code, out, err)
	}
	if s["final_loss"] != nil || len(s["predictions"].([]any)) != 4 || s["predictions"].([]any)[0] != nil {
		t.Errorf("non-finite numbers are not null: %s", out)
	}
	b, err := json.Marshal([]jsonFloat{1.5, jsonFloat(math.Inf(-1)), 0})
	if err != nil || string(b) != "[1.5,null,0]" {
		t.Errorf("json of 1.5, -Inf, 0: %s, %v", b, err)
	}
}

func TestPlotOfOneEpochOrAFlatCurveIsDrawnAndTheModelSaved(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"--epochs", "1"}, {"--epochs", "3", "--lr", "1e-300"}} {
		svg, save := filepath.Join(dir, "loss.svg"), filepath.Join(dir, "m.safetensors")
		os.Remove(save)
		runJSON(t, append(args, "--plot", svg, "--save", save)...)
		if b, err := os.ReadFile(svg); err != nil || !bytes.Contains(b, []byte("XOR training loss")) {
			t.Errorf("%v: plot %v, %.80q", args, err, b)
		}
		if _, err := os.Stat(save); err != nil {
			t.Errorf("%v: the model was not saved: %v", args, err)
		}
	}
}

func TestLossPlotHandlesEveryCurve(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name    string
		loss    []float64
		log     bool
		wantErr string
	}{
		{"converging", []float64{0.7, 0.3, 0.01, 0.001}, true, ""},
		{"one epoch", []float64{0.69}, false, ""},
		{"flat", []float64{0.5, 0.5, 0.5}, false, ""},
		{"less than a decade", []float64{0.7, 0.5}, false, ""},
		{"zero", []float64{0, 0}, false, ""},
		{"reaches zero", []float64{0.7, 0.1, 0}, false, ""},
		{"negative", []float64{-1, -2}, false, ""},
		{"diverges", []float64{0.7, 0.05, nan, inf}, true, ""},
		{"never finite", []float64{nan, inf}, false, "NaN or infinite at every epoch"},
		{"no epochs", nil, false, "no epochs"},
	}
	for _, c := range cases {
		p, err := lossPlot(c.loss)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if _, isLog := p.Y.Scale.(plot.LogScale); isLog != c.log {
			t.Errorf("%s: log scale %v, want %v", c.name, isLog, c.log)
		}
		svg, err := p.WriterTo(vg.Inch, vg.Inch, "svg")
		var b bytes.Buffer
		if err == nil {
			_, err = svg.WriteTo(&b)
		}
		if err != nil || !bytes.Contains(b.Bytes(), []byte("<svg")) {
			t.Errorf("%s: drawing failed: %v", c.name, err)
		}
	}
}

// A failing --plot is reported, and does not keep --save or --dot from
// being written.
func TestFailingPlotStillSavesTheModel(t *testing.T) {
	dir := t.TempDir()
	g := graph.New()
	model := layers.NewModel(1)
	x := g.Input("x", tensor.Float64, 4, 2)
	model.Dense(1, activations.Sigmoid).Apply(x)
	o := options{save: filepath.Join(dir, "m.safetensors"), dot: filepath.Join(dir, "g.dot"), plot: filepath.Join(dir, "gone", "l.svg")}
	err := writeOutputs(o, g, model, train.History{Loss: []float64{0.7, 0.1}}, summary{FinalLoss: 0.1})
	if err == nil || !strings.HasPrefix(err.Error(), "--plot: ") {
		t.Errorf("error %v, want the --plot failure", err)
	}
	for _, name := range []string{"m.safetensors", "g.dot"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was not written: %v", name, err)
		}
	}
}
