package losses_test

import (
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/losses"
)

// torchCase is one case of testdata/torch_reference.json, written by
// scripts/torch_loss_reference.py.
type torchCase struct {
	Name           string
	Loss           string
	PredShape      []int             `json:"pred_shape"`
	Pred           []graftest.Number `json:"pred"`
	TargetShape    []int             `json:"target_shape"`
	Target         []graftest.Number `json:"target"`
	TargetInt64    bool              `json:"target_int64"`
	WeightShape    []int             `json:"weight_shape"`
	Weight         []graftest.Number `json:"weight"`
	Beta           float64           `json:"beta"`
	LabelSmoothing float64           `json:"label_smoothing"`
	Want           graftest.Number   `json:"want"`
	WantGradPred   []graftest.Number `json:"want_grad_pred"`
}

// build returns graft's loss for the case, on a prediction of dtype dt.
func (c torchCase) build(t *testing.T, g *graph.Graph, pred *graph.Node, dt graph.DType) *graph.Node {
	targetDType := dt
	if c.TargetInt64 {
		targetDType = graph.Int64
	}
	target := g.Const("target", graftest.Tensor(targetDType, graftest.Floats(c.Target), c.TargetShape...))
	var weight *graph.Node
	if c.Weight != nil {
		weight = g.Const("weight", graftest.Tensor(dt, graftest.Floats(c.Weight), c.WeightShape...))
	}
	switch c.Loss {
	case "nll":
		return losses.NegativeLogLikelihood(pred, target)
	case "ce":
		return losses.CrossEntropy(pred, target, losses.CrossEntropyOptions{Weights: weight, LabelSmoothing: c.LabelSmoothing})
	case "kl":
		return losses.KLDivergence(pred, target)
	case "kl_log_target":
		return losses.KLDivergenceLogTarget(pred, target)
	case "smooth_l1":
		return losses.SmoothL1(pred, target, c.Beta)
	case "bce_pos_weight":
		return losses.BinaryCrossEntropyWithLogitsPosWeight(pred, target, weight)
	}
	t.Fatalf("the reference file names an unknown loss %q", c.Loss)
	return nil
}

// Every new loss, and its gradient with respect to the prediction, agrees
// with PyTorch's on the same numbers.
func TestLossesMatchPyTorch(t *testing.T) {
	_, cases := graftest.ReadReference[torchCase](t, "testdata/torch_reference.json")
	for _, dt := range dtypes {
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.Name, func(t *testing.T) {
				g := graph.New()
				pred := g.Param("pred", graftest.Tensor(dt, graftest.Floats(c.Pred), c.PredShape...))
				loss := c.build(t, g, pred, dt)
				grads, err := autodiff.Grad(loss, pred)
				if err != nil {
					t.Fatal(err)
				}
				out := graftest.Eval(t, nil, loss, grads[0])
				graftest.AssertClose(t, "loss", out[0], []float64{float64(c.Want)}, tol, tol)
				graftest.AssertClose(t, "gradient", out[1], graftest.Floats(c.WantGradPred), tol, tol)
			})
		}
	}
}
