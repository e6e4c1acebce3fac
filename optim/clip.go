package optim

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"graft/graph"
)

// ClipGlobalNorm scales grads in place so that their global norm, the
// Euclidean norm of all their elements taken together, is at most maxNorm,
// and returns the norm they had. Call it between Program.Run and Step. When
// the norm exceeds maxNorm every gradient is multiplied by maxNorm/norm, so
// the direction of the update is kept; otherwise nothing changes. This is
// Keras' global_clipnorm (TensorFlow's clip_by_global_norm); PyTorch's
// clip_grad_norm_ divides by norm + 1e-6 instead.
//
// A NaN or infinite norm is an error and leaves grads unchanged. The sum of
// squares is taken in float64 for float32 gradients too. It allocates
// nothing.
func ClipGlobalNorm(grads []*tensor.Dense, maxNorm float64) (float64, error) {
	if !positiveFinite(maxNorm) {
		return 0, fmt.Errorf("graft: ClipGlobalNorm: maxNorm %v must be positive and finite", maxNorm)
	}
	sum := 0.0
	for i, g := range grads {
		switch {
		case g == nil:
			return 0, fmt.Errorf("graft: ClipGlobalNorm: grads[%d] is nil", i)
		case g.Dtype() != tensor.Float32 && g.Dtype() != tensor.Float64: // before RequiresIterator, which panics on a zero tensor.Dense
			return 0, fmt.Errorf("graft: ClipGlobalNorm: grads[%d] is %s; graft computes in float32 and float64", i, graph.DTypeName(g.Dtype()))
		case g.RequiresIterator():
			return 0, fmt.Errorf("graft: ClipGlobalNorm: grads[%d] is a non-contiguous view; call Materialize() first", i)
		case g.Dtype() == tensor.Float32:
			sum += sumSquares(g.Float32s())
		default:
			sum += sumSquares(g.Float64s())
		}
	}
	norm := math.Sqrt(sum)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return norm, fmt.Errorf("graft: ClipGlobalNorm: the gradients' global norm is %v", norm)
	}
	if norm <= maxNorm {
		return norm, nil
	}
	scale := maxNorm / norm
	for _, g := range grads {
		if g.Dtype() == tensor.Float32 {
			scaleBy(g.Float32s(), float32(scale))
		} else {
			scaleBy(g.Float64s(), scale)
		}
	}
	return norm, nil
}

func sumSquares[T graph.Float](x []T) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

func scaleBy[T graph.Float](x []T, c T) {
	for i := range x {
		x[i] *= c
	}
}
