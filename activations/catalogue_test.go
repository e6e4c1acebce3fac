package activations

import (
	"slices"
	"testing"
)

// Catalogue is the list of issue 3: every activation graft must have
// (exported to the external tests).
var Catalogue = []string{
	"celu", "elu", "gelu", "gelu_tanh", "hardsigmoid", "hardswish", "hardtanh", "identity",
	"leaky_relu", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid",
	"silu", "softmax", "softplus", "softsign", "tanh", "tanhshrink",
}

func TestTheCatalogueIsComplete(t *testing.T) {
	var names []string
	for _, e := range builtins() {
		names = append(names, e.Name)
		if e.Formula == "" || e.Range == "" || e.UsedIn == "" {
			t.Errorf("%s: the entry lacks a formula, range or use", e.Name)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, Catalogue) {
		t.Errorf("built-in activations %v, want %v", names, Catalogue)
	}
	for _, n := range Catalogue {
		if !slices.Contains(Names(), n) {
			t.Errorf("Names() lacks %q", n)
		}
	}
}
