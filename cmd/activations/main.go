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
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "activations:", err)
		os.Exit(2)
	}
}

type options struct {
	names    []string
	from, to float64
	points   int
	format   string
	out      string
	dtype    graph.DType
}

func run(args []string, stdout io.Writer) error {
	opts, err := parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		_, err = fmt.Fprintf(stdout, "Usage: activations [flags]\n%s", usage)
		return err
	}
	if err != nil {
		return err
	}
	curves := make([]activations.Curve, len(opts.names))
	xs := activations.Linspace(opts.from, opts.to, opts.points)
	for i, name := range opts.names {
		f, err := activations.Lookup(name)
		if err != nil {
			return err
		}
		if curves[i], err = activations.Sample(f, opts.dtype, xs); err != nil {
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
		return errors.New("--format svg with several activations writes one file each: give --out a directory")
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

// usage lists the flags, for --help and for errors.
var usage string

func parse(args []string) (options, error) {
	fs := pflag.NewFlagSet("activations", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "all", `activation name or alias, comma-separated names, or "all"`)
	from := fs.Float64("from", -5, "first x")
	to := fs.Float64("to", 5, "last x")
	points := fs.Int("points", 201, "number of evenly spaced x from --from to --to (at least 2)")
	format := fs.String("format", "csv", "csv or svg")
	out := fs.String("out", "-", `output file ("-" for standard output), or a directory for svg with several activations`)
	dtype := fs.String("dtype", "float64", "float64 or float32")
	usage = fs.FlagUsages()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return options{}, err
		}
		return options{}, fmt.Errorf("%w\nflags:\n%s", err, usage)
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q; every setting is a flag:\n%s", fs.Args(), fs.FlagUsages())
	}
	opts := options{from: *from, to: *to, points: *points, format: *format, out: *out}
	switch {
	case math.IsNaN(opts.from) || math.IsInf(opts.from, 0) || math.IsNaN(opts.to) || math.IsInf(opts.to, 0):
		return opts, fmt.Errorf("--from %v and --to %v must be finite", opts.from, opts.to)
	case opts.from >= opts.to:
		return opts, fmt.Errorf("--from %v must be less than --to %v", opts.from, opts.to)
	case opts.points < 2:
		return opts, fmt.Errorf("--points %d: need at least 2", opts.points)
	case opts.format != "csv" && opts.format != "svg":
		return opts, fmt.Errorf("--format %q: want csv or svg", opts.format)
	}
	switch *dtype {
	case "float64":
		opts.dtype = tensor.Float64
	case "float32":
		opts.dtype = tensor.Float32
	default:
		return opts, fmt.Errorf("--dtype %q: want float64 or float32", *dtype)
	}
	if strings.TrimSpace(*name) == "all" {
		opts.names = activations.Names()
		return opts, nil
	}
	for _, n := range strings.Split(*name, ",") {
		e, err := activations.Describe(n)
		if err != nil {
			return opts, err
		}
		opts.names = append(opts.names, e.Name)
	}
	return opts, nil
}

// writeTo runs write on standard output when path is "-", else on the file
// at path, which it creates or truncates.
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeCSV(w io.Writer, names []string, curves []activations.Curve) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "activation,x,y,dy,d2y")
	for i, c := range curves {
		for j, x := range c.X {
			fmt.Fprintf(bw, "%s,%s,%s,%s,%s\n", names[i], num(x), num(c.Y[j]), num(c.D1[j]), num(c.D2[j]))
		}
	}
	return bw.Flush()
}

// num prints v with the fewest digits that read back as the same float64.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
