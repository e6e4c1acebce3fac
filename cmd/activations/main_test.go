package main

import (
	"bytes"
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
