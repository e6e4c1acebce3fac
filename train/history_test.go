package train_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"graft/graph"
	"graft/train"
)

// A History plots every metric but the learning rate in one call, and
// names a metric it does not hold.
func TestHistoryPlotsAnSVG(t *testing.T) {
	g := graph.New()
	x, y := lineData(8)
	h, err := train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 5, BatchSize: 4, ValidationSplit: 0.25,
		Metrics: []train.Meter{train.MeanAbsoluteError()}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[loss mae val_loss val_mae]"; strings.Join(h.Names, " ") != want[1:len(want)-1] {
		t.Fatalf("names %v, want %s (no lr: sgd has none)", h.Names, want)
	}
	path := filepath.Join(t.TempDir(), "history.svg")
	if err := h.PlotSVG(path); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(svg, []byte("<?xml")) || !bytes.Contains(svg, []byte("val_mae")) {
		t.Errorf("the SVG lacks its legend: %.200s", svg)
	}
	if err := h.WriteSVG(&bytes.Buffer{}, "accuracy"); err == nil || !strings.Contains(err.Error(), `no metric "accuracy"; the History holds [loss mae val_loss val_mae]`) {
		t.Errorf("plotting a missing metric: %v", err)
	}
	var empty train.History
	if err := empty.WriteSVG(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "holds no epoch") {
		t.Errorf("plotting an empty History: %v", err)
	}
}
