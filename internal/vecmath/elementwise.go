package vecmath

import (
	"math"
	"unsafe"
)

// Arith is one of the four arithmetic operations of the elementwise
// kernels.
type Arith int

const (
	Add Arith = iota // a + b
	Sub              // a - b
	Mul              // a * b
	Div              // a / b
)

// elementwise names an elementwise kernel, indexing the generated
// dispatch. The arithmetic ones come in Arith's order, so that kernel
// elemAddVV + elementwise(op) is op's.
type elementwise int

const (
	elemAddVV elementwise = iota
	elemSubVV
	elemMulVV
	elemDivVV
	elemAddVS
	elemSubVS
	elemMulVS
	elemDivVS
	elemAddSV
	elemSubSV
	elemMulSV
	elemDivSV
	elemReLU
	elemReLUGrad
)

// Each exported kernel below writes out element by element with the
// detected kernel; its unexported twin takes the kind, for tests and
// benchmarks. The operands are at least as long as out; out may be an
// operand itself (an op computed in place), but must not overlap one
// otherwise. The vector kernels do the leading whole vectors and the Go
// loop the rest, with the same bits: IEEE arithmetic gives one result per
// element, whichever instruction computes it, but for the NaN of two NaN
// operands, which x86 takes from the first source; the kernels put first
// the operand that the compiled Go loop puts first (the vector in a + b[i]
// and a * b[i], else a), as the tests check.

// VectorMin is the shortest run the exported kernels hand to the vector
// code: below it the dispatch costs more than it saves, and they run the
// Go loop straight away (an XOR network's layers are 4×10). Their
// unexported twins, which the tests run, take the vector code at any
// length.
const VectorMin = 64

// VectorVector sets out[i] = a[i] op b[i].
func VectorVector[T Float](op Arith, out, a, b []T) {
	if len(out) < VectorMin {
		vectorVectorGo(op, out, a, b)
		return
	}
	vectorVector(detected, op, out, a, b)
}

func vectorVector[T Float](kd kind, op Arith, out, a, b []T) {
	a, b = a[:len(out)], b[:len(out)]
	done := elementwiseVector(kd, elemAddVV+elementwise(op), out, a, b)
	vectorVectorGo(op, out[done:], a[done:], b[done:])
}

func vectorVectorGo[T Float](op Arith, o, a, b []T) {
	a, b = a[:len(o)], b[:len(o)]
	switch op {
	case Add:
		for i := range o {
			o[i] = a[i] + b[i]
		}
	case Sub:
		for i := range o {
			o[i] = a[i] - b[i]
		}
	case Mul:
		for i := range o {
			o[i] = a[i] * b[i]
		}
	case Div:
		for i := range o {
			o[i] = a[i] / b[i]
		}
	}
}

// VectorScalar sets out[i] = a[i] op b.
func VectorScalar[T Float](op Arith, out, a []T, b T) {
	if len(out) < VectorMin {
		vectorScalarGo(op, out, a, b)
		return
	}
	vectorScalar(detected, op, out, a, b)
}

func vectorScalar[T Float](kd kind, op Arith, out, a []T, b T) {
	a = a[:len(out)]
	s := [1]T{b}
	done := elementwiseVector(kd, elemAddVS+elementwise(op), out, a, s[:])
	vectorScalarGo(op, out[done:], a[done:], b)
}

func vectorScalarGo[T Float](op Arith, o, a []T, b T) {
	a = a[:len(o)]
	switch op {
	case Add:
		for i := range o {
			o[i] = a[i] + b
		}
	case Sub:
		for i := range o {
			o[i] = a[i] - b
		}
	case Mul:
		for i := range o {
			o[i] = a[i] * b
		}
	case Div:
		for i := range o {
			o[i] = a[i] / b
		}
	}
}

// ScalarVector sets out[i] = a op b[i].
func ScalarVector[T Float](op Arith, out []T, a T, b []T) {
	if len(out) < VectorMin {
		scalarVectorGo(op, out, a, b)
		return
	}
	scalarVector(detected, op, out, a, b)
}

func scalarVector[T Float](kd kind, op Arith, out []T, a T, b []T) {
	b = b[:len(out)]
	s := [1]T{a}
	done := elementwiseVector(kd, elemAddSV+elementwise(op), out, s[:], b)
	scalarVectorGo(op, out[done:], a, b[done:])
}

func scalarVectorGo[T Float](op Arith, o []T, a T, b []T) {
	b = b[:len(o)]
	switch op {
	case Add:
		for i := range o {
			o[i] = a + b[i]
		}
	case Sub:
		for i := range o {
			o[i] = a - b[i]
		}
	case Mul:
		for i := range o {
			o[i] = a * b[i]
		}
	case Div:
		for i := range o {
			o[i] = a / b[i]
		}
	}
}

// ReLU sets out[i] = x[i], or +0 where x[i] <= 0: -0 becomes +0 and a NaN
// passes through unchanged, as in PyTorch (max(x, 0) would keep -0 and
// drop the NaN).
func ReLU[T Float](out, x []T) {
	if len(out) < VectorMin {
		reluGo(out, x)
		return
	}
	relu(detected, out, x)
}

// The Go loop chooses between x's bits and 0 as integers, which the
// compiler turns into a conditional move: a branch on each element's sign
// costs about 5 ns whenever the signs are random, as a layer's are.
// reluGo and reluGradGo are the Go loops alone.
func reluGo[T Float](out, x []T) {
	if is32[T]() {
		relu32(as[float32](out), as[float32](x[:len(out)]))
	} else {
		relu64(as[float64](out), as[float64](x[:len(out)]))
	}
}

func reluGradGo[T Float](out, x, dy []T) {
	if is32[T]() {
		reluGrad32(as[float32](out), as[float32](x[:len(out)]), as[float32](dy[:len(out)]))
	} else {
		reluGrad64(as[float64](out), as[float64](x[:len(out)]), as[float64](dy[:len(out)]))
	}
}

func relu[T Float](kd kind, out, x []T) {
	x = x[:len(out)]
	done := elementwiseVector(kd, elemReLU, out, x, nil)
	reluGo(out[done:], x[done:])
}

func relu32(o, x []float32) {
	x = x[:len(o)]
	for i, v := range x {
		b := math.Float32bits(v)
		if v <= 0 {
			b = 0
		}
		o[i] = math.Float32frombits(b)
	}
}

func relu64(o, x []float64) {
	x = x[:len(o)]
	for i, v := range x {
		b := math.Float64bits(v)
		if v <= 0 {
			b = 0
		}
		o[i] = math.Float64frombits(b)
	}
}

// ReLUGrad sets out[i] = dy[i]·1 where x[i] > 0 and dy[i]·0 elsewhere:
// ReLU's gradient, as a product rather than a choice between dy and 0, so
// that it gives the bits of the comparison and product it replaces (dy·0
// is -0 for a negative dy and NaN for an infinite one or a NaN).
func ReLUGrad[T Float](out, x, dy []T) {
	if len(out) < VectorMin {
		reluGradGo(out, x, dy)
		return
	}
	reluGrad(detected, out, x, dy)
}

// The Go loop picks the mask's bits as integers, again so that no branch
// depends on the data.
func reluGrad[T Float](kd kind, out, x, dy []T) {
	x, dy = x[:len(out)], dy[:len(out)]
	done := elementwiseVector(kd, elemReLUGrad, out, x, dy)
	reluGradGo(out[done:], x[done:], dy[done:])
}

func reluGrad32(o, x, dy []float32) {
	x, dy = x[:len(o)], dy[:len(o)]
	for i := range o {
		m := uint32(0x3f800000) // 1.0
		if !(x[i] > 0) {
			m = 0
		}
		o[i] = dy[i] * math.Float32frombits(m)
	}
}

func reluGrad64(o, x, dy []float64) {
	x, dy = x[:len(o)], dy[:len(o)]
	for i := range o {
		m := uint64(0x3ff0000000000000) // 1.0
		if !(x[i] > 0) {
			m = 0
		}
		o[i] = dy[i] * math.Float64frombits(m)
	}
}

// as is x seen as a slice of E, which has T's size.
func as[E float32 | float64, T Float](x []T) []E {
	return unsafe.Slice(first[T, E](x), len(x))
}
