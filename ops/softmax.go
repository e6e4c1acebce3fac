package ops

import (
	"math"

	"graft/graph"
)

// Softmax returns exp(x) / sum(exp(x)) along axis. The largest element of
// each slice is subtracted first, so logits of 1000 do not overflow. A slice
// whose elements are all -Inf (a fully masked row) has no defined softmax
// and gives NaN, as in PyTorch.
func Softmax(x *graph.Node, axis int) *graph.Node {
	return graph.Apply(&softmaxOp{alongAxis: alongAxis{axis: axis}}, x)
}

// LogSoftmax returns x - log(sum(exp(x))) along axis, computed as
// (x - max) - log(sum(exp(x - max))): finite for any finite logits, and more
// accurate than Log(Softmax(x)) where a probability underflows.
func LogSoftmax(x *graph.Node, axis int) *graph.Node {
	return graph.Apply(&softmaxOp{alongAxis: alongAxis{axis: axis}, log: true}, x)
}

type softmaxOp struct {
	alongAxis
	log bool
}

func (op *softmaxOp) Name() string {
	if op.log {
		return "LogSoftmax"
	}
	return "Softmax"
}

func (op *softmaxOp) Infer(in []*graph.Node) (graph.Shape, graph.DType, error) {
	x := in[0].Shape()
	if err := op.split(x); err != nil {
		return nil, graph.DType{}, err
	}
	return x, in[0].DType(), nil
}

func (op *softmaxOp) Forward(out *graph.Value, in []*graph.Value) {
	forEachDType(op, out, in, softmaxKernel[float32], softmaxKernel[float64])
}

// Softmax: dx = y·(dy - Σ dy·y). LogSoftmax: dx = dy - softmax(x)·Σ dy,
// with softmax(x) = exp(y). Both are written with ops, so they differentiate
// again.
func (op *softmaxOp) Grad(n, dy *graph.Node, i int) *graph.Node {
	if op.log {
		return Sub(dy, Mul(Exp(n), SumKeepDims(dy, op.axis)))
	}
	return Mul(n, Sub(dy, SumKeepDims(Mul(dy, n), op.axis)))
}

func softmaxKernel[T graph.Float](op *softmaxOp, out []T, in []*graph.Value) {
	x := floats[T](in[0])
	for o := 0; o < op.outer; o++ {
		for j := 0; j < op.inner; j++ {
			base := o*op.length*op.inner + j
			m := math.Inf(-1)
			for k := 0; k < op.length; k++ {
				m = max(m, float64(x[base+k*op.inner]))
			}
			sum := 0.0
			for k := 0; k < op.length; k++ {
				sum += math.Exp(float64(x[base+k*op.inner]) - m)
			}
			if op.log {
				// (x - max) - log Σ, never x - (max + log Σ): at logits
				// near 1000, max + log Σ rounds away the digits of log Σ.
				logSum := math.Log(sum)
				for k := 0; k < op.length; k++ {
					out[base+k*op.inner] = T((float64(x[base+k*op.inner]) - m) - logSum)
				}
				continue
			}
			for k := 0; k < op.length; k++ {
				out[base+k*op.inner] = T(math.Exp(float64(x[base+k*op.inner])-m) / sum)
			}
		}
	}
}
