package main

import (
	"bytes"
	"fmt"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// elementwise is one of the elementwise kernels of package ops (Add, Sub,
// Mul, Div, ReLU and ReLU's gradient). Its kernels all have the signature
//
//	func(n int, o, a, b *T) (done int)
//
// writing the first done = n rounded down to whole vectors of o from a and
// b. A scalar operand is one element, broadcast to every lane.
type elementwise struct {
	name   string   // of its kernels, before the type and instruction set
	id     string   // its constant in vecmath
	scalar string   // "a" or "b" if that operand is a scalar, else ""
	unary  bool     // reads a only
	loop   []string // the Go loop body it computes, for the documentation
	// body computes o's vector from a's and b's (a broadcast scalar, or
	// nil for a unary kernel), with zero and one broadcast 0 and 1.
	body func(e *emitter, a, b, zero, one VecVirtual) VecVirtual
}

// The comparison predicates of VCMPPS and VCMPPD (Intel SDM, table 3-1
// under CMPPD). Both are the quiet forms, which differ from the signaling
// ones only in the exception flags a NaN raises, never in the mask.
const (
	notLessEqualUnordered = 0x16 // !(x <= y): true for x > y and for NaN
	greaterOrdered        = 0x1e // x > y: false for NaN
)

// elementwiseKernels lists the kernels in the order of their constants in
// vecmath: the four arithmetic operations vector∘vector, vector∘scalar and
// scalar∘vector, then ReLU and its gradient.
func elementwiseKernels() []elementwise {
	type arith struct {
		name, sym string
		f         func(e *emitter, a, b VecVirtual) VecVirtual
		commutes  bool
	}
	ariths := []arith{
		{"add", "+", (*emitter).add, true},
		{"sub", "-", (*emitter).sub, false},
		{"mul", "*", (*emitter).mul, true},
		{"div", "/", (*emitter).div, false},
	}
	var ws []elementwise
	for _, form := range []struct{ suffix, scalar, a, b string }{
		{"VV", "", "a[i]", "b[i]"},
		{"VS", "b", "a[i]", "*b"},
		{"SV", "a", "*a", "b[i]"},
	} {
		for _, op := range ariths {
			f := op.f
			if op.commutes && form.scalar == "a" {
				// When both operands are NaNs, x86 returns the first
				// source's; Go compiles a + b[i] and a * b[i] with b[i]
				// first, and so do these kernels.
				f = func(e *emitter, a, b VecVirtual) VecVirtual { return op.f(e, b, a) }
			}
			ws = append(ws, elementwise{
				name: op.name + form.suffix, id: "elem" + strings.ToUpper(op.name[:1]) + op.name[1:] + form.suffix,
				scalar: form.scalar,
				loop:   []string{fmt.Sprintf("o[i] = %s %s %s", form.a, op.sym, form.b)},
				body: func(e *emitter, a, b, _, _ VecVirtual) VecVirtual {
					return f(e, a, b)
				},
			})
		}
	}
	return append(ws,
		elementwise{
			// The lanes that are not x <= 0 (x > 0, or NaN) keep x's
			// bits, the others are cleared to +0. VMAXPS with 0 returns
			// its second operand for a NaN and for ±0 alike, so it would
			// get either -0 or the NaN wrong.
			name: "relu", id: "elemReLU", unary: true,
			loop: []string{"o[i] = a[i]", "if a[i] <= 0 {", "\to[i] = 0 // +0, also for -0; NaN stays", "}"},
			body: func(e *emitter, a, _, zero, _ VecVirtual) VecVirtual {
				return e.keep(a, e.compare(notLessEqualUnordered, a, zero))
			},
		},
		elementwise{
			// dy times 1 where x > 0, times +0 elsewhere: a product and
			// not a choice, so that dy·0 keeps its sign and Inf·0 and
			// NaN·0 give the product's NaN, as in the Go loop.
			name: "reluGrad", id: "elemReLUGrad",
			loop: []string{"m := T(0) // x = a, dy = b", "if a[i] > 0 {", "\tm = 1", "}", "o[i] = b[i] * m"},
			body: func(e *emitter, a, b, zero, one VecVirtual) VecVirtual {
				return e.mul(b, e.keep(one, e.compare(greaterOrdered, a, zero)))
			},
		},
	)
}

// generateElementwise writes every elementwise kernel for both
// instruction sets and element sizes.
func generateElementwise() {
	// 1.0 by its bits: avo writes F32(1) as $(1), which the assembler
	// reads as the integer 1.
	one := map[int]Mem{4: ConstData("one32", U32(0x3f800000)), 8: ConstData("one64", U64(0x3ff0000000000000))}
	for _, w := range elementwiseKernels() {
		for _, avx512 := range []bool{true, false} {
			for _, size := range []int{4, 8} {
				e := &emitter{avx512: avx512, size: size}
				e.generateElementwise(w, one[size])
			}
		}
	}
}

// writeElementwiseDispatch adds elementwise32 and elementwise64 to the
// dispatch file, for the reason writeDispatch gives.
func writeElementwiseDispatch(b *bytes.Buffer) {
	for _, size := range []int{4, 8} {
		el := map[int]string{4: "float32", 8: "float64"}[size]
		fmt.Fprintf(b, "// elementwise%d runs the kernel w of kind kd (AVX or AVX-512) and returns\n", 8*size)
		b.WriteString("// how many elements of o it wrote.\n")
		fmt.Fprintf(b, "func elementwise%d(kd kind, w elementwise, n int, o, a, b *%s) int {\n", 8*size, el)
		b.WriteString("if kd == kindAVX512 {\nswitch w {\n")
		for _, avx512 := range []bool{true, false} {
			if !avx512 {
				b.WriteString("}\n}\nswitch w {\n")
			}
			e := &emitter{avx512: avx512, size: size}
			for _, w := range elementwiseKernels() {
				fmt.Fprintf(b, "case %s:\nreturn %s(n, o, a, b)\n", w.id, e.kernelName(w.name))
			}
		}
		b.WriteString("}\npanic(\"vecmath: no such elementwise kernel\")\n}\n\n")
	}
}

// kernelName is the Go name of the kernel for name, such as addVVF32AVX512.
func (e *emitter) kernelName(name string) string {
	return e.name(update{name: name})
}

// compare returns x pred y lane by lane: a mask of all ones or zeros in a
// vector register (AVX), or in an opmask register (AVX-512, where the
// comparison writes only those).
func (e *emitter) compare(pred uint8, x, y VecVirtual) Register {
	var m Register = e.vec()
	if e.avx512 {
		m = K()
	}
	if e.ps() {
		VCMPPS(U8(pred), y, x, m)
	} else {
		VCMPPD(U8(pred), y, x, m)
	}
	return m
}

// keep returns x in the lanes of mask m and +0 in the others. AVX-512F
// has no VANDPS on zmm (that is AVX-512DQ): it moves x under the mask,
// zeroing the rest.
func (e *emitter) keep(x VecVirtual, m Register) VecVirtual {
	r := e.vec()
	switch {
	case e.avx512 && e.ps():
		VMOVUPS_Z(x, m, r)
	case e.avx512:
		VMOVUPD_Z(x, m, r)
	case e.ps():
		VANDPS(m, x, r)
	default:
		VANDPD(m, x, r)
	}
	return r
}

// zero returns a register of zeros (VPXORD: AVX-512F has no VXORPS on
// zmm).
func (e *emitter) zero() VecVirtual {
	r := e.vec()
	if e.avx512 {
		VPXORD(r, r, r)
	} else {
		VXORPS(r, r, r)
	}
	return r
}

// elementwiseDoc is the comment of the kernel's Go declaration.
func (e *emitter) elementwiseDoc(w elementwise) []string {
	from := "a and b"
	switch {
	case w.unary:
		from = "a"
	case w.scalar != "":
		from += fmt.Sprintf(" (%s a single element)", w.scalar)
	}
	lines := []string{
		fmt.Sprintf("%s writes the first done = n - n%%%d elements of o from %s.", e.kernelName(w.name), e.lanes(), from),
		"o may be a or b itself. Each element gets exactly the bits of",
		"",
		"\tfor i := 0; i < done; i++ {",
	}
	for _, l := range w.loop {
		lines = append(lines, "\t\t"+l)
	}
	return append(lines, "\t}")
}

func (e *emitter) generateElementwise(w elementwise, one Mem) {
	name := e.kernelName(w.name)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(n int, o, a, b *%s) (done int)", e.elem()))
	Pragma("noescape")
	Doc(e.elementwiseDoc(w)...)

	n := Load(Param("n"), GP64())
	o := Load(Param("o"), GP64())
	a := Load(Param("a"), GP64())
	var b Register
	if !w.unary {
		b = Load(Param("b"), GP64())
	}
	var scalar VecVirtual
	switch w.scalar {
	case "a":
		scalar = e.broadcast(Mem{Base: a})
	case "b":
		scalar = e.broadcast(Mem{Base: b})
	}
	var zero, oneVec VecVirtual
	if strings.HasPrefix(w.name, "relu") {
		zero = e.zero()
	}
	if w.name == "reluGrad" {
		oneVec = e.broadcast(one)
	}

	Comment("done = n rounded down to whole vectors.")
	ANDQ(I32(-e.lanes()), n)
	Store(n, ReturnIndex(0))
	i := GP64()
	XORQ(i, i)
	// vector computes the vector j after element i: in cache, the loop's
	// own instructions would cost as much as one vector's work, so the
	// first loop does unroll of them at a time.
	vector := func(j int) {
		at := func(base Register) Mem {
			return Mem{Base: base, Index: i, Scale: uint8(e.size), Disp: j * e.lanes() * e.size}
		}
		x, y := scalar, scalar
		if w.scalar != "a" {
			x = e.load(at(a))
		}
		if !w.unary && w.scalar != "b" {
			y = e.load(at(b))
		}
		e.store(w.body(e, x, y, zero, oneVec), at(o))
	}
	const unroll = 4
	whole := GP64()
	MOVQ(n, whole)
	ANDQ(I32(-unroll*e.lanes()), whole)

	Label(name + "_unrolled")
	CMPQ(i, whole)
	JAE(LabelRef(name + "_loop"))
	for j := range unroll {
		vector(j)
	}
	ADDQ(U32(unroll*e.lanes()), i)
	JMP(LabelRef(name + "_unrolled"))

	Label(name + "_loop")
	CMPQ(i, n)
	JAE(LabelRef(name + "_done"))
	vector(0)
	ADDQ(U32(e.lanes()), i)
	JMP(LabelRef(name + "_loop"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}
