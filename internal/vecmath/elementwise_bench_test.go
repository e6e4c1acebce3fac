package vecmath

import (
	"fmt"
	"testing"
)

// BenchmarkElementwise measures every elementwise kernel of every kind on
// 65,536 elements (a 256x256 layer's activations, 256 KiB of float32 an
// array, in L2); the bytes per second count the arrays read and written.
func BenchmarkElementwise(b *testing.B) {
	b.Run("float32", benchElementwise[float32])
	b.Run("float64", benchElementwise[float64])
}

func benchElementwise[T Float](b *testing.B) {
	const n = 1 << 16
	x, y, o := make([]T, n), make([]T, n), make([]T, n)
	for i := range x {
		// Random signs for ReLU, no subnormals, no division by zero.
		x[i], y[i] = T(i%17)-8.5, T(i%13)+0.5
	}
	for _, c := range elementwiseCases[T]() {
		arrays := 3 // two operands and out
		if c.unary || c.scalar != "" {
			arrays = 2
		}
		for _, kd := range supportedKinds() {
			b.Run(fmt.Sprintf("%s/%s", c.name, kindNames[kd]), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(arrays * n * sizeOf(x[0])))
				for b.Loop() {
					c.run(kd, o, x, y)
				}
			})
		}
	}
}
