package losses

import (
	"graft/graph"
	"graft/ops"
)

// KLDivergence returns the Kullback-Leibler divergence KL(target ‖ q) of
// the distribution q = exp(logProbs) from the target probabilities, summed
// over every element and divided by the batch size (the first axis; 1 for a
// scalar). It is PyTorch's
//
//	F.kl_div(logProbs, target, reduction="batchmean")
//
// element by element t·log t - t·logProbs, with t·log t taken as 0 where
// t = 0 (PyTorch's xlogy), so such an element adds 0 for any finite
// logProbs (a logProbs of -Inf there makes the loss NaN, as in PyTorch, from
// 0·Inf). A negative t makes it NaN too. logProbs and target
// have the same shape and dtype; with rows of (batch, classes) the result is
// the mean over the batch of each row's divergence. Note the order: the
// prediction comes first, as log-probabilities, as in PyTorch. The
// gradient is -t/batch with respect to logProbs and (log t + 1 -
// logProbs)/batch with respect to a nonzero t.
func KLDivergence(logProbs, target *graph.Node) *graph.Node {
	lp := checked("KLDivergence", logProbs, target, nil)
	// t·log t with the log taken of 1 where t = 0, so that neither the
	// value nor any derivative meets 0·(-Inf).
	safe := ops.Where(ops.Equal(target, ops.ScalarLike(target, 0)), ops.ScalarLike(target, 1), target)
	pointwise := ops.Sub(ops.Mul(target, ops.Log(safe)), ops.Mul(target, lp))
	return batchMean(pointwise, lp)
}

// KLDivergenceLogTarget is KLDivergence with the target given as
// log-probabilities too, PyTorch's
//
//	F.kl_div(logProbs, logTarget, reduction="batchmean", log_target=True)
//
// element by element exp(logTarget)·(logTarget - logProbs), summed and
// divided by the batch size. A target probability of 0 is a logTarget of
// -Inf, which makes that element NaN, as in PyTorch; use KLDivergence for
// targets with zeros.
func KLDivergenceLogTarget(logProbs, logTarget *graph.Node) *graph.Node {
	lp := checked("KLDivergenceLogTarget", logProbs, logTarget, nil)
	return batchMean(ops.Mul(ops.Exp(logTarget), ops.Sub(logTarget, lp)), lp)
}

// batchMean is PyTorch's batchmean reduction: the sum of x divided by the
// size of like's first axis, or by 1 if like is a scalar.
func batchMean(x, like *graph.Node) *graph.Node {
	total := ops.Sum(x)
	if like.Shape().Rank() == 0 {
		return total
	}
	return ops.Div(total, ops.ScalarLike(total, float64(like.Shape()[0])))
}
