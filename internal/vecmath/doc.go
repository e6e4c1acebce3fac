// Package vecmath holds optim's update loops: SGD (plain, with momentum and
// Nesterov), RMSProp (with and without momentum), Adagrad, and Adam in
// Keras' and PyTorch's forms, each an elementwise pass over a parameter,
// its gradient and its optimizer slots. It also holds the elementwise
// kernels of package ops (elementwise.go): add, subtract, multiply and
// divide, each of two vectors, a vector and a scalar, or a scalar and a
// vector, and ReLU and its gradient, which like the update loops give the
// bits of the scalar Go loop.
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
//
// # Speed
//
// The loops are bound by memory. BenchmarkLoops' Stream moves Adam's bytes
// (four loads and three stores per element, 28 a float32 element) with one
// add; on this machine's Zen 5 cores (2 shared vCPUs, 1 MiB L2 each, 32 MiB
// L3), best of 8 runs, it took 35.7 µs for the 784-256-128-10 MLP's 235,146
// float32 parameters (6.6 MB from L3, 184 GB/s) and 1.44 ms for 4M
// (117 MB from memory, 82 GB/s). optim's Adam Step took 34.2 µs and 1.60 ms
// in the same runs: 1.0 and 1.1 times Stream (float64: 88.3 µs against
// 63.7, 1.4 times; 5.85 ms against 4.67, 1.25 times).
//
// Every loop runs on the calling goroutine; optim splits a large Step
// into chunks over internal/workers' pool, which gives the same bits since
// a loop's results do not depend on where a run of elements starts.
// BenchmarkTwoCores, which starts a goroutine per split, was slower below
// 2M elements: the split pays only with a worker already awake (optim's
// BenchmarkStep at -cpu 1,2). Unrolling the AVX-512 loops twice made them
// no faster.
package vecmath

//go:generate sh -c "cd asmgen && go run . -out ../kernel_asm_amd64.s -stubs ../kernel_asm_amd64.go -pkg vecmath -dispatch ../kernel_dispatch_amd64.go"
