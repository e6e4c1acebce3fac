package layers

import (
	"math"
	"math/rand/v2"
)

// Initializer fills a new parameter's values. fanIn and fanOut are the
// numbers of inputs and outputs of the unit the parameter belongs to (for a
// Dense kernel of shape (in, out), in and out). Values are drawn in float64
// and rounded once for a float32 parameter, so a float32 model starts from
// the float64 model's weights, rounded.
type Initializer func(dst []float64, fanIn, fanOut int, rng *rand.Rand)

// GlorotUniform (Glorot & Bengio 2010, also called Xavier uniform) draws
// from U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)), which keeps
// the variance of activations and gradients alike across layers. It is
// Dense's default, as in Keras.
func GlorotUniform(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	uniform(dst, math.Sqrt(6/float64(fanIn+fanOut)), rng)
}

// GlorotNormal draws from a normal of standard deviation
// sqrt(2 / (fanIn + fanOut)), truncated at two (untruncated) standard
// deviations the way Keras does (see HeNormal).
func GlorotNormal(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	truncatedNormal(dst, math.Sqrt(2/float64(fanIn+fanOut)), rng)
}

// HeUniform (He et al. 2015, also called Kaiming uniform) draws from
// U(-limit, limit) with limit = sqrt(6 / fanIn): variance 2/fanIn, suited
// to ReLU layers.
func HeUniform(dst []float64, fanIn, _ int, rng *rand.Rand) {
	uniform(dst, math.Sqrt(6/float64(fanIn)), rng)
}

// HeNormal (Kaiming normal) draws values whose standard deviation is
// sqrt(2 / fanIn). As in Keras, the normal is truncated at two standard
// deviations and widened by 1/0.87962566103423978 (the standard deviation
// of a unit normal cut at ±2) so that the values still have the intended
// standard deviation, without the rare large outliers.
func HeNormal(dst []float64, fanIn, _ int, rng *rand.Rand) {
	truncatedNormal(dst, math.Sqrt(2/float64(fanIn)), rng)
}

// LeCunUniform draws from U(-limit, limit) with limit = sqrt(3 / fanIn):
// variance 1/fanIn, the choice for SELU networks.
func LeCunUniform(dst []float64, fanIn, _ int, rng *rand.Rand) {
	uniform(dst, math.Sqrt(3/float64(fanIn)), rng)
}

// LeCunNormal draws values of standard deviation sqrt(1 / fanIn) from a
// normal truncated at two standard deviations (see HeNormal).
func LeCunNormal(dst []float64, fanIn, _ int, rng *rand.Rand) {
	truncatedNormal(dst, math.Sqrt(1/float64(fanIn)), rng)
}

// Zeros sets every value to 0. It is the default for biases.
func Zeros(dst []float64, _, _ int, _ *rand.Rand) { clear(dst) }

// Ones sets every value to 1.
func Ones(dst []float64, fanIn, fanOut int, rng *rand.Rand) { Constant(1)(dst, fanIn, fanOut, rng) }

// Constant returns an initializer that sets every value to v.
func Constant(v float64) Initializer {
	return func(dst []float64, _, _ int, _ *rand.Rand) {
		for i := range dst {
			dst[i] = v
		}
	}
}

// Uniform returns an initializer that draws from U(lo, hi).
func Uniform(lo, hi float64) Initializer {
	return func(dst []float64, _, _ int, rng *rand.Rand) {
		for i := range dst {
			dst[i] = lo + (hi-lo)*rng.Float64()
		}
	}
}

// Normal returns an initializer that draws from an untruncated normal of the
// given mean and standard deviation.
func Normal(mean, std float64) Initializer {
	return func(dst []float64, _, _ int, rng *rand.Rand) {
		for i := range dst {
			dst[i] = mean + std*rng.NormFloat64()
		}
	}
}

func uniform(dst []float64, limit float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = limit * (2*rng.Float64() - 1)
	}
}

// truncatedStd is the standard deviation of a unit normal truncated to
// [-2, 2]; dividing by it restores the intended spread after truncation.
const truncatedStd = 0.87962566103423978

func truncatedNormal(dst []float64, std float64, rng *rand.Rand) {
	scale := std / truncatedStd
	for i := range dst {
		z := rng.NormFloat64()
		for math.Abs(z) > 2 {
			z = rng.NormFloat64()
		}
		dst[i] = scale * z
	}
}
