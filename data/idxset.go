package data

import (
	"fmt"

	"gorgonia.org/tensor"
)

// IDXOptions says how FromIDX and LoadIDX turn IDX arrays into a dataset.
type IDXOptions struct {
	// Dtype is x's dtype, float32 or float64; the zero Dtype means float64.
	// float32 halves the memory (MNIST's 47 million pixels are 376 MB as
	// float64).
	Dtype tensor.Dtype
	// LabelDtype is y's: int64 (graph.Int64, class ids, the default),
	// float32 or float64.
	LabelDtype tensor.Dtype
	// Flatten gives x the shape (n, d), the product d of an example's axes
	// (784 for MNIST), as a dense layer reads it, rather than (n, 28, 28).
	Flatten bool
	// Limit keeps the first Limit examples; 0 keeps them all.
	Limit int
}

// FromIDX makes a dataset of images and labels as ReadIDX returns them:
// the images' first axis indexes examples, and labels (nil for a dataset
// without targets) has one entry per image. Images of IDX's uint8 become
// x/255, in [0, 1], as torchvision's ToTensor scales them; images of the
// other types keep their values. Labels must be of an integer type for an
// int64 LabelDtype. The tensors are converted into new ones.
func FromIDX(images, labels *tensor.Dense, opt IDXOptions) (*Tensors, error) {
	return fromIDX(images, labels, opt, "the images", "the labels")
}

// LoadIDX reads the images and labels of a data set stored as two IDX
// files, gzip-compressed or not (MNIST's train-images-idx3-ubyte.gz and
// train-labels-idx1-ubyte.gz, say), and makes a dataset of them as FromIDX
// does. labelsPath "" gives a dataset without targets. Its errors name the
// file at fault.
func LoadIDX(imagesPath, labelsPath string, opt IDXOptions) (*Tensors, error) {
	images, err := ReadIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	var labels *tensor.Dense
	if labelsPath != "" {
		if labels, err = ReadIDXFile(labelsPath); err != nil {
			return nil, err
		}
	}
	return fromIDX(images, labels, opt, imagesPath, labelsPath)
}

// fromIDX is FromIDX with the names its errors give the two arrays.
func fromIDX(images, labels *tensor.Dense, opt IDXOptions, imagesName, labelsName string) (*Tensors, error) {
	xd, yd := opt.Dtype, opt.LabelDtype
	if xd.Type == nil {
		xd = tensor.Float64
	}
	if yd.Type == nil {
		yd = tensor.Int64
	}
	switch {
	case xd != tensor.Float32 && xd != tensor.Float64:
		return nil, fmt.Errorf("graft: FromIDX: Dtype is %v; images become float32 or float64", xd)
	case !rowDtype(yd):
		return nil, fmt.Errorf("graft: FromIDX: LabelDtype is %v; labels become int64, float32 or float64", yd)
	case images == nil:
		return nil, fmt.Errorf("graft: FromIDX: the images are nil")
	case opt.Limit < 0:
		return nil, fmt.Errorf("graft: FromIDX: Limit is %d; it must be 0 (every example) or more", opt.Limit)
	}
	if err := checkIDX(imagesName, images); err != nil {
		return nil, err
	}
	n := images.Shape()[0]
	if labels != nil {
		if err := checkIDX(labelsName, labels); err != nil {
			return nil, err
		}
		switch {
		case labels.Shape()[0] != n:
			return nil, fmt.Errorf("graft: FromIDX: %s hold %d examples (shape %v) but %s %d (shape %v)", imagesName, n, images.Shape(), labelsName, labels.Shape()[0], labels.Shape())
		case yd == tensor.Int64 && !integerIDX(labels.Dtype()):
			return nil, fmt.Errorf("graft: FromIDX: %s are %v, not class ids; set LabelDtype to float32 or float64 to keep them as numbers", labelsName, labels.Dtype())
		}
	}
	if opt.Limit > n {
		return nil, fmt.Errorf("graft: FromIDX: Limit is %d but %s hold only %d examples", opt.Limit, imagesName, n)
	}
	if opt.Limit > 0 {
		n = opt.Limit
	}
	shape := append([]int{n}, images.Shape()[1:]...)
	if opt.Flatten {
		shape = []int{n, images.Shape().TotalSize() / images.Shape()[0]}
	}
	x := convertIDX(images, n, xd, images.Dtype() == tensor.Uint8, shape)
	var y *tensor.Dense
	if labels != nil {
		y = convertIDX(labels, n, yd, false, append([]int{n}, labels.Shape()[1:]...))
	}
	return FromTensors(x, y)
}

func checkIDX(name string, t *tensor.Dense) error {
	if t.Dtype().Type == nil || len(t.Shape()) == 0 || t.Shape().IsScalar() || t.Shape()[0] == 0 || t.RequiresIterator() {
		return fmt.Errorf("graft: FromIDX: %s are not an IDX array (a contiguous tensor with a first axis of examples)", name)
	}
	if _, ok := idxDtype(t.Dtype()); !ok {
		return fmt.Errorf("graft: FromIDX: %s are %v, not one of IDX's element types", name, t.Dtype())
	}
	return nil
}

func idxDtype(dt tensor.Dtype) (byte, bool) {
	for c, typ := range idxTypes {
		if typ.dtype == dt {
			return c, true
		}
	}
	return 0, false
}

func integerIDX(dt tensor.Dtype) bool {
	return dt == tensor.Uint8 || dt == tensor.Int8 || dt == tensor.Int16 || dt == tensor.Int32
}

// convertIDX converts the first n examples of t to dt in a new tensor of
// the given shape, dividing by 255 when scale is set.
func convertIDX(t *tensor.Dense, n int, dt tensor.Dtype, scale bool, shape []int) *tensor.Dense {
	count := n * (t.Shape().TotalSize() / t.Shape()[0])
	var backing any
	switch dt {
	case tensor.Float32:
		backing = convertTo[float32](t, count, scale)
	case tensor.Float64:
		backing = convertTo[float64](t, count, scale)
	default:
		backing = convertTo[int64](t, count, false)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
}

func convertTo[T float32 | float64 | int64](t *tensor.Dense, count int, scale bool) []T {
	out := make([]T, count)
	switch src := t.Data().(type) {
	case []uint8:
		fill(out, src[:count])
	case []int8:
		fill(out, src[:count])
	case []int16:
		fill(out, src[:count])
	case []int32:
		fill(out, src[:count])
	case []float32:
		fill(out, src[:count])
	case []float64:
		fill(out, src[:count])
	}
	if scale {
		for i := range out {
			out[i] /= 255
		}
	}
	return out
}

func fill[T float32 | float64 | int64, S uint8 | int8 | int16 | int32 | float32 | float64](out []T, src []S) {
	for i, v := range src {
		out[i] = T(v)
	}
}
