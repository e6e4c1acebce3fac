package layers_test

import (
	"math"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/checkpoint"
	"graft/graph"
	"graft/internal/graftest"
	"graft/layers"
	"graft/ops"
)

// bnBatch is a (4, 2) batch worked out by hand: channel 0 holds 1, 2, 3, 4
// (mean 2.5, biased variance 1.25, unbiased 5/3) and channel 1 holds
// 0, 0, 2, 2 (mean 1, biased variance 1, unbiased 4/3).
var bnBatch = []float64{1, 0, 2, 0, 3, 2, 4, 2}

func tolOf(dt graph.DType) float64 {
	if dt == tensor.Float32 {
		return 1e-6
	}
	return 1e-14
}

func TestBatchNormTrainingNormalizesWithTheBatchAndUpdatesTheRunningStatistics(t *testing.T) {
	for _, dt := range dtypes {
		t.Run(dt.String(), func(t *testing.T) {
			g := graph.New()
			m := layers.NewModel(1)
			bn := m.BatchNorm(layers.BatchNormConfig{})
			x := g.Input("x", dt, 4, 2)
			g.SetTraining(true)
			y := bn.Apply(x)
			prog, err := graph.Compile(y)
			if err != nil {
				t.Fatal(err)
			}
			feeds := graph.Feeds{x: graftest.Tensor(dt, bnBatch, 4, 2)}
			s0, s1 := math.Sqrt(1.25+1e-5), math.Sqrt(1+1e-5)
			wantY := []float64{-1.5 / s0, -1 / s1, -0.5 / s0, -1 / s1, 0.5 / s0, 1 / s1, 1.5 / s0, 1 / s1}
			// Running statistics after each step, momentum 0.1:
			// mean 0 → 0.25 → 0.475 (channel 0), 0 → 0.1 → 0.19 (channel 1);
			// var 1 → 0.9 + 0.1·5/3 → 0.9·that + 0.1·5/3, and likewise with 4/3.
			wantMean := [][]float64{{0.25, 0.1}, {0.475, 0.19}}
			v1 := []float64{0.9 + 0.1*5/3.0, 0.9 + 0.1*4/3.0}
			wantVar := [][]float64{v1, {0.9*v1[0] + 0.1*5/3.0, 0.9*v1[1] + 0.1*4/3.0}}
			for step := range 2 {
				out, err := prog.Run(feeds)
				if err != nil {
					t.Fatal(err)
				}
				graftest.AssertClose(t, "y", graph.Float64s(out[0]), wantY, 10*tolOf(dt), 0)
				graftest.AssertClose(t, "running mean", graph.Float64s(bn.RunningMean().Value()), wantMean[step], tolOf(dt), 0)
				graftest.AssertClose(t, "running var", graph.Float64s(bn.RunningVar().Value()), wantVar[step], tolOf(dt), 0)
			}
			if len(m.States()) != 2 || m.States()[0] != bn.RunningMean() || len(m.Params()) != 2 {
				t.Fatalf("states %v, params %v", m.States(), m.Params())
			}
		})
	}
}

// The numbers PyTorch 1.13 gives for torch.nn.BatchNorm1d(2) on bnBatch,
// in eval mode after two training steps.
var torchBatchNormEval = []float64{0.4946063107607456, -0.18425396599711996, 1.436713569352642, -0.18425396599711996,
	2.3788208279445384, 1.755261465551511, 3.320928086536435, 1.755261465551511}

// trainedBatchNorm is a model's BatchNorm of a (4, 2) float64 input x,
// after two training runs on bnBatch; g is left in inference mode.
func trainedBatchNorm(t *testing.T) (g *graph.Graph, m *layers.Model, bn *layers.BatchNorm, x *graph.Node) {
	t.Helper()
	g = graph.New()
	m = layers.NewModel(1)
	bn = m.BatchNorm(layers.BatchNormConfig{})
	x = g.Input("x", tensor.Float64, 4, 2)
	g.SetTraining(true)
	train, err := graph.Compile(bn.Apply(x))
	g.SetTraining(false)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := train.Run(graph.Feeds{x: graftest.Tensor(tensor.Float64, bnBatch, 4, 2)}); err != nil {
			t.Fatal(err)
		}
	}
	return g, m, bn, x
}

func TestBatchNormInferenceUsesTheRunningStatisticsAndUpdatesNothing(t *testing.T) {
	_, _, bn, x := trainedBatchNorm(t)
	eval, err := graph.Compile(bn.Apply(x))
	if err != nil {
		t.Fatal(err)
	}
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float64, bnBatch, 4, 2)}
	for range 2 { // running twice changes nothing
		out, err := eval.Run(feeds)
		if err != nil {
			t.Fatal(err)
		}
		graftest.AssertClose(t, "eval y", out[0].Float64s(), torchBatchNormEval, 1e-14, 0)
	}
	graftest.AssertClose(t, "running mean", bn.RunningMean().Value().Float64s(), []float64{0.475, 0.19}, 1e-15, 0)
}

func TestBatchNormNormalizesTheChannelsOfImagesAndChannelsLast(t *testing.T) {
	for _, c := range []struct {
		name  string
		shape []int
		axis  int
		other []int
	}{
		{"(N, C, H, W)", []int{2, 3, 2, 2}, 1, []int{0, 2, 3}},
		{"(N, H, W, C)", []int{2, 2, 2, 3}, -1, []int{0, 1, 2}},
		{"(N, C, L)", []int{3, 2, 4}, 1, []int{0, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := graph.New()
			m := layers.NewModel(1)
			x := g.Input("x", tensor.Float64, c.shape...)
			g.SetTraining(true)
			y := m.BatchNorm(layers.BatchNormConfig{Axis: c.axis}).Apply(x)
			// Each channel of y has mean 0 and biased variance v/(v+eps).
			mean, variance := ops.Moments(y, c.other...)
			data := make([]float64, graph.Shape(c.shape).Size())
			for i := range data {
				data[i] = math.Sin(float64(i)) * float64(i%5)
			}
			out := graftest.Eval(t, graph.Feeds{x: graftest.Tensor(tensor.Float64, data, c.shape...)}, mean, variance)
			for i := range out[0] {
				if math.Abs(out[0][i]) > 1e-14 || math.Abs(out[1][i]-1) > 1e-4 {
					t.Fatalf("channel %d has mean %v and variance %v", i, out[0][i], out[1][i])
				}
			}
		})
	}
}

func TestBatchNormTrainingDerivativesFirstAndSecondOrder(t *testing.T) {
	g := graph.New()
	m := layers.NewModel(1)
	bn := m.BatchNorm(layers.BatchNormConfig{})
	x := g.Input("x", tensor.Float64, 3, 2, 2)
	g.SetTraining(true)
	y := bn.Apply(x)
	w := g.Const("w", graftest.Tensor(tensor.Float64, graftest.Ramp(12, -0.6), 3, 2, 2))
	loss := ops.Sum(ops.Mul(ops.Square(ops.Add(y, w)), w))
	setValues(bn.Gamma(), []float64{1.5, -0.5})
	setValues(bn.Beta(), []float64{0.2, 0.1})
	feeds := graph.Feeds{x: graftest.Tensor(tensor.Float64, []float64{1, -2, 0.5, 3, 2, 0.1, -1, 1.5, 0.7, -0.3, 2.2, 0.9}, 3, 2, 2)}
	if err := autodiff.CheckDerivatives(loss, []*graph.Node{x, bn.Gamma(), bn.Beta()}, feeds, autodiff.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
}

func TestBatchNormRunningStatisticsSurviveACheckpoint(t *testing.T) {
	build := func() (*layers.Model, *layers.BatchNorm, *graph.Node, *graph.Node) {
		g := graph.New()
		m := layers.NewModel(1)
		bn := m.BatchNorm(layers.BatchNormConfig{})
		x := g.Input("x", tensor.Float64, 4, 2)
		return m, bn, x, bn.Apply(x) // inference form
	}
	_, m, bn, _ := trainedBatchNorm(t)
	path := filepath.Join(t.TempDir(), "bn.safetensors")
	if err := checkpoint.Save(path, append(m.Params(), m.States()...)); err != nil {
		t.Fatal(err)
	}
	m2, bn2, x2, y2 := build()
	if err := checkpoint.Load(path, append(m2.Params(), m2.States()...)); err != nil {
		t.Fatal(err)
	}
	graftest.AssertClose(t, "restored running var", bn2.RunningVar().Value().Float64s(), bn.RunningVar().Value().Float64s(), 0, 0)
	got := graftest.Eval(t, graph.Feeds{x2: graftest.Tensor(tensor.Float64, bnBatch, 4, 2)}, y2)[0]
	graftest.AssertClose(t, "eval after restore", got, torchBatchNormEval, 1e-14, 0)
}

func TestBatchNormRejectsBadConfigsAndInputs(t *testing.T) {
	cases := []layerErrorCase{
		{"momentum above 1", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.BatchNorm(layers.BatchNormConfig{Momentum: 1.5}).Apply(g.Input("x", tensor.Float64, 4, 2)), graftest.CallerLine()
		}, "momentum 1.5"},
		{"negative eps", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.BatchNorm(layers.BatchNormConfig{Eps: -1}).Apply(g.Input("x", tensor.Float64, 4, 2)), graftest.CallerLine()
		}, "eps -1"},
		{"a vector input", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.BatchNorm(layers.BatchNormConfig{}).Apply(g.Input("x", tensor.Float64, 4)), graftest.CallerLine()
		}, "got shape (4,)"},
		{"an axis out of range", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.BatchNorm(layers.BatchNormConfig{Axis: 3}).Apply(g.Input("x", tensor.Float64, 4, 2)), graftest.CallerLine()
		}, "channel axis 3"},
		{"the batch axis from the end", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.BatchNorm(layers.BatchNormConfig{Axis: -2}).Apply(g.Input("x", tensor.Float64, 4, 2)), graftest.CallerLine()
		}, "the batch axis"},
		{"one value per channel in training", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			g.SetTraining(true)
			return m.BatchNorm(layers.BatchNormConfig{}).Apply(g.Input("x", tensor.Float64, 1, 3)), graftest.CallerLine()
		}, "more than one value per channel"},
		{"another channel count", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			bn := m.BatchNorm(layers.BatchNormConfig{})
			bn.Apply(g.Input("a", tensor.Float64, 4, 2))
			return bn.Apply(g.Input("b", tensor.Float64, 4, 3)), graftest.CallerLine()
		}, "built for 2 channels of float64; this input has 3"},
		{"nil", func(g *graph.Graph, m *layers.Model) (*graph.Node, int) {
			return m.BatchNorm(layers.BatchNormConfig{}).Apply(nil), graftest.CallerLine()
		}, "is nil"},
	}
	checkLayerErrors(t, cases, "BatchNorm")
}
