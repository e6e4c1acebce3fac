package activations

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"graft/graph"
)

// Entry describes one activation in the registry. Formula, Range and UsedIn
// are plain text for tables and help messages.
type Entry struct {
	Name    string   // canonical name, such as "gelu"
	Aliases []string // other names it answers to, such as "swish" for "silu"
	Func    Func
	Formula string
	Range   string
	UsedIn  string
	Kinks   string // the derivative chosen at each kink; empty if smooth
	// AlongLastAxis is set for activations such as softmax whose outputs
	// each depend on the whole last axis; the others act elementwise.
	AlongLastAxis bool
}

// Default parameters of the registry's parametrised activations.
const (
	DefaultLeakySlope = 0.01
	DefaultELUAlpha   = 1.0
	DefaultCELUAlpha  = 1.0
)

func builtins() []Entry {
	return []Entry{
		{Name: "identity", Aliases: []string{"linear"}, Func: Identity, Formula: "x", Range: "(-∞, ∞)", UsedIn: "output layers of regression models"},
		{Name: "sigmoid", Func: Sigmoid, Formula: "1/(1 + e^(-x))", Range: "(0, 1)", UsedIn: "binary classifiers' outputs, LSTM and GRU gates"},
		{Name: "tanh", Func: Tanh, Formula: "(e^x - e^(-x))/(e^x + e^(-x))", Range: "(-1, 1)", UsedIn: "RNN and LSTM cells, classic MLPs"},
		{Name: "relu", Kinks: "f'(0) = 0", Func: ReLU, Formula: "max(x, 0)", Range: "[0, ∞)", UsedIn: "the default of CNNs and MLPs (AlexNet, ResNet)"},
		{Name: "relu6", Kinks: "f'(0) = f'(6) = 0", Func: ReLU6, Formula: "min(max(x, 0), 6)", Range: "[0, 6]", UsedIn: "MobileNet v1 and v2 (bounded for low-precision inference)"},
		{Name: "leaky_relu", Kinks: "f'(0) = slope", Func: LeakyReLU(DefaultLeakySlope), Formula: "x if x > 0, 0.01·x otherwise", Range: "(-∞, ∞)", UsedIn: "GAN discriminators, YOLO"},
		{Name: "elu", Kinks: "f'(0) = α (left)", Func: ELU(DefaultELUAlpha), Formula: "x if x > 0, α(e^x - 1) otherwise; α = 1", Range: "(-α, ∞)", UsedIn: "deep MLPs and CNNs that want mean activations near zero"},
		{Name: "selu", Kinks: "f'(0) = λα (left)", Func: SELU, Formula: "λx if x > 0, λα(e^x - 1) otherwise; α ≈ 1.6733, λ ≈ 1.0507", Range: "(-λα, ∞)", UsedIn: "self-normalizing networks (SNNs)"},
		{Name: "celu", Kinks: "f' continuous; f''(0) = 1/α (left)", Func: CELU(DefaultCELUAlpha), Formula: "max(0, x) + min(0, α(e^(x/α) - 1)); α = 1", Range: "(-α, ∞)", UsedIn: "continuously differentiable variant of ELU"},
		{Name: "gelu", Func: GELU, Formula: "x·Φ(x) = ½x·erfc(-x/√2)", Range: "[≈ -0.17, ∞)", UsedIn: "transformers: BERT, GPT-2, ViT"},
		{Name: "gelu_tanh", Func: GELUTanh, Formula: "½x(1 + tanh(√(2/π)(x + 0.044715x³)))", Range: "[≈ -0.17, ∞)", UsedIn: "GPT-2 and BERT checkpoints trained with the approximation"},
		{Name: "silu", Aliases: []string{"swish"}, Func: SiLU, Formula: "x·σ(x)", Range: "[≈ -0.28, ∞)", UsedIn: "EfficientNet, YOLOv5, LLaMA's SwiGLU"},
		{Name: "mish", Func: Mish, Formula: "x·tanh(softplus(x))", Range: "[≈ -0.31, ∞)", UsedIn: "YOLOv4, some CNN backbones"},
		{Name: "softplus", Func: Softplus, Formula: "log(1 + e^x)", Range: "(0, ∞)", UsedIn: "positive outputs: variances, rates, scales"},
		{Name: "softsign", Kinks: "f''(0) = 0", Func: Softsign, Formula: "x/(1 + |x|)", Range: "(-1, 1)", UsedIn: "a slower-saturating alternative to tanh"},
		{Name: "hardtanh", Kinks: "f'(±1) = 0", Func: Hardtanh, Formula: "min(max(x, -1), 1)", Range: "[-1, 1]", UsedIn: "quantised and binarised networks"},
		{Name: "hardsigmoid", Kinks: "f'(±3) = 0", Func: Hardsigmoid, Formula: "min(max(x + 3, 0), 6)/6", Range: "[0, 1]", UsedIn: "MobileNetV3 squeeze-and-excite gates"},
		{Name: "hardswish", Kinks: "f'(-3) = 0, f'(3) = 1 (outer pieces)", Func: Hardswish, Formula: "x·min(max(x + 3, 0), 6)/6", Range: "[-0.375, ∞)", UsedIn: "MobileNetV3"},
		{Name: "log_sigmoid", Func: LogSigmoid, Formula: "log σ(x) = -softplus(-x)", Range: "(-∞, 0)", UsedIn: "log-likelihoods of binary outcomes, DPO and word2vec losses"},
		{Name: "tanhshrink", Func: Tanhshrink, Formula: "x - tanh(x)", Range: "(-∞, ∞)", UsedIn: "sparse coding, denoising"},
		{Name: "softmax", Func: Softmax, Formula: "e^(x_i)/Σ_j e^(x_j) along the last axis", Range: "(0, 1), summing to 1", UsedIn: "classifiers' outputs, attention weights", AlongLastAxis: true},
		{Name: "log_softmax", Func: LogSoftmax, Formula: "x_i - log Σ_j e^(x_j) along the last axis", Range: "(-∞, 0)", UsedIn: "classifiers trained with negative log-likelihood", AlongLastAxis: true},
	}
}

// registry holds the entries by key, and the key of every name and alias.
type registry struct {
	mu      sync.RWMutex
	entries map[string]Entry  // by the key of the canonical name
	keys    map[string]string // key of a name or alias → key of the canonical name
}

var known = newRegistry()

func newRegistry() *registry {
	r := &registry{entries: map[string]Entry{}, keys: map[string]string{}}
	for _, e := range builtins() {
		if err := r.add(e); err != nil {
			panic(err) // a mistake in the table above, caught by every test
		}
	}
	return r
}

// key folds the spellings of a name together: case, '_', '-' and spaces do
// not matter, so "leaky_relu", "LeakyReLU" and "leaky-relu" are one name.
func key(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(name)))
}

func (r *registry) add(e Entry) error {
	if e.Func == nil {
		return fmt.Errorf("graft: Register: activation %q has a nil Func", e.Name)
	}
	names := append([]string{e.Name}, e.Aliases...)
	for _, n := range names {
		k := key(n)
		if k == "" {
			return fmt.Errorf("graft: Register: activation %q has an empty name or alias", e.Name)
		}
		if owner, taken := r.keys[k]; taken {
			return fmt.Errorf("graft: Register: the name %q is taken by activation %q", n, r.entries[owner].Name)
		}
	}
	e.Aliases = slices.Clone(e.Aliases)
	canonical := key(e.Name)
	r.entries[canonical] = e
	for _, n := range names {
		r.keys[key(n)] = canonical
	}
	return nil
}

// Register adds an activation to the registry, so that Lookup, layers and
// command-line flags find it by its name or an alias. A name or alias that
// another activation already answers to (ignoring case, '_' and '-') is an
// error, and so is a nil Func. It is safe to call from several goroutines.
func Register(e Entry) error {
	known.mu.Lock()
	defer known.mu.Unlock()
	return known.add(e)
}

// Lookup returns the activation with the given name or alias. Case, '_' and
// '-' do not matter ("GELU", "gelu_tanh", "Swish"). The parametrised ones
// come with their defaults: "leaky_relu" has slope 0.01, "elu" and "celu"
// α = 1; call LeakyReLU, ELU or CELU for others. An unknown name is an error
// that lists every known name.
func Lookup(name string) (Func, error) {
	e, err := Describe(name)
	return e.Func, err
}

// Named returns the activation registered under name, for a layer that
// takes an activation by name: m.Dense(10, activations.Named("gelu")). An
// unknown name is reported like any build error, when the activation is
// applied: Compile returns it with the names known and the caller's
// file:line. Use Lookup to check a name up front (a command-line flag, say).
func Named(name string) Func {
	f, err := Lookup(name)
	if err != nil {
		return func(x *graph.Node) *graph.Node { return graph.Reject("Activation "+strconv.Quote(name), err, x) }
	}
	return f
}

// Describe returns the registry's entry for a name or alias, with the same
// rules and errors as Lookup.
func Describe(name string) (Entry, error) {
	known.mu.RLock()
	defer known.mu.RUnlock()
	if canonical, ok := known.keys[key(name)]; ok {
		e := known.entries[canonical]
		e.Aliases = slices.Clone(e.Aliases)
		return e, nil
	}
	return Entry{}, &UnknownError{Name: name, Known: known.names(), Aliases: known.aliases()}
}

// Names returns the canonical name of every registered activation, sorted.
func Names() []string {
	known.mu.RLock()
	defer known.mu.RUnlock()
	return known.names()
}

// Entries returns every registered activation, sorted by name.
func Entries() []Entry {
	known.mu.RLock()
	defer known.mu.RUnlock()
	var out []Entry
	for _, n := range known.names() {
		e := known.entries[key(n)]
		e.Aliases = slices.Clone(e.Aliases)
		out = append(out, e)
	}
	return out
}

func (r *registry) names() []string {
	names := make([]string, 0, len(r.entries))
	for _, e := range r.entries {
		names = append(names, e.Name)
	}
	slices.Sort(names)
	return names
}

// aliases returns "alias = name" for every alias, sorted.
func (r *registry) aliases() []string {
	var out []string
	for _, e := range r.entries {
		for _, a := range e.Aliases {
			out = append(out, a+" = "+e.Name)
		}
	}
	slices.Sort(out)
	return out
}

// UnknownError is the error of Lookup and Describe for a name that no
// activation answers to. Its message lists the known names.
type UnknownError struct {
	Name    string
	Known   []string // canonical names, sorted
	Aliases []string // "alias = name", sorted
}

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("graft: unknown activation %q; known: %s", e.Name, strings.Join(e.Known, ", "))
	if len(e.Aliases) > 0 {
		msg += " (aliases: " + strings.Join(e.Aliases, ", ") + ")"
	}
	return msg
}

// ErrUnknown is matched by errors.Is for every UnknownError.
var ErrUnknown = errors.New("graft: unknown activation")

// Is makes errors.Is(err, ErrUnknown) true.
func (e *UnknownError) Is(target error) bool { return target == ErrUnknown }
