package data

import (
	"errors"
	"fmt"
	"sync"

	"gorgonia.org/tensor"
)

// Spec is the dtype and shape of one example's inputs or targets: a batch
// of n examples has shape (n, Shape...). The zero Spec describes targets a
// dataset does not have.
type Spec struct {
	Dtype tensor.Dtype
	Shape []int // without the first (example) axis; empty for a scalar per example
}

// IsZero reports whether s is the zero Spec, that of a dataset without
// targets.
func (s Spec) IsZero() bool { return s.Dtype.Type == nil && len(s.Shape) == 0 }

// Dataset is a set of examples that a training loop reads in batches.
// Batch copies the examples that rows numbers into tensors the caller
// allocated once (NewBatch makes them), so a loop allocates nothing per
// step, and Spec says what those tensors are.
//
// Batch fills x, of shape (len(rows), xSpec.Shape...) and xSpec's dtype,
// and y likewise when y is not nil; a nil y fills the inputs only, as
// prediction needs, and is the only y a dataset without targets takes. A
// row outside [0, Len()) or a tensor of another shape or dtype is an error
// and leaves the batch unspecified. The implementations in this package
// may be read from several goroutines at once, each into its own tensors.
type Dataset interface {
	Len() int
	Spec() (x, y Spec)
	Batch(rows []int, x, y *tensor.Dense) error
}

// NewBatch allocates the tensors a batch of the given number of rows of d
// is read into: y is nil when d has no targets. A negative number of rows,
// or a Spec that describes no tensor, is an error.
func NewBatch(d Dataset, rows int) (x, y *tensor.Dense, err error) {
	if d == nil {
		return nil, nil, errors.New("graft: NewBatch: the dataset is nil")
	}
	if rows < 0 {
		return nil, nil, fmt.Errorf("graft: NewBatch: a batch of %d rows", rows)
	}
	xs, ys := d.Spec()
	if x, err = batchOf("x", xs, rows); err != nil {
		return nil, nil, err
	}
	if !ys.IsZero() {
		if y, err = batchOf("y", ys, rows); err != nil {
			return nil, nil, err
		}
	}
	return x, y, nil
}

func batchOf(name string, s Spec, rows int) (*tensor.Dense, error) {
	if s.Dtype.Type == nil {
		return nil, fmt.Errorf("graft: NewBatch: the dataset's %s Spec has no dtype", name)
	}
	for _, d := range s.Shape {
		if d < 0 {
			return nil, fmt.Errorf("graft: NewBatch: the dataset's %s Spec has the shape %v", name, s.Shape)
		}
	}
	return tensor.New(tensor.WithShape(append([]int{rows}, s.Shape...)...), tensor.Of(s.Dtype)), nil
}

// Tensors is an in-memory Dataset over two tensors whose first axis
// indexes examples: inputs x and targets y (nil for a dataset without
// targets). It reads the tensors' backing arrays without copying them, so
// they must not change while it is in use; a Subset or Split of it is a
// list of row numbers over the same arrays.
type Tensors struct {
	x, y  *tensor.Dense
	index []int // rows of x and y, in order; nil for all of them
}

// FromTensors returns the dataset of the rows of x and y: float32, float64
// or int64 (graph.Int64, graft's dtype for class ids) tensors, contiguous,
// with the same number of rows, at least one. y may be nil.
func FromTensors(x, y *tensor.Dense) (*Tensors, error) {
	if err := checkSource("x", x); err != nil {
		return nil, err
	}
	if y != nil {
		if err := checkSource("y", y); err != nil {
			return nil, err
		}
		if x.Shape()[0] != y.Shape()[0] {
			return nil, fmt.Errorf("graft: FromTensors: x has %d examples (shape %v) but y has %d (shape %v)", x.Shape()[0], x.Shape(), y.Shape()[0], y.Shape())
		}
	}
	return &Tensors{x: x, y: y}, nil
}

func checkSource(name string, t *tensor.Dense) error {
	switch {
	case t == nil:
		return fmt.Errorf("graft: FromTensors: %s is nil", name)
	case t.Dtype().Type == nil:
		return fmt.Errorf("graft: FromTensors: %s is a zero tensor.Dense, with no dtype", name)
	case !rowDtype(t.Dtype()):
		return fmt.Errorf("graft: FromTensors: %s is %v; a dataset holds float32, float64 or int64 (convert first: LoadIDX converts IDX files)", name, t.Dtype())
	case len(t.Shape()) == 0 || t.Shape().IsScalar():
		return fmt.Errorf("graft: FromTensors: %s (shape %v) needs a first axis that indexes examples", name, t.Shape())
	case t.Shape()[0] == 0:
		return fmt.Errorf("graft: FromTensors: %s (shape %v) holds no examples", name, t.Shape())
	case t.RequiresIterator():
		return fmt.Errorf("graft: FromTensors: %s is not contiguous; call Materialize() first", name)
	}
	return nil
}

func rowDtype(dt tensor.Dtype) bool {
	return dt == tensor.Float32 || dt == tensor.Float64 || dt == tensor.Int64
}

// Len returns the number of examples.
func (t *Tensors) Len() int {
	if t.index != nil {
		return len(t.index)
	}
	return t.x.Shape()[0]
}

// Spec returns the dtype and per-example shape of x and y.
func (t *Tensors) Spec() (x, y Spec) {
	x = Spec{Dtype: t.x.Dtype(), Shape: append([]int{}, t.x.Shape()[1:]...)}
	if t.y != nil {
		y = Spec{Dtype: t.y.Dtype(), Shape: append([]int{}, t.y.Shape()[1:]...)}
	}
	return x, y
}

// X returns the inputs of every row of the underlying tensors, not only of
// this dataset's rows when it is a Subset.
func (t *Tensors) X() *tensor.Dense { return t.x }

// Y returns the targets as X does its inputs; nil when there are none.
func (t *Tensors) Y() *tensor.Dense { return t.y }

// Batch copies the given rows into x and, when it is not nil, y. It
// allocates nothing.
func (t *Tensors) Batch(rows []int, x, y *tensor.Dense) error {
	if err := checkBatch("x", x, t.x, len(rows)); err != nil {
		return err
	}
	if y != nil {
		if t.y == nil {
			return errors.New("graft: Batch: the dataset has no targets; pass a nil y")
		}
		if err := checkBatch("y", y, t.y, len(rows)); err != nil {
			return err
		}
	}
	n := t.Len()
	for i, r := range rows {
		if r < 0 || r >= n {
			return fmt.Errorf("graft: Batch: rows[%d] is %d, outside the dataset's %d rows", i, r, n)
		}
	}
	gather(x, t.x, rows, t.index)
	if y != nil {
		gather(y, t.y, rows, t.index)
	}
	return nil
}

// checkBatch reports a batch tensor dst that cannot hold size rows of src.
// It allocates only to build its error.
func checkBatch(name string, dst, src *tensor.Dense, size int) error {
	switch {
	case dst == nil:
		return fmt.Errorf("graft: Batch: %s is nil", name)
	case dst.Dtype().Type == nil: // a zero tensor.Dense, whose dtype cannot be printed
		return fmt.Errorf("graft: Batch: %s is a zero tensor.Dense, with no dtype", name)
	}
	ds, ss := dst.Shape(), src.Shape()
	same := dst.Dtype() == src.Dtype() && len(ds) == len(ss) && ds[0] == size
	for i := 1; same && i < len(ss); i++ {
		same = ds[i] == ss[i]
	}
	if !same {
		want := append([]int{size}, ss[1:]...)
		return fmt.Errorf("graft: Batch: %s is %v of shape %v, but a batch of %d rows is %v of shape %v", name, dst.Dtype(), ds, size, src.Dtype(), tensor.Shape(want))
	}
	if dst.RequiresIterator() {
		return fmt.Errorf("graft: Batch: %s is not contiguous", name)
	}
	return nil
}

// gather copies rows of src (through index, when it is not nil) into dst,
// both of one of the three dtypes rowDtype allows.
func gather(dst, src *tensor.Dense, rows, index []int) {
	width := 1
	for _, d := range src.Shape()[1:] {
		width *= d
	}
	switch src.Dtype() {
	case tensor.Float32:
		copyRows(dst.Float32s(), src.Float32s(), rows, index, width)
	case tensor.Float64:
		copyRows(dst.Float64s(), src.Float64s(), rows, index, width)
	default:
		copyRows(dst.Int64s(), src.Int64s(), rows, index, width)
	}
}

func copyRows[T any](dst, src []T, rows, index []int, width int) {
	for i, r := range rows {
		if index != nil {
			r = index[r]
		}
		copy(dst[i*width:(i+1)*width], src[r*width:(r+1)*width])
	}
}

// Subset returns the dataset of the given rows of d, in that order; a row
// may appear more than once (a bootstrap sample). Of a *Tensors it is a
// *Tensors over the same arrays. Of another Dataset, its Batch translates
// the rows into a buffer it keeps and grows to the largest batch, so
// concurrent Batch calls of one Subset take turns.
func Subset(d Dataset, rows []int) (Dataset, error) {
	if d == nil {
		return nil, errors.New("graft: Subset: the dataset is nil")
	}
	n := d.Len()
	if len(rows) == 0 {
		return nil, errors.New("graft: Subset: no rows given")
	}
	for i, r := range rows {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("graft: Subset: rows[%d] is %d, outside the dataset's %d rows", i, r, n)
		}
	}
	if t, ok := d.(*Tensors); ok {
		index := make([]int, len(rows))
		for i, r := range rows {
			if t.index != nil {
				r = t.index[r]
			}
			index[i] = r
		}
		return &Tensors{x: t.x, y: t.y, index: index}, nil
	}
	return &subset{d: d, rows: append([]int{}, rows...)}, nil
}

// subset is Subset of a Dataset other than *Tensors.
type subset struct {
	d    Dataset
	rows []int

	mu      sync.Mutex
	scratch []int // the rows of d of the batch being read
}

func (s *subset) Len() int          { return len(s.rows) }
func (s *subset) Spec() (x, y Spec) { return s.d.Spec() }

func (s *subset) Batch(rows []int, x, y *tensor.Dense) error {
	for i, r := range rows {
		if r < 0 || r >= len(s.rows) {
			return fmt.Errorf("graft: Batch: rows[%d] is %d, outside the dataset's %d rows", i, r, len(s.rows))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cap(s.scratch) < len(rows) {
		s.scratch = make([]int, len(rows))
	}
	inner := s.scratch[:len(rows)]
	for i, r := range rows {
		inner[i] = s.rows[r]
	}
	return s.d.Batch(inner, x, y)
}
