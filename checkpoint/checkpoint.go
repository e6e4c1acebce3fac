package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
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

// Save writes params to the file at path. It writes a temporary file in the
// same directory and renames it over path, so an interrupted save never
// leaves a truncated checkpoint behind.
func Save(path string, params []*graph.Node) (err error) {
	if _, err := sorted(params); err != nil { // fail before touching the disk
		return fmt.Errorf("checkpoint: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		return fmt.Errorf("checkpoint: %w", err)
	}
	w := bufio.NewWriter(f)
	if err := Write(w, params); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// Write writes params in the safetensors format to w. Each parameter (or
// constant) is stored under its name; names must be unique.
func Write(w io.Writer, params []*graph.Node) error {
	order, err := sorted(params)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var h bytes.Buffer
	h.WriteByte('{')
	offset := 0
	for i, p := range order {
		if i > 0 {
			h.WriteByte(',')
		}
		size := p.Shape().Size() * sizeOf(p.DType())
		writeString(&h, p.Name())
		h.WriteString(`:{"dtype":"` + dtypeName(p.DType()) + `","shape":[`)
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
		return fmt.Errorf("checkpoint: %w", err)
	}
	if _, err := w.Write(h.Bytes()); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	buf := make([]byte, 0, chunk)
	for _, p := range order {
		if err := writeData(w, p.Value(), buf); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
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
			return nil, fmt.Errorf("%s has dtype %v; graft saves float32 and float64", p.Name(), p.DType())
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

func dtypeName(dt graph.DType) string {
	if dt == tensor.Float32 {
		return "F32"
	}
	return "F64"
}

func sizeOf(dt graph.DType) int {
	if dt == tensor.Float32 {
		return 4
	}
	return 8
}
