package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/checkpoint"
	"graft/graph"
	"graft/internal/atomicfile"
	"graft/layers"
	"graft/losses"
	"graft/optim"
	"graft/train"
)

// The four rows of XOR's truth table and their targets.
var (
	xorInputs  = []float64{0, 0, 0, 1, 1, 0, 1, 1}
	xorTargets = []float64{0, 1, 1, 0}
)

// initializers are the choices of --init.
var initializers = map[string]layers.Initializer{
	"glorot_uniform": layers.GlorotUniform,
	"glorot_normal":  layers.GlorotNormal,
	"he_uniform":     layers.HeUniform,
	"he_normal":      layers.HeNormal,
	"lecun_uniform":  layers.LeCunUniform,
	"lecun_normal":   layers.LeCunNormal,
}

func initNames() []string { return slices.Sorted(maps.Keys(initializers)) }

// summary is the --json line. A loss or prediction that is not a finite
// number is written as null.
type summary struct {
	FinalLoss   jsonFloat   `json:"final_loss"`
	Accuracy    float64     `json:"accuracy"`
	Epochs      int         `json:"epochs"`
	Steps       int         `json:"steps"`
	Predictions []jsonFloat `json:"predictions"`
	Seconds     float64     `json:"seconds"`
}

// jsonFloat is a float64 that JSON writes as null when it is NaN or
// infinite, which JSON numbers cannot hold (encoding/json refuses them).
type jsonFloat float64

// MarshalJSON writes f as a JSON number, or null when it is not finite.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if !finite(float64(f)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// correct says whether probability p classifies a row with the given
// target right. A NaN probability is never right, on either side of 0.5.
func correct(p jsonFloat, target float64) bool {
	return finite(float64(p)) && (p > 0.5) == (target > 0.5)
}

// trainXOR is the whole example: the model, its training, its truth table
// and the files the flags ask for.
func trainXOR(o options, stdout io.Writer) error {
	start := time.Now()
	dt := tensor.Float32
	if o.dtype == "float64" {
		dt = tensor.Float64
	}
	g := graph.New()
	model := layers.NewModel(o.seed)
	net := layers.Sequential{
		model.Dense(o.hidden, activations.Named(o.activation), layers.WithInit(initializers[o.init]), layers.WithBiasInit(layers.Constant(o.bias))),
		model.Dense(1, activations.Sigmoid),
	}
	x, err := graph.NewTensor(dt, xorInputs, 4, 2)
	if err != nil {
		return err
	}
	y, err := graph.NewTensor(dt, xorTargets, 4, 1)
	if err != nil {
		return err
	}
	// The evaluation program is built first, so that the parameters exist
	// before --load fills them.
	evaluate, err := evaluator(g, net, x, y)
	if err != nil {
		return err
	}
	if o.load != "" {
		if err := checkpoint.Load(o.load, model.Params()); err != nil {
			return err
		}
	}
	h, err := fit(g, net, x, y, o, stdout)
	if err != nil {
		return err
	}
	s, err := evaluate()
	if err != nil {
		return err
	}
	s.Epochs, s.Steps, s.Seconds = o.epochs, h.Steps, time.Since(start).Seconds()
	if err := report(stdout, s, o.json); err != nil {
		return err
	}
	return writeOutputs(o, g, model, h, s)
}

// fit trains net for --epochs (none with --epochs 0) with the optimizer the
// flags name.
func fit(g *graph.Graph, net layers.Sequential, x, y *tensor.Dense, o options, stdout io.Writer) (train.History, error) {
	if o.epochs == 0 {
		return train.History{}, nil
	}
	opt, err := optim.New(o.optimizer, o.lr)
	if err != nil {
		return train.History{}, err
	}
	cfg := train.Config{Epochs: o.epochs, BatchSize: o.batchSize, Seed: o.seed, Metric: train.BinaryAccuracy(0.5)}
	if !o.json && o.progress != "off" {
		cfg.Progress = stdout
	}
	if o.progress == "lines" {
		cfg.ProgressMode, cfg.LogEvery = train.ProgressLines, max(1, o.epochs/10)
	}
	return train.Fit(g, net.Apply, losses.BinaryCrossEntropy, opt, x, y, cfg)
}

// evaluator compiles net and its loss on all four rows, and returns a
// function that runs them and scores the predictions.
func evaluator(g *graph.Graph, net layers.Sequential, x, y *tensor.Dense) (func() (summary, error), error) {
	xAll, yAll := g.Input("x_all", x.Dtype(), 4, 2), g.Input("y_all", y.Dtype(), 4, 1)
	pred := net.Apply(xAll)
	prog, err := graph.Compile(losses.BinaryCrossEntropy(pred, yAll), pred)
	if err != nil {
		return nil, err
	}
	return func() (summary, error) {
		out, err := prog.Run(graph.Feeds{xAll: x, yAll: y})
		if err != nil {
			return summary{}, err
		}
		s := summary{FinalLoss: jsonFloat(graph.Float64s(out[0])[0])}
		for i, p := range graph.Float64s(out[1]) {
			s.Predictions = append(s.Predictions, jsonFloat(p))
			if correct(jsonFloat(p), xorTargets[i]) {
				s.Accuracy += 0.25
			}
		}
		return s, nil
	}, nil
}

// report prints the truth table, or the --json line.
func report(w io.Writer, s summary, asJSON bool) error {
	if !asJSON {
		return printTable(w, s)
	}
	line, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(line))
	return err
}

func printTable(w io.Writer, s summary) error {
	var b strings.Builder
	b.WriteString("\n x1  x2 | target | predicted\n--------+--------+----------\n")
	for i, p := range s.Predictions {
		mark := "ok"
		if !correct(p, xorTargets[i]) {
			mark = "WRONG"
		}
		fmt.Fprintf(&b, " %2.0f  %2.0f |   %.0f    | %.4f  %s\n", xorInputs[2*i], xorInputs[2*i+1], xorTargets[i], float64(p), mark)
	}
	fmt.Fprintf(&b, "\naccuracy %.0f%%, loss %.4f, %d steps in %.2fs\n", 100*s.Accuracy, float64(s.FinalLoss), s.Steps, s.Seconds)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeOutputs writes the files the flags ask for: the checkpoint, the DOT
// graph and the loss plot. Each is tried whatever happened to the others,
// and their errors are reported together, so a plot that fails still
// leaves the trained model saved. A model whose loss is not finite is not
// saved (it would replace a good checkpoint with NaNs); that is an error
// too.
func writeOutputs(o options, g *graph.Graph, model *layers.Model, h train.History, s summary) error {
	var errs []error
	switch {
	case !finite(float64(s.FinalLoss)):
		err := fmt.Errorf("the final loss is %v: training diverged (a smaller --lr may help)", float64(s.FinalLoss))
		if o.save != "" {
			err = fmt.Errorf("%w; the model was not saved", err)
		}
		errs = append(errs, err)
	case o.save != "":
		if err := checkpoint.Save(o.save, model.Params()); err != nil {
			errs = append(errs, fmt.Errorf("--save: %w", err))
		}
	}
	if o.dot != "" {
		if err := atomicfile.Write(o.dot, func(w io.Writer) error { return graph.WriteDOT(w, g) }); err != nil {
			errs = append(errs, fmt.Errorf("--dot: %w", err))
		}
	}
	if o.plot != "" {
		if err := plotLoss(o.plot, h.Loss); err != nil {
			errs = append(errs, fmt.Errorf("--plot: %w", err))
		}
	}
	return errors.Join(errs...)
}
