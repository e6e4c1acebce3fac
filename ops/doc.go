// Package ops holds every op graft computes with. Each op keeps three things
// side by side: its shape rule (Infer), its kernel for float32 and float64
// (Forward, working on the backing slices), and its gradient rule (Grad),
// written with ops so that it can be differentiated again.
//
// Builders such as Add, MatMul and Sum take and return *graph.Node. A mistake
// (shapes that do not broadcast, say) does not panic: it is recorded on the
// graph with the op, the shapes and the caller's file:line, and
// graph.Compile returns it.
//
// Elementwise binary ops broadcast with NumPy's rules: shapes are aligned on
// their last axis, and an axis of size 1 (or a missing leading axis) stretches
// to match the other operand. Operands must have the same dtype; graft never
// converts implicitly.
//
// Axes may be negative: -1 is the last axis.
//
// # The ops and their gradient rules
//
// One line per op: the builder, and the gradient it sends to each input
// given dy, the gradient with respect to its output y. A gradient of a
// broadcast operand is summed back over the broadcast axes. Every rule is
// built from the ops of this table, so it differentiates again, and every
// op with a gradient is checked to second order in the tests. Full,
// Scalar, ScalarLike, ZerosLike and OnesLike make constants; Elementwise
// makes a new elementwise op from a kernel and a rule. ArgMax, ArgMin and
// MaxPoolIndices return int64 indices, piecewise constant in x, so like
// PyTorch's they pass no gradient. Moments, Normalize and Dropout are
// compositions of these ops (Dropout multiplies by a RandomBernoulli mask,
// so its gradient is dy times the same mask).
//
//	Op                     Builder                                    Gradient rule
//	Neg                    Neg(x)                                     -dy
//	Exp                    Exp(x)                                     dy·y
//	Log                    Log(x)                                     dy/x
//	Sqrt                   Sqrt(x)                                    dy/(2y)
//	Square                 Square(x)                                  dy·2x
//	Abs                    Abs(x)                                     dy·sign(x), 0 at 0
//	Sign                   Sign(x)                                    0
//	Sin                    Sin(x)                                     dy·cos x
//	Cos                    Cos(x)                                     -dy·sin x
//	Tanh                   Tanh(x)                                    dy·(1 - y²)
//	Sigmoid                Sigmoid(x)                                 dy·y·(1 - y)
//	ReLU                   ReLU(x)                                    dy where x > 0, else 0 (0 at 0)
//	Erf                    Erf(x)                                     dy·2/√π·e^(-x²)
//	Erfc                   Erfc(x)                                    -dy·2/√π·e^(-x²)
//	Log1p                  Log1p(x)                                   dy/(1 + x)
//	Expm1                  Expm1(x)                                   dy·(y + 1)
//	Softplus               Softplus(x)                                dy·sigmoid(x)
//	Add                    Add(a, b)                                  dy; dy
//	Sub                    Sub(a, b)                                  dy; -dy
//	Mul                    Mul(a, b)                                  dy·b; dy·a
//	Div                    Div(a, b)                                  dy/b; -dy·y/b
//	Pow                    Pow(a, b)                                  dy·b·a^(b-1), 0 where b = 0; dy·y·log a, 0 where a = 0
//	Maximum                Maximum(a, b)                              dy to the larger, ½·dy to each at a tie
//	Minimum                Minimum(a, b)                              dy to the smaller, ½·dy to each at a tie
//	Equal                  Equal(a, b)                                0 (a mask)
//	NotEqual               NotEqual(a, b)                             0
//	Less                   Less(a, b)                                 0
//	LessEqual              LessEqual(a, b)                            0
//	Greater                Greater(a, b)                              0
//	GreaterEqual           GreaterEqual(a, b)                         0
//	Where                  Where(cond, a, b)                          none to cond; dy where cond; dy where not cond
//	MatMul                 MatMul(a, b)                               dy·bᵀ; aᵀ·dy (a 1-D operand: through Reshapes to a row or a column)
//	MatMulT                MatMulT(a, b, tA, tB)                      the same products, as MatMulT with the flags swapped
//	Reshape                Reshape(x, shape...)                       dy reshaped to x's shape
//	Transpose              Transpose(x, perm...)                      dy transposed by the inverse permutation
//	BroadcastTo            BroadcastTo(x, shape...)                   dy, summed back to x's shape
//	Slice                  Slice(x, axis, start, end)                 Pad(dy) back to x's shape
//	Pad                    Pad(x, axis, before, after)                Slice(dy) of x's range
//	Concat                 Concat(axis, xs...)                        Slice(dy) of each input's range
//	Sum                    Sum(x, axes...)                            dy broadcast back to x
//	SumKeepDims            SumKeepDims(x, axes...)                    dy broadcast back to x
//	Mean                   Mean(x, axes...)                           dy/count broadcast back to x
//	MeanKeepDims           MeanKeepDims(x, axes...)                   dy/count broadcast back to x
//	Max                    Max(x, axes...)                            dy shared evenly among the maxima
//	MaxKeepDims            MaxKeepDims(x, axes...)                    dy shared evenly among the maxima
//	Min                    Min(x, axes...)                            dy shared evenly among the minima
//	MinKeepDims            MinKeepDims(x, axes...)                    dy shared evenly among the minima
//	ArgMax                 ArgMax(x, axis)                            none, by design
//	ArgMaxKeepDims         ArgMaxKeepDims(x, axis)                    none, by design
//	ArgMin                 ArgMin(x, axis)                            none, by design
//	ArgMinKeepDims         ArgMinKeepDims(x, axis)                    none, by design
//	Softmax                Softmax(x, axis)                           y·(dy - Σ dy·y)
//	LogSoftmax             LogSoftmax(x, axis)                        dy - exp(y)·Σ dy
//	StopGradient           StopGradient(x)                            none, by design
//	Conv                   Conv(x, w, cfg)                            ConvTranspose(dy, w); ConvFilterGrad(x, dy), each again differentiated into the three
//	ConvTranspose          ConvTranspose(x, w, cfg)                   Conv(dy, w); ConvFilterGrad(dy, x)
//	AddChannelBias         AddChannelBias(y, b)                       dy; dy summed over every axis but the channel's (an Add)
//	MaxPool                MaxPool(x, cfg)                            MaxPoolScatter(dy, indices): dy to each window's first maximum, at the forward's MaxPoolIndices; its own gradient is MaxPoolGather at them
//	MaxPool1D              MaxPool1D(x, k, stride, pad)               as MaxPool
//	MaxPool2D              MaxPool2D(x, k, stride, pad)               as MaxPool
//	MaxPoolIndices         MaxPoolIndices(x, cfg)                     none, by design
//	AvgPool                AvgPool(x, cfg)                            AvgPoolTranspose(dy), whose gradient is AvgPool
//	AvgPool1D              AvgPool1D(x, k, stride, pad)               as AvgPool
//	AvgPool2D              AvgPool2D(x, k, stride, pad)               as AvgPool
//	GlobalAvgPool          GlobalAvgPool(x)                           dy/count broadcast back to x (a Mean)
//	GlobalAvgPoolKeepDims  GlobalAvgPoolKeepDims(x)                   dy/count broadcast back to x
//	Take                   Take(x, indices, axis)                     TakeScatter(dy, indices): dy's slices added back at their indices; its gradient is Take; none to indices
//	IndexSelect            IndexSelect(x, axis, indices)              as Take
//	OneHot                 OneHot(indices, depth, dt)                 none, by design
//	Cast                   Cast(x, dt)                                Cast(dy) back to x's dtype; none to integers
//	RandomUniform          RandomUniform(g, seed, dt, shape...)       none, by design
//	RandomNormal           RandomNormal(g, seed, dt, shape...)        none, by design
//	RandomBernoulli        RandomBernoulli(g, seed, p, dt, shape...)  none, by design
//	Cumsum                 Cumsum(x, axis)                            the cumsum of dy run from the end of the axis back, the same op reversed, whose gradient is Cumsum
//	Einsum                 Einsum(spec, operands...)                  the gradients of the Transpose, Reshape, Pad, Slice, Sum, Mul and MatMulT it is built of
//	CausalMask             CausalMask(g, n, dt)                       none, by design
//	PaddingMask            PaddingMask(lengths, n, dt)                none, by design
//	MaskedSoftmax          MaskedSoftmax(x, mask, axis)               Softmax's rule where mask is nonzero, 0 elsewhere (a Softmax between two Wheres); none to mask
package ops
