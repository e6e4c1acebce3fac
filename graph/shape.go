package graph

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Shape is the size of each axis of a tensor. The empty shape is a scalar.
type Shape []int

// MaxElements is the most elements one tensor of a graph may have: 1<<34,
// 64 GiB of float32 or 128 GiB of float64. It is far above what a tensor on
// one machine holds today, and low enough that every element count, stride
// and byte offset graft computes in an int stays exact (8 bytes · 1<<34 is
// 1<<37, far below 1<<63). A node, a feed or a NewTensor of more elements is
// an error, so an overflowed or absurd shape (7 × 0x6DB6DB6DB6DB6DB7 wraps to
// 1 in int arithmetic) never passes for a small one.
const MaxElements = 1 << 34

// MaxArenaElements is the most elements one of a Program's two buffer arenas
// (float32 and float64) may hold: 1<<36, 512 GiB of float64. Compile sums
// the buffers it plans and refuses a program past this, naming the node that
// crossed it, instead of asking the system for memory no machine has. Below
// the caps, an allocation the machine cannot satisfy still ends the process,
// as any Go allocation does.
const MaxArenaElements = 1 << 36

// Size is the number of elements: the product of the axis sizes (1 for a
// scalar). A shape with an axis of 0 has 0 elements, and one with a negative
// axis gives -1. A product too large for an int gives math.MaxInt instead of
// wrapping, so it is never mistaken for a small size. Every node's shape is
// within MaxElements, so for nodes Size is exact.
func (s Shape) Size() int {
	n, zero, over := 1, false, false
	for _, d := range s {
		switch {
		case d < 0:
			return -1
		case d == 0:
			zero = true
		case n > math.MaxInt/d:
			over = true
		default:
			n *= d
		}
	}
	switch {
	case zero:
		return 0
	case over:
		return math.MaxInt
	}
	return n
}

// CheckedSize returns the number of elements and whether the shape is one a
// node may have: every axis at least 1 and at most MaxElements in all. The
// product is computed without overflow; when ok is false, n is 0.
func (s Shape) CheckedSize() (n int, ok bool) {
	n = 1
	for _, d := range s {
		if d < 1 || d > MaxElements/n {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// CheckShape reports what is wrong with s as the shape of a node, a feed or a
// parameter: an axis smaller than 1, or more than MaxElements elements. The
// error says what is wrong without a "graft: " prefix, for the caller to wrap
// with its own context (graph.Reject in a builder).
func CheckShape(s Shape) error {
	if _, ok := s.CheckedSize(); ok {
		return nil
	}
	for _, d := range s {
		if d <= 0 {
			return fmt.Errorf("shape %v has an axis of size %d: every axis must be at least 1", s, d)
		}
	}
	return fmt.Errorf("shape %v has more than %d (1<<34) elements, the most a tensor may hold (graph.MaxElements)", s, MaxElements)
}

// Rank is the number of axes.
func (s Shape) Rank() int { return len(s) }

// Equal reports whether two shapes have the same axes.
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

// Clone returns a copy that does not share memory with s.
func (s Shape) Clone() Shape { return append(Shape{}, s...) }

// shownAxes is how many axes String prints before it abbreviates, so that an
// error quoting a shape of absurd rank stays one readable line.
const shownAxes = 8

// String prints the shape the way NumPy does: (4, 2), (3,) or (). A shape of
// more than eight axes prints its first eight and the rank:
// (1, 1, 1, 1, 1, 1, 1, 1, ... (1000000 axes)).
func (s Shape) String() string {
	if len(s) == 1 {
		return "(" + strconv.Itoa(s[0]) + ",)"
	}
	shown := s
	if len(s) > shownAxes {
		shown = s[:shownAxes]
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shown {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	if len(shown) < len(s) {
		fmt.Fprintf(&b, ", ... (%d axes)", len(s))
	}
	b.WriteByte(')')
	return b.String()
}

// Strides returns the row-major element strides of a tensor of shape s.
func (s Shape) Strides() []int {
	st := make([]int, len(s))
	acc := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= s[i]
	}
	return st
}
