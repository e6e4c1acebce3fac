package activations_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"gorgonia.org/tensor"

	. "graft/activations" // the tests read as if inside the package; chart imports it
	"graft/graph"
	"graft/ops"
)

func TestLookupFindsSpellingsAndAliases(t *testing.T) {
	for _, tc := range []struct{ name, canonical string }{
		{"gelu", "gelu"},
		{"GELU", "gelu"},
		{"gelu-tanh", "gelu_tanh"},
		{"LeakyReLU", "leaky_relu"},
		{" log_softmax ", "log_softmax"},
		{"LogSigmoid", "log_sigmoid"},
		{"swish", "silu"},
		{"Swish", "silu"},
		{"linear", "identity"},
	} {
		e, err := Describe(tc.name)
		if err != nil {
			t.Errorf("Describe(%q): %v", tc.name, err)
			continue
		}
		if e.Name != tc.canonical {
			t.Errorf("Describe(%q) is %q, want %q", tc.name, e.Name, tc.canonical)
		}
	}
	// The alias computes the same numbers as the canonical name.
	swish, silu := mustLookup(t, "swish"), mustLookup(t, "silu")
	a := mustSample(t, swish, tensor.Float64, -1.5, 0.5, 2)
	b := mustSample(t, silu, tensor.Float64, -1.5, 0.5, 2)
	if !slices.Equal(a.Y, b.Y) || !slices.Equal(a.D1, b.D1) {
		t.Errorf("swish %v and silu %v differ", a, b)
	}
}

func TestLookupOfAnUnknownNameListsTheKnownNames(t *testing.T) {
	for _, name := range []string{"gleu", "", "relu7"} {
		f, err := Lookup(name)
		if f != nil || err == nil {
			t.Fatalf("Lookup(%q) = %v, %v; want an error", name, f, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, fmt.Sprintf("unknown activation %q", name)) {
			t.Errorf("error %q does not name %q", msg, name)
		}
		for _, known := range Catalogue {
			if !strings.Contains(msg, known) {
				t.Errorf("error %q does not list %q", msg, known)
			}
		}
		if !strings.Contains(msg, "swish = silu") {
			t.Errorf("error %q does not list the aliases", msg)
		}
		var unknown *UnknownError
		if !errors.Is(err, ErrUnknown) || !errors.As(err, &unknown) || unknown.Name != name {
			t.Errorf("error %v is not an *UnknownError for %q matching ErrUnknown", err, name)
		}
	}
}

var registered atomic.Int64

// freshName returns a name no other test (or earlier -count run) took.
func freshName(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, registered.Add(1))
}

func TestRegisterMakesAnActivationAvailableByName(t *testing.T) {
	cube := func(x *graph.Node) *graph.Node { return ops.Mul(x, ops.Square(x)) }
	name, alias := freshName("test_cube"), freshName("test_third_power")
	if err := Register(Entry{Name: name, Aliases: []string{alias}, Func: cube}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{name, alias, strings.ToUpper(name)} {
		f, err := Lookup(n)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", n, err)
		}
		if got := mustSample(t, f, tensor.Float64, 2).Y[0]; got != 8 {
			t.Errorf("%s(2) = %v, want 8", n, got)
		}
	}
	if !slices.Contains(Names(), name) {
		t.Errorf("Names() lacks %q", name)
	}
}

func TestRegisterRejectsTakenNamesAndMissingParts(t *testing.T) {
	fresh := freshName("test_fresh")
	for _, tc := range []struct {
		name  string
		entry Entry
		want  string
	}{
		{"a built-in name", Entry{Name: "gelu", Func: Identity}, `the name "gelu" is taken by activation "gelu"`},
		{"another spelling of a built-in", Entry{Name: "Leaky-ReLU", Func: Identity}, `the name "Leaky-ReLU" is taken by activation "leaky_relu"`},
		{"a built-in alias", Entry{Name: fresh, Aliases: []string{"swish"}, Func: Identity}, `the name "swish" is taken by activation "silu"`},
		{"no Func", Entry{Name: freshName("test_nil")}, "has a nil Func"},
		{"no name", Entry{Name: "_", Func: Identity}, "has an empty name or alias"},
	} {
		err := Register(tc.entry)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Register error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
	if _, err := Lookup(fresh); err == nil {
		t.Errorf("a rejected entry %q was registered", fresh)
	}
}

func TestNamedGivesTheRegisteredActivation(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	y := Named("ReLU")(x)
	prog, err := graph.Compile(y)
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{-1, 0, 2}))})
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Float64s(); got[0] != 0 || got[1] != 0 || got[2] != 2 {
		t.Errorf("Named(\"ReLU\") gives %v, want [0 0 2]", got)
	}
}

func TestNamedWithAnUnknownNameIsABuildError(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	_, err := graph.Compile(Named("relu7")(x))
	for _, want := range []string{`Activation "relu7"(x (3,) float64)`, "registry_test.go:", "gelu"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Compile error %v, want it to mention %q", err, want)
		}
	}
}
