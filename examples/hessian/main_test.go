package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnalyseFindsTheSpectrumAndAMinimumAlongTheTopDirection(t *testing.T) {
	r, err := analyse(options{seed: 1, steps: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.eigenvalues) != size {
		t.Fatalf("%d eigenvalues, want %d", len(r.eigenvalues), size)
	}
	top := r.eigenvalues[size-1]
	if top <= 0 || top < 10*r.eigenvalues[size/2] {
		t.Fatalf("the top eigenvalue %v does not stand out: %v", top, r.eigenvalues)
	}
	mid := len(r.along) / 2 // s = 0, the trained θ
	if r.along[mid] > r.along[0] || r.along[mid] > r.along[len(r.along)-1] || r.along[mid] != r.loss {
		t.Fatalf("the trained θ is not the lowest point along the top direction: %v (loss %v)", r.along, r.loss)
	}
}

func TestRunPrintsTheEigenvaluesAndWritesThePlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.svg")
	var out bytes.Buffer
	if err := run([]string{"--steps", "20", "--plot", path}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Hessian eigenvalues") {
		t.Fatalf("output: %s", out.String())
	}
	svg, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Fatalf("plot: %v", err)
	}
	if err := run([]string{"--steps", "-1"}, &out); !errors.Is(err, errUsage) {
		t.Fatalf("--steps -1: %v", err)
	}
}
