package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"gorgonia.org/tensor"
)

// MaxIDXElements bounds the number of elements ReadIDX accepts (2^32, 4 GiB
// of bytes), so that a corrupt header cannot make it allocate without limit.
const MaxIDXElements = 1 << 32

// idxTypes maps an IDX type code to its tensor dtype and element size.
var idxTypes = map[byte]struct {
	dtype tensor.Dtype
	size  int
}{
	0x08: {tensor.Uint8, 1},
	0x09: {tensor.Int8, 1},
	0x0B: {tensor.Int16, 2},
	0x0C: {tensor.Int32, 4},
	0x0D: {tensor.Float32, 4},
	0x0E: {tensor.Float64, 8},
}

// ReadIDX reads one array in the IDX format (LeCun and Cortes' format of
// the MNIST files): two zero bytes, a type code, the number of axes, each
// axis' size as a big-endian uint32, then the elements in row-major order,
// big-endian. A gzip-compressed stream (as the MNIST files are shipped) is
// decompressed first. The tensor has the file's element type: uint8 for
// MNIST's images and labels. Bytes after the last element are an error, as
// is a truncated file.
func ReadIDX(r io.Reader) (*tensor.Dense, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("graft: ReadIDX: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, fmt.Errorf("graft: ReadIDX: the header is cut short: %w", err)
	}
	typ, ok := idxTypes[head[2]]
	switch {
	case head[0] != 0 || head[1] != 0:
		return nil, fmt.Errorf("graft: ReadIDX: not an IDX file: it starts % x, not 00 00", head[:2])
	case !ok:
		return nil, fmt.Errorf("graft: ReadIDX: unknown element type 0x%02x", head[2])
	case head[3] == 0:
		return nil, errors.New("graft: ReadIDX: the array has no axes")
	}
	shape := make([]int, head[3])
	n := 1
	for i := range shape {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("graft: ReadIDX: the size of axis %d is cut short: %w", i, err)
		}
		if d == 0 {
			return nil, fmt.Errorf("graft: ReadIDX: axis %d has size 0", i)
		}
		if uint64(n)*uint64(d) > MaxIDXElements {
			return nil, fmt.Errorf("graft: ReadIDX: the array has more than %d elements", MaxIDXElements)
		}
		shape[i], n = int(d), n*int(d)
	}
	raw := make([]byte, n*typ.size)
	if _, err := io.ReadFull(br, raw); err != nil {
		return nil, fmt.Errorf("graft: ReadIDX: %d elements of shape %v are cut short: %w", n, shape, err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("graft: ReadIDX: bytes follow the last of the %d elements of shape %v", n, shape)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(decode(typ.dtype, raw, n))), nil
}

// decode turns big-endian elements into a slice of the dtype's Go type.
func decode(dt tensor.Dtype, raw []byte, n int) any {
	be := binary.BigEndian
	switch dt {
	case tensor.Uint8:
		return raw
	case tensor.Int8:
		out := make([]int8, n)
		for i := range out {
			out[i] = int8(raw[i])
		}
		return out
	case tensor.Int16:
		out := make([]int16, n)
		for i := range out {
			out[i] = int16(be.Uint16(raw[2*i:]))
		}
		return out
	case tensor.Int32:
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(be.Uint32(raw[4*i:]))
		}
		return out
	case tensor.Float32:
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(be.Uint32(raw[4*i:]))
		}
		return out
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(be.Uint64(raw[8*i:]))
	}
	return out
}

// ReadIDXFile reads the IDX array in the file at path, gzip-compressed or
// not. It refuses anything but a regular file, so a FIFO or a device
// cannot make it wait or read without end.
func ReadIDXFile(path string) (*tensor.Dense, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("graft: ReadIDXFile: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("graft: ReadIDXFile: %s is not a regular file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("graft: ReadIDXFile: %w", err)
	}
	t, err := ReadIDX(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return t, nil
}

// WriteIDX writes t in the IDX format, uncompressed: the inverse of
// ReadIDX, for tests and for tools that make small data sets.
func WriteIDX(w io.Writer, t *tensor.Dense) error {
	switch {
	case t == nil:
		return errors.New("graft: WriteIDX: the tensor is nil")
	case t.Dtype().Type == nil: // a zero tensor.Dense, whose dtype cannot be printed
		return errors.New("graft: WriteIDX: the tensor is a zero tensor.Dense, with no dtype")
	}
	code, ok := idxDtype(t.Dtype())
	if !ok {
		return fmt.Errorf("graft: WriteIDX: IDX has no element type for %v", t.Dtype())
	}
	shape := t.Shape()
	if len(shape) == 0 || len(shape) > 255 {
		return fmt.Errorf("graft: WriteIDX: IDX holds 1 to 255 axes, not %d", len(shape))
	}
	bw := bufio.NewWriter(w)
	bw.Write([]byte{0, 0, code, byte(len(shape))})
	for _, d := range shape {
		if d > math.MaxUint32 {
			return fmt.Errorf("graft: WriteIDX: an axis of size %d does not fit IDX's uint32", d)
		}
		binary.Write(bw, binary.BigEndian, uint32(d))
	}
	if err := binary.Write(bw, binary.BigEndian, t.Data()); err != nil {
		return fmt.Errorf("graft: WriteIDX: %w", err)
	}
	return bw.Flush()
}
