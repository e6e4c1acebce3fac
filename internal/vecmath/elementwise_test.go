package vecmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// elementwiseCase runs one elementwise kernel of kind kd, and the scalar
// Go loop it must match bit for bit, written as package ops wrote it
// before it called the kernels. The loop matters, not just the operation:
// where both operands are NaNs, x86 returns the first source's, and Go
// compiles a + b[i] and a * b[i] with b[i] first.
type elementwiseCase[T Float] struct {
	name string
	// scalar is "a" or "b" when that operand is one element.
	scalar string
	unary  bool
	run    func(kd kind, o, a, b []T)
	loop   func(o, a, b []T)
}

func elementwiseCases[T Float]() []elementwiseCase[T] {
	vv := func(op Arith) func(kd kind, o, a, b []T) {
		return func(kd kind, o, a, b []T) { vectorVector(kd, op, o, a, b) }
	}
	vs := func(op Arith) func(kd kind, o, a, b []T) {
		return func(kd kind, o, a, b []T) { vectorScalar(kd, op, o, a, b[0]) }
	}
	sv := func(op Arith) func(kd kind, o, a, b []T) {
		return func(kd kind, o, a, b []T) { scalarVector(kd, op, o, a[0], b) }
	}
	return []elementwiseCase[T]{
		{"VectorVector/Add", "", false, vv(Add), func(o, a, b []T) {
			for i := range o {
				o[i] = a[i] + b[i]
			}
		}},
		{"VectorVector/Sub", "", false, vv(Sub), func(o, a, b []T) {
			for i := range o {
				o[i] = a[i] - b[i]
			}
		}},
		{"VectorVector/Mul", "", false, vv(Mul), func(o, a, b []T) {
			for i := range o {
				o[i] = a[i] * b[i]
			}
		}},
		{"VectorVector/Div", "", false, vv(Div), func(o, a, b []T) {
			for i := range o {
				o[i] = a[i] / b[i]
			}
		}},
		{"VectorScalar/Add", "b", false, vs(Add), func(o, a, b []T) {
			s := b[0]
			for i := range o {
				o[i] = a[i] + s
			}
		}},
		{"VectorScalar/Sub", "b", false, vs(Sub), func(o, a, b []T) {
			s := b[0]
			for i := range o {
				o[i] = a[i] - s
			}
		}},
		{"VectorScalar/Mul", "b", false, vs(Mul), func(o, a, b []T) {
			s := b[0]
			for i := range o {
				o[i] = a[i] * s
			}
		}},
		{"VectorScalar/Div", "b", false, vs(Div), func(o, a, b []T) {
			s := b[0]
			for i := range o {
				o[i] = a[i] / s
			}
		}},
		{"ScalarVector/Add", "a", false, sv(Add), func(o, a, b []T) {
			s := a[0]
			for i := range o {
				o[i] = s + b[i]
			}
		}},
		{"ScalarVector/Sub", "a", false, sv(Sub), func(o, a, b []T) {
			s := a[0]
			for i := range o {
				o[i] = s - b[i]
			}
		}},
		{"ScalarVector/Mul", "a", false, sv(Mul), func(o, a, b []T) {
			s := a[0]
			for i := range o {
				o[i] = s * b[i]
			}
		}},
		{"ScalarVector/Div", "a", false, sv(Div), func(o, a, b []T) {
			s := a[0]
			for i := range o {
				o[i] = s / b[i]
			}
		}},
		{"ReLU", "", true, func(kd kind, o, a, b []T) { relu(kd, o, a) }, func(o, a, b []T) {
			for i, v := range a[:len(o)] {
				if v <= 0 {
					v = 0 // +0
				}
				o[i] = v
			}
		}},
		{"ReLUGrad", "", false, func(kd kind, o, a, b []T) { reluGrad(kd, o, a, b) }, func(o, x, dy []T) {
			for i := range o {
				o[i] = dy[i] * oneOrZero[T](x[i] > 0)
			}
		}},
	}
}

// oneOrZero is 1 for true and 0 for false, hidden from the compiler's
// constant folding (which would turn dy·1 into dy and so keep a signaling
// NaN's bits, where the product quiets it).
//
//go:noinline
func oneOrZero[T Float](b bool) T {
	if b {
		return 1
	}
	return 0
}

// bitsOf is v's bit pattern, NaN payloads included.
func bitsOf[T Float](v T) uint64 {
	if is32[T]() {
		return uint64(*(*uint32)(unsafe.Pointer(&v)))
	}
	return *(*uint64)(unsafe.Pointer(&v))
}

// specials are the values whose bits the kernels must get exactly right:
// signed zeros and infinities, NaNs of both signs with payloads (one of
// them signaling), subnormals, and numbers whose sums, products and
// quotients overflow or underflow.
func specials[T Float]() []T {
	if is32[T]() {
		bits := []uint32{
			0x00000000, 0x80000000, // ±0
			0x7f800000, 0xff800000, // ±Inf
			0x7fc00000, 0xffc00000, 0x7fc12345, 0xffe54321, // quiet NaNs
			0x7f812345, 0xff800001, // signaling NaNs
			0x00000001, 0x80000001, 0x007fffff, 0x807fffff, // subnormals
			0x00800000, 0x80800000, // ±smallest normal
			0x7f7fffff, 0xff7fffff, 0x7f000000, 0x7effffff, // near overflow
			0x3f800000, 0xbf800000, 0x3f800001, 0x34000000, // 1, -1, 1+ulp, 2^-23
		}
		out := make([]T, len(bits))
		for i, b := range bits {
			f := math.Float32frombits(b)
			out[i] = *(*T)(unsafe.Pointer(&f))
		}
		return out
	}
	bits := []uint64{
		0x0000000000000000, 0x8000000000000000,
		0x7ff0000000000000, 0xfff0000000000000,
		0x7ff8000000000000, 0xfff8000000000000, 0x7ff8000012345678, 0xfffc000087654321,
		0x7ff0000012345678, 0xfff0000000000001,
		0x0000000000000001, 0x8000000000000001, 0x000fffffffffffff, 0x800fffffffffffff,
		0x0010000000000000, 0x8010000000000000,
		0x7fefffffffffffff, 0xffefffffffffffff, 0x7fe0000000000000, 0x7fdfffffffffffff,
		0x3ff0000000000000, 0xbff0000000000000, 0x3ff0000000000001, 0x3cb0000000000000,
	}
	out := make([]T, len(bits))
	for i, b := range bits {
		f := math.Float64frombits(b)
		out[i] = *(*T)(unsafe.Pointer(&f))
	}
	return out
}

// elementwiseLengths are every length to 100 (below, at and around each
// vector width and its multiples) and a few long ones.
var elementwiseLengths = func() []int {
	var ns []int
	for n := 0; n <= 100; n++ {
		ns = append(ns, n)
	}
	return append(ns, 1000, 4099, 1<<14+27)
}()

// Every kernel of every kind, the pure-Go one included, gives the bits of
// the scalar Go loop on every element: at every length, from every start
// offset within a vector (every fifth with -short), with the output a
// separate array or one of the operands (an op computed in place), on
// values drawn half from the specials, so that every special meets every
// other; and it writes nothing outside the output, nor to its operands.
func TestElementwiseKernelsMatchTheScalarLoopBitForBit(t *testing.T) {
	t.Run("float32", testElementwiseKernels[float32])
	t.Run("float64", testElementwiseKernels[float64])
}

func testElementwiseKernels[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sp := specials[T]()
	random := func(n int) []T {
		x := make([]T, n)
		for i := range x {
			if rng.IntN(2) == 0 {
				x[i] = sp[rng.IntN(len(sp))]
			} else {
				x[i] = T(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(41)-20)))
			}
		}
		return x
	}
	const maxOffset = 15
	for _, c := range elementwiseCases[T]() {
		aliases := []int{2} // out in its own buffer, or in a vector operand's
		if c.scalar != "a" {
			aliases = append(aliases, 0)
		}
		if !c.unary && c.scalar != "b" {
			aliases = append(aliases, 1)
		}
		for _, n := range elementwiseLengths {
			// a's, b's and out's buffers, with room for the offsets and
			// for guard elements after the arrays.
			size := n + 2*maxOffset + 1
			src := [3][]T{random(size), random(size), random(size)}
			var want, got [3][]T // the loop's and a kernel's copies
			for k := range src {
				want[k], got[k] = make([]T, size), make([]T, size)
			}
			offsets, step := maxOffset, 1
			if n > 100 {
				offsets = 1
			}
			if testing.Short() { // -race -short, in CI: every fifth offset
				step = 5
			}
			for off := 0; off <= offsets; off += step {
				at := [3]int{off, (off*7 + 3) % (maxOffset + 1), (off*11 + 5) % (maxOffset + 1)}
				for _, alias := range aliases {
					c.loop(c.views(want, src, at, n, alias))
					for _, kd := range supportedKinds() {
						o, a, b := c.views(got, src, at, n, alias)
						c.run(kd, o, a, b)
						for k := range got {
							for i := range got[k] {
								if g, w := bitsOf(got[k][i]), bitsOf(want[k][i]); g != w {
									_, a, b := c.views(got, src, at, n, 2)
									j := i - at[alias]
									t.Fatalf("%s %s kind %s n=%d offset %d, out in buffer %d: buffer %d [%d], out[%d], has bits %#x, the loop gives %#x (a %s, b %s)",
										c.name, typeName[T](), kindNames[kd], n, off, alias, k, i, j, g, w, operandBits(a, j), operandBits(b, j))
								}
							}
						}
					}
				}
			}
		}
	}
}

// operandBits describes x[i] (x[0] for a scalar) for a test failure.
func operandBits[T Float](x []T, i int) string {
	switch {
	case len(x) == 1:
		i = 0
	case i < 0 || i >= len(x):
		return "none"
	}
	return fmt.Sprintf("%#x", bitsOf(x[i]))
}

// views copies the buffers src of a, b and out to bufs and returns the
// kernel's operands in the copies: a and b at their offsets at[0] and at[1]
// (one element for a scalar), out at at[2] in its own buffer (alias 2) or
// as the operand in buffer alias.
func (c elementwiseCase[T]) views(bufs, src [3][]T, at [3]int, n, alias int) (o, a, b []T) {
	for k := range src {
		copy(bufs[k], src[k])
	}
	la, lb := n, n
	switch c.scalar {
	case "a":
		la = 1
	case "b":
		lb = 1
	}
	a, b = bufs[0][at[0]:at[0]+la], bufs[1][at[1]:at[1]+lb]
	return bufs[alias][at[alias] : at[alias]+n], a, b
}

func typeName[T Float]() string {
	if is32[T]() {
		return "float32"
	}
	return "float64"
}

// ReLU and its gradient on the values where max(x, 0) and a select would
// go wrong, written out: -0 becomes +0 and a NaN passes through with its
// sign and payload; the gradient is a product, so dy·0 is -0 for a
// negative dy and NaN for an infinite one, and a NaN dy stays NaN.
func TestReLUOnSignedZerosAndNaNs(t *testing.T) {
	const anyNaN = 0x7fc00000 // in gradWant: any NaN
	nan := math.Float32frombits(0xffc12345)
	inf := float32(math.Inf(1))
	x := []float32{float32(math.Copysign(0, -1)), 0, nan, -2, 3, 3, -2, -2, nan, 3}
	dy := []float32{0, 0, 0, 0, 0, -5, -5, inf, 5, nan}
	reluWant := []uint32{0, 0, 0xffc12345, 0, 0x40400000, 0x40400000, 0, 0, 0xffc12345, 0x40400000}
	gradWant := []uint32{0, 0, 0, 0, 0, 0xc0a00000, 0x80000000, anyNaN, 0, anyNaN}
	// Repeated past two AVX-512 vectors, so that the kernels see them too.
	var xs, dys []float32
	for range 4 {
		xs, dys = append(xs, x...), append(dys, dy...)
	}
	for _, kd := range supportedKinds() {
		out := make([]float32, len(xs))
		relu(kd, out, xs)
		for i, v := range out {
			if w := reluWant[i%len(x)]; math.Float32bits(v) != w {
				t.Errorf("kind %s: ReLU(%v) has bits %#x, want %#x", kindNames[kd], xs[i], math.Float32bits(v), w)
			}
		}
		reluGrad(kd, out, xs, dys)
		for i, v := range out {
			w := gradWant[i%len(x)]
			if w == anyNaN && v == v || w != anyNaN && math.Float32bits(v) != w {
				t.Errorf("kind %s: ReLUGrad(x %v, dy %v) has bits %#x, want %#x", kindNames[kd], xs[i], dys[i], math.Float32bits(v), w)
			}
		}
	}
}

// The exported kernels run the detected kind and allocate nothing, the
// scalar forms included (their scalar is passed by address).
func TestElementwiseKernelsDoNotAllocate(t *testing.T) {
	o, a, b := make([]float32, 100), make([]float32, 100), make([]float32, 100)
	allocs := testing.AllocsPerRun(10, func() {
		VectorVector(Add, o, a, b)
		VectorScalar(Mul, o, a, 2)
		ScalarVector(Div, o, 1, b)
		ReLU(o, a)
		ReLUGrad(o, a, b)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}
