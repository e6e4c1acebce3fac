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
	targets, err := targetsOf(params, Options{})
	if err != nil {
		return wrap(err)
	}
	return loadPath(path, func(r io.Reader, size int64) error {
		st, err := stage(r, size, targets, Options{Strict: true})
		if err != nil {
			return err
		}
		st.commit()
		return nil
	})
}

// loadPath opens path as Load does and gives load the file and its size (-1
// for a stream), prefixing load's error with the path.
func loadPath(path string, load func(r io.Reader, size int64) error) error {
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
		err = load(f, info.Size())
	case mode.IsDir():
		return wrap(fmt.Errorf("%s is a directory, not a checkpoint", path))
	default:
		r := &countingReader{r: f}
		err = load(r, -1)
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
	targets, err := targetsOf(params, Options{})
	if err != nil {
		return wrap(err)
	}
	st, err := stage(r, -1, targets, Options{Strict: true})
	if err != nil {
		return wrap(err)
	}
	st.commit()
	return nil
}

// target is a tensor that a tensor of a file may load into: a parameter's
// value, or a fresh tensor for an optimizer's slot.
type target struct {
	name      string // the name of the file's tensor it takes, after Options.Rename
	dtype     graph.DType
	shape     graph.Shape
	dst       *tensor.Dense
	transpose bool // the file holds the transposed matrix
	optional  bool // a file without it is not missing anything
}

// targetsOf checks params and makes their targets.
func targetsOf(params []*graph.Node, opts Options) ([]target, error) {
	ts, err := checkParams(params)
	if err != nil {
		return nil, err
	}
	targets := make([]target, len(ts))
	for i, t := range ts {
		targets[i] = target{name: t.name, dtype: t.dtype, shape: t.shape, dst: t.value}
		targets[i].transpose = opts.Transpose != nil && opts.Transpose(t.name)
	}
	return targets, nil
}

// staged is a file read in whole and matched to its targets, its tensors
// held apart until commit copies them in.
type staged struct {
	report Report
	meta   metadata
	loads  []stagedTensor
}

type stagedTensor struct {
	target *target
	data   *tensor.Dense // in the file's shape
}

// commit copies every staged tensor into its target, transposing a matrix
// the file holds transposed.
func (s *staged) commit() {
	for _, l := range s.loads {
		t := l.target
		switch {
		case t.transpose && t.dtype == tensor.Float32:
			transposeInto(t.dst.Float32s(), l.data.Float32s(), t.shape[0], t.shape[1])
		case t.transpose:
			transposeInto(t.dst.Float64s(), l.data.Float64s(), t.shape[0], t.shape[1])
		case t.dtype == tensor.Float32:
			copy(t.dst.Float32s(), l.data.Float32s())
		default:
			copy(t.dst.Float64s(), l.data.Float64s())
		}
	}
}

// transposeInto writes the transpose of src, a (cols, rows) matrix, into
// dst, a (rows, cols) one.
func transposeInto[T float32 | float64](dst, src []T, rows, cols int) {
	for i := range rows {
		for j := range cols {
			dst[i*cols+j] = src[j*rows+i]
		}
	}
}

// stage reads a file from r in two stages, the header and then the
// tensors, matching the header to targets in between; nothing is copied
// into a target until the caller commits. size is the stream's length, or
// -1 if unknown. A tensor of the file that loads into no target is read
// past, not kept. A mismatch is an error if opts.Strict, and otherwise only
// when nothing matches; the report is filled either way once the header
// is read.
func stage(r io.Reader, size int64, targets []target, opts Options) (*staged, error) {
	entries, meta, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	st := &staged{meta: meta}
	plan, err := match(entries, targets, opts, &st.report)
	st.report.Metadata = meta.values
	if err != nil {
		return st, err
	}
	if err := st.report.check(opts.Strict, len(targets)); err != nil {
		return st, err
	}
	if err := st.readTensors(r, entries, plan, targets); err != nil {
		return st, err
	}
	if size < 0 {
		var one [1]byte
		if k, _ := io.ReadFull(r, one[:]); k > 0 {
			return st, formatError("bytes follow the last tensor")
		}
	}
	return st, nil
}

// readHeader reads the header's length and the header, and returns its
// entries sorted by offset once they are known to tile the data. When size
// is known it also checks that the data is exactly as long as the header says.
func readHeader(r io.Reader, size int64) ([]entry, metadata, error) {
	var lenBytes [8]byte
	if k, err := io.ReadFull(r, lenBytes[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, metadata{}, formatError("the file is %d bytes long; it must start with an 8-byte header length", k)
		}
		return nil, metadata{}, err
	}
	n := binary.LittleEndian.Uint64(lenBytes[:])
	rest := uint64(max(size-8, 0)) // bytes after the length, if size is known
	switch {
	case n > maxHeader:
		return nil, metadata{}, formatError("the header length %d is over the limit of %d bytes", n, maxHeader)
	case size >= 0 && n > rest:
		return nil, metadata{}, formatError("the header length %d is larger than the rest of the file (%d bytes)", n, rest)
	}
	header, err := readN(r, n, size >= 0)
	if err != nil {
		return nil, metadata{}, err
	}
	entries, meta, err := parseHeader(header)
	if err != nil {
		return nil, metadata{}, err
	}
	dataLen, err := validate(entries)
	if err != nil {
		return nil, metadata{}, err
	}
	if size >= 0 {
		switch have := rest - n; {
		case have < dataLen:
			return nil, metadata{}, formatError("the data is cut short: the header describes %d bytes, the file holds %d", dataLen, have)
		case have > dataLen:
			return nil, metadata{}, formatError("%d bytes follow the last tensor", have-dataLen)
		}
	}
	return entries, meta, nil
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

// readTensors reads the data of every entry, in order: into a new tensor
// when plan gives it a target, past it otherwise. The file's bytes touch the
// targets only when the caller commits.
func (s *staged) readTensors(r io.Reader, entries []entry, plan []int, targets []target) error {
	buf := make([]byte, chunk)
	for i, e := range entries {
		var err error
		if plan[i] < 0 {
			_, err = io.CopyN(io.Discard, r, int64(e.end-e.begin))
		} else {
			t := &targets[plan[i]]
			data := tensor.New(tensor.Of(t.dtype), tensor.WithShape(e.shape...))
			if err = readData(r, data, buf); err == nil {
				s.loads = append(s.loads, stagedTensor{t, data})
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return formatError("the data is cut short in tensor %s", quoteName(e.name))
		}
		if err != nil {
			return err
		}
	}
	return nil
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
