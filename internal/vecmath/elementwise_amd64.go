package vecmath

// elementwiseVector runs kernel w of kind kd on the leading whole vectors
// of o and returns how many elements it wrote; the caller's Go loop does
// the rest. a and b are as long as o, or one element for a scalar operand
// (b nil for ReLU).
func elementwiseVector[T Float](kd kind, w elementwise, o, a, b []T) int {
	if kd == kindGo || len(o) == 0 {
		return 0
	}
	if is32[T]() {
		return elementwise32(kd, w, len(o), first[T, float32](o), first[T, float32](a), first[T, float32](b))
	}
	return elementwise64(kd, w, len(o), first[T, float64](o), first[T, float64](a), first[T, float64](b))
}
