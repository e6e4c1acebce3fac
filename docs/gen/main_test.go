package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"graft/activations"
)

func TestGenerateWritesTheTableAndAPlotPerActivation(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "activations.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range activations.Names() {
		img := "img/activations/" + name + ".svg"
		if !bytes.Contains(md, []byte("("+img+")")) || !bytes.Contains(md, []byte("| [`"+name+"`")) {
			t.Errorf("activations.md lacks the row or the plot of %s", name)
		}
		svg, err := os.ReadFile(filepath.Join(dir, img))
		if err != nil || !bytes.Contains(svg, []byte(name+"′(x), by autodiff")) {
			t.Errorf("%s: %v", img, err)
		}
	}
}

// The checked-in docs are what the generator writes: a change to the
// registry or to a kernel that moves a curve shows up here until the docs
// are regenerated with go run ./docs/gen.
func TestCheckedInDocsAreUpToDate(t *testing.T) {
	fs, err := files()
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for rel, want := range fs {
		got, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(got, want) {
			stale = append(stale, rel)
		}
	}
	if len(stale) > 0 {
		t.Errorf("docs/%s out of date: run go run ./docs/gen from the repository's root", strings.Join(stale, ", docs/"))
	}
}
