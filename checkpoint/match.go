package checkpoint

import (
	"fmt"
	"io"
	"strings"

	"graft/graph"
)

// Options says how LoadWith and ReadWith match the tensors of a file to
// parameters. The zero Options loads by name, non-strictly.
type Options struct {
	// Strict refuses a file that does not match the parameters exactly, as
	// Load does, and changes nothing; the error lists the mismatches. When
	// Strict is false, the parameters that match are loaded and the rest
	// are reported: only an invalid file, or one of which no tensor fits any
	// parameter, is an error.
	Strict bool
	// Rename maps the name of a tensor in the file to the name of the
	// parameter it loads into (PyTorch's "0.weight" to graft's "dense1/W",
	// say); "" skips the tensor, which Report.Skipped then lists. nil keeps
	// the file's names.
	Rename func(fileName string) string
	// Transpose reports whether the parameter named paramName is stored
	// transposed in the file: the file's (b, a) matrix loads into the
	// parameter's (a, b) as its transpose. PyTorch's nn.Linear stores its
	// weight (out, in), graft's Dense W is (in, out). Only a matrix can be
	// transposed; nil transposes nothing.
	Transpose func(paramName string) bool
}

// Tensor describes a tensor of a file: its name there, its safetensors
// dtype ("F32", "F64", "F16", "I64" ...) and its shape.
type Tensor struct {
	Name  string
	DType string
	Shape graph.Shape
}

// String prints the tensor as a Report lists it: its quoted name, its dtype
// and its shape.
func (t Tensor) String() string {
	return fmt.Sprintf("%s %s %s", quoteName(t.Name), t.DType, quoteShape(t.Shape))
}

// Mismatch is a parameter and the tensor of the file named for it, which
// differ in dtype or shape (or which cannot be transposed).
type Mismatch struct {
	Param      string      // the parameter's name
	DType      string      // the parameter's dtype, as the file would name it
	Shape      graph.Shape // the parameter's shape
	Transposed bool        // Options.Transpose asked for the file's matrix transposed
	File       Tensor      // what the file holds
}

// String says how the two differ, as the error of a strict load does.
func (m Mismatch) String() string {
	who := "parameter " + quoteName(m.Param)
	if m.File.Name != m.Param {
		who += " (tensor " + quoteName(m.File.Name) + " in the file)"
	}
	switch {
	case m.DType != m.File.DType:
		return fmt.Sprintf("%s is %s in the model and %s in the file", who, m.DType, m.File.DType)
	case m.Transposed && (len(m.Shape) != 2 || len(m.File.Shape) != 2):
		return fmt.Sprintf("%s has shape %s in the model and %s in the file; only a matrix can be transposed",
			who, quoteShape(m.Shape), quoteShape(m.File.Shape))
	case m.Transposed:
		return fmt.Sprintf("%s has shape %s in the model and %s in the file, which transposed is %s",
			who, quoteShape(m.Shape), quoteShape(m.File.Shape), graph.Shape{m.File.Shape[1], m.File.Shape[0]})
	}
	return fmt.Sprintf("%s has shape %s in the model and %s in the file", who, quoteShape(m.Shape), quoteShape(m.File.Shape))
}

// Report says how the tensors of a file met the parameters. Everything
// that did not match is listed, whether or not the load failed.
type Report struct {
	File       []Tensor          // every tensor the file holds, in the order of its data
	Metadata   map[string]string // the file's __metadata__, nil if it has none
	Loaded     []string          // the parameters loaded, in the order given
	Missing    []string          // parameters no tensor of the file is named for
	Unexpected []Tensor          // tensors of the file no parameter is named (after Rename)
	Skipped    []Tensor          // tensors Rename mapped to ""
	Mismatched []Mismatch        // parameters whose tensor in the file has another dtype or shape
}

// Complete reports whether every parameter was loaded and every tensor of
// the file used or deliberately skipped.
func (r Report) Complete() bool {
	return len(r.Missing) == 0 && len(r.Unexpected) == 0 && len(r.Mismatched) == 0
}

// String lists what was loaded, what was not and why, and what the file
// holds, one item a line.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "loaded %d of %d parameters\n", len(r.Loaded), len(r.Loaded)+len(r.Missing)+len(r.Mismatched))
	for _, m := range r.Mismatched {
		fmt.Fprintf(&b, "mismatched: %s\n", m)
	}
	for _, name := range r.Missing {
		fmt.Fprintf(&b, "missing: parameter %s is not in the file\n", quoteName(name))
	}
	for _, t := range r.Unexpected {
		fmt.Fprintf(&b, "unexpected: %s\n", t)
	}
	for _, t := range r.Skipped {
		fmt.Fprintf(&b, "skipped: %s\n", t)
	}
	fmt.Fprintf(&b, "the file holds %d tensors:\n", len(r.File))
	for _, t := range r.File {
		fmt.Fprintf(&b, "  %s\n", t)
	}
	return b.String()
}

// maxListed bounds how many mismatches an error lists; the Report holds
// them all.
const maxListed = 3

// problems returns one sentence per mismatch: the parameters' first, then
// the file's tensors.
func (r Report) problems() []string {
	var out []string
	for _, m := range r.Mismatched {
		out = append(out, m.String())
	}
	for _, name := range r.Missing {
		out = append(out, fmt.Sprintf("parameter %s is not in the file", quoteName(name)))
	}
	for _, t := range r.Unexpected {
		out = append(out, fmt.Sprintf("the file holds tensor %s, which no parameter is named (loading is strict)", quoteName(t.Name)))
	}
	return out
}

// check returns the error a load with this report gives: any mismatch when
// strict, and otherwise a file of which nothing loads into n > 0 targets.
func (r Report) check(strict bool, n int) error {
	if p := r.problems(); strict && len(p) > 0 {
		if len(p) > maxListed {
			p = append(p[:maxListed], fmt.Sprintf("and %d more", len(p)-maxListed))
		}
		return mismatch("%s", strings.Join(p, "; "))
	}
	if !strict && n > 0 && len(r.Loaded) == 0 {
		held := make([]string, 0, maxListed+1)
		for i, t := range r.File {
			if i == maxListed {
				held = append(held, fmt.Sprintf("and %d more", len(r.File)-maxListed))
				break
			}
			held = append(held, t.String())
		}
		return mismatch("no tensor of the file fits any of the %d parameters; the file holds %d tensors: %s",
			n, len(r.File), strings.Join(held, ", "))
	}
	return nil
}

// match pairs the entries with the targets by name (after opts.Rename),
// checks dtypes and shapes, and fills the report. plan[i] is the target
// entry i loads into, or -1. Two tensors renamed to one name are an error.
func match(entries []entry, targets []target, opts Options, r *Report) (plan []int, err error) {
	index := make(map[string]int, len(targets))
	for i, t := range targets {
		index[t.name] = i
	}
	plan = make([]int, len(entries))
	by := make([]int, len(targets)) // the entry each target was given, plus one
	for i, e := range entries {
		plan[i] = -1
		info := Tensor{e.name, e.dtype, e.shape}
		r.File = append(r.File, info)
		name := e.name
		if opts.Rename != nil {
			name = opts.Rename(e.name)
		}
		if name == "" {
			r.Skipped = append(r.Skipped, info)
			continue
		}
		j, ok := index[name]
		if !ok {
			r.Unexpected = append(r.Unexpected, info)
			continue
		}
		if by[j] != 0 {
			return nil, mismatch("tensors %s and %s of the file are both renamed %s", quoteName(entries[by[j]-1].name), quoteName(e.name), quoteName(name))
		}
		by[j] = i + 1
		plan[i] = j
	}
	for j := range targets {
		t := &targets[j]
		if by[j] == 0 {
			if !t.optional {
				r.Missing = append(r.Missing, t.name)
			}
			continue
		}
		i := by[j] - 1
		e := entries[i]
		if !fits(t, e) {
			r.Mismatched = append(r.Mismatched, Mismatch{t.name, fileDType(t.dtype), t.shape, t.transpose, r.File[i]})
			plan[i] = -1
			continue
		}
		r.Loaded = append(r.Loaded, t.name)
	}
	return plan, nil
}

// fits reports whether entry e can load into t.
func fits(t *target, e entry) bool {
	if e.dtype != fileDType(t.dtype) {
		return false
	}
	if !t.transpose {
		return t.shape.Equal(e.shape)
	}
	return len(t.shape) == 2 && len(e.shape) == 2 && t.shape[0] == e.shape[1] && t.shape[1] == e.shape[0]
}

// LoadWith reads the safetensors file at path into params as opts says:
// tensors renamed, matrices transposed, mismatches refused (opts.Strict) or
// reported. It returns the Report of what matched and what did not, with
// what the file holds; the report is filled whenever the header could be
// read, an error or not. It reads files and streams as Load does, and
// changes nothing on an error.
func LoadWith(path string, params []*graph.Node, opts Options) (Report, error) {
	targets, err := targetsOf(params, opts)
	if err != nil {
		return Report{}, wrap(err)
	}
	var report Report
	err = loadPath(path, func(r io.Reader, size int64) error {
		st, err := stage(r, size, targets, opts)
		if st != nil {
			report = st.report
		}
		if err != nil {
			return err
		}
		st.commit()
		return nil
	})
	return report, err
}

// ReadWith reads a safetensors stream from r into params as LoadWith does.
func ReadWith(r io.Reader, params []*graph.Node, opts Options) (Report, error) {
	targets, err := targetsOf(params, opts)
	if err != nil {
		return Report{}, wrap(err)
	}
	st, err := stage(r, -1, targets, opts)
	if st == nil {
		return Report{}, wrap(err)
	}
	if err != nil {
		return st.report, wrap(err)
	}
	st.commit()
	return st.report, nil
}
