package vecmath

import (
	"fmt"
	"sync"
	"testing"
)

// benchLengths are the MLP's 235,146 parameters as one run (Adam's four
// float32 arrays, 3.8 MB, stay in this machine's 32 MiB L3) and 4M
// elements (64 MB, from memory).
var benchLengths = []int{235146, 1 << 22}

var kindNames = [kinds]string{kindGo: "Go", kindAVX: "AVX", kindAVX512: "AVX512"}

// BenchmarkLoops measures every loop of every kind, with Stream (Adam's
// loads and stores with one add) as the memory bound; the bytes per second
// count Adam's traffic, four loads and three stores per element, for every
// loop alike, so that they compare with Stream's.
func BenchmarkLoops(b *testing.B) {
	b.Run("float32", benchLoops[float32])
	b.Run("float64", benchLoops[float64])
}

func benchLoops[T Float](b *testing.B) {
	cases := append(updateCases[T](), updateCase[T]{"Stream", func(kd kind, p, g, s, u []T) { stream(kd, p, g, s, u) }})
	for _, n := range benchLengths {
		p, g, s, u := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
		for _, c := range cases {
			for _, kd := range supportedKinds() {
				b.Run(fmt.Sprintf("n=%d/%s/%s", n, c.name, kindNames[kd]), func(b *testing.B) {
					// Gradients of at least 0.005 keep every slot far from
					// the subnormals, which would time something else.
					for i := range p {
						p[i], g[i], s[i], u[i] = 1, (T(i%7)-3.5)*0.01, 0.001, 0.001
					}
					b.ReportAllocs()
					var zero T
					b.SetBytes(int64(n) * 7 * int64(sizeOf(zero)))
					for b.Loop() {
						c.run(kd, p, g, s, u)
					}
				})
			}
		}
	}
}

func sizeOf[T Float](T) int {
	if is32[T]() {
		return 4
	}
	return 8
}

// BenchmarkTwoCores is the measurement behind running every loop on the
// calling goroutine: Adam and Stream on one core, and split in two halves
// with the first on a new goroutine (which allocates; it is the
// alternative measured, not what the loops do). On this machine's two
// shared cores the split was slower below 2M elements (235,146: 48.7
// against 37.6 µs; 1M: 255 against 209 µs), about 15% faster at 2M
// elements, and no faster at 4M (1.63 against 1.61 ms), where one core
// already moves the bytes as fast as Stream.
func BenchmarkTwoCores(b *testing.B) {
	for _, n := range []int{235146, 1 << 20, 1 << 21, 1 << 22} {
		p, g, s, u := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i], g[i], s[i], u[i] = 1, (float32(i%7)-3.5)*0.01, 0.001, 0.001
		}
		c := adamCoefficients[float32](1)
		for _, name := range []string{"Adam", "Stream"} {
			run := func(lo, hi int) {
				if name == "Adam" {
					adam(detected, p[lo:hi], g[lo:hi], s[lo:hi], u[lo:hi], c)
				} else {
					stream(detected, p[lo:hi], g[lo:hi], s[lo:hi], u[lo:hi])
				}
			}
			b.Run(fmt.Sprintf("n=%d/%s/one", n, name), func(b *testing.B) {
				for b.Loop() {
					run(0, n)
				}
			})
			b.Run(fmt.Sprintf("n=%d/%s/two", n, name), func(b *testing.B) {
				var wg sync.WaitGroup
				mid := n / 2 &^ 63
				for b.Loop() {
					wg.Add(1)
					go func() { run(0, mid); wg.Done() }()
					run(mid, n)
					wg.Wait()
				}
			})
		}
	}
}
