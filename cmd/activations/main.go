// Command activations evaluates registered activations over a range and
// writes their values and their first and second derivatives (as autodiff
// computes them) as CSV, or draws them as SVG.
//
//	go run ./cmd/activations --name gelu --from -4 --to 4 --format svg --out gelu.svg
//	go run ./cmd/activations --name all --format csv > activations.csv
//	go run ./cmd/activations --name all --format svg --out plots/
//
// --name takes a registered name or alias, a comma-separated list of them,
// or "all". The CSV has the columns activation, x, y, dy, d2y. An SVG holds
// three panels (f, f′, f″) for each activation; with several activations
// --out must name a directory, which gets one <name>.svg per activation.
// Softmax and log_softmax are shown as the first output for the logits
// (x, 0).
//
// --points is at most 100000 and --from and --to must be finite, with a
// span that is itself a finite float64 and wide enough for --points distinct
// values. A bad flag is one line on standard error and status 2; a failure
// while computing or writing is status 1. A file is written to a temporary
// file beside it and renamed into place once complete, so a full disk
// leaves no half-written CSV or SVG (a device such as /dev/stdout is
// written directly).
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"gorgonia.org/tensor"

	"graft/activations"
	"graft/activations/chart"
	"graft/graph"
	"graft/internal/atomicfile"
)

func main() {
	os.Exit(command(os.Args[1:], os.Stdout, os.Stderr))
}

// command runs the tool and returns its exit status: 0, 2 for a bad flag
// (one line on stderr), 1 for a failure while computing or writing.
func command(args []string, stdout, stderr io.Writer) int {
	err := run(args, stdout)
	var bad usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "activations: %v; see activations --help\n", err)
		return 2
	default:
		fmt.Fprintln(stderr, "activations:", err)
		return 1
	}
}

// usageError is a mistake in the flags, as opposed to a failure while
// running.
type usageError struct{ error }

func badFlag(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// maxPoints caps --points: 100000 points of every activation with both
// derivatives peak at about 160 MB and a 160 MB CSV, and no chart or table
// needs more.
const maxPoints = 100_000

type options struct {
	names    []string
	from, to float64
	points   int
	format   string
	out      string
	dtype    graph.DType
	help     string // the flag list, set when --help asked for it
}

func run(args []string, stdout io.Writer) error {
	opts, err := parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		_, err = fmt.Fprintf(stdout, "Usage: activations [flags]\n%s", opts.help)
		return err
	}
	if err != nil {
		return err
	}
	curves := make([]chart.Curve, len(opts.names))
	xs, err := samplePoints(opts.from, opts.to, opts.points)
	if err != nil {
		return err
	}
	for i, name := range opts.names {
		f, err := activations.Lookup(name)
		if err != nil {
			return err
		}
		if curves[i], err = chart.Sample(f, opts.dtype, xs); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if opts.format == "csv" {
		return writeTo(opts.out, stdout, func(w io.Writer) error { return writeCSV(w, opts.names, curves) })
	}
	if len(opts.names) == 1 {
		return writeTo(opts.out, stdout, func(w io.Writer) error {
			return chart.WriteSVG(w, opts.names[0], curves[0], true)
		})
	}
	if opts.out == "-" {
		return badFlag("--format svg with several activations writes one file each: give --out a directory")
	}
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return err
	}
	for i, name := range opts.names {
		path := filepath.Join(opts.out, name+".svg")
		if err := writeTo(path, stdout, func(w io.Writer) error { return chart.WriteSVG(w, name, curves[i], true) }); err != nil {
			return err
		}
	}
	return nil
}

func parse(args []string) (options, error) {
	fs := pflag.NewFlagSet("activations", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "all", `activation name or alias, comma-separated names, or "all"`)
	from := fs.Float64("from", -5, "first x")
	to := fs.Float64("to", 5, "last x")
	points := fs.Int("points", 201, "number of evenly spaced x from --from to --to (at least 2, at most 100000)")
	format := fs.String("format", "csv", "csv or svg")
	out := fs.String("out", "-", `output file ("-" for standard output), or a directory for svg with several activations`)
	dtype := fs.String("dtype", "float64", "float64 or float32")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return options{help: fs.FlagUsages()}, err
		}
		return options{}, usageError{err}
	}
	if fs.NArg() > 0 {
		return options{}, badFlag("unexpected arguments %q; every setting is a flag", fs.Args())
	}
	opts := options{from: *from, to: *to, points: *points, format: *format, out: *out}
	switch {
	case math.IsNaN(opts.from) || math.IsInf(opts.from, 0) || math.IsNaN(opts.to) || math.IsInf(opts.to, 0):
		return opts, badFlag("--from %v and --to %v must be finite", opts.from, opts.to)
	case opts.from >= opts.to:
		return opts, badFlag("--from %v must be less than --to %v", opts.from, opts.to)
	case math.IsInf(opts.to-opts.from, 0):
		return opts, badFlag("--from %v to --to %v spans more than the largest float64", opts.from, opts.to)
	case opts.points < 2:
		return opts, badFlag("--points %d: need at least 2", opts.points)
	case opts.points > maxPoints:
		return opts, badFlag("--points %d: at most %d", opts.points, maxPoints)
	case opts.format != "csv" && opts.format != "svg":
		return opts, badFlag("--format %q: want csv or svg", opts.format)
	}
	switch *dtype {
	case "float64":
		opts.dtype = tensor.Float64
	case "float32":
		opts.dtype = tensor.Float32
	default:
		return opts, badFlag("--dtype %q: want float64 or float32", *dtype)
	}
	if strings.TrimSpace(*name) == "all" {
		opts.names = activations.Names()
		return opts, nil
	}
	for _, n := range strings.Split(*name, ",") {
		e, err := activations.Describe(n)
		if err != nil {
			return opts, usageError{err}
		}
		opts.names = append(opts.names, e.Name)
	}
	return opts, nil
}

// samplePoints returns n evenly spaced x from lo to hi (chart.Linspace), or
// a usage error when the range is not finite or too narrow for n distinct
// float64 values.
func samplePoints(lo, hi float64, n int) ([]float64, error) {
	xs, err := chart.Linspace(lo, hi, n)
	if err != nil {
		return nil, badFlag("%v", err)
	}
	for i := 1; i < len(xs); i++ {
		if !(xs[i] > xs[i-1]) {
			return nil, badFlag("--from %v to --to %v is too narrow for %d distinct points", lo, hi, n)
		}
	}
	return xs, nil
}

// writeTo runs write on standard output when path is "-", else on the file
// at path, which atomicfile.Write replaces only once all of it is written.
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path != "-" {
		return atomicfile.Write(path, write)
	}
	bw := bufio.NewWriter(stdout)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

func writeCSV(w io.Writer, names []string, curves []chart.Curve) error {
	if _, err := io.WriteString(w, "activation,x,y,dy,d2y\n"); err != nil {
		return err
	}
	for i, c := range curves {
		for j, x := range c.X {
			if _, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s\n", names[i], num(x), num(c.Y[j]), num(c.D1[j]), num(c.D2[j])); err != nil {
				return err
			}
		}
	}
	return nil
}

// num prints v with the fewest digits that read back as the same float64.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
