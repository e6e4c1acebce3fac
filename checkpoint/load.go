package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Load reads the safetensors file at path into params, by name, writing into
// each parameter's tensor in place. It changes nothing unless the whole file
// is valid and matches: every parameter is in the file with its dtype and
// shape, and the file holds no other tensor.
func Load(path string, params []*graph.Node) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := read(f, info.Size(), params); err != nil {
		return fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return nil
}

// Read reads a safetensors stream from r into params, as Load does. It reads
// r to its end, to make sure nothing follows the last tensor.
func Read(r io.Reader, params []*graph.Node) error {
	if err := read(r, -1, params); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// entry is one tensor described by the header.
type entry struct {
	name       string
	dtype      string
	shape      []uint64
	begin, end uint64
}

// dtypeSizes are the element sizes of the safetensors dtypes, in bytes.
var dtypeSizes = map[string]uint64{
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

// read loads params from r. size is the stream's length, or -1 if unknown.
func read(r io.Reader, size int64, params []*graph.Node) error {
	if _, err := sorted(params); err != nil {
		return err
	}
	var lenBytes [8]byte
	if k, err := io.ReadFull(r, lenBytes[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return formatError("the file is %d bytes long; it must start with an 8-byte header length", k)
		}
		return err
	}
	n := binary.LittleEndian.Uint64(lenBytes[:])
	switch {
	case n > maxHeader:
		return formatError("the header length %d is over the limit of %d bytes", n, maxHeader)
	case size >= 0 && n > uint64(size-8):
		return formatError("the header length %d is larger than the rest of the file (%d bytes)", n, size-8)
	}
	// ReadAll grows its buffer as bytes arrive, so a stream cut short never
	// makes it allocate the whole claimed length.
	header, err := io.ReadAll(io.LimitReader(r, int64(n)))
	if err != nil {
		return err
	}
	if uint64(len(header)) < n {
		return formatError("the header is cut short: %d of its %d bytes", len(header), n)
	}
	entries, err := parseHeader(header)
	if err != nil {
		return err
	}
	dataLen, err := validate(entries)
	if err != nil {
		return err
	}
	if size >= 0 {
		if have := uint64(size) - 8 - n; have < dataLen {
			return formatError("the data is cut short: the header describes %d bytes, the file holds %d", dataLen, have)
		} else if have > dataLen {
			return formatError("%d bytes follow the last tensor", have-dataLen)
		}
	}
	order, err := match(entries, params)
	if err != nil {
		return err
	}
	staged := make([]*tensor.Dense, len(order))
	buf := make([]byte, chunk)
	for i, p := range order {
		t := tensor.New(tensor.Of(p.DType()), tensor.WithShape(p.Shape()...))
		if err := readData(r, t, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return formatError("the data is cut short in tensor %q", p.Name())
			}
			return err
		}
		staged[i] = t
	}
	if size < 0 {
		if k, _ := io.ReadFull(r, buf[:1]); k > 0 {
			return formatError("bytes follow the last tensor")
		}
	}
	for i, p := range order {
		if p.DType() == tensor.Float32 {
			copy(p.Value().Float32s(), staged[i].Float32s())
		} else {
			copy(p.Value().Float64s(), staged[i].Float64s())
		}
	}
	return nil
}

// parseHeader decodes the JSON header into its tensor entries, in the order
// they appear. Duplicate names are an error.
func parseHeader(header []byte) ([]entry, error) {
	if !utf8.Valid(header) {
		return nil, formatError("the header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, formatError("the header is not a JSON object")
	}
	var entries []entry
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, formatError("the header is not valid JSON: %v", err)
		}
		name := tok.(string) // an object's keys are always strings
		if seen[name] {
			return nil, formatError("the header names %q twice", name)
		}
		seen[name] = true
		if name == "__metadata__" {
			var meta map[string]string
			if err := dec.Decode(&meta); err != nil {
				return nil, formatError("__metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var info struct {
			DType   string   `json:"dtype"`
			Shape   []uint64 `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		if err := dec.Decode(&info); err != nil {
			return nil, formatError("tensor %q: %v", name, err)
		}
		switch {
		case dtypeSizes[info.DType] == 0:
			return nil, formatError("tensor %q has dtype %q, which is not a safetensors dtype graft knows", name, info.DType)
		case info.Shape == nil:
			return nil, formatError("tensor %q has no shape", name)
		case len(info.Offsets) != 2:
			return nil, formatError("tensor %q has data_offsets %v; want [begin, end]", name, info.Offsets)
		}
		entries = append(entries, entry{name, info.DType, info.Shape, info.Offsets[0], info.Offsets[1]})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, formatError("the header is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, formatError("the header has more after its JSON object")
	}
	return entries, nil
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
			return 0, formatError("tensor %q has data_offsets [%d, %d]; the tensors must tile the data, and this one should begin at byte %d",
				e.name, e.begin, e.end, at)
		}
		need, ok := byteSize(e.shape, dtypeSizes[e.dtype])
		if !ok {
			return 0, formatError("tensor %q: shape %s is too large", e.name, shapeString(e.shape))
		}
		if e.end-e.begin != need {
			return 0, formatError("tensor %q: shape %s of %s needs %d bytes, its data_offsets give %d",
				e.name, shapeString(e.shape), e.dtype, need, e.end-e.begin)
		}
		at = e.end
	}
	return at, nil
}

// byteSize multiplies out a shape and an element size, reporting overflow.
func byteSize(shape []uint64, elem uint64) (uint64, bool) {
	n := elem
	for _, d := range shape {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// match pairs every parameter with its entry, checking dtypes and shapes,
// and returns the parameters in the entries' (offset) order.
func match(entries []entry, params []*graph.Node) ([]*graph.Node, error) {
	index := make(map[string]int, len(entries))
	for i, e := range entries {
		index[e.name] = i
	}
	order := make([]*graph.Node, len(entries))
	for _, p := range params {
		i, ok := index[p.Name()]
		if !ok {
			return nil, mismatch("parameter %q is not in the file", p.Name())
		}
		e := entries[i]
		if want := dtypeName(p.DType()); e.dtype != want {
			return nil, mismatch("parameter %q is %s in the model and %s in the file", p.Name(), want, e.dtype)
		}
		if !sameShape(p.Shape(), e.shape) {
			return nil, mismatch("parameter %q has shape %v in the model and %s in the file", p.Name(), p.Shape(), shapeString(e.shape))
		}
		order[i] = p
	}
	for i, p := range order {
		if p == nil {
			return nil, mismatch("the file holds tensor %q, which no parameter is named (loading is strict)", entries[i].name)
		}
	}
	return order, nil
}

func sameShape(s graph.Shape, file []uint64) bool {
	if len(s) != len(file) {
		return false
	}
	for i, d := range s {
		if uint64(d) != file[i] {
			return false
		}
	}
	return true
}

// shapeString prints a file's shape the way graph.Shape prints.
func shapeString(s []uint64) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// readData fills t from r's little-endian bytes, a chunk at a time.
func readData(r io.Reader, t *tensor.Dense, buf []byte) error {
	if t.Dtype() == tensor.Float32 {
		return readValues(r, t.Float32s(), buf)
	}
	return readValues(r, t.Float64s(), buf)
}

func readValues[T float32 | float64](r io.Reader, vs []T, buf []byte) error {
	size := 8
	if _, ok := any(vs).([]float32); ok {
		size = 4
	}
	for len(vs) > 0 {
		k := min(len(vs), len(buf)/size)
		b := buf[:k*size]
		if _, err := io.ReadFull(r, b); err != nil {
			return err
		}
		switch vs := any(vs[:k]).(type) {
		case []float32:
			for i := range vs {
				vs[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case []float64:
			for i := range vs {
				vs[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
		}
		vs = vs[k:]
	}
	return nil
}
