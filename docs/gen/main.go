// Command gen writes docs/activations.md and the plots it shows,
// docs/img/activations/<name>.svg, from graft's activation registry: each
// activation beside the derivative that autodiff computes. Run it from the
// repository's root:
//
//	go run ./docs/gen
//
// or go generate ./activations. The test of this package checks that the
// checked-in files are what it writes.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"gorgonia.org/tensor"

	"graft/activations"
	"graft/activations/chart"
)

func main() {
	dir := pflag.String("dir", "docs", "the docs directory to write into")
	pflag.Parse()
	if err := generate(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// plotRange is the x range of each plot: [-5, 5], widened where a kink lies
// outside it.
func plotRange(name string) (from, to float64) {
	if name == "relu6" {
		return -3, 8
	}
	return -5, 5
}

const points = 201

// files returns every file the generator writes, by path relative to the
// docs directory.
func files() (map[string][]byte, error) {
	out := map[string][]byte{}
	var md bytes.Buffer
	md.WriteString(header)
	md.WriteString("| name | formula | range | derivative at kinks | used in |\n|---|---|---|---|---|\n")
	entries := activations.Entries()
	for _, e := range entries {
		name := "`" + e.Name + "`"
		for _, a := range e.Aliases {
			name += " (`" + a + "`)"
		}
		kinks := e.Kinks
		if kinks == "" {
			kinks = "smooth"
		}
		fmt.Fprintf(&md, "| [%s](#%s) | %s | %s | %s | %s |\n", name, e.Name, cell(e.Formula), cell(e.Range), cell(kinks), cell(e.UsedIn))
	}
	md.WriteString(plotsIntro)
	for _, e := range entries {
		from, to := plotRange(e.Name)
		xs, err := chart.Linspace(from, to, points)
		if err != nil {
			return nil, err
		}
		c, err := chart.Sample(e.Func, tensor.Float64, xs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		var svg bytes.Buffer
		if err := chart.WriteSVG(&svg, e.Name, c, false); err != nil {
			return nil, err
		}
		img := "img/activations/" + e.Name + ".svg"
		out[img] = svg.Bytes()
		fmt.Fprintf(&md, "\n### %s\n\n%s", e.Name, e.Formula)
		if e.AlongLastAxis {
			md.WriteString(" (plotted as the first output for the logits (x, 0))")
		}
		fmt.Fprintf(&md, "\n\n![%s and its derivative](%s)\n", e.Name, img)
	}
	out["activations.md"] = md.Bytes()
	return out, nil
}

// cell escapes the characters that would break a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// generate writes every file into the docs directory dir.
func generate(dir string) error {
	fs, err := files()
	if err != nil {
		return err
	}
	for rel, data := range fs {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

const header = `# Activations

<!-- Written by go run ./docs/gen from the registry in package activations; do not edit by hand. -->

Every activation below is in package ` + "`activations`" + `, for float32 and float64, with a
first and second derivative that the gradient checker verifies. Find one by name with
` + "`activations.Lookup(\"gelu\")`" + ` (case, ` + "`_`" + ` and ` + "`-`" + ` do not matter); an unknown name is an
error that lists the known ones. ` + "`leaky_relu`" + `, ` + "`elu`" + ` and ` + "`celu`" + ` come with slope 0.01 and
α = 1; ` + "`activations.LeakyReLU(slope)`" + `, ` + "`ELU(alpha)`" + ` and ` + "`CELU(alpha)`" + ` build others.
Softmax and log_softmax act along the last axis.

Every activation is finite, and so are its first and second derivatives, for inputs up to
|x| = 1e4 in both dtypes: softplus(1000) = 1000, sigmoid(-1000) = 0, log_sigmoid(-1000) =
-1000. Where a function has a kink, the derivative chosen there is in the table and in the
function's doc comment. To evaluate any of them over a range, or to draw them:
` + "`go run ./cmd/activations --name gelu --format svg --out gelu.svg`" + `. To add your own, see
[extending.md](extending.md).

`

const plotsIntro = `
## Plots

Each plot shows the function on the left and, on the right, the derivative that autodiff
computes from the gradient rules (not finite differences), over [-5, 5] (relu6: [-3, 8]).
`
