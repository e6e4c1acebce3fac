package train

import (
	"gorgonia.org/tensor"
)

// batchTensor returns a tensor of rows rows shaped like t's rows.
func batchTensor(t *tensor.Dense, rows int) *tensor.Dense {
	shape := append([]int{rows}, t.Shape()[1:]...)
	return tensor.New(tensor.WithShape(shape...), tensor.Of(t.Dtype()))
}

// gatherRows copies the rows of src listed in rows into dst, in order.
func gatherRows(dst, src *tensor.Dense, rows []int) {
	switch dst.Dtype() {
	case tensor.Float32:
		gather(dst.Float32s(), src.Float32s(), rows)
	case tensor.Float64:
		gather(dst.Float64s(), src.Float64s(), rows)
	case tensor.Int64:
		gather(dst.Int64s(), src.Int64s(), rows)
	}
}

func gather[T float32 | float64 | int64](d, s []T, rows []int) {
	width := len(d) / len(rows) // dst holds exactly len(rows) rows
	for i, r := range rows {
		copy(d[i*width:(i+1)*width], s[r*width:(r+1)*width])
	}
}

// copyRows fills dst with the rows of src that start at row start.
func copyRows(dst, src *tensor.Dense, start int) {
	at := start * (dst.Shape().TotalSize() / dst.Shape()[0])
	switch dst.Dtype() {
	case tensor.Float32:
		copy(dst.Float32s(), src.Float32s()[at:])
	case tensor.Float64:
		copy(dst.Float64s(), src.Float64s()[at:])
	case tensor.Int64:
		copy(dst.Int64s(), src.Int64s()[at:])
	}
}

// putRows writes the rows of src into dst from row start on.
func putRows(dst, src *tensor.Dense, start int) {
	width := dst.Shape().TotalSize() / dst.Shape()[0]
	switch dst.Dtype() {
	case tensor.Float32:
		copy(dst.Float32s()[start*width:], src.Float32s())
	case tensor.Float64:
		copy(dst.Float64s()[start*width:], src.Float64s())
	case tensor.Int64:
		copy(dst.Int64s()[start*width:], src.Int64s())
	}
}

// copyAll copies every element of src into dst, of the same dtype and size.
func copyAll(dst, src *tensor.Dense) {
	switch dst.Dtype() {
	case tensor.Float32:
		copy(dst.Float32s(), src.Float32s())
	case tensor.Float64:
		copy(dst.Float64s(), src.Float64s())
	case tensor.Int64:
		copy(dst.Int64s(), src.Int64s())
	}
}
