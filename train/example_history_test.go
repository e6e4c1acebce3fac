package train_test

import (
	"fmt"
	"os"
	"path/filepath"

	"graft/graph"
	"graft/train"
)

// A History holds every metric per epoch; Last reads the latest.
func ExampleHistory_Last() {
	g := graph.New()
	x, y := lineData(10)
	h, _ := train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 3, BatchSize: 5, ValidationSplit: 0.2})
	vl, ok := h.Last("val_loss")
	fmt.Println(h.Names, len(h.Metrics["val_loss"]), vl > 0, ok)
	// Output: [loss val_loss] 3 true true
}

// PlotSVG draws the History in one call.
func ExampleHistory_PlotSVG() {
	g := graph.New()
	x, y := lineData(10)
	h, _ := train.Fit(g, linear(g), mse, sgd{0.1}, x, y, train.Config{Epochs: 20, BatchSize: 5, ValidationSplit: 0.2})
	dir, _ := os.MkdirTemp("", "graft-example")
	defer os.RemoveAll(dir)
	err := h.PlotSVG(filepath.Join(dir, "history.svg")) // loss and val_loss
	fmt.Println(err)
	// Output: <nil>
}

// WriteSVG draws the named metrics to any writer.
func ExampleHistory_WriteSVG() {
	h := train.History{}
	fmt.Println(h.WriteSVG(os.Stdout))
	// Output: graft: History.PlotSVG: the History holds no epoch
}
