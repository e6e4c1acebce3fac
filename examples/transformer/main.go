// Command transformer trains a small decoder-only transformer (GPT-style:
// token and learned position embeddings, causal pre-norm blocks of
// layers.TransformerBlock, a final layer norm and a linear head) from
// scratch, in one of two ways:
//
//   - by default on a task with an exact answer: reverse a sequence of
//     digits. It prints the loss and the held-out token accuracy as it
//     trains, then the accuracy of greedy decoding on sequences it never
//     saw, and a few of them.
//
//   - with --text FILE, as a character-level language model of that file,
//     then samples --sample characters from it (seeded, so the same flags
//     give the same text).
//
//     go run ./examples/transformer                         # 2 blocks, d_model 64, 4 heads
//     go run ./examples/transformer --json --attention map.svg
//     go run ./examples/transformer --text README.md --steps 1000 --sample 400
//
// A flag that cannot work is refused before any training, with status 2; a
// failure while reading, training or writing files ends with status 1, as
// does a run whose loss is NaN or infinite (its model is not saved).
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
	steps, batchSize, length int
	dModel, heads, blocks    int
	lr, dropout, temperature float64
	seed                     uint64
	dtype                    string
	json                     bool
	text                     string
	context, sample          int
	prompt                   string
	save, load               string
	attention, dot           string
	heldOut, logEvery        int
}

// Caps that keep a typo from exhausting the machine.
const (
	maxSteps   = 10_000_000
	maxWidth   = 4096
	maxContext = 4096
	maxSample  = 1 << 20
)

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := pflag.NewFlagSet("transformer", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.steps, "steps", 300, "Adam steps (1000 by default with --text; 0 with --load: only evaluate or sample)")
	fs.IntVar(&o.batchSize, "batch-size", 64, "sequences per step")
	fs.Float64Var(&o.lr, "lr", 3e-3, "peak learning rate (linear warm-up over the first 5% of the steps, cosine decay to a tenth)")
	fs.IntVar(&o.dModel, "d-model", 64, "width of the model")
	fs.IntVar(&o.heads, "heads", 4, "attention heads per block; must divide --d-model")
	fs.IntVar(&o.blocks, "blocks", 2, "transformer blocks")
	fs.Float64Var(&o.dropout, "dropout", 0, "dropout on the residual branches in training, in [0, 1)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for the initial weights, the data and the sampling")
	fs.StringVar(&o.dtype, "dtype", "float32", "float32 or float64")
	fs.IntVar(&o.length, "length", 8, "digits per sequence of the reversal task")
	fs.IntVar(&o.heldOut, "held-out", 1000, "held-out sequences of the reversal task, never trained on")
	fs.StringVar(&o.text, "text", "", "train a character-level language model on this text file instead")
	fs.IntVar(&o.context, "context", 64, "characters the language model sees (--text)")
	fs.IntVar(&o.sample, "sample", 300, "characters to sample after training (--text)")
	fs.StringVar(&o.prompt, "prompt", "", "text to start sampling from (--text; default: the file's first character)")
	fs.Float64Var(&o.temperature, "temperature", 0.8, "sampling temperature (--text): logits are divided by it")
	fs.IntVar(&o.logEvery, "log-every", 100, "steps between progress lines")
	fs.BoolVar(&o.json, "json", false, "print one JSON summary line instead of the progress")
	fs.StringVar(&o.save, "save", "", "save the trained parameters to this safetensors file")
	fs.StringVar(&o.load, "load", "", "load the parameters from this safetensors file before training")
	fs.StringVar(&o.attention, "attention", "", "write the last block's attention map of a held-out sequence (or of the prompt) to this SVG file")
	fs.StringVar(&o.dot, "dot", "", "write the graph of one transformer block, forward only, to this Graphviz DOT file")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: transformer [flags]\n\nTrains a decoder-only transformer to reverse digit sequences, or with --text as a character-level language model.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.text != "" && !fs.Changed("steps") {
		o.steps = 1000
	}
	if err := checkNumbers(o); err != nil {
		return o, err
	}
	return o, checkNames(o)
}

// checkNumbers refuses the numeric flags that could not train.
func checkNumbers(o options) error {
	switch {
	case o.steps < 0 || o.steps > maxSteps:
		return fmt.Errorf("--steps is %d; it must be in [0, %d]", o.steps, maxSteps)
	case o.batchSize < 1 || o.batchSize > 1<<16:
		return fmt.Errorf("--batch-size is %d; it must be in [1, 65536]", o.batchSize)
	case !(o.lr > 0) || math.IsInf(o.lr, 1):
		return fmt.Errorf("--lr is %v; it must be a positive finite number", o.lr)
	case o.dModel < 1 || o.dModel > maxWidth:
		return fmt.Errorf("--d-model is %d; it must be in [1, %d]", o.dModel, maxWidth)
	case o.heads < 1 || o.dModel%o.heads != 0:
		return fmt.Errorf("--heads is %d; it must be at least 1 and divide --d-model %d", o.heads, o.dModel)
	case o.blocks < 1 || o.blocks > 64:
		return fmt.Errorf("--blocks is %d; it must be in [1, 64]", o.blocks)
	case !(o.dropout >= 0 && o.dropout < 1):
		return fmt.Errorf("--dropout is %v; it must be in [0, 1)", o.dropout)
	case o.length < 1 || o.length > maxContext/2:
		return fmt.Errorf("--length is %d; it must be in [1, %d]", o.length, maxContext/2)
	case o.heldOut < 1 || o.heldOut > 1<<20:
		return fmt.Errorf("--held-out is %d; it must be in [1, %d]", o.heldOut, 1<<20)
	case o.text == "" && float64(o.heldOut) > 0.5*math.Pow(10, float64(min(o.length, 15))):
		return fmt.Errorf("--held-out is %d, more than half of the %d-digit sequences", o.heldOut, o.length)
	case o.context < 2 || o.context > maxContext:
		return fmt.Errorf("--context is %d; it must be in [2, %d]", o.context, maxContext)
	case o.sample < 0 || o.sample > maxSample:
		return fmt.Errorf("--sample is %d; it must be in [0, %d]", o.sample, maxSample)
	case !(o.temperature > 0) || math.IsInf(o.temperature, 1):
		return fmt.Errorf("--temperature is %v; it must be a positive finite number", o.temperature)
	case o.logEvery < 1:
		return fmt.Errorf("--log-every is %d; it must be at least 1", o.logEvery)
	case o.steps == 0 && o.load == "":
		return errors.New("--steps 0 trains nothing; it needs --load")
	}
	return nil
}

// checkNames refuses the flags that name something unknown, or a file that
// cannot be read or written.
func checkNames(o options) error {
	if o.dtype != "float32" && o.dtype != "float64" {
		return fmt.Errorf("--dtype is %q; use float32 or float64", o.dtype)
	}
	for _, in := range []struct{ flag, path string }{{"--text", o.text}, {"--load", o.load}} {
		if in.path == "" {
			continue
		}
		if _, err := os.Stat(in.path); err != nil {
			return fmt.Errorf("%s: %v", in.flag, err)
		}
	}
	if o.prompt != "" && o.text == "" {
		return errors.New("--prompt needs --text")
	}
	for _, out := range []struct{ flag, path string }{{"--save", o.save}, {"--attention", o.attention}, {"--dot", o.dot}} {
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
// a failure while reading, training or writing files status 1.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "transformer:", err)
		return 2
	}
	if o.text != "" {
		err = trainText(o, stdout)
	} else {
		err = trainReversal(o, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "transformer:", err)
		return 1
	}
	return 0
}
