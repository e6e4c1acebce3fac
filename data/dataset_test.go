package data_test

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"graft/data"
)

// rows3x2 is a dataset of three examples of two inputs each, whose values
// say where they come from: x[r] = (10r, 10r+1), y[r] = r.
func rows3x2(t *testing.T) *data.Tensors {
	t.Helper()
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0, 1, 10, 11, 20, 21}))
	y := tensor.New(tensor.WithShape(3), tensor.WithBacking([]int64{0, 1, 2}))
	d, err := data.FromTensors(x, y)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// newBatch is data.NewBatch for a test that expects no error.
func newBatch(t *testing.T, d data.Dataset, rows int) (x, y *tensor.Dense) {
	t.Helper()
	x, y, err := data.NewBatch(d, rows)
	if err != nil {
		t.Fatal(err)
	}
	return x, y
}

func TestNewBatchRejectsWhatMakesNoTensor(t *testing.T) {
	cases := []struct {
		name string
		d    data.Dataset
		rows int
		want string
	}{
		{"a nil dataset", nil, 1, "the dataset is nil"},
		{"negative rows", rows3x2(t), -2, "a batch of -2 rows"},
		{"a Spec without a dtype", badSpec{}, 1, "x Spec has no dtype"},
		{"a negative axis", badSpec{x: data.Spec{Dtype: tensor.Float64, Shape: []int{2, -1}}}, 1, "x Spec has the shape [2 -1]"},
		{"a y Spec without a dtype", badSpec{x: data.Spec{Dtype: tensor.Float64}, y: data.Spec{Shape: []int{2}}}, 1, "y Spec has no dtype"},
	}
	for _, c := range cases {
		_, _, err := data.NewBatch(c.d, c.rows)
		if err == nil || !strings.HasPrefix(err.Error(), "graft: NewBatch: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if x, y := newBatch(t, rows3x2(t), 0); x.Shape()[0] != 0 || y.Shape()[0] != 0 {
		t.Errorf("a batch of 0 rows has shapes %v and %v", x.Shape(), y.Shape())
	}
}

// badSpec is a Dataset whose Spec describes no tensor.
type badSpec struct{ x, y data.Spec }

func (b badSpec) Len() int                                   { return 1 }
func (b badSpec) Spec() (x, y data.Spec)                     { return b.x, b.y }
func (b badSpec) Batch(rows []int, x, y *tensor.Dense) error { return nil }

func TestBatchCopiesTheChosenRowsOfEveryDtype(t *testing.T) {
	for _, c := range []struct {
		name string
		x    *tensor.Dense
		want any
	}{
		{"float32", tensor.New(tensor.WithShape(3, 1, 2), tensor.WithBacking([]float32{0, 1, 10, 11, 20, 21})), []float32{20, 21, 0, 1, 20, 21}},
		{"float64", tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0, 1, 10, 11, 20, 21})), []float64{20, 21, 0, 1, 20, 21}},
		{"int64", tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]int64{0, 1, 10, 11, 20, 21})), []int64{20, 21, 0, 1, 20, 21}},
		{"a scalar per example", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 10, 20})), []float64{20, 0, 20}},
	} {
		y := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{0.5, 1.5, 2.5}))
		d, err := data.FromTensors(c.x, y)
		if err != nil {
			t.Fatal(err)
		}
		bx, by := newBatch(t, d, 3)
		if err := d.Batch([]int{2, 0, 2}, bx, by); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(bx.Data(), c.want) || !reflect.DeepEqual(by.Data(), []float32{2.5, 0.5, 2.5}) {
			t.Errorf("%s: got x %v y %v", c.name, bx.Data(), by.Data())
		}
		if !bx.Shape().Eq(append(tensor.Shape{3}, c.x.Shape()[1:]...)) {
			t.Errorf("%s: NewBatch made x of shape %v", c.name, bx.Shape())
		}
	}
}

func TestBatchWithANilYFillsTheInputsOnly(t *testing.T) {
	d := rows3x2(t)
	bx, _ := newBatch(t, d, 1)
	if err := d.Batch([]int{1}, bx, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(bx.Float64s(), []float64{10, 11}) {
		t.Fatalf("got %v", bx.Float64s())
	}
	unlabelled, err := data.FromTensors(d.X(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ys := unlabelled.Spec(); !ys.IsZero() {
		t.Fatalf("the y Spec of a dataset without targets is %+v", ys)
	}
	if bx, by := newBatch(t, unlabelled, 2); by != nil || bx == nil {
		t.Fatalf("NewBatch of a dataset without targets gave y %v", by)
	}
	y := tensor.New(tensor.WithShape(1), tensor.Of(tensor.Int64))
	if err := unlabelled.Batch([]int{0}, bx, y); err == nil || !strings.Contains(err.Error(), "no targets") {
		t.Fatalf("got %v", err)
	}
}

func TestBatchRejectsRowsAndTensorsThatDoNotFit(t *testing.T) {
	d := rows3x2(t)
	bx, by := newBatch(t, d, 2)
	cases := []struct {
		name string
		rows []int
		x, y *tensor.Dense
		want string
	}{
		{"a row past the end", []int{0, 3}, bx, by, "rows[1] is 3, outside the dataset's 3 rows"},
		{"a negative row", []int{-1, 0}, bx, by, "rows[0] is -1"},
		{"fewer rows than the batch", []int{0}, bx, by, "x is float64 of shape (2, 2), but a batch of 1 rows is float64 of shape (1, 2)"},
		{"another dtype", []int{0, 1}, tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32)), by, "x is float32"},
		{"another row shape", []int{0, 1}, tensor.New(tensor.WithShape(2, 3), tensor.Of(tensor.Float64)), by, "shape (2, 3)"},
		{"another rank", []int{0, 1}, bx, tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.Int64)), "y is int64 of shape (2, 1), but a batch of 2 rows is int64 of shape (2)"},
		{"a nil x", []int{0, 1}, nil, by, "x is nil"},
		{"a zero tensor", []int{0, 1}, bx, &tensor.Dense{}, "y is a zero tensor.Dense"},
	}
	for _, c := range cases {
		err := d.Batch(c.rows, c.x, c.y)
		if err == nil || !strings.HasPrefix(err.Error(), "graft: Batch: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestFromTensorsRejectsWhatIsNotADataset(t *testing.T) {
	x := tensor.New(tensor.WithShape(3, 2), tensor.Of(tensor.Float64))
	transposed := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	if err := transposed.T(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		x, y *tensor.Dense
		want string
	}{
		{"nil x", nil, nil, "x is nil"},
		{"a zero tensor", &tensor.Dense{}, nil, "no dtype"},
		{"uint8", tensor.New(tensor.WithShape(3), tensor.Of(tensor.Uint8)), nil, "x is uint8"},
		{"a scalar", tensor.New(tensor.FromScalar(1.0)), nil, "needs a first axis"},
		{"no rows", tensor.New(tensor.WithShape(0, 2), tensor.Of(tensor.Float64)), nil, "holds no examples"},
		{"not contiguous", transposed, nil, "not contiguous"},
		{"mismatched counts", x, tensor.New(tensor.WithShape(2), tensor.Of(tensor.Int64)), "x has 3 examples (shape (3, 2)) but y has 2 (shape (2))"},
		{"bad y", x, tensor.New(tensor.WithShape(3), tensor.Of(tensor.Int32)), "y is int32"},
	}
	for _, c := range cases {
		_, err := data.FromTensors(c.x, c.y)
		if err == nil || !strings.HasPrefix(err.Error(), "graft: FromTensors: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestBatchAllocatesNothing(t *testing.T) {
	d := rows3x2(t)
	sub, err := data.Subset(d, []int{2, 1})
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := data.Subset(opaque{d}, []int{2, 1}) // the generic subset
	if err != nil {
		t.Fatal(err)
	}
	for name, ds := range map[string]data.Dataset{"Tensors": d, "Subset of Tensors": sub, "Subset of another Dataset": wrapped} {
		bx, by := newBatch(t, ds, 2)
		rows := []int{1, 0}
		if err := ds.Batch(rows, bx, by); err != nil { // grows the generic subset's buffer
			t.Fatal(err)
		}
		if allocs := testing.AllocsPerRun(100, func() { _ = ds.Batch(rows, bx, by) }); allocs != 0 {
			t.Errorf("%s: %v allocations per Batch", name, allocs)
		}
	}
}

// opaque hides a *Tensors behind the Dataset interface, so that Subset
// takes its generic path.
type opaque struct{ data.Dataset }

func TestSubsetReadsItsRowsOfTheDataset(t *testing.T) {
	d := rows3x2(t)
	for name, base := range map[string]data.Dataset{"Tensors": d, "another Dataset": opaque{d}} {
		sub, err := data.Subset(base, []int{2, 0})
		if err != nil {
			t.Fatal(err)
		}
		subsub, err := data.Subset(sub, []int{1, 1, 0}) // rows 0, 0, 2 of d
		if err != nil {
			t.Fatal(err)
		}
		bx, by := newBatch(t, subsub, 3)
		if err := subsub.Batch([]int{0, 1, 2}, bx, by); err != nil {
			t.Fatal(err)
		}
		if subsub.Len() != 3 || !reflect.DeepEqual(bx.Float64s(), []float64{0, 1, 0, 1, 20, 21}) || !reflect.DeepEqual(by.Int64s(), []int64{0, 0, 2}) {
			t.Errorf("%s: got %d rows, x %v y %v", name, subsub.Len(), bx.Float64s(), by.Int64s())
		}
		one, _ := newBatch(t, sub, 1)
		if err := sub.Batch([]int{2}, one, nil); err == nil || !strings.Contains(err.Error(), "rows[0] is 2, outside the dataset's 2 rows") {
			t.Errorf("%s: a row past the subset's end was accepted", name)
		}
	}
	for _, rows := range [][]int{nil, {3}, {-1}} {
		if _, err := data.Subset(d, rows); err == nil || !strings.HasPrefix(err.Error(), "graft: Subset: ") {
			t.Errorf("Subset(%v): got %v", rows, err)
		}
	}
	if _, err := data.Subset(nil, []int{0}); err == nil {
		t.Error("Subset of nil was accepted")
	}
}

func TestBatchMayBeReadFromSeveralGoroutines(t *testing.T) {
	d := rows3x2(t)
	wrapped, _ := data.Subset(opaque{d}, []int{0, 1, 2})
	for _, ds := range []data.Dataset{d, wrapped} {
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				bx, by := newBatch(t, ds, 1)
				for i := range 50 {
					r := (g + i) % 3
					if err := ds.Batch([]int{r}, bx, by); err != nil || by.Int64s()[0] != int64(r) || bx.Float64s()[0] != float64(10*r) {
						t.Errorf("row %d: got x %v y %v, %v", r, bx.Float64s(), by.Int64s(), err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
}

// BenchmarkEpochOfBatches reads one epoch of an MNIST-shaped float32 set
// (10,000 rows of 784) in shuffled batches of 64: the copying a training
// loop adds to its steps.
func BenchmarkEpochOfBatches(b *testing.B) {
	x := tensor.New(tensor.WithShape(10000, 784), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(10000), tensor.Of(tensor.Int64))
	d, err := data.FromTensors(x, y)
	if err != nil {
		b.Fatal(err)
	}
	full, fullY, _ := data.NewBatch(d, 64)
	last, lastY, _ := data.NewBatch(d, d.Len()%64)
	order := make([]int, d.Len())
	batches, _ := data.NewBatches(order, 64)
	b.ReportAllocs()
	for epoch := 0; b.Loop(); epoch++ {
		data.Permutation(order, 1, epoch)
		for i := range batches.Len() {
			rows := batches.At(i)
			bx, by := full, fullY
			if len(rows) < 64 {
				bx, by = last, lastY
			}
			if err := d.Batch(rows, bx, by); err != nil {
				b.Fatal(err)
			}
		}
	}
}
