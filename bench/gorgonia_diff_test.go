package bench

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// Gorgonia is used as an oracle for values and first-order gradients only:
// its second derivatives are wrong, and an intermediate node read after a
// TapeMachine run may hold a reused buffer, so only the loss (through
// gorgonia.Read) and the parameters' gradients (through their dual values)
// are compared.

// closeTo reports whether got is within tol of want, relative to |want|
// once that exceeds 1.
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

// compareSteps checks that graft's step agrees with Gorgonia's element by
// element: the loss to tol relative to |loss|, and each gradient element to
// tol relative to the largest element of that gradient (so a small
// gradient is held to its own scale, not to an absolute floor). It also
// checks that no compared value is trivially zero.
func compareSteps(t *testing.T, got, want stepResult, tol float64) {
	t.Helper()
	if math.Abs(got.loss-want.loss) > tol*math.Abs(want.loss) {
		t.Errorf("loss: graft %.17g, gorgonia %.17g", got.loss, want.loss)
	}
	if got.loss == 0 || math.IsNaN(got.loss) {
		t.Errorf("loss is %v; the comparison would prove nothing", got.loss)
	}
	if len(got.grads) != len(want.grads) {
		t.Fatalf("graft gives %d gradients, gorgonia %d", len(got.grads), len(want.grads))
	}
	worst := 0.0 // largest difference relative to its gradient's scale
	for p := range got.grads {
		name := paramName(p)
		g, w := got.grads[p], want.grads[p]
		if len(g) != len(w) {
			t.Errorf("%s: graft's gradient has %d elements, gorgonia's %d", name, len(g), len(w))
			continue
		}
		scale := 0.0
		for _, v := range w {
			scale = max(scale, math.Abs(v))
		}
		if scale == 0 || math.IsNaN(scale) {
			t.Errorf("d loss/d %s: gorgonia's gradient has largest element %v; the comparison would prove nothing", name, scale)
			continue
		}
		bad := 0
		for i := range g {
			diff := math.Abs(g[i] - w[i])
			worst = max(worst, diff/scale)
			if diff <= tol*scale {
				continue
			}
			if bad < 3 {
				t.Errorf("d loss/d %s[%d]: graft %.17g, gorgonia %.17g (largest element %.3g)", name, i, g[i], w[i], scale)
			}
			bad++
		}
		if bad > 3 {
			t.Errorf("d loss/d %s: %d more elements differ", name, bad-3)
		}
	}
	t.Logf("loss %.6g; largest gradient difference %.3g of its gradient's largest element", got.loss, worst)
}

// paramName names the p-th parameter as both builders do: w0, b0, w1, ...
func paramName(p int) string {
	if p%2 == 0 {
		return fmt.Sprintf("w%d", p/2)
	}
	return fmt.Sprintf("b%d", p/2)
}

// stepBoth builds net s in both frameworks from the numbers drawn with seed
// and runs one step of each.
func stepBoth(t *testing.T, s netSpec, seed uint64) (graftStep, gorgoniaStep stepResult) {
	t.Helper()
	d := newNetData(s, seed)
	gn, err := newGraftNet(s, d)
	if err != nil {
		t.Fatalf("graft: %v", err)
	}
	graftStep, err = gn.step()
	if err != nil {
		t.Fatalf("graft: %v", err)
	}
	on, err := newGorgoniaNet(s, d)
	if err != nil {
		t.Fatalf("gorgonia: %v", err)
	}
	defer on.close()
	gorgoniaStep, err = on.step()
	if err != nil {
		t.Fatalf("gorgonia: %v", err)
	}
	return graftStep, gorgoniaStep
}

// bceNet is a net with several sigmoid outputs under binary cross-entropy,
// beside the single output of xorNet.
var bceNet = netSpec{name: "16x8 8-32-4 tanh, sigmoid+binary cross-entropy", batch: 16, widths: []int{8, 32, 4}, hidden: tanh, loss: sigmoidBinaryCrossEntropy, dtype: tensor.Float64}

func TestLossAndGradientsMatchGorgoniaInFloat64(t *testing.T) {
	f64 := tensor.Float64
	tests := []netSpec{
		xorNet(f64),
		{name: "xor 2-10-1 relu, sigmoid+mse", batch: 4, widths: []int{2, 10, 1}, hidden: relu, loss: sigmoidMSE, dtype: f64, xor: true},
		{name: "xor 2-10-1 tanh, sigmoid+mse", batch: 4, widths: []int{2, 10, 1}, hidden: tanh, loss: sigmoidMSE, dtype: f64, xor: true},
		{name: "16x8 8-32-4 relu, softmax cross-entropy", batch: 16, widths: []int{8, 32, 4}, hidden: relu, loss: softmaxCrossEntropy, dtype: f64},
		{name: "16x8 8-32-4 tanh, sigmoid+mse", batch: 16, widths: []int{8, 32, 4}, hidden: tanh, loss: sigmoidMSE, dtype: f64},
		bceNet,
		mnistNet(f64),
	}
	for _, s := range tests {
		t.Run(s.name, func(t *testing.T) {
			got, want := stepBoth(t, s, 1)
			compareSteps(t, got, want, 1e-10)
		})
	}
}

// The benchmarks run XOR in float64 and the 784 net in float32; this checks
// that, in float32 too, the two frameworks compute the same step. graft
// evaluates tanh, exp and log in float64 and rounds once, Gorgonia in
// float32, and their GEMMs add in different orders, so agreement is to a few
// float32 ulps of the largest gradient, not bit for bit.
func TestBenchmarkStepsMatchGorgoniaInFloat32(t *testing.T) {
	for _, s := range []netSpec{xorNet(tensor.Float32), mnistNet(tensor.Float32)} {
		t.Run(s.name, func(t *testing.T) {
			got, want := stepBoth(t, s, 1)
			compareSteps(t, got, want, 1e-5)
		})
	}
}

// The binary cross-entropy of the bench is not clipped (see
// sigmoidBinaryCrossEntropy). It needs its probabilities away from 0 and 1:
// there log p or log(1-p) loses digits, and graft's and Gorgonia's sigmoids,
// which may differ in the last bit, would differ by far more in 1-p. This
// checks that every probability of the nets and seeds the tests and
// benchmarks use lies in [0.01, 0.99], by a forward pass in plain Go.
func TestBinaryCrossEntropyInputsStayAwayFromZeroAndOne(t *testing.T) {
	for _, s := range []netSpec{xorNet(tensor.Float64), bceNet} {
		for _, seed := range []uint64{1, 7} {
			p := sigmoidOutputs(s, newNetData(s, seed))
			lo, hi := 1.0, 0.0
			for _, v := range p {
				lo, hi = min(lo, v), max(hi, v)
			}
			if lo < 0.01 || hi > 0.99 {
				t.Errorf("%s, seed %d: probabilities span [%.3g, %.3g], want inside [0.01, 0.99]", s.name, seed, lo, hi)
			}
			t.Logf("%s, seed %d: probabilities in [%.3g, %.3g]", s.name, seed, lo, hi)
		}
	}
}

// sigmoidOutputs runs net s forward on the numbers d in plain float64 Go and
// returns the sigmoid of the last layer's output, row-major.
func sigmoidOutputs(s netSpec, d netData) []float64 {
	h := d.x
	for l := range d.weights {
		in, out := s.widths[l], s.widths[l+1]
		next := make([]float64, s.batch*out)
		for r := 0; r < s.batch; r++ {
			for j := 0; j < out; j++ {
				z := d.biases[l][j]
				for k := 0; k < in; k++ {
					z += h[r*in+k] * d.weights[l][k*out+j]
				}
				switch {
				case l+1 == len(d.weights):
					z = 1 / (1 + math.Exp(-z))
				case s.hidden == tanh:
					z = math.Tanh(z)
				default:
					z = max(z, 0)
				}
				next[r*out+j] = z
			}
		}
		h = next
	}
	return h
}

// A graft program run again, or compiled again from the same seed, gives the
// same numbers bit for bit.
func TestGraftStepRepeatsBitForBit(t *testing.T) {
	for _, s := range []netSpec{xorNet(tensor.Float64), mnistNet(tensor.Float32)} {
		t.Run(s.name, func(t *testing.T) {
			var steps []stepResult
			for range 2 {
				n, err := newGraftNet(s, newNetData(s, 7))
				if err != nil {
					t.Fatal(err)
				}
				for range 2 {
					r, err := n.step()
					if err != nil {
						t.Fatal(err)
					}
					steps = append(steps, r)
				}
			}
			for k, r := range steps[1:] {
				if math.Float64bits(r.loss) != math.Float64bits(steps[0].loss) {
					t.Errorf("step %d: loss %v, first step %v", k+1, r.loss, steps[0].loss)
				}
				for p := range r.grads {
					for i := range r.grads[p] {
						if math.Float64bits(r.grads[p][i]) != math.Float64bits(steps[0].grads[p][i]) {
							t.Fatalf("step %d: d loss/d %s[%d] is %v, first step %v", k+1, paramName(p), i, r.grads[p][i], steps[0].grads[p][i])
						}
					}
				}
			}
		})
	}
}

// Gorgonia's TapeMachine adds each run's gradients into the parameters'
// dual values instead of overwriting them (a solver zeroes them after each
// update). That is why the oracle reads only the first run of a machine; this
// test pins the behaviour so that a Gorgonia upgrade that changes it is
// noticed.
func TestGorgoniaAddsGradientsAcrossRuns(t *testing.T) {
	s := xorNet(tensor.Float64)
	n, err := newGorgoniaNet(s, newNetData(s, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	first, err := n.step()
	if err != nil {
		t.Fatal(err)
	}
	second, err := n.step()
	if err != nil {
		t.Fatal(err)
	}
	if second.loss != first.loss {
		t.Errorf("loss changed between runs: %v then %v", first.loss, second.loss)
	}
	for p := range first.grads {
		for i, g := range first.grads[p] {
			if !closeTo(second.grads[p][i], 2*g, 1e-15) {
				t.Fatalf("d loss/d %s[%d]: first run %v, second %v, want twice the first", paramName(p), i, g, second.grads[p][i])
			}
		}
	}
}

// Without dropout, graft's CNN step (convolutions, bias, ReLU, max pooling,
// dense layers, softmax cross-entropy) agrees with Gorgonia's in float64:
// the loss and every gradient. Random images never tie two values of a
// pooling window, where the frameworks could route the gradient
// differently.
func TestCNNMatchesGorgonia(t *testing.T) {
	s := cnnSpec{batch: 2, dtype: tensor.Float64}
	d := newCNNData(s, 3)
	g, err := newGraftCNN(s, d)
	if err != nil {
		t.Fatal(err)
	}
	o, err := newGorgoniaCNN(s, d)
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	got, err := g.step()
	if err != nil {
		t.Fatal(err)
	}
	want, err := o.step()
	if err != nil {
		t.Fatal(err)
	}
	compareSteps(t, got, want, 1e-10)
}
