package ops

import "graft/graph"

// An op's kernel is written once, as a generic function over graph.Float
// with the signature
//
//	func kernel[T graph.Float](op *someOp, out []T, in []*graph.Value)
//
// and its Forward method is one line:
//
//	forEachDType(op, out, in, kernel[float32], kernel[float64])
//
// The kernel reads its inputs' data with floats[T] and picks the one of a
// pair of per-dtype functions it needs with ofDType.

// forEachDType runs k32 when out holds float32 data and k64 when it holds
// float64: the float32 and float64 instantiations of one generic kernel.
func forEachDType[O any](op O, out *graph.Value, in []*graph.Value,
	k32 func(op O, out []float32, in []*graph.Value), k64 func(op O, out []float64, in []*graph.Value)) {
	if out.F32 != nil {
		k32(op, out.F32, in)
	} else {
		k64(op, out.F64, in)
	}
}

// floats returns v's data as a []T, T being v's dtype. (It converts a
// pointer, not the slice, to an interface, so that it allocates nothing.)
func floats[T graph.Float](v *graph.Value) []T {
	if data, ok := any(&v.F32).(*[]T); ok {
		return *data
	}
	return *any(&v.F64).(*[]T)
}

// ofDType returns whichever of f32 and f64, a function's float32 and
// float64 versions, has type K.
func ofDType[K any](f32, f64 any) K {
	if k, ok := f32.(K); ok {
		return k
	}
	return f64.(K)
}
