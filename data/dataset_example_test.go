package data_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"

	"graft/data"
)

// FromTensors wraps tensors whose first axis indexes examples; nothing is
// copied.
func ExampleFromTensors() {
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{0, 0, 0, 1, 1, 0, 1, 1}))
	y := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int64{0, 1, 1, 0})) // class ids
	d, err := data.FromTensors(x, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Len(), "examples")
	_, err = data.FromTensors(x, tensor.New(tensor.WithShape(3), tensor.Of(tensor.Int64)))
	fmt.Println(err)
	// Output:
	// 4 examples
	// graft: FromTensors: x has 4 examples (shape (4, 2)) but y has 3 (shape (3))
}

// NewBatch allocates the tensors a batch is read into, once; Batch then
// fills them for each step without allocating.
func ExampleNewBatch() {
	x := tensor.New(tensor.WithShape(5, 3), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(5), tensor.Of(tensor.Int64))
	d, _ := data.FromTensors(x, y)
	bx, by, err := data.NewBatch(d, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bx.Shape(), bx.Dtype(), by.Shape(), by.Dtype())
	_, _, err = data.NewBatch(d, -1)
	fmt.Println(err)
	// Output:
	// (2, 3) float32 (2) int64
	// graft: NewBatch: a batch of -1 rows
}

// Batch copies the rows asked for, in that order; a nil y reads the inputs
// alone, as prediction does.
func ExampleTensors_Batch() {
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0, 1, 10, 11, 20, 21}))
	y := tensor.New(tensor.WithShape(3), tensor.WithBacking([]int64{0, 1, 2}))
	d, _ := data.FromTensors(x, y)
	bx, by, _ := data.NewBatch(d, 2)
	if err := d.Batch([]int{2, 0}, bx, by); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bx.Data(), by.Data())
	fmt.Println(d.Batch([]int{2, 3}, bx, nil))
	// Output:
	// [20 21 0 1] [2 0]
	// graft: Batch: rows[1] is 3, outside the dataset's 3 rows
}

// Spec gives the dtype and shape of one example, without the batch axis.
func ExampleTensors_Spec() {
	x := tensor.New(tensor.WithShape(10, 28, 28), tensor.Of(tensor.Float32))
	d, _ := data.FromTensors(x, nil)
	xs, ys := d.Spec()
	fmt.Println(d.Len(), xs.Dtype, xs.Shape, ys.IsZero())
	// Output: 10 float32 [28 28] true
}

// Len is the number of examples, that of the rows chosen for a Subset.
func ExampleTensors_Len() {
	x := tensor.New(tensor.WithShape(10, 2), tensor.Of(tensor.Float64))
	d, _ := data.FromTensors(x, nil)
	sub, _ := data.Subset(d, []int{3, 4, 5})
	fmt.Println(d.Len(), sub.Len())
	// Output: 10 3
}

// X and Y return the tensors a dataset reads, every row of them.
func ExampleTensors_X() {
	x := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2}))
	y := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 4}))
	d, _ := data.FromTensors(x, y)
	fmt.Println(d.X().Data(), d.Y().Data())
	// Output: [1 2] [3 4]
}

// Y is nil for a dataset without targets.
func ExampleTensors_Y() {
	d, _ := data.FromTensors(tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.Float64)), nil)
	fmt.Println(d.Y() == nil)
	// Output: true
}

// IsZero tells a dataset without targets, whose y Spec is the zero Spec.
func ExampleSpec_IsZero() {
	labelled, _ := data.FromTensors(tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.Float64)), tensor.New(tensor.WithShape(2), tensor.Of(tensor.Int64)))
	_, ys := labelled.Spec()
	fmt.Println(ys.IsZero(), data.Spec{}.IsZero())
	// Output: false true
}

// squares is a Dataset of its own: it computes each example when asked,
// x = r and y = r², rather than storing them.
type squares struct{ n int }

func (s squares) Len() int { return s.n }

func (s squares) Spec() (x, y data.Spec) {
	return data.Spec{Dtype: tensor.Float64, Shape: []int{1}}, data.Spec{Dtype: tensor.Float64, Shape: []int{1}}
}

func (s squares) Batch(rows []int, x, y *tensor.Dense) error {
	if x.Shape()[0] != len(rows) {
		return fmt.Errorf("graft: squares: x holds %d rows, not %d", x.Shape()[0], len(rows))
	}
	for i, r := range rows {
		if r < 0 || r >= s.n {
			return fmt.Errorf("graft: squares: row %d is outside [0, %d)", r, s.n)
		}
		x.Float64s()[i] = float64(r)
		if y != nil {
			y.Float64s()[i] = float64(r * r)
		}
	}
	return nil
}

// Any type with the three methods is a Dataset, one that computes or reads
// its examples on demand as well as one in memory.
func ExampleDataset() {
	var d data.Dataset = squares{n: 100}
	x, y, _ := data.NewBatch(d, 3)
	if err := d.Batch([]int{2, 9, 4}, x, y); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.Data(), y.Data())
	// Output: [2 9 4] [4 81 16]
}

// Subset picks rows of a dataset, in any order, repeats allowed.
func ExampleSubset() {
	x := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{10, 11, 12, 13}))
	d, _ := data.FromTensors(x, nil)
	sub, err := data.Subset(d, []int{3, 3, 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	bx, _, _ := data.NewBatch(sub, 3)
	_ = sub.Batch([]int{0, 1, 2}, bx, nil)
	fmt.Println(sub.Len(), bx.Data())
	// Output: 3 [13 13 10]
}

// The whole loop of a trainer over a dataset: a permutation per epoch,
// cut into batches, read into two pairs of tensors allocated once (the
// last batch is shorter).
func Example_epochLoop() {
	x := tensor.New(tensor.WithShape(5), tensor.WithBacking([]float64{0, 1, 2, 3, 4}))
	d, _ := data.FromTensors(x, nil)
	full, _, _ := data.NewBatch(d, 2)
	last, _, _ := data.NewBatch(d, d.Len()%2)
	order := make([]int, d.Len())
	batches, _ := data.NewBatches(order, 2)
	for epoch := range 2 {
		data.Permutation(order, 1, epoch)
		var read [][]float64
		for i := range batches.Len() {
			rows := batches.At(i)
			bx := full
			if len(rows) < 2 {
				bx = last
			}
			if err := d.Batch(rows, bx, nil); err != nil {
				fmt.Println(err)
				return
			}
			read = append(read, append([]float64{}, bx.Float64s()...))
		}
		fmt.Println(read)
	}
	// Output:
	// [[1 3] [4 0] [2]]
	// [[3 1] [2 0] [4]]
}

// Permutation gives the same order for the same seed and epoch, on any
// machine, and another order for each epoch.
func ExamplePermutation() {
	order := make([]int, 6)
	for epoch := range 3 {
		data.Permutation(order, 42, epoch)
		fmt.Println(order)
	}
	// Output:
	// [1 2 3 0 4 5]
	// [0 3 5 4 2 1]
	// [1 3 2 5 4 0]
}

// NewBatches cuts an order into batches; the last is shorter.
func ExampleNewBatches() {
	batches, err := data.NewBatches([]int{0, 1, 2, 3, 4, 5, 6}, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	var all [][]int
	for i := range batches.Len() {
		all = append(all, batches.At(i))
	}
	fmt.Println(all)
	_, err = data.NewBatches(nil, 0)
	fmt.Println(err)
	// Output:
	// [[0 1 2] [3 4 5] [6]]
	// graft: NewBatches: the batch size is 0; it must be at least 1
}

// Len is the number of batches, the last one counted even when short.
func ExampleBatches_Len() {
	batches, _ := data.NewBatches(make([]int, 10), 4)
	fmt.Println(batches.Len())
	// Output: 3
}

// At returns a batch as a subslice of the order, so a refilled order
// gives new batches.
func ExampleBatches_At() {
	order := []int{0, 1, 2, 3, 4}
	batches, _ := data.NewBatches(order, 2)
	fmt.Println(batches.At(2), batches.At(3))
	data.Permutation(order, 5, 0)
	fmt.Println(order, batches.At(0))
	// Output:
	// [4] []
	// [4 0 3 1 2] [4 0]
}

// Split keeps a seeded fraction of the rows for validation.
func ExampleSplit() {
	x := tensor.New(tensor.WithShape(10), tensor.WithBacking([]int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}))
	d, _ := data.FromTensors(x, nil)
	train, val, err := data.Split(d, 0.2, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	bx, _, _ := data.NewBatch(val, val.Len())
	_ = val.Batch([]int{0, 1}, bx, nil)
	fmt.Println(train.Len(), val.Len(), bx.Data())
	_, _, err = data.Split(d, 0.01, 7)
	fmt.Println(err)
	// Output:
	// 8 2 [1 5]
	// graft: Split: a fraction 0.01 of 10 rows leaves 10 for training and 0 for validation; each needs at least 1
}

// OneHot turns class ids into rows of 0s with a 1 at the class.
func ExampleOneHot() {
	labels := tensor.New(tensor.WithShape(3), tensor.WithBacking([]int64{2, 0, 1}))
	onehot, err := data.OneHot(labels, 3, tensor.Float32)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(onehot.Shape(), onehot.Data())
	_, err = data.OneHot(labels, 2, tensor.Float32)
	fmt.Println(err)
	// Output:
	// (3, 3) [0 0 1 1 0 0 0 1 0]
	// graft: OneHot: label 2 (element 0 of shape (3)) is outside [0, 2)
}

// ReadCSV reads a table with a header, a label column chosen by name and
// an id column left out; a bad number is named by file, line and column.
func ExampleReadCSV() {
	table := "id,height,weight,class\n" +
		"a,1.5,60,0\n" +
		"b,1.8,82,1\n"
	opt := data.CSVOptions{Header: true, LabelNames: []string{"class"}, SkipNames: []string{"id"}, LabelDtype: tensor.Int64}
	d, err := data.ReadCSV(strings.NewReader(table), "people.csv", opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.X().Shape(), d.X().Data(), d.Y().Data())
	_, err = data.ReadCSV(strings.NewReader(table+"c,1.7,?,0\n"), "people.csv", opt)
	fmt.Println(err)
	// Output:
	// (2, 2) [1.5 60 1.8 82] [0 1]
	// graft: ReadCSV: people.csv:4: column 3 ("weight"): "?" is not a number
}

// ReadCSVFile reads a file; here the last column is the target of a
// regression, kept as a column to match a (rows, 1) prediction.
func ExampleReadCSVFile() {
	dir, err := os.MkdirTemp("", "graft-csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "line.csv")
	if err := os.WriteFile(path, []byte("0,1\n1,3\n2,5\n"), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	d, err := data.ReadCSVFile(path, data.CSVOptions{Labels: []int{-1}, KeepLabelAxis: true, Dtype: tensor.Float32})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.X().Shape(), d.Y().Shape(), d.Y().Data())
	// Output: (3, 1) (3, 1) [1 3 5]
}

// FromIDX converts arrays as ReadIDX returns them: uint8 pixels to [0, 1],
// labels to int64 class ids.
func ExampleFromIDX() {
	images := tensor.New(tensor.WithShape(2, 2, 2), tensor.WithBacking([]uint8{0, 255, 51, 102, 255, 255, 0, 0}))
	labels := tensor.New(tensor.WithShape(2), tensor.WithBacking([]uint8{3, 8}))
	d, err := data.FromIDX(images, labels, data.IDXOptions{Dtype: tensor.Float32, Flatten: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.X().Shape(), d.X().Data(), d.Y().Dtype(), d.Y().Data())
	// Output: (2, 4) [0 1 0.2 0.4 1 1 0 0] int64 [3 8]
}

// LoadIDX reads a pair of IDX files, such as MNIST's
// train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz.
func ExampleLoadIDX() {
	dir, err := os.MkdirTemp("", "graft-idx")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	images, labels := filepath.Join(dir, "images-idx3-ubyte"), filepath.Join(dir, "labels-idx1-ubyte")
	write := func(path string, t *tensor.Dense) {
		f, _ := os.Create(path)
		defer f.Close()
		_ = data.WriteIDX(f, t)
	}
	write(images, tensor.New(tensor.WithShape(3, 1, 2), tensor.WithBacking([]uint8{0, 255, 255, 0, 51, 51})))
	write(labels, tensor.New(tensor.WithShape(2), tensor.WithBacking([]uint8{1, 0})))
	_, err = data.LoadIDX(images, labels, data.IDXOptions{})
	fmt.Println(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""))
	write(labels, tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{1, 0, 1})))
	d, err := data.LoadIDX(images, labels, data.IDXOptions{Limit: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Len(), d.X().Shape(), d.X().Data(), d.Y().Data())
	// Output:
	// graft: FromIDX: images-idx3-ubyte hold 3 examples (shape (3, 1, 2)) but labels-idx1-ubyte 2 (shape (2))
	// 2 (2, 1, 2) [0 1 1 0] [1 0]
}

// A Spec describes one example: a batch of n has shape (n, Shape...).
func ExampleSpec() {
	d, _ := data.FromTensors(tensor.New(tensor.WithShape(8, 3, 4), tensor.Of(tensor.Float32)), tensor.New(tensor.WithShape(8), tensor.Of(tensor.Int64)))
	xs, ys := d.Spec()
	fmt.Printf("x %v %v, y %v %v\n", xs.Dtype, xs.Shape, ys.Dtype, ys.Shape)
	// Output: x float32 [3 4], y int64 []
}

// A Tensors is a Dataset; a Subset or Split of it shares its arrays.
func ExampleTensors() {
	x := tensor.New(tensor.WithShape(6, 1), tensor.WithBacking([]float64{0, 1, 2, 3, 4, 5}))
	y := tensor.New(tensor.WithShape(6), tensor.WithBacking([]int64{0, 1, 0, 1, 0, 1}))
	d, _ := data.FromTensors(x, y)
	train, val, _ := data.Split(d, 0.5, 3)
	_, shared := val.(*data.Tensors)
	fmt.Println(train.Len(), val.Len(), shared, val.(*data.Tensors).X() == x)
	// Output: 3 3 true true
}

// A Batches made once serves every epoch: it reads the order Permutation
// refills.
func ExampleBatches() {
	order := make([]int, 4)
	batches, _ := data.NewBatches(order, 3)
	for epoch := range 2 {
		data.Permutation(order, 9, epoch)
		fmt.Println(batches.At(0), batches.At(1))
	}
	// Output:
	// [2 0 3] [1]
	// [2 3 0] [1]
}

// CSVOptions for a file without a header, separated by semicolons, with
// comment lines and a float32 target in its first column.
func ExampleCSVOptions() {
	table := "# x0;x1;target\n" +
		"0.5; 1; 3\n" +
		"2;   4; 5\n"
	opt := data.CSVOptions{Comma: ';', Comment: '#', Labels: []int{0}, Dtype: tensor.Float32}
	d, err := data.ReadCSV(strings.NewReader(table), "t.csv", opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.X().Data(), d.Y().Data())
	// Output: [1 3 4 5] [0.5 2]
}

// IDXOptions for float64 images kept as (n, height, width), the first
// example only, labels as float64 numbers.
func ExampleIDXOptions() {
	images := tensor.New(tensor.WithShape(2, 1, 2), tensor.WithBacking([]uint8{255, 0, 0, 255}))
	labels := tensor.New(tensor.WithShape(2), tensor.WithBacking([]uint8{4, 2}))
	d, err := data.FromIDX(images, labels, data.IDXOptions{LabelDtype: tensor.Float64, Limit: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.X().Shape(), d.X().Data(), d.Y().Dtype(), d.Y().Data())
	// Output: (1, 1, 2) [1 0] float64 [4]
}

// LabelClasses reads a label column of class names as int64 ids, each the
// index of its name in the list.
func ExampleCSVOptions_classNames() {
	table := "petal,species\n" +
		"1.4,setosa\n" +
		"4.7,versicolor\n" +
		"6.0,virginica\n"
	opt := data.CSVOptions{Header: true, LabelNames: []string{"species"}, LabelClasses: []string{"setosa", "versicolor", "virginica"}}
	d, err := data.ReadCSV(strings.NewReader(table), "iris.csv", opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Y().Dtype(), d.Y().Data())
	// Output: int64 [0 1 2]
}
