// Command asmgen writes the amd64 update loops and elementwise kernels of
// package vecmath with avo (the kernels in elementwise.go).
//
// Run it through go generate in the parent package; check.sh verifies that
// the checked-in assembly matches what this program produces.
//
// Every loop uses the same instructions in the same order as the Go loop in
// vecmath's update.go: a separate multiply and add where Go writes a·b + c
// (no FMA, whose single rounding would change the result), and the
// correctly rounded VSQRT and VDIV. So each lane computes exactly the bits
// of the scalar loop, and the results do not depend on the vector width.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// update is one elementwise update loop. Its kernels all have the signature
//
//	func(n int, p, grad, s, u, k *T) (done int)
//
// updating the first done = n rounded down to whole vectors of p and of the
// slots s and u (nil when the update has fewer) from the gradient g, with
// the coefficients k[0], k[1], ... named by coeffs.
type update struct {
	name   string   // of its kernels, before the type and instruction set
	id     string   // its loop constant in vecmath
	arrays int      // how many of p, g, s, u it uses
	coeffs []string // k[i]'s names
	loop   []string // the Go loop body it computes, for the documentation
	// body computes the new p, s and u (nil for an array it does not
	// write) from the loaded x = p, g, s, u and the broadcast coefficients.
	body func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (p, s, u VecVirtual)
}

var updates = []update{
	{
		name: "sgd", id: "loopSGD", arrays: 2, coeffs: []string{"lr"},
		loop: []string{"p[i] -= lr * g[i]"},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			return e.sub(x[0], e.mul(k["lr"], x[1])), nil, nil
		},
	},
	{
		name: "sgdMomentum", id: "loopSGDMomentum", arrays: 3, coeffs: []string{"lr", "mu"},
		loop: []string{"s[i] = mu*s[i] + g[i]", "p[i] -= lr * s[i]"},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			b := e.add(e.mul(k["mu"], x[2]), x[1])
			return e.sub(x[0], e.mul(k["lr"], b)), b, nil
		},
	},
	{
		name: "sgdNesterov", id: "loopSGDNesterov", arrays: 3, coeffs: []string{"lr", "mu"},
		loop: []string{"s[i] = mu*s[i] + g[i]", "p[i] -= lr * (g[i] + mu*s[i])"},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			b := e.add(e.mul(k["mu"], x[2]), x[1])
			step := e.mul(k["lr"], e.add(x[1], e.mul(k["mu"], b)))
			return e.sub(x[0], step), b, nil
		},
	},
	{
		name: "rmsProp", id: "loopRMSProp", arrays: 3, coeffs: []string{"lr", "rho", "oneMinusRho", "eps"},
		loop: []string{"s[i] = rho*s[i] + oneMinusRho*g[i]*g[i]", "p[i] -= lr * g[i] / sqrt(s[i]+eps)"},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			v := e.add(e.mul(k["rho"], x[2]), e.mul(e.mul(k["oneMinusRho"], x[1]), x[1]))
			step := e.div(e.mul(k["lr"], x[1]), e.sqrt(e.add(v, k["eps"])))
			return e.sub(x[0], step), v, nil
		},
	},
	{
		name: "rmsPropMomentum", id: "loopRMSPropMomentum", arrays: 4, coeffs: []string{"lr", "rho", "oneMinusRho", "eps", "mu"},
		loop: []string{
			"s[i] = rho*s[i] + oneMinusRho*g[i]*g[i]",
			"u[i] = mu*u[i] + lr*g[i]/sqrt(s[i]+eps)",
			"p[i] -= u[i]",
		},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			v := e.add(e.mul(k["rho"], x[2]), e.mul(e.mul(k["oneMinusRho"], x[1]), x[1]))
			step := e.div(e.mul(k["lr"], x[1]), e.sqrt(e.add(v, k["eps"])))
			b := e.add(e.mul(k["mu"], x[3]), step)
			return e.sub(x[0], b), v, b
		},
	},
	{
		name: "adagrad", id: "loopAdagrad", arrays: 3, coeffs: []string{"lr", "eps"},
		loop: []string{"s[i] += g[i] * g[i]", "p[i] -= lr * g[i] / sqrt(s[i]+eps)"},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			a := e.add(x[2], e.mul(x[1], x[1]))
			step := e.div(e.mul(k["lr"], x[1]), e.sqrt(e.add(a, k["eps"])))
			return e.sub(x[0], step), a, nil
		},
	},
	{
		name: "adam", id: "loopAdam", arrays: 4, coeffs: []string{"keep", "beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "step", "eps"},
		loop: []string{
			"p[i] *= keep",
			"s[i] = beta1*s[i] + oneMinusBeta1*g[i]",
			"u[i] = beta2*u[i] + oneMinusBeta2*g[i]*g[i]",
			"p[i] -= step * s[i] / (sqrt(u[i]) + eps)",
		},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			p := e.mul(x[0], k["keep"])
			m := e.add(e.mul(k["beta1"], x[2]), e.mul(k["oneMinusBeta1"], x[1]))
			v := e.add(e.mul(k["beta2"], x[3]), e.mul(e.mul(k["oneMinusBeta2"], x[1]), x[1]))
			step := e.div(e.mul(k["step"], m), e.add(e.sqrt(v), k["eps"]))
			return e.sub(p, step), m, v
		},
	},
	{
		name: "adamPyTorch", id: "loopAdamPyTorch", arrays: 4, coeffs: []string{"keep", "beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "step", "root", "eps"},
		loop: []string{
			"p[i] *= keep",
			"s[i] = beta1*s[i] + oneMinusBeta1*g[i]",
			"u[i] = beta2*u[i] + oneMinusBeta2*g[i]*g[i]",
			"p[i] -= step * s[i] / (sqrt(u[i])/root + eps)",
		},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			p := e.mul(x[0], k["keep"])
			m := e.add(e.mul(k["beta1"], x[2]), e.mul(k["oneMinusBeta1"], x[1]))
			v := e.add(e.mul(k["beta2"], x[3]), e.mul(e.mul(k["oneMinusBeta2"], x[1]), x[1]))
			step := e.div(e.mul(k["step"], m), e.add(e.div(e.sqrt(v), k["root"]), k["eps"]))
			return e.sub(p, step), m, v
		},
	},
	{
		// Not an optimizer: Adam's memory traffic (four loads and three
		// stores per element) with one add, the bound the benchmarks
		// measure Adam against.
		name: "stream", id: "loopStream", arrays: 4,
		loop: []string{"p[i] += g[i]", "s[i], u[i] = s[i], u[i]"},
		body: func(e *emitter, x []VecVirtual, k map[string]VecVirtual) (VecVirtual, VecVirtual, VecVirtual) {
			return e.add(x[0], x[1]), x[2], x[3]
		},
	},
}

func main() {
	dispatch := flag.String("dispatch", "", "write the Go function that calls the kernels to this file")
	for _, u := range updates {
		for _, avx512 := range []bool{true, false} {
			for _, size := range []int{4, 8} {
				e := &emitter{avx512: avx512, size: size}
				e.generate(u)
			}
		}
	}
	generateElementwise()
	Generate() // parses the flags it knows, -out, -stubs and -pkg
	if *dispatch != "" {
		writeDispatch(*dispatch)
	}
}

// writeDispatch writes kernel32 and kernel64, which call the kernel of a
// kind and loop directly: a call through a table of function values would
// make the coefficients escape to the heap at every call.
func writeDispatch(path string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by command: go run main.go %s. DO NOT EDIT.\n\n", strings.Join(os.Args[1:], " "))
	b.WriteString("package vecmath\n\n")
	for _, size := range []int{4, 8} {
		el := map[int]string{4: "float32", 8: "float64"}[size]
		fmt.Fprintf(&b, "// kernel%d runs loop l's kernel of kind kd (AVX or AVX-512) and returns how\n", 8*size)
		b.WriteString("// many elements it updated.\n")
		fmt.Fprintf(&b, "func kernel%d(kd kind, l loop, n int, p, g, s, u, k *%s) int {\n", 8*size, el)
		b.WriteString("if kd == kindAVX512 {\nswitch l {\n")
		for _, avx512 := range []bool{true, false} {
			if !avx512 {
				b.WriteString("}\n}\nswitch l {\n")
			}
			e := &emitter{avx512: avx512, size: size}
			for _, u := range updates {
				fmt.Fprintf(&b, "case %s:\nreturn %s(n, p, g, s, u, k)\n", u.id, e.name(u))
			}
		}
		b.WriteString("}\npanic(\"vecmath: no such loop\")\n}\n\n")
	}
	writeElementwiseDispatch(&b)
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		panic(err)
	}
}

// emitter writes one kernel: one update for one vector width and element
// size. Each operation returns a new virtual register; avo allocates them.
type emitter struct {
	avx512 bool
	size   int // bytes per element
}

func (e *emitter) elem() string {
	if e.size == 4 {
		return "float32"
	}
	return "float64"
}

func (e *emitter) lanes() int {
	if e.avx512 {
		return 64 / e.size
	}
	return 32 / e.size
}

// name is the kernel's Go name, such as adamF32AVX512.
func (e *emitter) name(u update) string {
	isa := "AVX"
	if e.avx512 {
		isa = "AVX512"
	}
	return fmt.Sprintf("%sF%d%s", u.name, 8*e.size, isa)
}

func (e *emitter) vec() VecVirtual {
	if e.avx512 {
		return ZMM()
	}
	return YMM()
}

func (e *emitter) ps() bool { return e.size == 4 }

// mul, add, sub and div return a∘b in a new register (in Go's operand
// order, which avo keeps, the destination is last and VSUBPS b, a, r
// computes r = a - b).
func (e *emitter) mul(a, b VecVirtual) VecVirtual {
	r := e.vec()
	if e.ps() {
		VMULPS(b, a, r)
	} else {
		VMULPD(b, a, r)
	}
	return r
}

func (e *emitter) add(a, b VecVirtual) VecVirtual {
	r := e.vec()
	if e.ps() {
		VADDPS(b, a, r)
	} else {
		VADDPD(b, a, r)
	}
	return r
}

func (e *emitter) sub(a, b VecVirtual) VecVirtual {
	r := e.vec()
	if e.ps() {
		VSUBPS(b, a, r)
	} else {
		VSUBPD(b, a, r)
	}
	return r
}

func (e *emitter) div(a, b VecVirtual) VecVirtual {
	r := e.vec()
	if e.ps() {
		VDIVPS(b, a, r)
	} else {
		VDIVPD(b, a, r)
	}
	return r
}

func (e *emitter) sqrt(a VecVirtual) VecVirtual {
	r := e.vec()
	if e.ps() {
		VSQRTPS(a, r)
	} else {
		VSQRTPD(a, r)
	}
	return r
}

func (e *emitter) load(m Mem) VecVirtual {
	r := e.vec()
	if e.ps() {
		VMOVUPS(m, r)
	} else {
		VMOVUPD(m, r)
	}
	return r
}

func (e *emitter) store(r VecVirtual, m Mem) {
	if e.ps() {
		VMOVUPS(r, m)
	} else {
		VMOVUPD(r, m)
	}
}

func (e *emitter) broadcast(m Mem) VecVirtual {
	r := e.vec()
	if e.ps() {
		VBROADCASTSS(m, r)
	} else {
		VBROADCASTSD(m, r)
	}
	return r
}

// doc is the comment of the kernel's Go declaration: its contract, then the
// Go loop it computes bit for bit.
func (e *emitter) doc(u update) []string {
	written := []string{"p", "s", "u"}[:u.arrays-1]
	lines := []string{
		fmt.Sprintf("%s updates the first done = n - n%%%d elements of %s", e.name(u), e.lanes(), join(written)),
		"in place from the gradient g = grad, with the coefficients",
		"",
		"\t" + coeffList(u.coeffs),
		"",
		"read from k. Each element gets exactly the bits of",
		"",
		"\tfor i := 0; i < done; i++ {",
	}
	for _, l := range u.loop {
		lines = append(lines, "\t\t"+l)
	}
	lines = append(lines, "\t}")
	if strings.Contains(strings.Join(u.loop, ""), "sqrt") {
		lines = append(lines, "", fmt.Sprintf("with sqrt the correctly rounded %s square root.", e.elem()))
	}
	return lines
}

func join(names []string) string {
	s := ""
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			s += " and "
		default:
			s += ", "
		}
		s += n
	}
	return s
}

func coeffList(coeffs []string) string {
	s := ""
	for i, c := range coeffs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s = k[%d]", c, i)
	}
	return s
}

func (e *emitter) generate(u update) {
	el := e.elem()
	name := e.name(u)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(n int, p, grad, s, u, k *%s) (done int)", el))
	Pragma("noescape")
	Doc(e.doc(u)...)

	n := Load(Param("n"), GP64())
	var ptrs []Register
	// The gradient's parameter is grad: g names a register in Go assembly.
	for _, a := range []string{"p", "grad", "s", "u"}[:u.arrays] {
		ptrs = append(ptrs, Load(Param(a), GP64()))
	}
	kp := Load(Param("k"), GP64())
	k := map[string]VecVirtual{}
	for i, c := range u.coeffs {
		k[c] = e.broadcast(Mem{Base: kp, Disp: i * e.size})
	}

	Comment("done = n rounded down to whole vectors.")
	ANDQ(I32(-e.lanes()), n)
	Store(n, ReturnIndex(0))
	i := GP64()
	XORQ(i, i)

	Label(name + "_loop")
	CMPQ(i, n)
	JAE(LabelRef(name + "_done"))
	at := func(base Register) Mem { return Mem{Base: base, Index: i, Scale: uint8(e.size)} }
	x := make([]VecVirtual, u.arrays)
	for j, ptr := range ptrs {
		x[j] = e.load(at(ptr))
	}
	p, s, uu := u.body(e, x, k)
	e.store(p, at(ptrs[0]))
	if s != nil {
		e.store(s, at(ptrs[2]))
	}
	if uu != nil {
		e.store(uu, at(ptrs[3]))
	}
	ADDQ(U32(e.lanes()), i)
	JMP(LabelRef(name + "_loop"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}
