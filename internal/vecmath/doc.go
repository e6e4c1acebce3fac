// Package vecmath holds optim's update loops: SGD (plain, with momentum and
// Nesterov), RMSProp (with and without momentum), Adagrad, and Adam in
// Keras' and PyTorch's forms, each an elementwise pass over a parameter,
// its gradient and its optimizer slots.
//
// Each loop has a pure-Go form (update.go) and, on amd64, vector kernels for
// AVX-512F (zmm) and AVX (ymm, so every AVX2 CPU), generated with avo by
// package asmgen. The kernel is chosen once from golang.org/x/sys/cpu when
// the package loads; elements past the last whole vector run the Go loop.
//
// # Same bits everywhere
//
// The kernels compute each element with the same operations in the same
// order as the Go loop: a multiply and a separate add where the Go loop
// writes a·b + c, and the correctly rounded vector square root and
// division. So a kernel's results are the Go loop's bit for bit, whatever
// the vector width or the position of the tail. The Go loop in turn rounds
// every product explicitly (T(a*b) + c), which the Go specification says
// keeps the compiler from fusing it into an FMA, as it would on arm64; so
// the pure-Go path gives those bits on every architecture too. An FMA
// would be no faster here (the loops wait on memory, not on arithmetic)
// and would make the numbers depend on the machine.
package vecmath

//go:generate sh -c "cd asmgen && go run . -out ../kernel_asm_amd64.s -stubs ../kernel_asm_amd64.go -pkg vecmath -dispatch ../kernel_dispatch_amd64.go"
