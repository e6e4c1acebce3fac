// Command xor trains the classic XOR network: 2 inputs, a hidden Dense layer
// of 10 ReLU units, one sigmoid output, binary cross-entropy and Adam. It
// prints per-epoch progress, then the truth table with the predicted
// probabilities and the accuracy.
//
//	go run ./examples/xor
//	go run ./examples/xor --epochs 100 --batch-size 1 --lr 0.001   # the Keras classic
//	go run ./examples/xor --json --seed 7 --plot loss.svg --dot xor.dot
//
// A flag that cannot work is refused before any training, with status 2:
// a learning rate or bias that is not a positive (or, for the bias, any)
// finite number, --hidden above 65536 or --epochs above 1000000 (caps that
// keep a typo from exhausting memory), an output file whose directory is
// not writable. A run whose final loss is NaN or infinite ends with status
// 1 and saves no model; its --json line writes that loss, and any
// prediction that is not a finite number, as null.
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"graft/activations"
	"graft/internal/atomicfile"
	"graft/optim"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	epochs, batchSize, hidden int
	lr, bias                  float64
	activation, optimizer     string
	init, progress            string
	seed                      uint64
	dtype                     string
	json                      bool
	plot, dot, save, load     string
}

// Caps on the flags that size what the command allocates: the hidden layer
// and the per-epoch loss history. Far above what XOR needs, far below what
// would exhaust a machine's memory.
const (
	maxHidden = 1 << 16
	maxEpochs = 1_000_000
)

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := pflag.NewFlagSet("xor", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.epochs, "epochs", 300, "passes over the four examples, at most 1000000 (0 with --load: only evaluate)")
	fs.IntVar(&o.batchSize, "batch-size", 4, "examples per optimizer step")
	fs.Float64Var(&o.lr, "lr", 0.05, "learning rate")
	fs.IntVar(&o.hidden, "hidden", 10, "units in the hidden layer, at most 65536")
	fs.StringVar(&o.activation, "activation", "relu", "hidden activation: any name in graft's activation registry")
	fs.StringVar(&o.init, "init", "glorot_uniform", "hidden-layer weight initializer: "+strings.Join(initNames(), ", "))
	fs.Float64Var(&o.bias, "bias-init", 0.1, "initial value of the hidden biases; a small positive value keeps ReLU units alive at (0, 0)")
	fs.StringVar(&o.optimizer, "optimizer", "adam", "optimizer: sgd, adam, adamw, rmsprop or adagrad")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for the initial weights and the shuffle")
	fs.StringVar(&o.dtype, "dtype", "float32", "float32 or float64")
	fs.StringVar(&o.progress, "progress", "auto", "auto (a live line on a terminal, nothing when piped), lines (a line every tenth of the run) or off")
	fs.BoolVar(&o.json, "json", false, "print one JSON summary line instead of the progress and table (a NaN or infinite loss or prediction is null)")
	fs.StringVar(&o.plot, "plot", "", "write the loss curve to this SVG file")
	fs.StringVar(&o.dot, "dot", "", "write the graph, gradient nodes included, to this Graphviz DOT file")
	fs.StringVar(&o.save, "save", "", "save the trained parameters to this safetensors file")
	fs.StringVar(&o.load, "load", "", "load the parameters from this safetensors file before training")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: xor [flags]\n\nTrains the 2-hidden-1 XOR network and prints its truth table.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := checkNumbers(o); err != nil {
		return o, err
	}
	return o, checkNames(o)
}

// checkNumbers refuses the numeric flags that could not train: out of
// range, not finite, or too large to allocate.
func checkNumbers(o options) error {
	switch {
	case o.epochs < 0:
		return fmt.Errorf("--epochs is %d; it must not be negative", o.epochs)
	case o.epochs > maxEpochs:
		return fmt.Errorf("--epochs is %d; at most %d", o.epochs, maxEpochs)
	case o.epochs == 0 && o.load == "":
		return errors.New("--epochs 0 trains nothing; it needs --load")
	case o.epochs == 0 && o.plot != "":
		return errors.New("--epochs 0 trains nothing, so --plot has no loss curve to draw")
	case o.batchSize < 1:
		return fmt.Errorf("--batch-size is %d; it must be at least 1", o.batchSize)
	case o.hidden < 1:
		return fmt.Errorf("--hidden is %d; it must be at least 1", o.hidden)
	case o.hidden > maxHidden:
		return fmt.Errorf("--hidden is %d; at most %d", o.hidden, maxHidden)
	case !(o.lr > 0) || math.IsInf(o.lr, 1):
		return fmt.Errorf("--lr is %v; it must be a positive finite number", o.lr)
	case math.IsNaN(o.bias) || math.IsInf(o.bias, 0):
		return fmt.Errorf("--bias-init is %v; it must be a finite number", o.bias)
	}
	return nil
}

// checkNames refuses the flags that name something unknown or a file that
// cannot be read or written.
func checkNames(o options) error {
	switch {
	case o.dtype != "float32" && o.dtype != "float64":
		return fmt.Errorf("--dtype is %q; use float32 or float64", o.dtype)
	case o.progress != "auto" && o.progress != "lines" && o.progress != "off":
		return fmt.Errorf("--progress is %q; use auto, lines or off", o.progress)
	}
	if _, err := activations.Lookup(o.activation); err != nil {
		return fmt.Errorf("--activation: %v", err)
	}
	if _, ok := initializers[o.init]; !ok {
		return fmt.Errorf("--init %q is unknown; known: %s", o.init, strings.Join(initNames(), ", "))
	}
	if _, err := optim.New(o.optimizer, o.lr); err != nil {
		return fmt.Errorf("--optimizer: %v", err)
	}
	if o.load != "" {
		if _, err := os.Stat(o.load); err != nil {
			return fmt.Errorf("--load: %v", err)
		}
	}
	for _, out := range []struct{ flag, path string }{{"--save", o.save}, {"--plot", o.plot}, {"--dot", o.dot}} {
		if out.path == "" {
			continue
		}
		if err := atomicfile.CheckWritable(out.path); err != nil {
			return fmt.Errorf("%s: %v", out.flag, err)
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
		fmt.Fprintln(stderr, "xor:", err)
		return 2
	}
	if err := trainXOR(o, stdout); err != nil {
		fmt.Fprintln(stderr, "xor:", err)
		return 1
	}
	return 0
}
