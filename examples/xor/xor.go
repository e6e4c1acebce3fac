package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"graft/activations"
	"graft/checkpoint"
	"graft/graph"
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

func initNames() []string {
	names := make([]string, 0, len(initializers))
	for name := range initializers {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// summary is the --json line.
type summary struct {
	FinalLoss   float64   `json:"final_loss"`
	Accuracy    float64   `json:"accuracy"`
	Epochs      int       `json:"epochs"`
	Steps       int       `json:"steps"`
	Predictions []float64 `json:"predictions"`
	Seconds     float64   `json:"seconds"`
}

func trainXOR(o options, stdout io.Writer) error {
	start := time.Now()
	dt := tensor.Float32
	if o.dtype == "float64" {
		dt = tensor.Float64
	}
	opt, _ := optim.New(o.optimizer, o.lr)

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

	// Evaluation program on all four rows: built first, so the parameters
	// exist before --load fills them.
	xAll, yAll := g.Input("x_all", dt, 4, 2), g.Input("y_all", dt, 4, 1)
	pred := net.Apply(xAll)
	loss := losses.BinaryCrossEntropy(pred, yAll)
	eval, err := graph.Compile(loss, pred)
	if err != nil {
		return err
	}
	if o.load != "" {
		if err := checkpoint.Load(o.load, model.Params()); err != nil {
			return err
		}
	}

	var h train.History
	if o.epochs > 0 {
		cfg := train.Config{Epochs: o.epochs, BatchSize: o.batchSize, Seed: o.seed, Metric: train.BinaryAccuracy(0.5)}
		if !o.json && o.progress != "off" {
			cfg.Progress = stdout
		}
		if o.progress == "lines" {
			cfg.ProgressMode, cfg.LogEvery = train.ProgressLines, max(1, o.epochs/10)
		}
		h, err = train.Fit(g, net.Apply, losses.BinaryCrossEntropy, opt, x, y, cfg)
		if err != nil {
			return err
		}
	}

	out, err := eval.Run(graph.Feeds{xAll: x, yAll: y})
	if err != nil {
		return err
	}
	probabilities := graph.Float64s(out[1])
	s := summary{Epochs: o.epochs, Steps: h.Steps, FinalLoss: graph.Float64s(out[0])[0]}
	right := 0
	for i := range xorTargets {
		p := probabilities[i]
		s.Predictions = append(s.Predictions, p)
		if (p > 0.5) == (xorTargets[i] > 0.5) {
			right++
		}
	}
	s.Accuracy = float64(right) / 4
	s.Seconds = time.Since(start).Seconds()

	if err := writeFiles(o, g, h); err != nil {
		return err
	}
	if o.save != "" {
		if err := checkpoint.Save(o.save, model.Params()); err != nil {
			return err
		}
	}
	if o.json {
		line, err := json.Marshal(s)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, string(line))
		return err
	}
	printTable(stdout, s)
	return nil
}

func printTable(w io.Writer, s summary) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, " x1  x2 | target | predicted")
	fmt.Fprintln(w, "--------+--------+----------")
	for i, p := range s.Predictions {
		mark := "ok"
		if (p > 0.5) != (xorTargets[i] > 0.5) {
			mark = "WRONG"
		}
		fmt.Fprintf(w, " %2.0f  %2.0f |   %.0f    | %.4f  %s\n", xorInputs[2*i], xorInputs[2*i+1], xorTargets[i], p, mark)
	}
	fmt.Fprintf(w, "\naccuracy %.0f%%, loss %.4f, %d steps in %.2fs\n", 100*s.Accuracy, s.FinalLoss, s.Steps, s.Seconds)
}

func writeFiles(o options, g *graph.Graph, h train.History) error {
	if o.dot != "" {
		var b strings.Builder
		if err := graph.WriteDOT(&b, g); err != nil {
			return err
		}
		if err := os.WriteFile(o.dot, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	if o.plot != "" {
		if err := plotLoss(o.plot, h.Loss); err != nil {
			return err
		}
	}
	return nil
}
