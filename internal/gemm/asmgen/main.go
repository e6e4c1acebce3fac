// Command asmgen writes the amd64 micro-kernels of package gemm with avo.
//
// Run it through go generate in the parent package; check.sh verifies that
// the checked-in assembly matches what this program produces.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// kernel describes one register-blocked micro-kernel. It computes an
// mr×(vecs·lanes) tile of C from packed panels: a holds k columns of mr
// values, b holds k rows of vecs·lanes values.
type kernel struct {
	name     string
	elem     string // Go element type
	size     int    // bytes per element
	mr       int    // rows of the C tile
	vecs     int    // vector registers per C tile row
	avx512   bool   // 512-bit registers, else AVX2+FMA
	embedded bool   // broadcast A values within each FMA instead of once into a register
}

func (kn kernel) lanes() int {
	if kn.avx512 {
		return 64 / kn.size
	}
	return 32 / kn.size
}

func (kn kernel) nr() int { return kn.vecs * kn.lanes() }

// unroll is how many k steps one trip of the main loop takes: enough to hide
// the loop overhead, few enough that the loop body stays in the op cache.
const unroll = 4

func main() {
	kernels := []kernel{
		// 6×64 and 6×32 tiles: 24 accumulators of the 32 zmm registers, 4 for
		// the row of B and 1 for the broadcast A value. (Embedded broadcasts,
		// VFMADD231PS.BCST, would free that register but load each A value
		// once per FMA; on Zen 5 that ran at 80% of peak instead of 99%.)
		{name: "kernelF32AVX512", elem: "float32", size: 4, mr: 6, vecs: 4, avx512: true},
		{name: "kernelF64AVX512", elem: "float64", size: 8, mr: 6, vecs: 4, avx512: true},
		// 6×16 and 6×8 tiles: 12 accumulators of the 16 ymm registers, 2 for
		// the row of B and 1 for the broadcast A value.
		{name: "kernelF32AVX2", elem: "float32", size: 4, mr: 6, vecs: 2},
		{name: "kernelF64AVX2", elem: "float64", size: 8, mr: 6, vecs: 2},
	}
	for _, l := range []layout{packed, strided, rowsA} {
		for _, kn := range kernels {
			generate(kn, l)
		}
	}
	for _, kn := range kernels {
		generateAxpyRows(kn)
	}
	for _, kn := range kernels {
		generateDotRows(kn)
	}
	generatePeak("peakFMAF32AVX512", true)
	generatePeak("peakFMAF32AVX2", false)
	Generate()
}

// doc is the comment of the kernel's Go declaration: its contract, then the
// Go loop it computes (as gonum's internal/asm documents its stubs), with a,
// b and c read as slices from the pointers. The kernel adds in another order
// and fuses each multiply-add, so its results differ from the loop's in
// rounding only.
func (kn kernel) doc(l layout) []string {
	mr, nr, e := kn.mr, kn.nr(), kn.elem
	name, apanel, bpanel := kn.name, fmt.Sprintf("a packed k×%d panel", mr), fmt.Sprintf("a packed k×%d panel", nr)
	aat, bat := fmt.Sprintf("a[l*%d+i]", mr), fmt.Sprintf("b[l*%d+j]", nr)
	if l != packed {
		bpanel, bat = fmt.Sprintf("k rows of %d values with row stride ldb", nr), "b[l*ldb+j]"
	}
	switch l {
	case strided:
		name, apanel, aat = kn.name+"Strided", fmt.Sprintf("k rows of %d values with row stride lda", mr), "a[l*lda+i]"
	case rowsA:
		name, apanel, aat = kn.name+"RowsA", fmt.Sprintf("%d rows of k values with row stride lda", mr), "a[i*lda+l]"
	}
	return []string{
		fmt.Sprintf("%s sets the %d×%d tile at c (row stride ldc elements) to alpha·a·b + beta·c,", name, mr, nr),
		fmt.Sprintf("where a is %s and b %s;", apanel, bpanel),
		"beta == 0 does not read c. Up to rounding it is",
		"",
		fmt.Sprintf("\tfor i := 0; i < %d; i++ {", mr),
		fmt.Sprintf("\t\tfor j := 0; j < %d; j++ {", nr),
		fmt.Sprintf("\t\t\tvar sum %s", e),
		"\t\t\tfor l := 0; l < k; l++ {",
		fmt.Sprintf("\t\t\t\tsum += %s * %s", aat, bat),
		"\t\t\t}",
		"\t\t\tif beta == 0 {",
		"\t\t\t\tc[i*ldc+j] = alpha * sum",
		"\t\t\t} else {",
		"\t\t\t\tc[i*ldc+j] = alpha*sum + beta*c[i*ldc+j]",
		"\t\t\t}",
		"\t\t}",
		"\t}",
	}
}

func (kn kernel) vec() VecVirtual {
	if kn.avx512 {
		return ZMM()
	}
	return YMM()
}

// layout is where a micro-kernel reads its slivers of a and b from.
type layout int

const (
	packed  layout = iota // packed slivers: k step l of a at a[l·mr], of b at b[l·nr]
	strided               // stored matrices: k step l of a at a[l·lda] (a k×m matrix), of b at b[l·ldb]
	rowsA                 // as strided, but row i of a at a[i·lda] (an m×k matrix), its k steps contiguous
)

// generate writes kn's micro-kernel for slivers laid out as l. The strided
// and rowsA variants take the strides as arguments, so that slivers can be
// read straight from stored matrices. All run the same instructions in the
// same order on the same values, so their results are identical.
func generate(kn kernel, l layout) {
	e, name := kn.elem, kn.name
	signature := fmt.Sprintf("func(k int, a, b, c *%s, ldc int, alpha, beta %s)", e, e)
	switch l {
	case strided:
		name += "Strided"
	case rowsA:
		name += "RowsA"
	}
	if l != packed {
		signature = fmt.Sprintf("func(k int, a *%s, lda int, b *%s, ldb int, c *%s, ldc int, alpha, beta %s)", e, e, e, e)
	}
	TEXT(name, NOSPLIT, signature)
	Pragma("noescape")
	Doc(kn.doc(l)...)

	k := Load(Param("k"), GP64())
	a := Load(Param("a"), GP64())
	b := Load(Param("b"), GP64())
	c := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	// aval(u, i) addresses row i of k step u of a, brow(u) k step u of b,
	// relative to a and b, for u < unroll; advance(steps) moves a and b on.
	aval := func(u, i int) Mem { return Mem{Base: a, Disp: (u*kn.mr + i) * kn.size} }
	brow := func(u int) Mem { return Mem{Base: b, Disp: u * kn.nr() * kn.size} }
	advance := func(steps int) {
		ADDQ(U32(steps*kn.mr*kn.size), a)
		ADDQ(U32(steps*kn.nr()*kn.size), b)
	}
	switch l {
	case strided:
		lda, arow := kn.stepAddresses("lda", a)
		ldb, bstep := kn.stepAddresses("ldb", b)
		aval = func(u, i int) Mem { return arow(u).Offset(i * kn.size) }
		brow = bstep
		advance = func(steps int) {
			LEAQ(Mem{Base: a, Index: lda, Scale: uint8(steps)}, a)
			LEAQ(Mem{Base: b, Index: ldb, Scale: uint8(steps)}, b)
		}
	case rowsA:
		// Rows 0 to 2 are addressed from a, rows 3 to 5 from a3.
		lda, a3 := Load(Param("lda"), GP64()), GP64()
		SHLQ(U8(map[int]int{4: 2, 8: 3}[kn.size]), lda) // elements to bytes
		LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, a3)
		ADDQ(a, a3)
		ldb, bstep := kn.stepAddresses("ldb", b)
		aval = func(u, i int) Mem {
			m := Mem{Base: a, Disp: u * kn.size}
			if i >= 3 {
				m.Base, i = a3, i-3
			}
			if i > 0 {
				m.Index, m.Scale = lda, uint8(i)
			}
			return m
		}
		brow = bstep
		advance = func(steps int) {
			ADDQ(U32(steps*kn.size), a)
			ADDQ(U32(steps*kn.size), a3)
			LEAQ(Mem{Base: b, Index: ldb, Scale: uint8(steps)}, b)
		}
	}

	acc := make([][]VecVirtual, kn.mr)
	for i := range acc {
		acc[i] = make([]VecVirtual, kn.vecs)
		for v := range acc[i] {
			acc[i][v] = kn.vec()
			kn.zero(acc[i][v])
		}
	}

	Comment("Main loop: unrolled k steps, each an outer product of a column of a and a row of b.")
	Label(name + "_loop")
	CMPQ(k, U32(unroll))
	JL(LabelRef(name + "_tail"))
	for u := 0; u < unroll; u++ {
		kn.step(acc, func(i int) Mem { return aval(u, i) }, brow(u))
	}
	advance(unroll)
	SUBQ(U32(unroll), k)
	JMP(LabelRef(name + "_loop"))

	Comment("Remaining k steps, one at a time.")
	Label(name + "_tail")
	TESTQ(k, k)
	JZ(LabelRef(name + "_store"))
	kn.step(acc, func(i int) Mem { return aval(0, i) }, brow(0))
	advance(1)
	DECQ(k)
	JMP(LabelRef(name + "_tail"))

	Label(name + "_store")
	kn.store(name, acc, c, ldc)
	VZEROUPPER()
	RET()
}

// stepAddresses loads the stride argument param, in elements, as bytes and
// returns it with the addresses of the unroll k steps from base: base,
// base + stride, base + 2·stride and base + 3·stride, the last through a
// second register that holds 3·stride.
func (kn kernel) stepAddresses(param string, base Register) (Register, func(u int) Mem) {
	stride, stride3 := Load(Param(param), GP64()), GP64()
	SHLQ(U8(map[int]int{4: 2, 8: 3}[kn.size]), stride) // elements to bytes
	LEAQ(Mem{Base: stride, Index: stride, Scale: 2}, stride3)
	return stride, func(u int) Mem {
		switch u {
		case 0:
			return Mem{Base: base}
		case 1, 2:
			return Mem{Base: base, Index: stride, Scale: uint8(u)}
		}
		return Mem{Base: base, Index: stride3, Scale: 1}
	}
}

func (kn kernel) zero(r VecVirtual) {
	switch {
	case kn.avx512:
		VPXORD(r, r, r) // VXORPS on zmm would need AVX-512DQ
	case kn.size == 4:
		VXORPS(r, r, r)
	default:
		VXORPD(r, r, r)
	}
}

// step adds the outer product of a k step of a (row i of the tile at
// aval(i)) and the one of b at brow (nr values) into acc: vecs loads of b,
// then per row of the tile one broadcast of a and vecs FMAs.
func (kn kernel) step(acc [][]VecVirtual, aval func(i int) Mem, brow Mem) {
	bvec := make([]VecVirtual, kn.vecs)
	for v := range bvec {
		bvec[v] = kn.vec()
		kn.load(brow.Offset(v*kn.lanes()*kn.size), bvec[v])
	}
	for i := 0; i < kn.mr; i++ {
		bc := kn.vec()
		if kn.size == 4 {
			VBROADCASTSS(aval(i), bc)
		} else {
			VBROADCASTSD(aval(i), bc)
		}
		for v := range bvec {
			if kn.size == 4 {
				VFMADD231PS(bc, bvec[v], acc[i][v])
			} else {
				VFMADD231PD(bc, bvec[v], acc[i][v])
			}
		}
	}
}

// store writes alpha·acc + beta·c to the tile, skipping the reads of c when
// beta is zero so that NaNs or garbage in an output buffer cannot leak.
func (kn kernel) store(name string, acc [][]VecVirtual, c, ldc Register) {
	SHLQ(U8(map[int]int{4: 2, 8: 3}[kn.size]), ldc) // elements to bytes

	alpha, beta := kn.vec(), kn.vec()
	alphaAddr, betaAddr := paramAddr("alpha"), paramAddr("beta")
	// Test beta's bits with the sign shifted out rather than compare it as a
	// float: +0 and -0 take the overwrite path, any NaN the general one, and
	// no legacy SSE instruction is needed (those cannot name X16-X31).
	bits := GP64()
	if kn.size == 4 {
		VBROADCASTSS(alphaAddr, alpha)
		VBROADCASTSS(betaAddr, beta)
		MOVL(betaAddr, bits.As32())
		SHLL(U8(1), bits.As32())
	} else {
		VBROADCASTSD(alphaAddr, alpha)
		VBROADCASTSD(betaAddr, beta)
		MOVQ(betaAddr, bits)
		SHLQ(U8(1), bits)
	}
	JNZ(LabelRef(name + "_beta"))

	Comment("beta == 0: overwrite c.")
	for i := range acc {
		for v := range acc[i] {
			kn.mul(alpha, acc[i][v])
			kn.move(acc[i][v], Mem{Base: c, Disp: v * kn.lanes() * kn.size})
		}
		if i < len(acc)-1 {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()

	Comment("General beta: c = alpha·acc + beta·c.")
	Label(name + "_beta")
	for i := range acc {
		for v := range acc[i] {
			cv := Mem{Base: c, Disp: v * kn.lanes() * kn.size}
			kn.mul(alpha, acc[i][v])
			if kn.size == 4 {
				VFMADD231PS(cv, beta, acc[i][v])
			} else {
				VFMADD231PD(cv, beta, acc[i][v])
			}
			kn.move(acc[i][v], cv)
		}
		if i < len(acc)-1 {
			ADDQ(ldc, c)
		}
	}
}

func (kn kernel) mul(s, r VecVirtual) {
	if kn.size == 4 {
		VMULPS(s, r, r)
	} else {
		VMULPD(s, r, r)
	}
}

func (kn kernel) move(r VecVirtual, m Mem) {
	if kn.size == 4 {
		VMOVUPS(r, m)
	} else {
		VMOVUPD(r, m)
	}
}

// paramAddr is the frame address of a scalar argument.
func paramAddr(name string) Mem {
	p, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return p.Addr
}

// peakChains is the number of independent FMA chains in the peak loop: an
// FMA's latency (4 cycles) times the 2 FMA pipes, with room to spare, and
// few enough to leave AVX2's 16 ymm registers two for the operands.
const peakChains = 12

// generatePeak writes a loop of iters trips of peakChains independent
// float32 FMAs, which nothing but the FMA units limits: the benchmark of the
// machine's peak rate that the GEMM's share of peak is quoted against.
func generatePeak(name string, avx512 bool) {
	TEXT(name, NOSPLIT, "func(iters int)")
	lanes := 8
	if avx512 {
		lanes = 16
	}
	Doc(
		fmt.Sprintf("%s runs iters trips of %d independent %d-lane float32 FMAs", name, peakChains, lanes),
		fmt.Sprintf("(%d FLOPs a trip) on registers only, to measure the FMA units' peak.", 2*peakChains*lanes),
	)
	iters := Load(Param("iters"), GP64())
	vec := func() VecVirtual {
		if avx512 {
			return ZMM()
		}
		return YMM()
	}
	x, y := vec(), vec()
	acc := make([]VecVirtual, peakChains)
	for i := range acc {
		acc[i] = vec()
		if avx512 {
			VPXORD(acc[i], acc[i], acc[i])
		} else {
			VXORPS(acc[i], acc[i], acc[i])
		}
	}
	if avx512 {
		VPXORD(x, x, x)
		VPXORD(y, y, y)
	} else {
		VXORPS(x, x, x)
		VXORPS(y, y, y)
	}
	Label(name + "_loop")
	TESTQ(iters, iters)
	JZ(LabelRef(name + "_done"))
	for i := range acc {
		VFMADD231PS(x, y, acc[i])
	}
	DECQ(iters)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// axpyName is the name of the matrix-vector kernel that goes with kn.
func (kn kernel) axpyName() string { return "axpyRows" + kn.name[len("kernel"):] }

// generateAxpyRows writes the matrix-vector kernel of gemv.go's axpyRows:
// y[j] += alpha · sum over l of x[l·incx]·m[l·ldm + j], for the columns j
// below n rounded down to whole vectors (the caller does the rest). Columns
// go in strips of kn.vecs vectors, then of one, each strip's sums held in
// registers down all k rows of m, so y is read and written once.
func generateAxpyRows(kn kernel) {
	e, name := kn.elem, kn.axpyName()
	TEXT(name, NOSPLIT, fmt.Sprintf("func(n, k int, alpha %s, x *%s, incx int, m *%s, ldm int, y *%s)", e, e, e, e))
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s adds alpha·mᵀ·x to y for the first n - n%%%d columns, where m", name, kn.lanes()),
		"is k rows of row stride ldm and x has stride incx; k must be at least 1.",
		"Up to rounding it is",
		"",
		fmt.Sprintf("	for j := 0; j < n-n%%%d; j++ {", kn.lanes()),
		fmt.Sprintf("		var sum %s", e),
		"		for l := 0; l < k; l++ {",
		"			sum += x[l*incx] * m[l*ldm+j]",
		"		}",
		"		y[j] += alpha * sum",
		"	}",
	)
	n := Load(Param("n"), GP64())
	k := Load(Param("k"), GP64())
	x := Load(Param("x"), GP64())
	incx := Load(Param("incx"), GP64())
	m := Load(Param("m"), GP64())
	ldm := Load(Param("ldm"), GP64())
	y := Load(Param("y"), GP64())
	shift := U8(map[int]int{4: 2, 8: 3}[kn.size])
	SHLQ(shift, incx)
	SHLQ(shift, ldm)
	alpha := kn.vec()
	if kn.size == 4 {
		VBROADCASTSS(paramAddr("alpha"), alpha)
	} else {
		VBROADCASTSD(paramAddr("alpha"), alpha)
	}
	vecBytes := kn.lanes() * kn.size
	for _, width := range []int{kn.vecs, 1} {
		strip := fmt.Sprintf("%s_strip%d", name, width)
		Label(strip)
		CMPQ(n, U32(width*kn.lanes()))
		JL(LabelRef(fmt.Sprintf("%s_end%d", name, width)))
		acc := make([]VecVirtual, width)
		for v := range acc {
			acc[v] = kn.vec()
			kn.zero(acc[v])
		}
		xp, mp, kk := GP64(), GP64(), GP64()
		MOVQ(x, xp)
		MOVQ(m, mp)
		MOVQ(k, kk)
		Label(strip + "_row")
		bc := kn.vec()
		if kn.size == 4 {
			VBROADCASTSS(Mem{Base: xp}, bc)
		} else {
			VBROADCASTSD(Mem{Base: xp}, bc)
		}
		for v := range acc {
			if kn.size == 4 {
				VFMADD231PS(Mem{Base: mp, Disp: v * vecBytes}, bc, acc[v])
			} else {
				VFMADD231PD(Mem{Base: mp, Disp: v * vecBytes}, bc, acc[v])
			}
		}
		ADDQ(incx, xp)
		ADDQ(ldm, mp)
		DECQ(kk)
		JNZ(LabelRef(strip + "_row"))
		for v := range acc {
			yv := Mem{Base: y, Disp: v * vecBytes}
			if kn.size == 4 {
				VFMADD213PS(yv, alpha, acc[v])
			} else {
				VFMADD213PD(yv, alpha, acc[v])
			}
			kn.move(acc[v], yv)
		}
		ADDQ(U32(width*vecBytes), m)
		ADDQ(U32(width*vecBytes), y)
		SUBQ(U32(width*kn.lanes()), n)
		JMP(LabelRef(strip))
		Label(fmt.Sprintf("%s_end%d", name, width))
	}
	VZEROUPPER()
	RET()
}

// dotName is the name of the dot-product kernel that goes with kn.
func (kn kernel) dotName() string { return "dotRows" + kn.name[len("kernel"):] }

// The tables the dot kernels cut their last, partial vector with:
// dotTailMask for AVX2 is 32 bytes of ones, then 32 of zeros, and the 32
// bytes that start r elements before the zeros select a vector's first r
// elements; dotTailBits for AVX-512 holds the 16-bit lane masks (1<<r) - 1.
var dotTailMask, dotTailBits Mem

// dotGroups are the row groups of the dot kernels, each with the vectors a
// step of its k loop takes per row: four rows of two vectors make 8
// independent FMA chains, enough to cover the FMA latency on two pipes, and
// load each vector of x once for four rows; a lone row takes four vectors.
var dotGroups = []struct{ rows, vecs int }{{4, 2}, {1, 4}}

// generateDotRows writes the matrix-vector kernel of gemv.go's dotRows:
// y[i·incy] += alpha · the dot product of row i of m with x, for every row.
// Rows go in the groups of dotGroups, the sums of a group held in vector
// registers down the whole row; the last partial vector is read under a
// mask, which also keeps the loads inside the slices. Each row's vectors
// are then added together, and the lanes of the sum by halves.
func generateDotRows(kn kernel) {
	e, name := kn.elem, kn.dotName()
	TEXT(name, NOSPLIT, fmt.Sprintf("func(rows, k int, alpha %s, x, m *%s, ldm int, y *%s, incy int)", e, e, e))
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s adds alpha times the dot product of row i of m (row stride ldm)", name),
		"with x to y[i*incy], for every row i. Up to rounding it is",
		"",
		"	for i := 0; i < rows; i++ {",
		fmt.Sprintf("		var sum %s", e),
		"		for l := 0; l < k; l++ {",
		"			sum += m[i*ldm+l] * x[l]",
		"		}",
		"		y[i*incy] += alpha * sum",
		"	}",
	)
	switch {
	case kn.avx512 && dotTailBits.Symbol.Name == "":
		dotTailBits = GLOBL("dotTailBits", RODATA|NOPTR)
		for r := 0; r < 16; r++ {
			DATA(2*r, U16(1<<r-1))
		}
	case !kn.avx512 && dotTailMask.Symbol.Name == "":
		dotTailMask = GLOBL("dotTailMask", RODATA|NOPTR)
		for i := 0; i < 8; i++ {
			v := uint64(0)
			if i < 4 {
				v = ^v
			}
			DATA(8*i, U64(v))
		}
	}
	rows := Load(Param("rows"), GP64())
	k := Load(Param("k"), GP64())
	x := Load(Param("x"), GP64())
	m := Load(Param("m"), GP64())
	ldm := Load(Param("ldm"), GP64())
	y := Load(Param("y"), GP64())
	incy := Load(Param("incy"), GP64())
	shift := U8(map[int]int{4: 2, 8: 3}[kn.size])
	SHLQ(shift, ldm)
	SHLQ(shift, incy)
	alpha := XMM()
	if kn.size == 4 {
		VMOVSS(paramAddr("alpha"), alpha)
	} else {
		VMOVSD(paramAddr("alpha"), alpha)
	}
	for _, g := range dotGroups {
		group := g.rows
		label := fmt.Sprintf("%s_rows%d", name, group)
		Label(label)
		CMPQ(rows, U32(group))
		JL(LabelRef(label + "_end"))
		sums := kn.dotGroup(label, group, g.vecs, k, x, m, ldm)
		// A multiply and an add rather than a fused scalar FMA, which
		// would make the AVX-512 kernels need FMA3 besides AVX512F.
		for _, s := range sums {
			if kn.size == 4 {
				VMULSS(alpha, s.AsX(), s.AsX())
				VADDSS(Mem{Base: y}, s.AsX(), s.AsX())
				VMOVSS(s.AsX(), Mem{Base: y})
			} else {
				VMULSD(alpha, s.AsX(), s.AsX())
				VADDSD(Mem{Base: y}, s.AsX(), s.AsX())
				VMOVSD(s.AsX(), Mem{Base: y})
			}
			ADDQ(incy, y)
		}
		if group == 4 {
			LEAQ(Mem{Base: m, Index: ldm, Scale: 4}, m)
		} else {
			ADDQ(ldm, m)
		}
		SUBQ(U32(group), rows)
		JMP(LabelRef(label))
		Label(label + "_end")
	}
	VZEROUPPER()
	RET()
}

// dotGroup emits the dot products of x with the group rows at m, vecs
// vectors a step, and returns one register per row with its sum in the
// lowest element.
func (kn kernel) dotGroup(label string, group, vecs int, k, x, m, ldm Register) []VecVirtual {
	acc := make([][]VecVirtual, group)
	for i := range acc {
		acc[i] = make([]VecVirtual, vecs)
		for v := range acc[i] {
			acc[i][v] = kn.vec()
			kn.zero(acc[i][v])
		}
	}
	xp, rp, kk := GP64(), GP64(), GP64()
	MOVQ(x, xp)
	MOVQ(m, rp)
	MOVQ(k, kk)
	// Rows 0 and 1 are addressed from rp, rows 2 and 3 from rp2.
	var rp2 GPVirtual
	if group > 2 {
		rp2 = GP64()
		LEAQ(Mem{Base: m, Index: ldm, Scale: 2}, rp2)
	}
	row := func(i, disp int) Mem {
		var base Register = rp
		if i >= 2 {
			base = rp2
		}
		if i%2 == 1 {
			return Mem{Base: base, Index: ldm, Scale: 1, Disp: disp}
		}
		return Mem{Base: base, Disp: disp}
	}
	vecBytes := kn.lanes() * kn.size
	advance := func(bytes, elems int) {
		ADDQ(U32(bytes), xp)
		ADDQ(U32(bytes), rp)
		if group > 2 {
			ADDQ(U32(bytes), rp2)
		}
		SUBQ(U32(elems), kk)
	}
	// step multiplies the next vecs vectors of x into the accumulators.
	step := func(vecs int) {
		xv := make([]VecVirtual, vecs)
		for v := range xv {
			xv[v] = kn.vec()
			kn.load(Mem{Base: xp, Disp: v * vecBytes}, xv[v])
		}
		for v := range xv {
			for i := range acc {
				kn.fma(row(i, v*vecBytes), xv[v], acc[i][v])
			}
		}
	}
	widths := []int{vecs}
	if vecs > 1 {
		widths = append(widths, 1)
	}
	for _, width := range widths {
		loop := fmt.Sprintf("%s_step%d", label, width)
		Label(loop)
		CMPQ(kk, U32(width*kn.lanes()))
		JL(LabelRef(loop + "_end"))
		step(width)
		advance(width*vecBytes, width*kn.lanes())
		JMP(LabelRef(loop))
		Label(loop + "_end")
	}

	Comment("The last k%lanes elements, under a mask.")
	TESTQ(kk, kk)
	JZ(LabelRef(label + "_sum"))
	xv := kn.vec()
	if kn.avx512 {
		// (RIP-relative addresses take no index, so the table's address
		// goes into a register first.)
		table, mask := GP64(), K()
		LEAQ(dotTailBits, table)
		KMOVW(Mem{Base: table, Index: kk, Scale: 2}, mask)
		if kn.size == 4 {
			VMOVUPS_Z(Mem{Base: xp}, mask, xv)
		} else {
			VMOVUPD_Z(Mem{Base: xp}, mask, xv)
		}
		for i := range acc {
			// Merge masking: the lanes past the row keep their sums and
			// their loads cannot fault.
			if kn.size == 4 {
				VFMADD231PS(row(i, 0), xv, mask, acc[i][0])
			} else {
				VFMADD231PD(row(i, 0), xv, mask, acc[i][0])
			}
		}
	} else {
		table, off, mask := GP64(), GP64(), kn.vec()
		LEAQ(dotTailMask.Offset(32), table)
		MOVQ(kk, off)
		SHLQ(U8(map[int]int{4: 2, 8: 3}[kn.size]), off)
		SUBQ(off, table)
		VMOVDQU(Mem{Base: table}, mask)
		kn.maskLoad(Mem{Base: xp}, mask, xv)
		for i := range acc {
			r := kn.vec()
			kn.maskLoad(row(i, 0), mask, r)
			kn.fma(r, xv, acc[i][0])
		}
	}

	Label(label + "_sum")
	sums := make([]VecVirtual, group)
	for i := range acc {
		for v := 1; v < vecs; v++ {
			kn.add(acc[i][v], acc[i][0])
		}
		kn.sumLanes(acc[i][0])
		sums[i] = acc[i][0]
	}
	return sums
}

// sumLanes adds the lanes of r into its lowest one: it adds r to a copy
// with its halves swapped, then does the same within each half, down to
// single lanes.
func (kn kernel) sumLanes(r VecVirtual) {
	t := kn.vec()
	switch {
	case kn.avx512 && kn.size == 4:
		VSHUFF32X4(U8(0x4e), r, r, t) // 256-bit halves
		kn.add(t, r)
		VSHUFF32X4(U8(0xb1), r, r, t) // 128-bit quarters
		kn.add(t, r)
		VPERMILPS(U8(0x4e), r, t) // pairs
		kn.add(t, r)
		VPERMILPS(U8(0xb1), r, t)
		kn.add(t, r)
	case kn.avx512:
		VSHUFF64X2(U8(0x4e), r, r, t)
		kn.add(t, r)
		VSHUFF64X2(U8(0xb1), r, r, t)
		kn.add(t, r)
		VPERMILPD(U8(0x55), r, t)
		kn.add(t, r)
	case kn.size == 4:
		VPERM2F128(U8(1), r, r, t)
		kn.add(t, r)
		VPERMILPS(U8(0x4e), r, t)
		kn.add(t, r)
		VPERMILPS(U8(0xb1), r, t)
		kn.add(t, r)
	default:
		VPERM2F128(U8(1), r, r, t)
		kn.add(t, r)
		VPERMILPD(U8(0x5), r, t)
		kn.add(t, r)
	}
}

func (kn kernel) load(m Mem, r VecVirtual) {
	if kn.size == 4 {
		VMOVUPS(m, r)
	} else {
		VMOVUPD(m, r)
	}
}

func (kn kernel) maskLoad(m Mem, mask, r VecVirtual) {
	if kn.size == 4 {
		VMASKMOVPS(m, mask, r)
	} else {
		VMASKMOVPD(m, mask, r)
	}
}

// fma adds a·b to acc.
func (kn kernel) fma(a Op, b, acc VecVirtual) {
	if kn.size == 4 {
		VFMADD231PS(a, b, acc)
	} else {
		VFMADD231PD(a, b, acc)
	}
}

// add adds a to acc.
func (kn kernel) add(a, acc VecVirtual) {
	if kn.size == 4 {
		VADDPS(a, acc, acc)
	} else {
		VADDPD(a, acc, acc)
	}
}
