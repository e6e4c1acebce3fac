package activations_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/graph"
	"graft/layers"
	"graft/ops"
)

// show prints f at xs in float64, to four significant digits.
func show(f activations.Func, xs ...float64) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, len(xs))
	prog, err := graph.Compile(f(x))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(xs))})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, v := range out[0].Float64s() {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Printf("%.4g", v)
	}
	fmt.Println()
}

func ExampleSigmoid() {
	show(activations.Sigmoid, -1000, -1, 0, 0.5, 1000)
	// Output: 0 0.2689 0.5 0.6225 1
}

func ExampleTanh() {
	show(activations.Tanh, -1000, -1, 0, 0.5, 1000)
	// Output: -1 -0.7616 0 0.4621 1
}

func ExampleReLU() {
	show(activations.ReLU, -1000, -1, 0, 0.5, 1000)
	// Output: 0 0 0 0.5 1000
}

func ExampleReLU6() {
	show(activations.ReLU6, -1000, -1, 0, 0.5, 1000)
	// Output: 0 0 0 0.5 6
}

func ExampleSELU() {
	show(activations.SELU, -1000, -1, 0, 0.5, 1000)
	// Output: -1.758 -1.111 0 0.5254 1051
}

func ExampleGELU() {
	show(activations.GELU, -1000, -1, 0, 0.5, 1000)
	// Output: -0 -0.1587 0 0.3457 1000
}

func ExampleGELUTanh() {
	show(activations.GELUTanh, -1000, -1, 0, 0.5, 1000)
	// Output: -0 -0.1588 0 0.3457 1000
}

func ExampleSiLU() {
	show(activations.SiLU, -1000, -1, 0, 0.5, 1000)
	// Output: -0 -0.2689 0 0.3112 1000
}

func ExampleMish() {
	show(activations.Mish, -1000, -1, 0, 0.5, 1000)
	// Output: -0 -0.3034 0 0.3752 1000
}

func ExampleSoftplus() {
	show(activations.Softplus, -1000, -1, 0, 0.5, 1000)
	// Output: 0 0.3133 0.6931 0.9741 1000
}

func ExampleSoftsign() {
	show(activations.Softsign, -1000, -1, 0, 0.5, 1000)
	// Output: -0.999 -0.5 0 0.3333 0.999
}

func ExampleHardtanh() {
	show(activations.Hardtanh, -1000, -1, 0, 0.5, 1000)
	// Output: -1 -1 0 0.5 1
}

func ExampleHardsigmoid() {
	show(activations.Hardsigmoid, -1000, -1, 0, 0.5, 1000)
	// Output: 0 0.3333 0.5 0.5833 1
}

func ExampleHardswish() {
	show(activations.Hardswish, -1000, -1, 0, 0.5, 1000)
	// Output: -0 -0.3333 0 0.2917 1000
}

func ExampleLogSigmoid() {
	show(activations.LogSigmoid, -1000, -1, 0, 0.5, 1000)
	// Output: -1000 -1.313 -0.6931 -0.4741 -0
}

func ExampleTanhshrink() {
	show(activations.Tanhshrink, -1000, -1, 0, 0.5, 1000)
	// Output: -999 -0.2384 0 0.03788 999
}

func ExampleIdentity() {
	show(activations.Identity, -1000, -1, 0, 0.5, 1000)
	// Output: -1000 -1 0 0.5 1000
}

func ExampleLeakyReLU() {
	show(activations.LeakyReLU(0.2), -2, 0, 3)
	// Output: -0.4 0 3
}

func ExampleELU() {
	show(activations.ELU(0.5), -1000, -1, 0, 2)
	// Output: -0.5 -0.3161 0 2
}

func ExampleCELU() {
	show(activations.CELU(2), -1000, -1, 0, 2)
	// Output: -2 -0.7869 0 2
}

func ExampleSoftmax() {
	show(activations.Softmax, 1, 2, 3)
	// Output: 0.09003 0.2447 0.6652
}

func ExampleLogSoftmax() {
	show(activations.LogSoftmax, 1, 2, 3)
	// Output: -2.408 -1.408 -0.4076
}

func ExampleLookup() {
	f, err := activations.Lookup("Swish")
	fmt.Println(err)
	show(f, -1, 0, 1)
	_, err = activations.Lookup("gleu")
	fmt.Println(errors.Is(err, activations.ErrUnknown))
	fmt.Println(strings.SplitN(err.Error(), ";", 2)[0]) // the rest lists every known name
	// Output:
	// <nil>
	// -0.2689 0 0.7311
	// true
	// graft: unknown activation "gleu"
}

func ExampleDescribe() {
	e, err := activations.Describe("gelu")
	fmt.Println(err)
	fmt.Println(e.Name, "=", e.Formula, "in", e.Range)
	// Output:
	// <nil>
	// gelu = x·Φ(x) = ½x·erfc(-x/√2) in [≈ -0.17, ∞)
}

func ExampleRegister() {
	cube := func(x *graph.Node) *graph.Node { return ops.Mul(x, ops.Square(x)) }
	// Register reports an error if the name is taken (say, when this
	// example runs twice in one process).
	_ = activations.Register(activations.Entry{Name: "example_cube", Func: cube})
	f, _ := activations.Lookup("example-cube")
	show(f, -2, 3)
	fmt.Println(activations.Register(activations.Entry{Name: "GELU", Func: cube}))
	// Output:
	// -8 27
	// graft: Register: the name "GELU" is taken by activation "gelu"
}

// Named picks an activation by name for a layer. An unknown name is a build
// error that Compile reports, with every known name.
func ExampleNamed() {
	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float64, 4, 2)
	y := m.Dense(3, activations.Named("Swish")).Apply(x)
	_, err := graph.Compile(y)
	fmt.Println(y.Shape(), err)

	_, err = graph.Compile(m.Dense(3, activations.Named("gleu")).Apply(x))
	var mistake *graph.BuildError
	fmt.Println(errors.As(err, &mistake), errors.Is(err, activations.ErrUnknown), mistake.Op)
	fmt.Println(strings.SplitN(mistake.Err.Error(), ";", 2)[0]) // the rest lists every known name
	// Output:
	// (4, 3) <nil>
	// true true Activation "gleu"
	// graft: unknown activation "gleu"
}

// Names gives the canonical names only: an alias such as "swish" is not
// listed, though Lookup and Named accept it.
func ExampleNames() {
	names := activations.Names()
	fmt.Println(slices.Contains(names, "silu"), slices.Contains(names, "swish"))
	_, err := activations.Lookup("swish")
	fmt.Println(err)
	// Output:
	// true false
	// <nil>
}

// Entries describes every activation; here, those that are not elementwise.
func ExampleEntries() {
	for _, e := range activations.Entries() {
		if e.AlongLastAxis {
			fmt.Println(e.Name, "=", e.Formula)
		}
	}
	// Output:
	// log_softmax = x_i - log Σ_j e^(x_j) along the last axis
	// softmax = e^(x_i)/Σ_j e^(x_j) along the last axis
}
