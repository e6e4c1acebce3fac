package autodiff

import (
	"errors"
	"testing"
)

// CheckGrad promises the xs' values are restored before it returns, on an
// error path too: the central difference restores its element with defer.
func TestCentralDifferenceRestoresTheValueItPerturbed(t *testing.T) {
	failOn := []int{1, 2} // f fails on its first call (at x+h), or its second (at x-h)
	for _, n := range failOn {
		data := []float64{0.5, -2, 3}
		calls := 0
		f := func() (float64, error) {
			calls++
			if calls == n {
				return 0, errors.New("run failed")
			}
			return data[1] * data[1], nil
		}
		if _, err := centralDifference(f, data, 1, 1e-6); err == nil {
			t.Fatalf("failing on call %d: no error", n)
		}
		if data[1] != -2 {
			t.Errorf("failing on call %d: data[1] = %v after the error, want -2 restored", n, data[1])
		}
	}
	data := []float64{-2}
	d, err := centralDifference(func() (float64, error) { return data[0] * data[0], nil }, data, 0, 1e-6)
	if err != nil || data[0] != -2 || d < -4.000001 || d > -3.999999 {
		t.Errorf("d(x²)/dx at -2 = %v, %v with x left at %v; want -4 and x restored", d, err, data[0])
	}
}
