package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
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
	order, err := sorted(params)
	if err != nil {
		return err
	}
	var h bytes.Buffer
	h.WriteByte('{')
	offset := 0
	for i, p := range order {
		if i > 0 {
			h.WriteByte(',')
		}
		size := p.Shape().Size() * int(p.DType().Size())
		writeString(&h, p.Name())
		h.WriteString(`:{"dtype":"` + fileDType(p.DType()) + `","shape":[`)
		for j, d := range p.Shape() {
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
	for _, p := range order {
		if err := writeData(w, p.Value(), buf); err != nil {
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

// sorted checks params and returns them in the order the reference
// implementation writes tensors: widest dtype first, then by name.
func sorted(params []*graph.Node) ([]*graph.Node, error) {
	seen := make(map[string]bool, len(params))
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
		switch {
		case !utf8.ValidString(p.Name()):
			return nil, fmt.Errorf("parameter %d's name %q is not valid UTF-8, which a safetensors header needs", i, p.Name())
		case p.Name() == "__metadata__":
			return nil, fmt.Errorf("parameter %d is named %q, which a safetensors file reserves", i, p.Name())
		case seen[p.Name()]:
			return nil, fmt.Errorf("two parameters are named %q", p.Name())
		}
		seen[p.Name()] = true
	}
	order := append([]*graph.Node(nil), params...)
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.DType() != b.DType() {
			return a.DType() == tensor.Float64
		}
		return a.Name() < b.Name()
	})
	return order, nil
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
