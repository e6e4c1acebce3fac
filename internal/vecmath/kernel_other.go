//go:build !amd64

package vecmath

// detected is the pure-Go loop: vector kernels exist only for amd64.
var detected = kindGo

// supportedKinds lists every kind this build can run, for tests.
func supportedKinds() []kind { return []kind{kindGo} }

// vector leaves every element to the Go loop.
func vector[T Float](kd kind, l loop, p, g, s, u, k []T) int { return 0 }
