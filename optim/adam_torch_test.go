package optim_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/optim"
)

// torchAdamCase is one trajectory of testdata/adam_torch_reference.json,
// written by scripts/torch_adam_reference.py with torch.optim.Adam or AdamW.
type torchAdamCase struct {
	Name        string
	Optimizer   string
	LR          float64
	Betas       [2]float64
	Eps         float64
	WeightDecay float64 `json:"weight_decay"`
	DType       string
	Start       []float64
	Grads       [][]float64
	After       [][]float64 // the parameter after each step
}

func loadTorchAdam(t *testing.T) []torchAdamCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/adam_torch_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Cases []torchAdamCase }
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	return file.Cases
}

// runTorchAdam follows c's trajectory with graft's Adam and returns the
// largest difference from PyTorch's parameters over all steps, in units
// of the dtype's epsilon relative to the parameter (at least 1).
func runTorchAdam(t *testing.T, c torchAdamCase, pyTorchEpsilon bool) float64 {
	dt := map[string]graph.DType{"float32": tensor.Float32, "float64": tensor.Float64}[c.DType]
	start, err := graph.NewTensor(dt, c.Start, len(c.Start))
	if err != nil {
		t.Fatal(err)
	}
	p := graph.New().Param("p", start)
	opt := optim.NewAdam(c.LR)
	opt.Beta1, opt.Beta2, opt.Epsilon, opt.WeightDecay = c.Betas[0], c.Betas[1], c.Eps, c.WeightDecay
	opt.PyTorchEpsilon = pyTorchEpsilon
	ulp := map[string]float64{"float32": 0x1p-23, "float64": 0x1p-52}[c.DType]
	worst := 0.0
	for step, g := range c.Grads {
		grad, err := graph.NewTensor(dt, g, len(g))
		if err != nil {
			t.Fatal(err)
		}
		if err := opt.Step([]*graph.Node{p}, []*tensor.Dense{grad}); err != nil {
			t.Fatal(err)
		}
		for i, got := range graph.Float64s(p.Value()) {
			want := c.After[step][i]
			worst = max(worst, math.Abs(got-want)/(ulp*max(math.Abs(want), 1)))
		}
	}
	return worst
}

// With PyTorchEpsilon, Adam and AdamW follow torch.optim.Adam's and
// AdamW's trajectories to within a few units of rounding in float32 and
// float64 (PyTorch adds the moments in another order); Keras' form, the
// default, does not, since its effective epsilon differs at every step.
func TestAdamWithPyTorchEpsilonFollowsPyTorch(t *testing.T) {
	cases := loadTorchAdam(t)
	if len(cases) == 0 {
		t.Fatal("no cases in testdata/adam_torch_reference.json")
	}
	for _, c := range cases {
		if got := runTorchAdam(t, c, true); got > 4 {
			t.Errorf("%s %s: %.1f units of rounding from PyTorch's trajectory, want at most 4", c.Name, c.DType, got)
		}
		if c.Name == "Adam betas" { // epsilon 1e-3 against gradients of 1e-3
			if got := runTorchAdam(t, c, false); got < 1e3 {
				t.Errorf("%s %s in Keras' form: %.1f units of rounding from PyTorch's trajectory, want far more", c.Name, c.DType, got)
			}
		}
	}
}
