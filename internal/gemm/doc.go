// Package gemm multiplies dense row-major matrices: C = alpha·op(A)·op(B) + beta·C,
// for float32 and float64, in the way of GotoBLAS and BLIS.
//
// # Design
//
// A product is cut into blocks so that each operand is read from the cache
// level that can feed it fast enough:
//
//	for jc over n in steps of nc            (a kc×nc panel of B: L2)
//	  for pc over k in steps of kc          (pack that panel of B)
//	    for ic over m in steps of mc        (pack an mc×kc block of A)
//	      for ir over the block, mr rows    (a kc×mr sliver of A: L1)
//	        for jr over the panel, nr cols  (a kc×nr sliver of B streams from L2)
//	          micro-kernel: mr×nr tile of C += sliver of A · sliver of B
//
// Packing copies the slivers into contiguous buffers, in the order the
// micro-kernel reads them and zero-padded to whole tiles, so the kernel never
// sees transposes, leading dimensions or ragged edges. Tiles that stick out
// of C are computed into a scratch tile and merged by Go code.
//
// Packing pays only when each packed value is used often, so some slivers
// are read straight from the stored matrix instead, with the distance
// between k steps passed to the kernel: those of a B stored k×n when at
// most 128 rows of C use a panel or B's rows are no longer than a panel's,
// those of an A stored m×k, and those of an A stored k×m unless its rows
// lie a multiple of 4 KiB apart. asmgen's Strided and RowsA kernels run
// the packed kernel's instructions in the same order, so the results do
// not change by a bit; only ragged last slivers are still packed, and a
// transposed B always is.
//
// The sliver of A stays in L1 while the loop over jr streams the B panel from
// L2, which is why that loop is the innermost one: the B sliver (kc·nr
// values, 64 KiB for the float32 AVX-512 kernel) would not fit in L1, while the
// A sliver (kc·mr values, 6 KiB) does. With kc = 256 a C tile is loaded and
// stored once per 256 rank-1 updates, and the packed B panel (kc·nc values,
// 512 KiB) takes half of the 1 MiB L2 of the Zen cores this was tuned on.
//
// # Micro-kernels
//
// The kernels hold the whole C tile in vector registers (package asmgen
// generates them with avo):
//
//   - AVX-512F: 6×64 float32 (6×32 float64) tiles, 24 of the 32 zmm registers
//     as accumulators, 4 for a row of B and 1 for a broadcast value of A. The
//     24 independent FMAs per k step cover the 4-cycle FMA latency of two
//     pipes, and each step needs 10 loads for 24 FMAs. On one Zen 5 core it
//     runs at 99% of the measured FMA peak with its operands in L1 and L2.
//   - AVX2+FMA: 6×16 float32 (6×8 float64) tiles, 12 of the 16 ymm registers
//     as accumulators.
//   - Pure Go: a 4×4 tile of scalars, for other CPUs and architectures.
//
// The kernel is chosen once from golang.org/x/sys/cpu when the package
// loads.
//
// # Threading and small products
//
// Tiny products (m·n·k up to 512, such as an XOR network's layers) skip
// packing and run as plain loops. Products with one row or one column of C
// (a batch-1 layer) are matrix-vector products and also skip packing and
// threads (gemv.go): each element of the matrix is used once, so a copy
// would cost as much as the arithmetic; a vector kernel from asmgen sums
// down the stored rows when the matrix lies along C, and another takes four
// dot products at once when it lies along x (dY·Wᵀ at batch 1). Other
// products are
// split over goroutines when a cost model (split.go) expects the split to
// finish first: it weighs the multiply-adds against the packing every part
// repeats (all of B for ranges of rows of C, all of A for ranges of
// columns) and the cost of handing parts out, a channel send when a worker
// of internal/workers' pool is polling and a system call plus a wake-up of
// tens of microseconds when none is. It picks no split, or a cut along the
// batch, the rows or the columns of C (in whole tiles) into one to four
// parts per thread. The caller and the workers claim parts from an atomic
// counter, so a worker that wakes late never delays the call. Every part
// computes a disjoint rectangle of C with the same loop nest, so the result
// does not depend on the split. Every goroutine packs into its own reused
// buffers, so steady-state calls do not allocate and concurrent calls share
// no mutable memory.
//
// # Operands that are not matrices
//
// GemmPacked takes each operand as a Packer, which writes the slivers the
// micro-kernel reads straight into the packing buffers. A convolution
// multiplies by the patch matrix of an image this way without ever storing
// it (implicit im2col). Matrix wraps a stored matrix as a Packer.
package gemm

//go:generate sh -c "cd asmgen && go run . -out ../kernel_asm_amd64.s -stubs ../kernel_asm_amd64.go -pkg gemm"
