package autodiff

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Tolerance says how far an analytic gradient may be from the numerical one:
// |analytic - numeric| <= Abs + Rel·|numeric|. Step is the central-difference
// step h, scaled by max(1, |x|).
type Tolerance struct {
	Step, Abs, Rel float64
}

// DefaultTolerance suits float64 graphs of smooth ops evaluated away from
// kinks.
var DefaultTolerance = Tolerance{Step: 1e-6, Abs: 1e-7, Rel: 1e-6}

// CheckGrad compares the gradient that Grad builds for the scalar y with
// respect to each of xs against central differences, (f(x+h) - f(x-h)) / 2h,
// taken element by element. The xs are float64 parameters or inputs; inputs
// take their values from feeds. The xs' values are restored before it
// returns. The error names the worst element of the first x that fails.
func CheckGrad(y *graph.Node, xs []*graph.Node, feeds graph.Feeds, tol Tolerance) error {
	for _, n := range xs {
		if n != nil && n.DType() != tensor.Float64 {
			return fmt.Errorf("graft: CheckGrad: %s is %s; gradient checks need float64", n.Name(), graph.DTypeName(n.DType()))
		}
	}
	if y != nil && y.DType() != tensor.Float64 {
		return fmt.Errorf("graft: CheckGrad: %s is %s; gradient checks need float64", y.Name(), graph.DTypeName(y.DType()))
	}
	analytic, err := analyticGradients(y, xs, feeds)
	if err != nil {
		return err
	}
	value, err := graph.Compile(y)
	if err != nil {
		return err
	}
	f := func() (float64, error) {
		out, err := value.Run(feeds)
		if err != nil {
			return 0, err
		}
		return out[0].Float64s()[0], nil
	}
	for i, x := range xs {
		data, err := valuesOf(x, feeds)
		if err != nil {
			return err
		}
		at, numeric, err := worstElement(f, data, analytic[i], tol)
		if err != nil {
			return err
		}
		if at >= 0 {
			return fmt.Errorf("graft: CheckGrad: d%s/d%s at flat index %d: autodiff gives %.10g, central differences give %.10g",
				y.Name(), x.Name(), at, analytic[i][at], numeric)
		}
	}
	return nil
}

// analyticGradients returns copies of the values of the gradients Grad
// builds for y with respect to xs.
func analyticGradients(y *graph.Node, xs []*graph.Node, feeds graph.Feeds) ([][]float64, error) {
	grads, err := Grad(y, xs...)
	if err != nil {
		return nil, err
	}
	prog, err := graph.Compile(append([]*graph.Node{y}, grads...)...)
	if err != nil {
		return nil, err
	}
	out, err := prog.Run(feeds)
	if err != nil {
		return nil, err
	}
	analytic := make([][]float64, len(xs))
	for i := range xs {
		analytic[i] = append([]float64(nil), out[i+1].Float64s()...)
	}
	return analytic, nil
}

// worstElement compares analytic with the central differences of f in each
// element of data, and returns the element that exceeds the tolerance by
// the most (the first NaN wins) with its numeric derivative, or -1 when
// every element is within the tolerance.
func worstElement(f func() (float64, error), data, analytic []float64, tol Tolerance) (at int, numeric float64, err error) {
	worst, at := 0.0, -1
	for j := range data {
		num, err := centralDifference(f, data, j, tol.Step)
		if err != nil {
			return -1, 0, err
		}
		excess := math.Abs(analytic[j]-num) - (tol.Abs + tol.Rel*math.Abs(num))
		if math.IsNaN(excess) {
			return j, num, nil
		}
		if excess > worst {
			worst, at, numeric = excess, j, num
		}
	}
	return at, numeric, nil
}

// centralDifference returns (f(x+h) - f(x-h)) / 2h for the element x =
// data[j], with h = step·max(1, |x|). data[j] is restored before it returns,
// on every path, error or not.
func centralDifference(f func() (float64, error), data []float64, j int, step float64) (float64, error) {
	v := data[j]
	defer func() { data[j] = v }()
	h := step * max(1, math.Abs(v))
	data[j] = v + h
	fPlus, err := f()
	if err != nil {
		return 0, err
	}
	data[j] = v - h
	fMinus, err := f()
	if err != nil {
		return 0, err
	}
	return (fPlus - fMinus) / (2 * h), nil
}

// valuesOf returns the float64 data that x reads: its feed or its tensor.
func valuesOf(x *graph.Node, feeds graph.Feeds) ([]float64, error) {
	if x.DType() != tensor.Float64 {
		return nil, fmt.Errorf("graft: CheckGrad: %s is %s; gradient checks need float64", x.Name(), graph.DTypeName(x.DType()))
	}
	switch x.Kind() {
	case graph.Param, graph.Constant:
		return x.Value().Float64s(), nil
	case graph.Input:
		if t := feeds[x]; t != nil {
			return t.Float64s(), nil
		}
		return nil, fmt.Errorf("graft: CheckGrad: input %s is not fed", x.Name())
	}
	return nil, fmt.Errorf("graft: CheckGrad: %s is an op; check with respect to a parameter or an input", x.Name())
}
