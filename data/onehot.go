package data

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"
)

// OneHot turns int64 class ids (graph.Int64) into one-hot rows: labels of
// shape s give a tensor of shape (s..., classes) and dtype dt (float32,
// float64 or int64) holding 1 at each label's class and 0 elsewhere. A
// label outside [0, classes) is an error naming it.
//
// PyTorch's one_hot returns int64 and infers classes from the largest
// label when not given; OneHot takes both explicitly, since a batch or a
// split may miss the largest class.
func OneHot(labels *tensor.Dense, classes int, dt tensor.Dtype) (*tensor.Dense, error) {
	switch {
	case labels == nil:
		return nil, errors.New("graft: OneHot: labels is nil")
	case labels.Dtype() != tensor.Int64:
		return nil, fmt.Errorf("graft: OneHot: labels are %v; class ids are int64 (graph.Int64)", labels.Dtype())
	case labels.RequiresIterator():
		return nil, errors.New("graft: OneHot: labels are not contiguous; call Materialize() first")
	case classes < 1:
		return nil, fmt.Errorf("graft: OneHot: classes is %d; it must be at least 1", classes)
	case !rowDtype(dt):
		return nil, fmt.Errorf("graft: OneHot: dt is %v; it must be float32, float64 or int64", dt)
	}
	ids := labels.Int64s()
	for i, c := range ids {
		if c < 0 || c >= int64(classes) {
			return nil, fmt.Errorf("graft: OneHot: label %d (element %d of shape %v) is outside [0, %d)", c, i, labels.Shape(), classes)
		}
	}
	shape := append(append([]int{}, labels.Shape()...), classes)
	out := tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	switch dt {
	case tensor.Float32:
		setOnes(out.Float32s(), ids, classes)
	case tensor.Float64:
		setOnes(out.Float64s(), ids, classes)
	default:
		setOnes(out.Int64s(), ids, classes)
	}
	return out, nil
}

func setOnes[T float32 | float64 | int64](out []T, ids []int64, classes int) {
	for i, c := range ids {
		out[i*classes+int(c)] = 1
	}
}
