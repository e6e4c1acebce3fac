package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"graft/activations"
)

func TestCSVHoldsValuesAndBothDerivatives(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"--name", "relu,Swish", "--from", "-1", "--to", "1", "--points", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	want := "activation,x,y,dy,d2y\n" +
		"relu,-1,0,0,0\nrelu,0,0,0,0\nrelu,1,1,1,0\n" +
		"silu,-1,-0.2689414213699951,0.07232948812851325,0.3023661188100153\n" +
		"silu,0,0,0.5,0.5\n" +
		"silu,1,0.7310585786300049,0.9276705118714867,0.3023661188100153\n"
	if out.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestAllCoversEveryRegisteredActivation(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"--points", "2", "--dtype", "float32"}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if want := 1 + 2*len(activations.Names()); len(lines) != want {
		t.Errorf("%d lines, want %d", len(lines), want)
	}
	for _, name := range activations.Names() {
		if !strings.Contains(out.String(), "\n"+name+",-5,") {
			t.Errorf("the CSV lacks %s", name)
		}
	}
}

func TestSVGGoesToAFileOrOneFilePerActivation(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "gelu.svg")
	if err := run([]string{"--name", "gelu", "--format", "svg", "--out", one, "--points", "21"}, nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(one); err != nil || !bytes.Contains(b, []byte("gelu″(x), by autodiff")) {
		t.Errorf("%s: %v, %.200s", one, err, b)
	}
	many := filepath.Join(dir, "plots")
	if err := run([]string{"--name", "elu,selu", "--format", "svg", "--out", many, "--points", "21"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"elu", "selu"} {
		if b, err := os.ReadFile(filepath.Join(many, name+".svg")); err != nil || !bytes.Contains(b, []byte("<svg")) {
			t.Errorf("%s.svg: %v", name, err)
		}
	}
}

func TestHelpPrintsTheFlags(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"--help"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--name", "--from", "--to", "--points", "--format", "--out", "--dtype"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("help lacks %s:\n%s", flag, out.String())
		}
	}
}

func TestBadFlagsAreErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "gleu"}, `unknown activation "gleu"; known: celu, elu`},
		{[]string{"--points", "1"}, "--points 1: need at least 2"},
		{[]string{"--from", "2", "--to", "1"}, "--from 2 must be less than --to 1"},
		{[]string{"--from", "NaN"}, "must be finite"},
		{[]string{"--format", "png"}, `--format "png": want csv or svg`},
		{[]string{"--dtype", "int"}, `--dtype "int": want float64 or float32`},
		{[]string{"--format", "svg"}, "give --out a directory"},
		{[]string{"gelu"}, `unexpected arguments ["gelu"]`},
		{[]string{"--bogus"}, "unknown flag: --bogus"},
	} {
		err := run(tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to contain %q", tc.args, err, tc.want)
		}
	}
}

// A bad flag is status 2 and one line, not the whole flag list.
func TestBadFlagIsStatus2AndOneLine(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"--points", "x"}, {"stray"}, {"--name", "gleu"}, {"--format", "svg"}} {
		var stdout, stderr bytes.Buffer
		code := command(args, &stdout, &stderr)
		if code != 2 || strings.Count(stderr.String(), "\n") != 1 || !strings.HasSuffix(stderr.String(), "; see activations --help\n") {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line ending in see --help", args, code, stderr.String())
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A failure while writing is status 1, never the usage status 2.
func TestWriteFailureIsStatus1(t *testing.T) {
	outs := [][]string{{"--out", filepath.Join(t.TempDir(), "missing", "a.csv")}, {}}
	if _, err := os.Stat("/dev/full"); err == nil {
		outs = append(outs, []string{"--out", "/dev/full"})
	}
	for _, out := range outs {
		var stderr bytes.Buffer
		code := command(append([]string{"--name", "relu", "--points", "2"}, out...), failingWriter{}, &stderr)
		if code != 1 || !strings.HasPrefix(stderr.String(), "activations: ") {
			t.Errorf("%v: status %d, stderr %q; want 1", out, code, stderr.String())
		}
	}
}

// A write that fails half way leaves the file as it was, with no temporary
// file beside it, rather than a half-written CSV.
func TestFailedWriteLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	full := errors.New("no space left on device")
	err := writeTo(path, nil, func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("activation,x\n"), 10000))
		return full
	})
	if !errors.Is(err, full) {
		t.Errorf("error %v, want the write's", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("the file holds %.20q, want the old content", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a temporary file was left behind: %v", entries)
	}
}

func TestRangeAndPointsAreBounded(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "-1e308", "--to", "1e308"}, "spans more than the largest float64"},
		{[]string{"--from", "1", "--to", "1.0000000000000002", "--points", "3"}, "too narrow for 3 distinct points"},
		{[]string{"--points", "400000000"}, "--points 400000000: at most 100000"},
		{[]string{"--to", "Inf"}, "must be finite"},
	} {
		err := run(tc.args, &bytes.Buffer{})
		var bad usageError
		if !errors.As(err, &bad) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want a usage error containing %q", tc.args, err, tc.want)
		}
	}
	var out bytes.Buffer
	if err := run([]string{"--name", "relu", "--from", "-8e307", "--to", "8e307", "--points", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	if want := "activation,x,y,dy,d2y\nrelu,-8e+307,0,0,0\nrelu,0,0,0,0\nrelu,8e+307,8e+307,1,0\n"; out.String() != want {
		t.Errorf("CSV of a wide range:\n%s\nwant:\n%s", out.String(), want)
	}
}
