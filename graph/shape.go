package graph

import (
	"fmt"
	"strings"
)

// Shape is the size of each axis of a tensor. The empty shape is a scalar.
type Shape []int

// Size is the number of elements: the product of the axis sizes (1 for a scalar).
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
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

// String prints the shape the way NumPy does: (4, 2), (3,) or ().
func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
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

func checkShape(s Shape) error {
	for _, d := range s {
		if d <= 0 {
			return fmt.Errorf("shape %v has an axis of size %d: every axis must be at least 1", s, d)
		}
	}
	return nil
}
