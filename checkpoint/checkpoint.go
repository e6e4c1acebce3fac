package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"unicode/utf8"

	"gorgonia.org/tensor"

	"graft/graph"
)

// ErrFormat is wrapped by every error about a file that is not a valid
// safetensors file: truncated, corrupt or inconsistent.
var ErrFormat = errors.New("not a valid safetensors file")

// ErrMismatch is wrapped by every error about a valid file that does not fit
// the parameters: a missing or extra tensor, another shape or dtype.
var ErrMismatch = errors.New("the checkpoint does not match the parameters")

// maxHeader bounds the header length, as the reference implementation does,
// so that a corrupt length cannot make a reader allocate without limit.
const maxHeader = 100_000_000

// maxRank bounds the number of axes of a tensor in a file. A header is
// checked against it before anything is allocated for a shape, so that a
// shape of millions of axes is refused at the cost of its own bytes. Save
// refuses a parameter of more axes, so that what it writes Load reads.
const maxRank = 64

// wrap gives an error the prefix every graft error has.
func wrap(err error) error { return fmt.Errorf("graft: checkpoint: %w", err) }

// Write writes params in the safetensors format to w. Each parameter (or
// constant) is stored under its name; names must be unique.
func Write(w io.Writer, params []*graph.Node) error {
	if err := write(w, params); err != nil {
		return wrap(err)
	}
	return nil
}

// write is Write without the prefix, which Save adds once.
func write(w io.Writer, params []*graph.Node) error {
	ts, err := checkParams(params)
	if err != nil {
		return err
	}
	return writeTensors(w, ts, nil)
}

// named is a tensor as a file holds it: under a name, with its dtype and
// shape. A parameter's tensor is its value; an optimizer slot's, a copy.
type named struct {
	name  string
	dtype graph.DType
	shape graph.Shape
	value *tensor.Dense
}

// writeTensors writes ts, whose names are unique and valid, and the
// metadata (nil for none) as a safetensors file. The header holds
// __metadata__ first, its keys sorted, as the reference implementation
// writes it first, then the tensors widest dtype first and then by name.
func writeTensors(w io.Writer, ts []named, meta map[string]string) error {
	order := append([]named(nil), ts...)
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.dtype != b.dtype {
			return a.dtype == tensor.Float64
		}
		return a.name < b.name
	})
	var h bytes.Buffer
	h.WriteByte('{')
	if len(meta) > 0 {
		h.WriteString(`"__metadata__":{`)
		for i, k := range slices.Sorted(maps.Keys(meta)) {
			if i > 0 {
				h.WriteByte(',')
			}
			writeString(&h, k)
			h.WriteByte(':')
			writeString(&h, meta[k])
		}
		h.WriteByte('}')
		if len(order) > 0 {
			h.WriteByte(',')
		}
	}
	offset := 0
	for i, t := range order {
		if i > 0 {
			h.WriteByte(',')
		}
		size := t.shape.Size() * int(t.dtype.Size())
		writeString(&h, t.name)
		h.WriteString(`:{"dtype":"` + fileDType(t.dtype) + `","shape":[`)
		for j, d := range t.shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, offset, offset+size)
		offset += size
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(h.Len()))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(h.Bytes()); err != nil {
		return err
	}
	buf := make([]byte, 0, chunk)
	for _, t := range order {
		if err := writeData(w, t.value, buf); err != nil {
			return err
		}
	}
	return nil
}

// chunk is how many bytes of tensor data are encoded or decoded at a time.
const chunk = 64 << 10

// writeData writes t's values in little-endian order, a chunk at a time.
func writeData(w io.Writer, t *tensor.Dense, buf []byte) error {
	if t.Dtype() == tensor.Float32 {
		return writeValues(w, t.Float32s(), buf)
	}
	return writeValues(w, t.Float64s(), buf)
}

func writeValues[T float32 | float64](w io.Writer, vs []T, buf []byte) error {
	for len(vs) > 0 {
		k := min(len(vs), chunk/8)
		buf = buf[:0]
		for _, v := range vs[:k] {
			switch v := any(v).(type) {
			case float32:
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			case float64:
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
			}
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		vs = vs[k:]
	}
	return nil
}

// checkParams checks that params can be written to a file and read back
// (each holds a float tensor that still fits its node, under a unique name
// a header can hold) and returns them as named tensors, in their order.
func checkParams(params []*graph.Node) ([]named, error) {
	seen := make(map[string]bool, len(params))
	ts := make([]named, len(params))
	for i, p := range params {
		switch {
		case p == nil:
			return nil, fmt.Errorf("parameter %d is nil", i)
		case p.Value() == nil:
			return nil, fmt.Errorf("%s is a %v, which holds no tensor", p.Name(), p.Kind())
		case p.DType() != tensor.Float32 && p.DType() != tensor.Float64:
			return nil, fmt.Errorf("parameter %s has dtype %s; graft saves float32 and float64", quoteName(p.Name()), graph.DTypeName(p.DType()))
		case p.Shape().Rank() > maxRank:
			return nil, fmt.Errorf("parameter %s has %d axes; a checkpoint holds at most %d", quoteName(p.Name()), p.Shape().Rank(), maxRank)
		}
		if err := p.CheckValue(p.Value()); err != nil {
			return nil, fmt.Errorf("%w; it was replaced or reshaped behind the graph", err)
		}
		if err := checkName(p.Name(), fmt.Sprintf("parameter %d", i), seen); err != nil {
			return nil, err
		}
		ts[i] = named{p.Name(), p.DType(), p.Shape(), p.Value()}
	}
	return ts, nil
}

// checkName reports a name a safetensors header cannot hold, or one seen
// before, and adds it to seen. what says whose name it is.
func checkName(name, what string, seen map[string]bool) error {
	switch {
	case !utf8.ValidString(name):
		return fmt.Errorf("%s's name %q is not valid UTF-8, which a safetensors header needs", what, name)
	case name == "__metadata__":
		return fmt.Errorf("%s is named %q, which a safetensors file reserves", what, name)
	case seen[name]:
		return fmt.Errorf("two parameters are named %q", name)
	}
	seen[name] = true
	return nil
}

// writeString writes s as a JSON string, escaping only what JSON requires
// (as serde_json does; encoding/json would also escape <, > and &).
func writeString(b *bytes.Buffer, s string) {
	e := json.NewEncoder(b)
	e.SetEscapeHTML(false)
	e.Encode(s)             // a string always encodes
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}

// fileDType is the safetensors name of a float32 or float64 dtype.
func fileDType(dt graph.DType) string {
	if dt == tensor.Float32 {
		return "F32"
	}
	return "F64"
}

// maxQuotedAxes and maxQuotedBytes bound what an error quotes from a file or
// a model, so that a corrupt header of millions of axes or a name of
// megabytes makes a short message.
const (
	maxQuotedAxes  = 8
	maxQuotedBytes = 200
)

// quoteShape prints s as graph.Shape does, or its first axes and its rank
// when it has more than maxQuotedAxes: "(1, 2, 3, 4, ... (70 axes))".
func quoteShape(s graph.Shape) string {
	if len(s) <= maxQuotedAxes {
		return s.String()
	}
	head := s[:maxQuotedAxes/2].String()
	return fmt.Sprintf("%s, ... (%d axes))", head[:len(head)-1], len(s))
}

// quoteName quotes s as %q does, or its first maxQuotedBytes bytes and its
// length when it is longer.
func quoteName(s string) string {
	if head, cut := truncate(s); cut {
		return fmt.Sprintf("%q... (%d bytes)", head, len(s))
	}
	return strconv.Quote(s)
}

// quoteError is err's message, or its first maxQuotedBytes bytes and its
// length: encoding/json quotes the offending literal whole, and a corrupt
// header can make that megabytes.
func quoteError(err error) string {
	s := err.Error()
	if head, cut := truncate(s); cut {
		return fmt.Sprintf("%s... (%d bytes)", head, len(s))
	}
	return s
}

// truncate cuts s to at most maxQuotedBytes, at a character boundary, and
// reports whether it cut anything.
func truncate(s string) (string, bool) {
	if len(s) <= maxQuotedBytes {
		return s, false
	}
	cut := maxQuotedBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}
