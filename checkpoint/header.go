package checkpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
	"unicode/utf8"

	"graft/graph"
)

// entry is one tensor described by the header.
type entry struct {
	name       string
	dtype      string
	shape      graph.Shape
	begin, end uint64
}

// dtypeSize is the element size in bytes of each safetensors dtype, the
// one table of sizes for both the file's dtypes and graft's.
var dtypeSize = map[string]uint64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

func formatError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

func mismatch(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMismatch}, args...)...)
}

// metadata is a header's __metadata__: its entries, and its keys in the
// order the file gives them, so that whatever reads them does so in an
// order that does not change from run to run (a fuzzer's coverage must
// not depend on a map's random order).
type metadata struct {
	values map[string]string
	keys   []string
}

// parseHeader decodes the JSON header into its tensor entries, in the order
// they appear, and its metadata. Duplicate names are an error.
func parseHeader(header []byte) ([]entry, metadata, error) {
	var meta metadata
	if !utf8.Valid(header) {
		return nil, meta, formatError("the header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, meta, formatError("the header is not a JSON object")
	}
	var entries []entry
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, meta, formatError("the header is not valid JSON: %s", quoteError(err))
		}
		name := tok.(string) // an object's keys are always strings
		if seen[name] {
			return nil, meta, formatError("the header names %s twice", quoteName(name))
		}
		seen[name] = true
		if name == "__metadata__" {
			if meta, err = decodeMetadata(dec); err != nil {
				return nil, meta, err
			}
			continue
		}
		e, err := decodeEntry(dec, name)
		if err != nil {
			return nil, meta, err
		}
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, meta, formatError("the header is not valid JSON: %s", quoteError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, meta, formatError("the header has more after its JSON object")
	}
	return entries, meta, nil
}

// decodeMetadata decodes __metadata__, which must map strings to strings
// (or be null), keeping its keys' order.
func decodeMetadata(dec *json.Decoder) (metadata, error) {
	var meta metadata
	fail := func(what string) (metadata, error) {
		return metadata{}, formatError("__metadata__ must map strings to strings: %s", what)
	}
	tok, err := dec.Token()
	switch {
	case err != nil:
		return fail(quoteError(err))
	case tok == nil:
		return meta, nil
	case tok != json.Delim('{'):
		return fail("it is not a JSON object")
	}
	meta.values = make(map[string]string)
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return fail(quoteError(err))
		}
		key := k.(string) // an object's keys are always strings
		v, err := dec.Token()
		if err != nil {
			return fail(quoteError(err))
		}
		value, ok := v.(string)
		if !ok {
			return fail(fmt.Sprintf("the value of %s is not a string", quoteName(key)))
		}
		if _, dup := meta.values[key]; dup {
			return fail(fmt.Sprintf("it names %s twice", quoteName(key)))
		}
		meta.values[key] = value
		meta.keys = append(meta.keys, key)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fail(quoteError(err))
	}
	return meta, nil
}

// decodeEntry decodes the description of tensor name.
func decodeEntry(dec *json.Decoder, name string) (entry, error) {
	var info struct {
		DType   string      `json:"dtype"`
		Shape   jsonShape   `json:"shape"`
		Offsets jsonOffsets `json:"data_offsets"`
	}
	if err := dec.Decode(&info); err != nil {
		return entry{}, formatError("tensor %s: %s", quoteName(name), quoteError(err))
	}
	switch {
	case dtypeSize[info.DType] == 0:
		return entry{}, formatError("tensor %s has dtype %s, which is not a safetensors dtype graft knows", quoteName(name), quoteName(info.DType))
	case info.Shape == nil:
		return entry{}, formatError("tensor %s has no shape", quoteName(name))
	case len(info.Offsets) != 2:
		return entry{}, formatError("tensor %s has data_offsets %v; want [begin, end]", quoteName(name), []uint64(info.Offsets))
	}
	return entry{name, info.DType, graph.Shape(info.Shape), info.Offsets[0], info.Offsets[1]}, nil
}

// jsonShape is a header's "shape": at most maxRank axes, each at most
// math.MaxInt so that it is a graph.Shape axis.
type jsonShape []int

func (s *jsonShape) UnmarshalJSON(b []byte) error {
	axes, err := decodeUints(b, maxRank, "axes")
	if err != nil || axes == nil {
		return err
	}
	*s = make(jsonShape, len(axes))
	for i, d := range axes {
		if d > math.MaxInt {
			return fmt.Errorf("axis %d of the shape is %d, larger than graft can index", i, d)
		}
		(*s)[i] = int(d)
	}
	return nil
}

// jsonOffsets is a header's "data_offsets", read only if it holds few
// numbers; whether it holds exactly two is checked by decodeEntry.
type jsonOffsets []uint64

func (o *jsonOffsets) UnmarshalJSON(b []byte) error {
	v, err := decodeUints(b, maxQuotedAxes, "data_offsets")
	if err == nil && v != nil {
		*o = v
	}
	return err
}

// decodeUints decodes a JSON array of unsigned integers, refusing one of
// more than limit elements before it allocates anything for them: a corrupt
// header of millions of numbers costs only its own bytes. JSON null gives
// nil.
func decodeUints(b []byte, limit int, what string) ([]uint64, error) {
	if string(b) == "null" {
		return nil, nil
	}
	// Every element but the first follows a comma, so the commas bound the
	// count from above (strings holding commas are invalid here anyway).
	if n := bytes.Count(b, []byte{','}); n >= limit {
		return nil, fmt.Errorf("more than %d %s", limit, what)
	}
	var v []uint64
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	if v == nil {
		v = []uint64{} // [] is a scalar's shape, not a missing one
	}
	return v, nil
}

// validate sorts entries by their offsets and checks that they tile the data
// from byte 0 with no gap or overlap, each as long as its shape and dtype
// need. It returns the data's length.
func validate(entries []entry) (uint64, error) {
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		return entries[i].end < entries[j].end
	})
	var at uint64
	for _, e := range entries {
		if e.begin != at || e.end < e.begin {
			return 0, formatError("tensor %s has data_offsets [%d, %d]; the tensors must tile the data, and this one should begin at byte %d",
				quoteName(e.name), e.begin, e.end, at)
		}
		need, ok := byteSize(e.shape, dtypeSize[e.dtype])
		if !ok {
			return 0, formatError("tensor %s: shape %s is too large", quoteName(e.name), quoteShape(e.shape))
		}
		if e.end-e.begin != need {
			return 0, formatError("tensor %s: shape %s of %s needs %d bytes, its data_offsets give %d",
				quoteName(e.name), quoteShape(e.shape), e.dtype, need, e.end-e.begin)
		}
		at = e.end
	}
	return at, nil
}

// byteSize multiplies out a shape and an element size, reporting overflow
// past math.MaxInt64.
func byteSize(shape graph.Shape, elem uint64) (uint64, bool) {
	n := elem
	for _, d := range shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		n = lo
	}
	return n, true
}
