package ops

import (
	"fmt"
	"math"

	"graft/graph"
)

// Moments returns the mean and the biased variance of x over axes (every
// axis when none are given), each keeping the reduced axes with size 1 so
// that it broadcasts against x: tf.nn.moments with keepdims, or
// torch.var_mean(x, axes, unbiased=False, keepdim=True). The variance is
// taken in two passes, as the mean of (x - mean)², which stays accurate when
// the mean is large next to the spread (one pass, E[x²] - E[x]², loses every
// digit then). Both are compositions of ops, so they differentiate twice.
func Moments(x *graph.Node, axes ...int) (mean, variance *graph.Node) {
	mean = MeanKeepDims(x, axes...)
	variance = MeanKeepDims(Square(Sub(x, mean)), axes...)
	return mean, variance
}

// Normalize returns (x - mean) / √(variance + eps), broadcasting mean and
// variance against x: the normalization inside batch, layer and group norm.
// eps must be finite and at least 0; PyTorch's norms use 1e-5.
func Normalize(x, mean, variance *graph.Node, eps float64) *graph.Node {
	if !(eps >= 0) || math.IsInf(eps, 1) {
		return graph.Reject("Normalize", fmt.Errorf("eps %v is not a finite number at least 0", eps), x, mean, variance)
	}
	if variance == nil {
		return graph.Reject("Normalize", nil, x, mean, variance)
	}
	return Div(Sub(x, mean), Sqrt(Add(variance, ScalarLike(variance, eps))))
}
