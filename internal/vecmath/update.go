package vecmath

import (
	"math"
	"unsafe"
)

// Float is the element type of the loops.
type Float interface{ float32 | float64 }

// kind is one implementation of the loops.
type kind int

const (
	kindGo     kind = iota // the Go loops below
	kindAVX                // 256-bit ymm kernels
	kindAVX512             // 512-bit zmm kernels
	kinds
)

// loop names an update loop, indexing the kernel tables.
type loop int

const (
	loopSGD loop = iota
	loopSGDMomentum
	loopSGDNesterov
	loopRMSProp
	loopRMSPropMomentum
	loopAdagrad
	loopAdam
	loopAdamPyTorch
	loopStream
	loops
)

// Each exported loop below updates p in place, element by element, from
// the gradient g (at least as long as p) and its slots (likewise), with
// the detected kernel; its unexported twin takes the kind, for tests and
// benchmarks. The vector kernels do the leading whole vectors and the Go
// loop the rest, with the same bits (see the package documentation).

// SGD is plain gradient descent: p -= lr·g.
func SGD[T Float](p, g []T, lr T) { sgd(detected, p, g, lr) }

func sgd[T Float](kd kind, p, g []T, lr T) {
	g = g[:len(p)]
	k := [...]T{lr}
	for i := vector(kd, loopSGD, p, g, nil, nil, k[:]); i < len(p); i++ {
		p[i] -= T(lr * g[i])
	}
}

// SGDMomentum is gradient descent with momentum mu on the velocity b:
// b = mu·b + g; p -= lr·b.
func SGDMomentum[T Float](p, g, b []T, lr, mu T) { sgdMomentum(detected, p, g, b, lr, mu) }

func sgdMomentum[T Float](kd kind, p, g, b []T, lr, mu T) {
	g, b = g[:len(p)], b[:len(p)]
	k := [...]T{lr, mu}
	for i := vector(kd, loopSGDMomentum, p, g, b, nil, k[:]); i < len(p); i++ {
		b[i] = T(mu*b[i]) + g[i]
		p[i] -= T(lr * b[i])
	}
}

// SGDNesterov is gradient descent with Nesterov momentum:
// b = mu·b + g; p -= lr·(g + mu·b).
func SGDNesterov[T Float](p, g, b []T, lr, mu T) { sgdNesterov(detected, p, g, b, lr, mu) }

func sgdNesterov[T Float](kd kind, p, g, b []T, lr, mu T) {
	g, b = g[:len(p)], b[:len(p)]
	k := [...]T{lr, mu}
	for i := vector(kd, loopSGDNesterov, p, g, b, nil, k[:]); i < len(p); i++ {
		b[i] = T(mu*b[i]) + g[i]
		p[i] -= T(lr * (g[i] + T(mu*b[i])))
	}
}

// RMSProp divides the step by the root of the running mean square v:
// v = rho·v + (1-rho)·g·g; p -= lr·g / √(v + eps).
func RMSProp[T Float](p, g, v []T, lr, rho, eps T) { rmsProp(detected, p, g, v, lr, rho, eps) }

func rmsProp[T Float](kd kind, p, g, v []T, lr, rho, eps T) {
	g, v = g[:len(p)], v[:len(p)]
	k := [...]T{lr, rho, 1 - rho, eps}
	for i := vector(kd, loopRMSProp, p, g, v, nil, k[:]); i < len(p); i++ {
		v[i] = T(rho*v[i]) + T(T(k[2]*g[i])*g[i])
		p[i] -= T(lr*g[i]) / sqrt(v[i]+eps)
	}
}

// RMSPropMomentum is RMSProp whose steps run through a momentum buffer b:
// v as in RMSProp; b = mu·b + lr·g / √(v + eps); p -= b.
func RMSPropMomentum[T Float](p, g, v, b []T, lr, rho, mu, eps T) {
	rmsPropMomentum(detected, p, g, v, b, lr, rho, mu, eps)
}

func rmsPropMomentum[T Float](kd kind, p, g, v, b []T, lr, rho, mu, eps T) {
	g, v, b = g[:len(p)], v[:len(p)], b[:len(p)]
	k := [...]T{lr, rho, 1 - rho, eps, mu}
	for i := vector(kd, loopRMSPropMomentum, p, g, v, b, k[:]); i < len(p); i++ {
		v[i] = T(rho*v[i]) + T(T(k[2]*g[i])*g[i])
		b[i] = T(mu*b[i]) + T(lr*g[i])/sqrt(v[i]+eps)
		p[i] -= b[i]
	}
}

// Adagrad scales the step by the root of the summed squares a:
// a += g·g; p -= lr·g / √(a + eps).
func Adagrad[T Float](p, g, a []T, lr, eps T) { adagrad(detected, p, g, a, lr, eps) }

func adagrad[T Float](kd kind, p, g, a []T, lr, eps T) {
	g, a = g[:len(p)], a[:len(p)]
	k := [...]T{lr, eps}
	for i := vector(kd, loopAdagrad, p, g, a, nil, k[:]); i < len(p); i++ {
		a[i] += T(g[i] * g[i])
		p[i] -= T(lr*g[i]) / sqrt(a[i]+eps)
	}
}

// AdamCoefficients are the numbers an Adam step multiplies by: the caller
// rounds them to T, and 1-Beta1 and 1-Beta2 are given rather than computed
// in T, since Keras' and PyTorch's forms round them differently.
type AdamCoefficients[T Float] struct {
	Keep          T // 1 - lr·weight decay; 1 for none, which changes no bit
	Beta1         T
	OneMinusBeta1 T
	Beta2         T
	OneMinusBeta2 T
	Step          T // the step size
	Root          T // √(1-Beta2ᵗ), for AdamPyTorch only
	Epsilon       T
}

// Adam is Keras' Adam step with decoupled weight decay, the bias correction
// folded into c.Step and c.Epsilon added to √v:
//
//	p = Keep·p
//	m = Beta1·m + OneMinusBeta1·g
//	v = Beta2·v + OneMinusBeta2·g·g
//	p -= Step·m / (√v + Epsilon)
func Adam[T Float](p, g, m, v []T, c AdamCoefficients[T]) { adam(detected, p, g, m, v, c) }

func adam[T Float](kd kind, p, g, m, v []T, c AdamCoefficients[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	k := [...]T{c.Keep, c.Beta1, c.OneMinusBeta1, c.Beta2, c.OneMinusBeta2, c.Step, c.Epsilon}
	for i := vector(kd, loopAdam, p, g, m, v, k[:]); i < len(p); i++ {
		m[i] = T(c.Beta1*m[i]) + T(c.OneMinusBeta1*g[i])
		v[i] = T(c.Beta2*v[i]) + T(T(c.OneMinusBeta2*g[i])*g[i])
		p[i] = T(p[i]*c.Keep) - T(c.Step*m[i])/(sqrt(v[i])+c.Epsilon)
	}
}

// AdamPyTorch is torch.optim.Adam's step (and AdamW's, through c.Keep):
// as Adam, but c.Epsilon is added to the bias-corrected √v̂ = √v / c.Root,
// with c.Root = √(1-Beta2ᵗ) and c.Step = lr/(1-Beta1ᵗ):
//
//	p -= Step·m / (√v/Root + Epsilon)
func AdamPyTorch[T Float](p, g, m, v []T, c AdamCoefficients[T]) {
	adamPyTorch(detected, p, g, m, v, c)
}

func adamPyTorch[T Float](kd kind, p, g, m, v []T, c AdamCoefficients[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	k := [...]T{c.Keep, c.Beta1, c.OneMinusBeta1, c.Beta2, c.OneMinusBeta2, c.Step, c.Root, c.Epsilon}
	for i := vector(kd, loopAdamPyTorch, p, g, m, v, k[:]); i < len(p); i++ {
		m[i] = T(c.Beta1*m[i]) + T(c.OneMinusBeta1*g[i])
		v[i] = T(c.Beta2*v[i]) + T(T(c.OneMinusBeta2*g[i])*g[i])
		p[i] = T(p[i]*c.Keep) - T(c.Step*m[i])/(sqrt(v[i])/c.Root+c.Epsilon)
	}
}

// stream moves Adam's bytes, loading p, g, s and u and storing p, s and u,
// with one add: the memory bound that the benchmarks compare Adam with.
func stream[T Float](kd kind, p, g, s, u []T) {
	g, s, u = g[:len(p)], s[:len(p)], u[:len(p)]
	for i := vector(kd, loopStream, p, g, s, u, nil); i < len(p); i++ {
		p[i] += g[i]
		s[i], u[i] = s[i]+0, u[i]+0
	}
}

// sqrt is the correctly rounded square root in T (for float32, rounding
// the float64 root is exact: float64 has more than twice the digits).
func sqrt[T Float](x T) T { return T(math.Sqrt(float64(x))) }

func is32[T Float]() bool {
	var zero T
	return unsafe.Sizeof(zero) == 4
}

// first is the address of x's first element as an E, which has T's size,
// or nil for an empty x.
func first[T Float, E float32 | float64](x []T) *E {
	if len(x) == 0 {
		return nil
	}
	return (*E)(unsafe.Pointer(&x[0]))
}
