package data

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gorgonia.org/tensor"
)

// CSVOptions says how ReadCSV turns a table of numbers into a dataset.
// Every column that is neither a label nor skipped is an input: x has
// shape (rows, inputs) and y (rows, labels), or (rows,) for a single label
// column unless KeepLabelAxis is set.
type CSVOptions struct {
	// Header says the first line names the columns; the names serve in
	// LabelNames, SkipNames and error messages.
	Header bool
	// Comma separates fields; 0 means ','. Comment, when not 0, starts a
	// line to ignore.
	Comma, Comment rune
	// Labels are the target columns by number, from 0; a negative number
	// counts from the end (-1 is the last column). LabelNames names them
	// by the header instead. Neither: the dataset has no targets.
	Labels     []int
	LabelNames []string
	// Skip and SkipNames are columns to leave out (an id column, say).
	Skip      []int
	SkipNames []string
	// Dtype is x's dtype: float32, float64 or int64; the zero Dtype means
	// float64. LabelDtype is y's, and defaults to Dtype; int64 (graph.Int64)
	// holds class ids, which must then be written as whole numbers.
	Dtype, LabelDtype tensor.Dtype
	// LabelClasses, when set, are the names a label column holds (iris'
	// "setosa", "versicolor", "virginica"): each label becomes the int64
	// index of its name in the list, and a name not in it is an error.
	// LabelDtype must then be int64 or left zero.
	LabelClasses []string
	// KeepLabelAxis gives a single label column the shape (rows, 1), as
	// a regression loss against a (rows, 1) prediction wants, rather than
	// the (rows,) of class ids.
	KeepLabelAxis bool
	// AllowNonFinite keeps NaN, Inf and -Inf, which are otherwise errors
	// (a NaN in the data makes every loss NaN, far from its cause).
	AllowNonFinite bool
}

// ReadCSV reads a CSV table of numbers (RFC 4180, as encoding/csv reads it,
// with a UTF-8 byte-order mark ignored and spaces around a number trimmed)
// into an in-memory dataset; label columns may hold class names instead
// (CSVOptions.LabelClasses). name is the file's name for error messages,
// which give it, the line and the column: a field that is not a number, or
// not a whole number for int64, an empty field, a row with another number
// of fields than the first, a number beyond the dtype's range, a
// non-finite number unless AllowNonFinite, or a class name not listed.
func ReadCSV(r io.Reader, name string, opt CSVOptions) (*Tensors, error) {
	cr := csv.NewReader(skipBOM(r))
	cr.Comma, cr.Comment = opt.Comma, opt.Comment
	if cr.Comma == 0 {
		cr.Comma = ','
	}
	cr.FieldsPerRecord = -1 // ReadCSV reports ragged rows itself, naming both lengths
	cr.ReuseRecord = true
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("graft: ReadCSV: %s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	record, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("graft: ReadCSV: %s holds no rows", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	width, firstLine := len(record), lineOf(cr, 0)
	var header []string
	if opt.Header {
		header = slices.Clone(record)
		for i := range header {
			header[i] = strings.TrimSpace(header[i])
		}
	}
	role, err := columnRoles(opt, header, width)
	if err != nil {
		return nil, fmt.Errorf("graft: ReadCSV: %s: %w", name, err)
	}
	xd, yd := opt.Dtype, opt.LabelDtype
	if xd.Type == nil {
		xd = tensor.Float64
	}
	switch {
	case yd.Type == nil && opt.LabelClasses != nil:
		yd = tensor.Int64
	case yd.Type == nil:
		yd = xd
	case opt.LabelClasses != nil && yd != tensor.Int64:
		return nil, fmt.Errorf("graft: ReadCSV: LabelClasses makes class ids, which are int64, but LabelDtype is %v", yd)
	}
	if !rowDtype(xd) || !rowDtype(yd) {
		return nil, fmt.Errorf("graft: ReadCSV: Dtype is %v and LabelDtype %v; each must be float32, float64 or int64", xd, yd)
	}
	xs, ys := &column{dtype: xd}, &column{dtype: yd, classes: opt.LabelClasses}
	rows := 0
	if opt.Header {
		record, err = cr.Read()
	}
	for ; err == nil; record, err = cr.Read() {
		if len(record) != width {
			return nil, fail(lineOf(cr, 0), "%d fields, but line %d has %d", len(record), firstLine, width)
		}
		for i, field := range record {
			dst := xs
			switch role[i] {
			case skipColumn:
				continue
			case labelColumn:
				dst = ys
			}
			if msg := dst.add(strings.TrimSpace(field), opt.AllowNonFinite); msg != "" {
				return nil, fail(lineOf(cr, i), "column %s: %s", columnName(header, i), msg)
			}
		}
		rows++
	}
	if err != io.EOF {
		return nil, csvError(name, err)
	}
	if rows == 0 {
		return nil, fmt.Errorf("graft: ReadCSV: %s holds a header but no rows", name)
	}
	x := xs.tensor(rows, xs.len()/rows)
	var y *tensor.Dense
	if labels := ys.len() / rows; labels > 1 || labels == 1 && opt.KeepLabelAxis {
		y = ys.tensor(rows, labels)
	} else if labels == 1 {
		y = ys.tensor(rows)
	}
	return FromTensors(x, y)
}

// ReadCSVFile reads the CSV file at path as ReadCSV does, naming the path
// in its errors. Like ReadIDXFile it refuses anything but a regular file,
// so that a FIFO or a device cannot make it wait or read without end.
func ReadCSVFile(path string, opt CSVOptions) (*Tensors, error) {
	// Stat before Open: opening a FIFO waits for a writer.
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("graft: ReadCSVFile: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("graft: ReadCSVFile: %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("graft: ReadCSVFile: %w", err)
	}
	defer f.Close()
	return ReadCSV(f, path, opt)
}

// skipBOM drops the UTF-8 byte-order mark that spreadsheet programs write
// at the start of a CSV file, which would otherwise join the first name or
// number.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xef, 0xbb, 0xbf}) {
		br.Discard(3)
	}
	return br
}

// lineOf returns the line where field i of the record just read starts.
func lineOf(cr *csv.Reader, i int) int {
	line, _ := cr.FieldPos(i)
	return line
}

// csvError rewords encoding/csv's syntax errors (a bare quote, say) in
// the file:line:column form of the others.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("graft: ReadCSV: %s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("graft: ReadCSV: %s: %w", name, err)
}

// columnName returns column i (from 0) as error messages name it: its
// number from 1, as editors count, and its header name when there is one.
func columnName(header []string, i int) string {
	if header != nil {
		return fmt.Sprintf("%d (%q)", i+1, header[i])
	}
	return strconv.Itoa(i + 1)
}

type columnRole byte

const (
	inputColumn columnRole = iota
	labelColumn
	skipColumn
)

// columnRoles resolves the label and skipped columns of a table of width
// columns, by number or by header name, into one role per column.
func columnRoles(opt CSVOptions, header []string, width int) ([]columnRole, error) {
	role := make([]columnRole, width)
	set := func(what string, given int, r columnRole) error {
		i := given
		if i < 0 {
			i += width // -1 is the last column
		}
		if i < 0 || i >= width {
			return fmt.Errorf("%s column %d does not exist: the rows have %d columns", what, given, width)
		}
		if role[i] != inputColumn {
			return fmt.Errorf("column %s is given twice among Labels, LabelNames, Skip and SkipNames", columnName(header, i))
		}
		role[i] = r
		return nil
	}
	byName := func(what, n string) (int, error) {
		if header == nil {
			return 0, fmt.Errorf("%s column %q is named, but without Header the columns have no names", what, n)
		}
		if i := slices.Index(header, n); i >= 0 {
			return i, nil
		}
		return 0, fmt.Errorf("there is no %s column %q; the header names %q", what, n, header)
	}
	for _, c := range []struct {
		what    string
		role    columnRole
		numbers []int
		names   []string
	}{
		{"label", labelColumn, opt.Labels, opt.LabelNames},
		{"skipped", skipColumn, opt.Skip, opt.SkipNames},
	} {
		for _, i := range c.numbers {
			if err := set(c.what, i, c.role); err != nil {
				return nil, err
			}
		}
		for _, n := range c.names {
			i, err := byName(c.what, n)
			if err == nil {
				err = set(c.what, i, c.role)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	if !slices.Contains(role, inputColumn) {
		return nil, errors.New("every column is a label or skipped: no input column is left")
	}
	return role, nil
}

// column collects the numbers of one dtype as they are parsed.
type column struct {
	dtype tensor.Dtype
	f32   []float32
	f64   []float64
	i64   []int64

	classes []string // the names of the class ids, for a label column of names
}

// add parses s and appends it, or returns why s is not a number of the
// column's dtype.
func (c *column) add(s string, allowNonFinite bool) string {
	if s == "" {
		return "the field is empty (a missing value?)"
	}
	if c.classes != nil {
		id := slices.Index(c.classes, s)
		if id < 0 {
			return fmt.Sprintf("%q is not one of LabelClasses %q", s, c.classes)
		}
		c.i64 = append(c.i64, int64(id))
		return ""
	}
	if c.dtype == tensor.Int64 {
		v, err := strconv.ParseInt(s, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return fmt.Sprintf("%q is beyond int64's range", s)
		case err != nil:
			return fmt.Sprintf("%q is not a whole number, as int64 needs", s)
		}
		c.i64 = append(c.i64, v)
		return ""
	}
	size := 64
	if c.dtype == tensor.Float32 {
		size = 32 // rounds once to float32, not through float64
	}
	v, err := strconv.ParseFloat(s, size)
	switch {
	case errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0):
		return fmt.Sprintf("%q is beyond %v's range", s, c.dtype)
	case err != nil && !errors.Is(err, strconv.ErrRange): // ErrRange alone is an underflow to 0 or a subnormal, kept
		return fmt.Sprintf("%q is not a number", s)
	case !allowNonFinite && (math.IsNaN(v) || math.IsInf(v, 0)):
		return fmt.Sprintf("%q is not finite; set CSVOptions.AllowNonFinite to keep NaN and ±Inf", s)
	}
	if size == 32 {
		c.f32 = append(c.f32, float32(v))
	} else {
		c.f64 = append(c.f64, v)
	}
	return ""
}

func (c *column) len() int { return len(c.f32) + len(c.f64) + len(c.i64) }

func (c *column) tensor(shape ...int) *tensor.Dense {
	var backing any = c.f64
	switch c.dtype {
	case tensor.Float32:
		backing = c.f32
	case tensor.Int64:
		backing = c.i64
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
}
