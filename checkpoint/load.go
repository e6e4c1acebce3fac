package checkpoint

import (
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"syscall"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Load reads the safetensors file at path into params, by name, writing into
// each parameter's tensor in place. It changes nothing unless the whole file
// is valid and matches: every parameter is in the file with its dtype and
// shape, and the file holds no other tensor.
//
// A path that is not a regular file (a pipe such as bash's
// <(cat model.safetensors), a named pipe, a device) is read as a stream, as
// Read reads one: to its end, holding at most the header (100 MB at most)
// and the parameters' own size in memory whatever the stream sends. Load
// opens a named pipe without waiting for a writer; if none has opened it by
// the time Load reads, that is an error, not a wait. A directory is an error.
func Load(path string, params []*graph.Node) error {
	// O_NONBLOCK keeps the open of a named pipe from waiting for a writer;
	// the os package then reads the pipe through its poller, which waits
	// for data as a blocking read would.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return wrap(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return wrap(err)
	}
	mode := info.Mode()
	switch {
	case mode.IsRegular():
		err = read(f, info.Size(), params)
	case mode.IsDir():
		return wrap(fmt.Errorf("%s is a directory, not a checkpoint", path))
	default:
		r := &countingReader{r: f}
		err = read(r, -1, params)
		if err != nil && r.n == 0 && mode&fs.ModeNamedPipe != 0 {
			return wrap(fmt.Errorf("%s: %w: the named pipe has no writer, or its writer sent nothing (Load does not wait for one: start the writer first)", path, ErrFormat))
		}
	}
	if err != nil {
		return wrap(fmt.Errorf("%s: %w", path, err))
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Read reads a safetensors stream from r into params, as Load does. It reads
// r to its end, to make sure nothing follows the last tensor.
func Read(r io.Reader, params []*graph.Node) error {
	if err := read(r, -1, params); err != nil {
		return wrap(err)
	}
	return nil
}

// read loads params from r in two stages, the header and then the tensors,
// and copies the tensors into params only once both have succeeded. size is
// the stream's length, or -1 if unknown.
func read(r io.Reader, size int64, params []*graph.Node) error {
	if _, err := sorted(params); err != nil {
		return err
	}
	entries, err := readHeader(r, size)
	if err != nil {
		return err
	}
	order, err := match(entries, params)
	if err != nil {
		return err
	}
	staged, err := readTensors(r, order)
	if err != nil {
		return err
	}
	if size < 0 {
		var one [1]byte
		if k, _ := io.ReadFull(r, one[:]); k > 0 {
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

// readHeader reads the header's length and the header, and returns its
// entries sorted by offset once they are known to tile the data. When size
// is known it also checks that the data is exactly as long as the header says.
func readHeader(r io.Reader, size int64) ([]entry, error) {
	var lenBytes [8]byte
	if k, err := io.ReadFull(r, lenBytes[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, formatError("the file is %d bytes long; it must start with an 8-byte header length", k)
		}
		return nil, err
	}
	n := binary.LittleEndian.Uint64(lenBytes[:])
	rest := uint64(max(size-8, 0)) // bytes after the length, if size is known
	switch {
	case n > maxHeader:
		return nil, formatError("the header length %d is over the limit of %d bytes", n, maxHeader)
	case size >= 0 && n > rest:
		return nil, formatError("the header length %d is larger than the rest of the file (%d bytes)", n, rest)
	}
	header, err := readN(r, n, size >= 0)
	if err != nil {
		return nil, err
	}
	entries, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	dataLen, err := validate(entries)
	if err != nil {
		return nil, err
	}
	if size >= 0 {
		switch have := rest - n; {
		case have < dataLen:
			return nil, formatError("the data is cut short: the header describes %d bytes, the file holds %d", dataLen, have)
		case have > dataLen:
			return nil, formatError("%d bytes follow the last tensor", have-dataLen)
		}
	}
	return entries, nil
}

// readN reads the n-byte header. A file's size was checked against n, so
// its header is read into one buffer of n bytes; a stream's is read into a
// buffer that grows as bytes arrive, so that a stream cut short never makes
// Load allocate the whole length it claims.
func readN(r io.Reader, n uint64, sized bool) ([]byte, error) {
	if sized {
		header := make([]byte, n)
		if k, err := io.ReadFull(r, header); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, formatError("the header is cut short: %d of its %d bytes", k, n)
			}
			return nil, err
		}
		return header, nil
	}
	header, err := io.ReadAll(io.LimitReader(r, int64(n)))
	if err != nil {
		return nil, err
	}
	if uint64(len(header)) < n {
		return nil, formatError("the header is cut short: %d of its %d bytes", len(header), n)
	}
	return header, nil
}

// readTensors reads the data of each parameter of order, in order, into new
// tensors: the file's bytes touch the parameters only once all are read.
func readTensors(r io.Reader, order []*graph.Node) ([]*tensor.Dense, error) {
	staged := make([]*tensor.Dense, len(order))
	buf := make([]byte, chunk)
	for i, p := range order {
		t := tensor.New(tensor.Of(p.DType()), tensor.WithShape(p.Shape()...))
		if err := readData(r, t, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, formatError("the data is cut short in tensor %s", quoteName(p.Name()))
			}
			return nil, err
		}
		staged[i] = t
	}
	return staged, nil
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
			return nil, mismatch("parameter %s is not in the file", quoteName(p.Name()))
		}
		e := entries[i]
		if want := fileDType(p.DType()); e.dtype != want {
			return nil, mismatch("parameter %s is %s in the model and %s in the file", quoteName(p.Name()), want, e.dtype)
		}
		if !p.Shape().Equal(e.shape) {
			return nil, mismatch("parameter %s has shape %s in the model and %s in the file",
				quoteName(p.Name()), quoteShape(p.Shape()), quoteShape(e.shape))
		}
		order[i] = p
	}
	for i, p := range order {
		if p == nil {
			return nil, mismatch("the file holds tensor %s, which no parameter is named (loading is strict)", quoteName(entries[i].name))
		}
	}
	return order, nil
}

// readData fills t from r's little-endian bytes, a chunk at a time.
func readData(r io.Reader, t *tensor.Dense, buf []byte) error {
	size := int(t.Dtype().Size())
	if t.Dtype() == tensor.Float32 {
		return readValues(r, t.Float32s(), size, buf)
	}
	return readValues(r, t.Float64s(), size, buf)
}

// readValues fills vs from r's little-endian bytes, size bytes a value.
func readValues[T float32 | float64](r io.Reader, vs []T, size int, buf []byte) error {
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
