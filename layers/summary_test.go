package layers_test

import (
	"errors"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/layers"
	"graft/ops"
)

func TestSummaryListsLayersParamsAndTotals(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	net := layers.Sequential{m.Dense(256, ops.ReLU), m.Dense(128, ops.ReLU, layers.WithName("hidden")), m.Dense(10, nil)}
	net.Apply(g.Input("x", tensor.Float32, 32, 784))
	m.Param(g, "temperature", tensor.Float32, layers.Ones, 1)
	m.Dense(5, nil) // never applied
	var b strings.Builder
	if err := m.Summary(&b); err != nil {
		t.Fatal(err)
	}
	// 235,146 + 1 float32 values take 940,588 bytes = 918.54 KiB.
	want := `Layer (type)         Output shape  Param #
==========================================
dense1 (Dense)       (32, 256)     200,960
hidden (Dense)       (32, 128)      32,896
dense2 (Dense)       (32, 10)        1,290
temperature (Param)  (1,)                1
dense3 (Dense)       ?                   0
==========================================
Total params: 235,147 (918.54 KiB)
`
	if b.String() != want {
		t.Errorf("Summary wrote\n%s\nwant\n%s", b.String(), want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSummaryReportsAWriteError(t *testing.T) {
	if err := layers.NewModel(1).Summary(failingWriter{}); err == nil || err.Error() != "disk full" {
		t.Fatalf("Summary returned %v, want the writer's error", err)
	}
}

func TestSummaryToANilWriterIsAnError(t *testing.T) {
	if err := layers.NewModel(1).Summary(nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Errorf("Summary(nil) = %v, want an error", err)
	}
}
