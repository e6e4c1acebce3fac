package data

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// splitStream is the PCG stream Split draws from, one no epoch of
// Permutation uses (epochs count up from 0), so that a split and the first
// epoch's shuffle of the same seed are not the same permutation.
const splitStream = 0x5350_4c49_545f_7631 // "SPLIT_v1"

// Permutation fills order with a permutation of 0, 1, ..., len(order)-1
// that depends on seed and epoch alone: the same pair gives the same
// permutation, bit for bit, on every machine, so a run resumed at an epoch
// needs only its number, not a saved random state. It is a Fisher-Yates
// shuffle driven by math/rand/v2's PCG (a 128-bit LCG with the DXSM output
// function) seeded (seed, epoch), with an unbiased bounded draw written
// here rather than rand.Shuffle, whose way of drawing Go does not promise
// to keep; a golden test pins the orders, so a change of either shows. It
// allocates nothing.
func Permutation(order []int, seed uint64, epoch int) {
	permute(order, seed, uint64(epoch))
}

func permute(order []int, seed, stream uint64) {
	for i := range order {
		order[i] = i
	}
	var src rand.PCG
	src.Seed(seed, stream)
	for i := len(order) - 1; i > 0; i-- {
		j := below(&src, uint64(i)+1)
		order[i], order[j] = order[j], order[i]
	}
}

// below returns a uniform draw from [0, n) by Lemire's multiply-and-reject
// ("Fast random integer generation in an interval", 2019): the high word of
// a 64×64-bit product, redrawn when the low word falls in the biased
// sliver below 2^64 mod n.
func below(src *rand.PCG, n uint64) int {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		reject := -n % n // 2^64 mod n
		for lo < reject {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return int(hi)
}

// Batches cuts a row order into consecutive batches of a size, the last
// one shorter when the size does not divide the order's length (PyTorch's
// DataLoader with drop_last=False). It reads the order when asked for a
// batch, so one made before the epoch loop serves every epoch that refills
// the order with Permutation; it allocates nothing, and each batch is a
// subslice of the order. A loop over an epoch reads
//
//	for i := range b.Len() {
//		rows := b.At(i)
//		...
//	}
//
// (a range-over-func iterator would be shorter to write, but Go allocates
// its loop body's closure whenever it cannot see which function it ranges
// over).
type Batches struct {
	order []int
	size  int
}

// NewBatches returns the batches of size rows of order. A size below 1 is
// an error.
func NewBatches(order []int, size int) (Batches, error) {
	if size < 1 {
		return Batches{}, fmt.Errorf("graft: NewBatches: the batch size is %d; it must be at least 1", size)
	}
	return Batches{order: order, size: size}, nil
}

// Len returns the number of batches: len(order)/size, rounded up.
func (b Batches) Len() int {
	if b.size == 0 {
		return 0
	}
	return (len(b.order) + b.size - 1) / b.size
}

// At returns batch i, from 0, or nil when i is not in [0, Len()).
func (b Batches) At(i int) []int {
	if i < 0 || i >= b.Len() {
		return nil
	}
	return b.order[i*b.size : min((i+1)*b.size, len(b.order))]
}

// Split divides d at random into a training and a validation set, the
// latter holding round(fraction·d.Len()) rows; both must get at least one.
// The rows are drawn by a permutation of seed, the same for the same seed
// and length, and each part keeps its rows in their order in d. Both parts
// are Subsets of d: nothing is copied from a *Tensors.
//
// PyTorch's random_split takes lengths or fractions too (it floors each
// part), scikit-learn's train_test_split rounds the test part up; Split
// rounds to the nearest, so that 0.7 of 10 rows is 7 even though 0.7·10 is
// 7.000000000000001 in floating point.
func Split(d Dataset, fraction float64, seed uint64) (train, validation Dataset, err error) {
	if d == nil {
		return nil, nil, errors.New("graft: Split: the dataset is nil")
	}
	n := d.Len()
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, fmt.Errorf("graft: Split: the validation fraction is %v; it must lie strictly between 0 and 1", fraction)
	}
	nv := int(math.Round(fraction * float64(n)))
	if nv < 1 || nv >= n {
		return nil, nil, fmt.Errorf("graft: Split: a fraction %v of %d rows leaves %d for training and %d for validation; each needs at least 1", fraction, n, n-nv, nv)
	}
	order := make([]int, n)
	permute(order, seed, splitStream)
	val, tr := order[:nv], order[nv:]
	slices.Sort(val)
	slices.Sort(tr)
	if train, err = Subset(d, tr); err != nil {
		return nil, nil, err
	}
	if validation, err = Subset(d, val); err != nil {
		return nil, nil, err
	}
	return train, validation, nil
}
