// Command sequence trains an LSTM or a GRU on the adding problem
// (Hochreiter and Schmidhuber 1997, in the form of Le, Jaitly and Hinton
// 2015), a sequence task with a known answer. Each step of a sequence holds
// two numbers: a value drawn from U(0, 1) and a marker, 1 at two steps (one
// in each half of the sequence) and 0 elsewhere. The answer is the sum of
// the two marked values, so the network must find the markers and carry
// the first value across the sequence.
//
// Predicting 1, the mean answer, whatever the input gives a mean squared
// error of 1/6 ≈ 0.167 (the variance of a sum of two U(0, 1) values). The
// target is a test MSE below 0.01 on held-out sequences, 6% of that
// baseline. The command prints the test MSE after every epoch and says
// whether the target was reached.
//
//	go run ./examples/sequence                  # LSTM, sequences of 20 steps
//	go run ./examples/sequence --cell gru --length 40 --epochs 30
//	go run ./examples/sequence --json --save adding.safetensors
//
// A flag that cannot work is refused before any work, with status 2; a
// failure while training or writing files ends with status 1, as does a
// run whose loss is NaN or infinite (its model is not saved). A run that
// trains but misses the target ends with status 0 and says so.
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/spf13/pflag"

	"graft/internal/atomicfile"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	cell                      string
	length, hidden            int
	epochs, batchSize, trainN int
	lr                        float64
	seed                      uint64
	json                      bool
	save, load                string
}

// Caps on the flags that size what the command builds: the unrolled graph
// grows with --length, the parameters with --hidden, the data with --train.
const (
	maxLength = 1000
	maxHidden = 4096
	maxEpochs = 1000
	maxTrain  = 1 << 20
)

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := pflag.NewFlagSet("sequence", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.cell, "cell", "lstm", "the recurrent layer: lstm or gru")
	fs.IntVar(&o.length, "length", 20, "steps per sequence, at least 2 and at most 1000")
	fs.IntVar(&o.hidden, "hidden", 32, "the recurrent layer's hidden size, at most 4096")
	fs.IntVar(&o.epochs, "epochs", 20, "passes over the training sequences, at most 1000 (0 with --load: only evaluate)")
	fs.IntVar(&o.batchSize, "batch-size", 32, "sequences per Adam step")
	fs.IntVar(&o.trainN, "train", 4096, "training sequences, at most 1048576 (the 1000 test sequences are drawn apart)")
	fs.Float64Var(&o.lr, "lr", 0.003, "Adam's learning rate")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for the data, the initial weights and the shuffle")
	fs.BoolVar(&o.json, "json", false, "print one JSON summary line instead of the per-epoch lines (NaN or infinite numbers are null)")
	fs.StringVar(&o.save, "save", "", "save the trained parameters to this safetensors file")
	fs.StringVar(&o.load, "load", "", "load the parameters from this safetensors file before training")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sequence [flags]\n\nTrains an LSTM or a GRU on the adding problem and reports its test error.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, check(o)
}

// check refuses the flags that could not train: out of range, not finite,
// too large to build, or a file that cannot be read or written.
func check(o options) error {
	switch {
	case o.cell != "lstm" && o.cell != "gru":
		return fmt.Errorf("--cell is %q; use lstm or gru", o.cell)
	case o.length < 2 || o.length > maxLength:
		return fmt.Errorf("--length is %d; it must be from 2 to %d", o.length, maxLength)
	case o.hidden < 1 || o.hidden > maxHidden:
		return fmt.Errorf("--hidden is %d; it must be from 1 to %d", o.hidden, maxHidden)
	case o.epochs < 0 || o.epochs > maxEpochs:
		return fmt.Errorf("--epochs is %d; it must be from 0 to %d", o.epochs, maxEpochs)
	case o.epochs == 0 && o.load == "":
		return errors.New("--epochs 0 trains nothing; it needs --load")
	case o.batchSize < 1:
		return fmt.Errorf("--batch-size is %d; it must be at least 1", o.batchSize)
	case o.trainN < 1 || o.trainN > maxTrain:
		return fmt.Errorf("--train is %d; it must be from 1 to %d", o.trainN, maxTrain)
	case !(o.lr > 0) || math.IsInf(o.lr, 1):
		return fmt.Errorf("--lr is %v; it must be a positive finite number", o.lr)
	}
	if o.load != "" {
		if _, err := os.Stat(o.load); err != nil {
			return fmt.Errorf("--load: %v", err)
		}
	}
	if o.save != "" {
		if err := atomicfile.CheckWritable(o.save); err != nil {
			return fmt.Errorf("--save: %v", err)
		}
	}
	return nil
}

// run is the whole command: a bad flag is one line on stderr and status 2,
// a failure while training or writing files status 1.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "sequence:", err)
		return 2
	}
	if err := trainAdding(o, stdout); err != nil {
		fmt.Fprintln(stderr, "sequence:", err)
		return 1
	}
	return 0
}
