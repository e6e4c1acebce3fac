package graph

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"
)

// DType is the element type of a node. graft computes in tensor.Float32 and
// tensor.Float64; these are gorgonia.org/tensor's own dtypes, so a user hands
// in and gets back *tensor.Dense without conversion.
type DType = tensor.Dtype

// Float is the set of element types graft's kernels are written for.
type Float interface{ float32 | float64 }

// CheckDType reports an error unless dt is tensor.Float32 or tensor.Float64,
// the dtypes graft computes in. The error says what is wrong without a
// "graft: " prefix, for the caller to wrap with its own context.
func CheckDType(dt DType) error {
	switch {
	case dt.Type == nil: // a zero tensor.Dense's, or graph.DType{}
		return errors.New("dtype is unset (the zero DType): graft computes in float32 and float64")
	case dt != tensor.Float32 && dt != tensor.Float64:
		return fmt.Errorf("dtype %s is not supported: graft computes in float32 and float64", dt)
	}
	return nil
}

// Int64 is the dtype of indices and class labels. graft uses 64-bit
// integers, PyTorch's dtype for indices (torch.long), so an index tensor
// comes over from PyTorch, NumPy or a data loader as it is. Inputs and
// constants may be Int64; parameters and states are floats; only ops that
// take indices (IndexOp) accept them, and they are never differentiated.
var Int64 = tensor.Int64

// IsInteger reports whether dt is graft's integer dtype, Int64.
func IsInteger(dt DType) bool { return dt == tensor.Int64 }

// checkLeafDType checks the dtype of a leaf of the given kind: a float for
// every kind, or Int64 for an input or a constant.
func checkLeafDType(kind Kind, dt DType) error {
	if IsInteger(dt) && (kind == Input || kind == Constant) {
		return nil
	}
	if err := CheckDType(dt); err != nil {
		if kind == Input || kind == Constant {
			return fmt.Errorf("%w, or int64 for indices", err)
		}
		return err
	}
	return nil
}

// DTypeName returns dt's name for an error message. The zero DType (of a
// zero tensor.Dense or a zero Node) is "no dtype": its own String method
// panics, and fmt would print "%!v(PANIC=...)" in its place.
func DTypeName(dt DType) string {
	if dt.Type == nil {
		return "no dtype"
	}
	return dt.Name()
}
