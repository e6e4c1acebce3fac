package vecmath

import (
	"fmt"
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
