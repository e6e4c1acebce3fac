package graph

// CheckDType reports whether graft computes in dt.
func CheckDType(dt DType) error { return checkDType(dt) }

// CheckShape reports whether every axis of s is at least 1.
func CheckShape(s Shape) error { return checkShape(s) }
