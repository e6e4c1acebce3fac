package ops_test

import (
	"testing"

	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// The matrices of the MatMul tests: A·B = C.
var (
	matA  = []float64{1, 2, 3, 4, 5, 6}      // A (2, 3)
	matAT = []float64{1, 4, 2, 5, 3, 6}      // Aᵀ stored as (3, 2)
	matB  = []float64{7, 8, 9, 10, 11, 12}   // B (3, 2)
	matBT = []float64{7, 9, 11, 8, 10, 12}   // Bᵀ stored as (2, 3)
	matC  = []float64{58, 64, 139, 154}      // C = A·B (2, 2)
	matA2 = []float64{-1, 0, 1, 0, 2, 0}     // a second (2, 3) matrix
	matB2 = []float64{1, 2, 3, 4, 5, 6}      // a second (3, 2) matrix
	catAB = func(x, y []float64) []float64 { // two matrices stacked into a batch
		return append(append([]float64(nil), x...), y...)
	}
)

func TestMatMulMultipliesMatricesAndBatches(t *testing.T) {
	// A2·B2 = [[4, 4], [6, 8]]; A·B2 = [[22, 28], [49, 64]]; A2·B = [[4, 4], [18, 20]].
	checkOpCases(t, []opCase{
		{"(2,3)·(3,2)", []inputArg{arg(matA, 2, 3), arg(matB, 3, 2)},
			binaryBuild(ops.MatMul), []int{2, 2}, matC},
		{"(2,2)·(2,3) non-square result", []inputArg{
			arg([]float64{1, 2, 3, 4}, 2, 2), arg([]float64{1, 0, 2, 0, 1, 3}, 2, 3),
		}, binaryBuild(ops.MatMul), []int{2, 3}, []float64{1, 2, 8, 3, 4, 18}},
		{"(B,m,k)·(B,k,n)", []inputArg{arg(catAB(matA, matA2), 2, 2, 3), arg(catAB(matB, matB2), 2, 3, 2)},
			binaryBuild(ops.MatMul), []int{2, 2, 2}, catAB(matC, []float64{4, 4, 6, 8})},
		{"(m,k)·(B,k,n) broadcasts a", []inputArg{arg(matA, 2, 3), arg(catAB(matB, matB2), 2, 3, 2)},
			binaryBuild(ops.MatMul), []int{2, 2, 2}, catAB(matC, []float64{22, 28, 49, 64})},
		{"(1,m,k)·(B,k,n) broadcasts a", []inputArg{arg(matA, 1, 2, 3), arg(catAB(matB, matB2), 2, 3, 2)},
			binaryBuild(ops.MatMul), []int{2, 2, 2}, catAB(matC, []float64{22, 28, 49, 64})},
		{"(B,m,k)·(k,n) broadcasts b", []inputArg{arg(catAB(matA, matA2), 2, 2, 3), arg(matB, 3, 2)},
			binaryBuild(ops.MatMul), []int{2, 2, 2}, catAB(matC, []float64{4, 4, 18, 20})},
		{"(B,m,k)·(1,k,n) broadcasts b", []inputArg{arg(catAB(matA, matA2), 2, 2, 3), arg(matB, 1, 3, 2)},
			binaryBuild(ops.MatMul), []int{2, 2, 2}, catAB(matC, []float64{4, 4, 18, 20})},
		{"(1,m,k)·(1,k,n)", []inputArg{arg(matA, 1, 2, 3), arg(matB, 1, 3, 2)},
			binaryBuild(ops.MatMul), []int{1, 2, 2}, matC},
	})
}

func TestMatMulTReadsTransposedOperandsInPlace(t *testing.T) {
	mm := func(ta, tb bool) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.MatMulT(x[0], x[1], ta, tb) }
	}
	checkOpCases(t, []opCase{
		{"NN", []inputArg{arg(matA, 2, 3), arg(matB, 3, 2)}, mm(false, false), []int{2, 2}, matC},
		{"TN", []inputArg{arg(matAT, 3, 2), arg(matB, 3, 2)}, mm(true, false), []int{2, 2}, matC},
		{"NT", []inputArg{arg(matA, 2, 3), arg(matBT, 2, 3)}, mm(false, true), []int{2, 2}, matC},
		{"TT", []inputArg{arg(matAT, 3, 2), arg(matBT, 2, 3)}, mm(true, true), []int{2, 2}, matC},
		{"TN batched", []inputArg{arg(catAB(matAT, matAT), 2, 3, 2), arg(catAB(matB, matB), 2, 3, 2)},
			mm(true, false), []int{2, 2, 2}, catAB(matC, matC)},
		{"TT batched a, 2-D b", []inputArg{arg(catAB(matAT, matAT), 2, 3, 2), arg(matBT, 2, 3)},
			mm(true, true), []int{2, 2, 2}, catAB(matC, matC)},
		{"NT 2-D a, batched b", []inputArg{arg(matA, 2, 3), arg(catAB(matBT, matBT), 2, 2, 3)},
			mm(false, true), []int{2, 2, 2}, catAB(matC, matC)},
	})
}

func TestMatMulGradientsAreProductsWithTheOtherOperand(t *testing.T) {
	for _, dt := range bothDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			tol := graftest.Tolerance(dt)
			g := graph.New()
			xs, feeds := inputsOf(g, dt, arg(matA, 2, 3), arg(matB, 3, 2))
			grads := gradientsOf(t, feeds, ops.Sum(ops.MatMul(xs[0], xs[1])), xs...)
			// y = Σ_ij (AB)_ij: dy/dA_ik = Σ_j B_kj (row sums of B), dy/dB_kj = Σ_i A_ik (column sums of A).
			graftest.AssertClose(t, "grads[0]", grads[0], []float64{15, 19, 23, 15, 19, 23}, tol, tol)
			graftest.AssertClose(t, "grads[1]", grads[1], []float64{5, 5, 7, 7, 9, 9}, tol, tol)

			// With a broadcast across a batch, a's gradient sums over the batch.
			g = graph.New()
			xs, feeds = inputsOf(g, dt, arg(matA, 2, 3), arg(catAB(matB, matB2), 2, 3, 2))
			grads = gradientsOf(t, feeds, ops.Sum(ops.MatMul(xs[0], xs[1])), xs...)
			graftest.AssertClose(t, "grads[0]", grads[0], []float64{18, 26, 34, 18, 26, 34}, tol, tol)
			graftest.AssertClose(t, "grads[1]", grads[1], []float64{5, 5, 7, 7, 9, 9, 5, 5, 7, 7, 9, 9}, tol, tol)
		})
	}
}

// NumPy's rules for a 1-D operand: a 1-D a is a row, a 1-D b a column, and
// that axis leaves the result.
func TestMatMulReadsA1DOperandAsARowOrAColumn(t *testing.T) {
	v := arg([]float64{1, 2, 3}, 3) // A·v = [14, 32], A2·v = [2, 4], v·B = [58, 64], v·B2 = [22, 28]
	u := arg([]float64{2, 1}, 2)    // u·A = [6, 9, 12], u·A2 = [-2, 2, 2], B·u = [22, 28, 34], B2·u = [4, 10, 16]
	mm := func(ta, tb bool) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.MatMulT(x[0], x[1], ta, tb) }
	}
	checkOpCases(t, []opCase{
		{"(m,k)·(k,)", []inputArg{arg(matA, 2, 3), v}, binaryBuild(ops.MatMul), []int{2}, []float64{14, 32}},
		{"(k,)·(k,n)", []inputArg{u, arg(matA, 2, 3)}, binaryBuild(ops.MatMul), []int{3}, []float64{6, 9, 12}},
		{"(k,)·(k,) is the dot product", []inputArg{v, arg([]float64{4, 5, 6}, 3)}, binaryBuild(ops.MatMul), []int{}, []float64{32}},
		{"(1,)·(1,)", []inputArg{arg([]float64{-3}, 1), arg([]float64{0.5}, 1)}, binaryBuild(ops.MatMul), []int{}, []float64{-1.5}},
		{"(B,m,k)·(k,)", []inputArg{arg(catAB(matA, matA2), 2, 2, 3), v}, binaryBuild(ops.MatMul),
			[]int{2, 2}, []float64{14, 32, 2, 4}},
		{"(1,m,k)·(k,)", []inputArg{arg(matA, 1, 2, 3), v}, binaryBuild(ops.MatMul), []int{1, 2}, []float64{14, 32}},
		{"(k,)·(B,k,n)", []inputArg{v, arg(catAB(matB, matB2), 2, 3, 2)}, binaryBuild(ops.MatMul),
			[]int{2, 2}, []float64{58, 64, 22, 28}},
		{"(k,)·(B,k,n) of rows", []inputArg{u, arg(catAB(matA, matA2), 2, 2, 3)}, binaryBuild(ops.MatMul),
			[]int{2, 3}, []float64{6, 9, 12, -2, 2, 2}},
		{"(B,m,k)·(k,) of columns", []inputArg{arg(catAB(matB, matB2), 2, 3, 2), u}, binaryBuild(ops.MatMul),
			[]int{2, 3}, []float64{22, 28, 34, 4, 10, 16}},
		{"MatMulT (k,)·(n,k)ᵀ", []inputArg{v, arg(matBT, 2, 3)}, mm(false, true), []int{2}, []float64{58, 64}},
		{"MatMulT (k,m)ᵀ·(k,)", []inputArg{arg(matAT, 3, 2), v}, mm(true, false), []int{2}, []float64{14, 32}},
		{"MatMulT (B,k,m)ᵀ·(k,)", []inputArg{arg(catAB(matAT, matAT), 2, 3, 2), v}, mm(true, false),
			[]int{2, 2}, []float64{14, 32, 14, 32}},
		{"MatMulT (k,)·(B,n,k)ᵀ", []inputArg{v, arg(catAB(matBT, matBT), 2, 2, 3)}, mm(false, true),
			[]int{2, 2}, []float64{58, 64, 58, 64}},
	})
}

func TestMatMulGradientsWithA1DOperand(t *testing.T) {
	for _, dt := range bothDTypes {
		t.Run(dt.String(), func(t *testing.T) {
			tol := graftest.Tolerance(dt)
			// y = Σ_i (A·v)_i: dy/dA_ik = v_k, dy/dv_k = Σ_i A_ik.
			g := graph.New()
			xs, feeds := inputsOf(g, dt, arg(matA, 2, 3), arg([]float64{1, 2, 3}, 3))
			grads := gradientsOf(t, feeds, ops.Sum(ops.MatMul(xs[0], xs[1])), xs...)
			graftest.AssertClose(t, "grads[0]", grads[0], []float64{1, 2, 3, 1, 2, 3}, tol, tol)
			graftest.AssertClose(t, "grads[1]", grads[1], []float64{5, 7, 9}, tol, tol)

			// y = a·b: dy/da = b, dy/db = a.
			g = graph.New()
			xs, feeds = inputsOf(g, dt, arg([]float64{1, 2, 3}, 3), arg([]float64{4, 5, 6}, 3))
			grads = gradientsOf(t, feeds, ops.MatMul(xs[0], xs[1]), xs...)
			graftest.AssertClose(t, "grads[0]", grads[0], []float64{4, 5, 6}, tol, tol)
			graftest.AssertClose(t, "grads[1]", grads[1], []float64{1, 2, 3}, tol, tol)

			// y = Σ (v·B_b) over a batch: dy/dv sums the row sums of both matrices.
			g = graph.New()
			xs, feeds = inputsOf(g, dt, arg([]float64{1, 2, 3}, 3), arg(catAB(matB, matB2), 2, 3, 2))
			grads = gradientsOf(t, feeds, ops.Sum(ops.MatMul(xs[0], xs[1])), xs...)
			graftest.AssertClose(t, "grads[0]", grads[0], []float64{15 + 3, 19 + 7, 23 + 11}, tol, tol)
			graftest.AssertClose(t, "grads[1]", grads[1], []float64{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, tol, tol)
		})
	}
}
