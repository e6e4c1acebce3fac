package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// small is a quick configuration: a tiny model on short sequences.
var small = []string{"--steps", "60", "--length", "3", "--held-out", "40", "--batch-size", "32", "--d-model", "16", "--heads", "2", "--log-every", "20", "--lr", "0.01"}

func runJSON(t *testing.T, args ...string) summary {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append(args, "--json"), &stdout, &stderr); code != 0 {
		t.Fatalf("run %v: status %d, stderr %q", args, code, stderr.String())
	}
	var s summary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatalf("--json printed %q: %v", stdout.String(), err)
	}
	return s
}

func TestAShortReversalRunLearnsAndIsReproducible(t *testing.T) {
	dir := t.TempDir()
	save := filepath.Join(dir, "model.safetensors")
	a := runJSON(t, append(small, "--save", save)...)
	if a.Task != "reverse" || a.Steps != 60 || a.Params == 0 || len(a.StepLoss) != 3 {
		t.Fatalf("summary %+v", a)
	}
	if !(a.StepLoss[2] < a.StepLoss[0]) {
		t.Errorf("the loss did not fall: %v", a.StepLoss)
	}
	// 1 in 10 is chance; 60 steps of a tiny model on 3 digits are far past it.
	if a.ForcedAccuracy < 0.5 || a.GeneratedAccuracy < 0.5 {
		t.Errorf("held-out accuracy %v teacher-forced, %v generated; want at least 0.5", a.ForcedAccuracy, a.GeneratedAccuracy)
	}
	b := runJSON(t, small...)
	if a.Loss != b.Loss || a.GeneratedAccuracy != b.GeneratedAccuracy {
		t.Errorf("two runs with one seed differ: loss %v and %v", a.Loss, b.Loss)
	}
	// The saved model, loaded and only evaluated, scores the same.
	loaded := runJSON(t, append(small, "--steps", "0", "--load", save)...)
	if loaded.GeneratedAccuracy != a.GeneratedAccuracy || loaded.ForcedAccuracy != a.ForcedAccuracy {
		t.Errorf("loaded model scores %v/%v, trained %v/%v", loaded.ForcedAccuracy, loaded.GeneratedAccuracy, a.ForcedAccuracy, a.GeneratedAccuracy)
	}
}

func TestTheReversalRunPrintsProgressAndWritesItsPictures(t *testing.T) {
	dir := t.TempDir()
	svg, dot := filepath.Join(dir, "attention.svg"), filepath.Join(dir, "block.dot")
	var stdout, stderr bytes.Buffer
	if code := run(append(small, "--steps", "5", "--attention", svg, "--dot", dot), &stdout, &stderr); code != 0 {
		t.Fatalf("status %d, stderr %q", code, stderr.String())
	}
	for _, want := range []string{"reverse 3 digits: 2 blocks, d_model 16, 2 heads", "step 5/5", "held-out token accuracy", "held-out: 40 sequences never trained on", " -> "} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	picture, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(picture, []byte("<svg")) || !bytes.Contains(picture, []byte("block 2, head 2")) {
		t.Errorf("the attention map is not an SVG of 2 blocks of 2 heads:\n%.300s", picture)
	}
	graph, err := os.ReadFile(dot)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"digraph", "block1/attn/Wq", "block1/mlp2/W", "Softmax", "Cumsum", "GreaterEqual"} {
		if !bytes.Contains(graph, []byte(want)) {
			t.Errorf("the block's DOT lacks %q", want)
		}
	}
}

func TestTextModeTrainsAndSamplesTheSameTextForTheSameSeed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "abc.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("abcabd abcabd\n", 20)), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--text", path, "--steps", "20", "--context", "8", "--batch-size", "8", "--d-model", "16", "--heads", "2", "--sample", "30", "--prompt", "ab", "--lr", "0.01", "--log-every", "10"}
	a, b := runJSON(t, args...), runJSON(t, args...)
	if a.Task != "text" || a.Vocab != 6 || len([]rune(a.Sample)) != 30 {
		t.Fatalf("summary %+v", a)
	}
	if a.Sample != b.Sample {
		t.Errorf("one seed sampled %q and %q", a.Sample, b.Sample)
	}
	if strings.Trim(a.Sample, "abcd \n") != "" {
		t.Errorf("the sample %q has characters the text has not", a.Sample)
	}
	other := runJSON(t, append(args, "--seed", "2")...)
	if other.Sample == a.Sample {
		t.Errorf("seeds 1 and 2 sampled the same %q", a.Sample)
	}
}

func TestBadFlagsAreRefusedWithStatus2(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.txt")
	if err := os.WriteFile(short, []byte("tiny"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--heads", "3"}, 2, "--heads is 3; it must be at least 1 and divide --d-model 64"},
		{[]string{"--lr", "-1"}, 2, "--lr is -1"},
		{[]string{"--steps", "0"}, 2, "--steps 0 trains nothing; it needs --load"},
		{[]string{"--dropout", "1"}, 2, "--dropout is 1"},
		{[]string{"--dtype", "int8"}, 2, `--dtype is "int8"`},
		{[]string{"--length", "2", "--held-out", "60"}, 2, "more than half of the 2-digit sequences"},
		{[]string{"--text", filepath.Join(dir, "missing.txt")}, 2, "--text:"},
		{[]string{"--prompt", "x"}, 2, "--prompt needs --text"},
		{[]string{"--save", filepath.Join(dir, "no", "such", "dir", "m.safetensors")}, 2, "--save:"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--text", short, "--steps", "1"}, 1, "short.txt has 4 characters; --context 64 needs at least 65"},
		{[]string{"--text", short, "--context", "2", "--steps", "1", "--prompt", "z"}, 1, `--prompt has 'z', which the text never uses`},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: status %d, stderr %q; want %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
}
