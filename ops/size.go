package ops

import (
	"fmt"
	"math"
	"math/bits"

	"graft/graph"
)

// maxFullElements caps the constants Full allocates while the graph is being
// built (2^26 elements, 512 MiB of float64): a larger fill would take the
// memory before Compile could refuse it. Larger fills are a broadcast of a
// scalar, whose buffer Compile allocates.
const maxFullElements = 1 << 26

// checkedMul returns a·b for non-negative a and b, or an error when the
// product does not fit in an int.
func checkedMul(a, b int) (int, error) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if a < 0 || b < 0 || hi != 0 || lo > math.MaxInt {
		return 0, fmt.Errorf("%d·%d elements overflow an int", a, b)
	}
	return int(lo), nil
}

// checkedAdd returns a+b for non-negative a and b, or an error when the sum
// does not fit in an int.
func checkedAdd(a, b int) (int, error) {
	if a < 0 || b < 0 || a > math.MaxInt-b {
		return 0, fmt.Errorf("%d+%d overflows an int", a, b)
	}
	return a + b, nil
}

// sizeOf is s.Size() with overflow checked: a shape whose element count
// does not fit in an int is an error, never a wrapped-around count.
func sizeOf(s graph.Shape) (int, error) {
	n := 1
	for _, d := range s {
		var err error
		if n, err = checkedMul(n, d); err != nil {
			return 0, fmt.Errorf("shape %v has more elements than an int can count", s)
		}
	}
	return n, nil
}
