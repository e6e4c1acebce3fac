package layers

import (
	"testing"

	"graft/graph"
)

// checkSize allows a parameter of up to 1<<34 elements and no more, and a
// product that would overflow int is caught, not wrapped round.
func TestCheckSizeCapsTheElementCountWithoutOverflow(t *testing.T) {
	for _, tc := range []struct {
		shape graph.Shape
		ok    bool
	}{
		{graph.Shape{}, true},
		{graph.Shape{1 << 34}, true},
		{graph.Shape{1<<34 + 1}, false},
		{graph.Shape{1 << 17, 1 << 17}, true},
		{graph.Shape{1 << 17, 1 << 17, 2}, false},
		{graph.Shape{1 << 32, 1 << 32}, false},      // 2^64 wraps to 0
		{graph.Shape{7, 0x6DB6DB6DB6DB6DB7}, false}, // wraps to 1
		{graph.Shape{1 << 62, 4}, false},
		{graph.Shape{3, 0}, false},
		{graph.Shape{-1, -1}, false},
	} {
		if err := checkSize(tc.shape); (err == nil) != tc.ok {
			t.Errorf("checkSize(%v) = %v, want ok = %v", tc.shape, err, tc.ok)
		}
	}
}
