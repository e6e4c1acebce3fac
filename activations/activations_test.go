package activations_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	. "graft/activations" // the tests read as if inside the package; chart imports it
	"graft/activations/chart"
	"graft/graph"
	"graft/internal/graftest"
)

var dtypes = []graph.DType{tensor.Float64, tensor.Float32}

// SELU's constants as Klambauer et al. (2017) print them, the reference the
// package's own copies are checked against.
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// referencePoints avoid every kink (0, ±1, ±3, 6).
var referencePoints = []float64{-2.5, -0.5, 0.75, 4.5}

// referenceValues holds f, f' and f” at referencePoints, worked out from the
// formulas in 40-digit arithmetic (mpmath), independently of graft.
var referenceValues = []struct {
	name string
	want [4][3]float64
}{
	{"sigmoid", [4][3]float64{
		{0.075858180021243551, 0.070103716545108157, 0.059467835845434068},
		{0.37754066879814544, 0.23500371220159449, 0.057556794852320741},
		{0.67917869917539297, 0.21789499376181403, -0.078084283078144409},
		{0.98901305736940682, 0.010866229722225234, -0.010627456437087364},
	}},
	{"tanh", [4][3]float64{
		{-0.98661429815143029, 0.02659222668316062, 0.052472542130580504},
		{-0.46211715726000976, 0.78644773296592741, 0.72686198138358728},
		{0.63514895238728732, 0.59658580828133143, -0.75784170227802139},
		{0.99975321084802754, 0.00049351739905939563, -0.00098679120863799621},
	}},
	{"relu", [4][3]float64{
		{0, 0, 0},
		{0, 0, 0},
		{0.75, 1.0, 0},
		{4.5, 1.0, 0},
	}},
	{"relu6", [4][3]float64{
		{0, 0, 0},
		{0, 0, 0},
		{0.75, 1.0, 0},
		{4.5, 1.0, 0},
	}},
	{"leaky_relu", [4][3]float64{
		{-0.025, 0.01, 0},
		{-0.005, 0.01, 0},
		{0.75, 1.0, 0},
		{4.5, 1.0, 0},
	}},
	{"elu", [4][3]float64{
		{-0.9179150013761012, 0.082084998623898795, 0.082084998623898795},
		{-0.39346934028736658, 0.60653065971263342, 0.60653065971263342},
		{0.75, 1.0, 0},
		{4.5, 1.0, 0},
	}},
	{"selu", [4][3]float64{
		{-1.6137857588732426, 0.14431358197413431, 0.14431358197413431},
		{-0.6917581878028714, 1.0663411530445055, 1.0663411530445055},
		{0.78802574051661037, 1.0507009873554805, 0},
		{4.7281544430996622, 1.0507009873554805, 0},
	}},
	{"celu", [4][3]float64{
		{-0.9179150013761012, 0.082084998623898795, 0.082084998623898795},
		{-0.39346934028736658, 0.60653065971263342, 0.60653065971263342},
		{0.75, 1.0, 0},
		{4.5, 1.0, 0},
	}},
	{"gelu", [4][3]float64{
		{-0.015524163314440338, -0.037611085908145208, -0.074495277097666284},
		{-0.15426876936299345, 0.13250487534383716, 0.61611432183752409},
		{0.58002948571734885, 0.9992257217392351, 0.43288505872253133},
		{4.4999847104709387, 1.0000685291618563, -0.00029170327520102491},
	}},
	{"gelu_tanh", [4][3]float64{
		{-0.015084266089998582, -0.037951576212666183, -0.076245392073612953},
		{-0.15428599017485608, 0.13263009646535769, 0.61550689511598489},
		{0.5799605551656203, 0.9989382561374143, 0.43230749027147407},
		{4.499994863262588, 1.0000293222704428, -0.00015723144552365507},
	}},
	{"silu", [4][3]float64{
		{-0.18964545005310888, -0.099401111341526841, -0.0084621565233688556},
		{-0.18877033439907272, 0.26003881269734819, 0.44122902697702861},
		{0.50938402438154473, 0.8425999444967535, 0.37722677521501975},
		{4.4505587581623307, 1.0379110911194204, -0.02609109452244267},
	}},
	{"mish", [4][3]float64{
		{-0.19681620390653334, -0.10974357275018569, -0.021145911278747783},
		{-0.22074377465173, 0.28951067791351219, 0.56397092311326654},
		{0.61001833521829339, 0.98575835571668806, 0.32457122066277646},
		{4.4989137149533158, 1.0019070441688077, -0.0032701788478634772},
	}},
	{"softplus", [4][3]float64{
		{0.078889734292549623, 0.075858180021243551, 0.070103716545108157},
		{0.47407698418010668, 0.37754066879814544, 0.23500371220159449},
		{1.1368710061148999, 0.67917869917539297, 0.21789499376181403},
		{4.5110477448485938, 0.98901305736940682, 0.010866229722225234},
	}},
	{"softsign", [4][3]float64{
		{-0.71428571428571429, 0.08163265306122449, 0.046647230320699708},
		{-0.33333333333333333, 0.44444444444444444, 0.59259259259259259},
		{0.42857142857142857, 0.32653061224489796, -0.37317784256559767},
		{0.81818181818181818, 0.033057851239669421, -0.012021036814425244},
	}},
	{"hardtanh", [4][3]float64{
		{-1, 0, 0},
		{-0.5, 1.0, 0},
		{0.75, 1.0, 0},
		{1, 0, 0},
	}},
	{"hardsigmoid", [4][3]float64{
		{0.083333333333333333, 0.16666666666666667, 0},
		{0.41666666666666667, 0.16666666666666667, 0},
		{0.625, 0.16666666666666667, 0},
		{1.0, 0, 0},
	}},
	{"hardswish", [4][3]float64{
		{-0.20833333333333333, -0.33333333333333333, 0.33333333333333333},
		{-0.20833333333333333, 0.33333333333333333, 0.33333333333333333},
		{0.46875, 0.75, 0.33333333333333333},
		{4.5, 1.0, 0},
	}},
	{"log_sigmoid", [4][3]float64{
		{-2.5788897342925496, 0.92414181997875645, -0.070103716545108157},
		{-0.97407698418010668, 0.62245933120185456, -0.23500371220159449},
		{-0.38687100611489994, 0.32082130082460703, -0.21789499376181403},
		{-0.011047744848593816, 0.01098694263059318, -0.010866229722225234},
	}},
	{"tanhshrink", [4][3]float64{
		{-1.5133857018485697, 0.97340777331683938, -0.052472542130580504},
		{-0.037882842739990241, 0.21355226703407259, -0.72686198138358728},
		{0.11485104761271268, 0.40341419171866857, 0.75784170227802139},
		{3.5002467891519725, 0.9995064826009406, 0.00098679120863799621},
	}},
	{"identity", [4][3]float64{
		{-2.5, 1.0, 0},
		{-0.5, 1.0, 0},
		{0.75, 1.0, 0},
		{4.5, 1.0, 0},
	}},
}

// closeTo reports whether got is within the dtype's tolerance of want: a
// few float64 ulps, or the rounding of a handful of float32 ops (a second
// derivative near saturation, such as 1 - tanh² with tanh close to 1, loses
// a few more float32 digits).
func closeTo(dt graph.DType, got, want float64) bool {
	abs, rel := 1e-15, 1e-13
	if dt == tensor.Float32 {
		abs, rel = 3e-6, 1e-5
	}
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}

func mustSample(t *testing.T, f Func, dt graph.DType, xs ...float64) chart.Curve {
	t.Helper()
	c, err := chart.Sample(f, dt, xs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestValuesAndDerivativesMatchReferences(t *testing.T) {
	for _, ref := range referenceValues {
		f, err := Lookup(ref.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, dt := range dtypes {
			c := mustSample(t, f, dt, referencePoints...)
			for i, x := range referencePoints {
				got := [3]float64{c.Y[i], c.D1[i], c.D2[i]}
				for order, what := range []string{"f", "f'", "f''"} {
					if !closeTo(dt, got[order], ref.want[i][order]) {
						t.Errorf("%s %v: %s(%v) = %.17g, want %.17g", ref.name, dt, what, x, got[order], ref.want[i][order])
					}
				}
			}
		}
	}
}

func TestSoftmaxAndLogSoftmaxActAlongTheLastAxis(t *testing.T) {
	// Two rows: (1, 2, 3), and the same logits shifted by 1000, which must
	// give the same probabilities.
	logits := []float64{1, 2, 3, 1001, 1002, 1003}
	softmax := []float64{0.090030573170380458, 0.24472847105479765, 0.66524095577482189}
	logSoftmax := []float64{-2.4076059644443803, -1.4076059644443803, -0.4076059644443803}
	for _, dt := range dtypes {
		for _, tc := range []struct {
			name string
			want []float64
		}{{"softmax", softmax}, {"log_softmax", logSoftmax}} {
			f, _ := Lookup(tc.name)
			got := run(t, f, dt, []int{2, 3}, logits)
			for i, v := range got {
				// The second row's outputs are differences of numbers near
				// 1000, good to about 1000 float64 ulps of 1.
				if !closeTo(dt, v, tc.want[i%3]) && math.Abs(v-tc.want[i%3]) > 1e-12 {
					t.Errorf("%s %v: element %d = %.17g, want %.17g", tc.name, dt, i, v, tc.want[i%3])
				}
			}
		}
	}
}

// run applies f to a tensor of the given shape and data and returns f's
// output widened to float64.
func run(t *testing.T, f Func, dt graph.DType, shape []int, data []float64) []float64 {
	t.Helper()
	x := graph.New().Input("x", dt, shape...)
	return graftest.Eval(t, graph.Feeds{x: graftest.Tensor(dt, data, shape...)}, f(x))[0]
}

func TestDerivativeAtEachKinkIsTheDocumentedChoice(t *testing.T) {
	elu := ELU(0.5)
	for _, tc := range []struct {
		name string
		f    Func
		x    float64
		d1   float64
	}{
		{"relu at 0", ReLU, 0, 0},
		{"relu6 at 0", ReLU6, 0, 0},
		{"relu6 at 6", ReLU6, 6, 0},
		{"leaky_relu at 0 takes the slope", LeakyReLU(0.2), 0, 0.2},
		{"elu at 0 takes alpha", elu, 0, 0.5},
		{"selu at 0 takes lambda·alpha", SELU, 0, seluScale * seluAlpha},
		{"celu at 0 is smooth", CELU(2), 0, 1},
		{"softsign at 0 is smooth", Softsign, 0, 1},
		{"hardtanh at -1", Hardtanh, -1, 0},
		{"hardtanh at 1", Hardtanh, 1, 0},
		{"hardsigmoid at -3", Hardsigmoid, -3, 0},
		{"hardsigmoid at 3", Hardsigmoid, 3, 0},
		{"hardswish at -3 takes the outer piece", Hardswish, -3, 0},
		{"hardswish at 3 takes the outer piece", Hardswish, 3, 1},
	} {
		for _, dt := range dtypes {
			c := mustSample(t, tc.f, dt, tc.x)
			if !closeTo(dt, c.D1[0], tc.d1) {
				t.Errorf("%s (%v): derivative %v, want %v", tc.name, dt, c.D1[0], tc.d1)
			}
		}
	}
}

func TestParametrisedActivationsUseTheirParameter(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Func
		x    float64
		want float64
	}{
		{"LeakyReLU(0.2)", LeakyReLU(0.2), -2, -0.4},
		{"ELU(0.5)", ELU(0.5), -1, 0.5 * (math.Exp(-1) - 1)},
		{"CELU(2)", CELU(2), -1, 2 * (math.Exp(-0.5) - 1)},
		{"CELU(2) positive side", CELU(2), 3, 3},
		{"registry leaky_relu has slope 0.01", mustLookup(t, "leaky_relu"), -3, -0.03},
		{"registry elu has alpha 1", mustLookup(t, "elu"), -1, math.Exp(-1) - 1},
		{"registry celu has alpha 1", mustLookup(t, "celu"), -1, math.Exp(-1) - 1},
	} {
		for _, dt := range dtypes {
			if got := mustSample(t, tc.f, dt, tc.x).Y[0]; !closeTo(dt, got, tc.want) {
				t.Errorf("%s (%v) at %v = %.17g, want %.17g", tc.name, dt, tc.x, got, tc.want)
			}
		}
	}
}

func mustLookup(t *testing.T, name string) Func {
	t.Helper()
	f, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLargeInputsGiveFiniteValuesAndDerivatives(t *testing.T) {
	xs := []float64{-1e4, -1e3, -100, -30, -1, 0, 1, 30, 100, 1e3, 1e4}
	for _, e := range Entries() {
		for _, dt := range dtypes {
			c := mustSample(t, e.Func, dt, xs...)
			for i, x := range xs {
				for order, v := range []float64{c.Y[i], c.D1[i], c.D2[i]} {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("%s %v: derivative %d at %v is %v", e.Name, dt, order, x, v)
					}
				}
			}
		}
	}
}

func TestLargeInputsGiveTheLimits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		x, want float64
	}{
		{"softplus", 1000, 1000},
		{"softplus", -1000, 0},
		{"softplus", 1e4, 1e4},
		{"sigmoid", -1000, 0},
		{"sigmoid", 1000, 1},
		{"log_sigmoid", -1000, -1000},
		{"log_sigmoid", -1e4, -1e4},
		{"log_sigmoid", 1000, 0},
		{"tanh", -1e4, -1},
		{"gelu", 1e4, 1e4},
		{"gelu", -1e4, 0},
		{"gelu_tanh", -1e4, 0},
		{"silu", -1e4, 0},
		{"silu", 1e4, 1e4},
		{"mish", 1e4, 1e4},
		{"mish", -1e4, 0},
		{"elu", -1e4, -1},
		{"celu", -1e4, -1},
		{"selu", -1e4, -seluScale * seluAlpha},
		{"hardswish", 1e4, 1e4},
		{"tanhshrink", 1e4, 1e4 - 1},
		{"softsign", -1e4, -1e4 / (1 + 1e4)},
		{"softmax", 1e4, 1},  // the logits (1e4, 0)
		{"softmax", -1e4, 0}, // the logits (-1e4, 0)
		{"log_softmax", -1e4, -1e4},
	} {
		for _, dt := range dtypes {
			if got := mustSample(t, mustLookup(t, tc.name), dt, tc.x).Y[0]; !closeTo(dt, got, tc.want) {
				t.Errorf("%s(%v) in %v = %v, want %v", tc.name, tc.x, dt, got, tc.want)
			}
		}
	}
}

func TestInvalidParametersAreReportedAtCompile(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Func
		want string
	}{
		{"leaky slope NaN", LeakyReLU(math.NaN()), "LeakyReLU(x (3,) float64) at activations/activations_test.go:"},
		{"elu alpha Inf", ELU(math.Inf(1)), "ELU(x (3,) float64) at activations/activations_test.go:"},
		{"celu alpha 0", CELU(0), "alpha is 0; CELU divides by alpha"},
		{"celu alpha NaN", CELU(math.NaN()), "alpha is NaN; it must be finite"},
	} {
		g := graph.New()
		x := g.Input("x", tensor.Float64, 3)
		_, err := graph.Compile(tc.f(x))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Compile error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestNilInputIsAnErrorNotAPanic(t *testing.T) {
	for _, e := range Entries() {
		y := e.Func(nil)
		if y == nil {
			t.Errorf("%s(nil) returned nil, want a node that carries the error", e.Name)
			continue
		}
		if _, err := graph.Compile(y); err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("%s(nil): Compile error %v, want one about the nil input", e.Name, err)
		}
	}
}

// Every activation reports a nil input under its own name, the name of the
// Go function the user called, with the user's line: not under the name of
// an op inside its composition (SiLU(nil) was once reported as Sigmoid(nil)).
func TestNilInputIsRejectedUnderTheActivationsName(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Func
	}{
		{"Sigmoid", Sigmoid}, {"Tanh", Tanh}, {"ReLU", ReLU}, {"ReLU6", ReLU6},
		{"LeakyReLU", LeakyReLU(0.1)}, {"ELU", ELU(1)}, {"SELU", SELU}, {"CELU", CELU(1)},
		{"GELU", GELU}, {"GELUTanh", GELUTanh}, {"SiLU", SiLU}, {"Mish", Mish},
		{"Softplus", Softplus}, {"Softsign", Softsign}, {"Hardtanh", Hardtanh},
		{"Hardsigmoid", Hardsigmoid}, {"Hardswish", Hardswish}, {"LogSigmoid", LogSigmoid},
		{"Tanhshrink", Tanhshrink}, {"Softmax", Softmax}, {"LogSoftmax", LogSoftmax},
		{"Identity", Identity},
	} {
		_, err := graph.Compile(tc.f(nil))
		want := "graft: " + tc.name + "(nil) at activations/activations_test.go:"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s(nil): Compile error %v, want one starting %q", tc.name, err, want)
		}
	}
}

// A parameter mistake is reported under the activation's name too, and a
// failed input passes its own error on rather than gaining a second one.
func TestABadParameterOrAFailedInputIsReportedOnce(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 0) // an empty axis: the input fails
	_, err := graph.Compile(LeakyReLU(math.NaN())(x))
	if err == nil || !strings.Contains(err.Error(), `input "x"`) || strings.Contains(err.Error(), "LeakyReLU") {
		t.Errorf("Compile error %v, want the input's own error only", err)
	}
}

// A Func is a layer: Apply calls it, and a nil Func is a build error.
func TestFuncApplyCallsTheFunctionAndRejectsNil(t *testing.T) {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 2)
	if got := run(t, Func(ReLU).Apply, tensor.Float64, []int{2}, []float64{-1, 2}); got[0] != 0 || got[1] != 2 {
		t.Errorf("Func(ReLU).Apply gives %v, want [0 2]", got)
	}
	var f Func
	_, err := graph.Compile(f.Apply(x))
	if err == nil || !strings.Contains(err.Error(), "graft: Func(x (2,) float64) at activations/activations_test.go:") ||
		!strings.Contains(err.Error(), "the layer function is nil") {
		t.Errorf("nil Func: Compile error %v, want a Func build error at this file", err)
	}
}

func TestActivationsKeepShapeAndDType(t *testing.T) {
	for _, e := range Entries() {
		for _, dt := range dtypes {
			g := graph.New()
			x := g.Input("x", dt, 2, 3, 4)
			y := e.Func(x)
			if err := g.Err(); err != nil {
				t.Fatalf("%s: %v", e.Name, err)
			}
			if !y.Shape().Equal(x.Shape()) || y.DType() != dt {
				t.Errorf("%s: x %v gives %v", e.Name, x, y)
			}
		}
	}
}
