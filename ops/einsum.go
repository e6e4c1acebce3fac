package ops

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"graft/graph"
)

// Einsum evaluates an Einstein-summation spec on its operands, with the
// meaning numpy.einsum(spec, ...) and torch.einsum(spec, ...) give it.
// Each operand's axes are named by one letter each (a-z, A-Z; spaces are
// ignored), the operands' subscripts separated by commas; "->" is followed
// by the result's labels. A label shared by operands is multiplied along;
// a label missing from the result is summed over; a label kept in the
// result and found in several operands is a batch axis:
//
//	Einsum("ij,jk->ik", a, b)          // MatMul(a, b)
//	Einsum("bij,bjk->bik", a, b)       // batched MatMul
//	Einsum("bhqd,bhkd->bhqk", q, k)    // attention scores q·kᵀ per batch and head
//	Einsum("bhqk,bhkd->bhqd", p, v)    // attention-weighted values
//	Einsum("bi,ij,bj->b", x, w, y)     // a bilinear form xᵀ·W·y per row
//	Einsum("ij->ji", a)                // Transpose(a)
//	Einsum("ij->j", a)                 // Sum(a, 0)
//	Einsum("ii->i", a)                 // the diagonal
//	Einsum("ii", a)                    // the trace
//	Einsum("i,j->ij", u, v)            // the outer product
//
// Every spec of this form works, with any number of operands and any
// labels; a label repeated within one operand takes that operand's
// diagonal along those axes. Without "->" the result's labels are those
// that occur exactly once in the spec, in alphabetical order (upper case
// first), as in NumPy and PyTorch.
//
// Not supported, each a build error naming the op "Einsum", the spec, the
// operands' shapes and the caller's line: the ellipsis "..." (name every
// axis instead), operands of different dtypes, and a label whose axes have
// different sizes in different places (torch.einsum stretches an axis of
// size 1 to match; graft does not, so give both axes their full size with
// BroadcastTo). A label repeated in the result, or found in the result but
// in no operand, is refused as NumPy and PyTorch refuse it.
//
// Einsum is a composition: each repeated label is a diagonal taken with
// Reshape, Pad and Slice, each label in neither the result nor another
// operand is summed away with Sum, and the operands are then contracted
// left to right, two at a time, each pair as one batched MatMulT between
// Transposes and Reshapes (a Transpose is left out where the axes are
// already in order, so the attention forms above copy nothing), or as a
// Mul where no label is summed (an outer product), or a Mul and a Sum
// where no label is kept from one operand only (dot products). Its
// gradient is therefore those ops' gradients, and it differentiates
// again. The contraction order fixes only the cost and the rounding, not
// the value.
func Einsum(spec string, operands ...*graph.Node) *graph.Node {
	fail := func(err error) *graph.Node {
		return graph.Reject("Einsum", fmt.Errorf("spec %q: %w", spec, err), operands...)
	}
	if len(operands) == 0 {
		return fail(errors.New("no operands"))
	}
	for _, x := range operands {
		if x == nil || x.Graph() == nil {
			return fail(errors.New("an operand is nil or a zero graph.Node"))
		}
	}
	terms, output, err := parseEinsum(spec, len(operands))
	if err != nil {
		return fail(err)
	}
	if err := checkEinsumOperands(terms, operands); err != nil {
		return fail(err)
	}
	parts := make([]einsumPart, len(operands))
	for i, x := range operands {
		parts[i] = einsumPart{x, terms[i]}.diagonals()
	}
	cur := parts[0]
	for k := 1; k < len(parts); k++ {
		needed := append(slices.Clone(output), labelsOf(parts[k+1:])...)
		cur = contract(cur, parts[k], needed)
	}
	cur = cur.sumAllBut(output)
	return transposeTo(cur.x, cur.labels, output)
}

// parseEinsum splits spec into each operand's labels and the result's.
func parseEinsum(spec string, operands int) (terms [][]byte, output []byte, err error) {
	spec = strings.ReplaceAll(spec, " ", "")
	if strings.Contains(spec, ".") {
		return nil, nil, errors.New(`the ellipsis "..." is not supported; name every axis with a letter`)
	}
	lhs, rhs, explicit := strings.Cut(spec, "->")
	if strings.Contains(rhs, "->") {
		return nil, nil, errors.New(`"->" may appear once`)
	}
	count := map[byte]int{}
	for _, t := range strings.Split(lhs, ",") {
		if err := checkLabels(t); err != nil {
			return nil, nil, err
		}
		terms = append(terms, []byte(t))
		for j := 0; j < len(t); j++ {
			count[t[j]]++
		}
	}
	if len(terms) != operands {
		return nil, nil, fmt.Errorf("it has subscripts for %d operands, and %d were given", len(terms), operands)
	}
	if !explicit {
		for c, n := range count {
			if n == 1 {
				output = append(output, c)
			}
		}
		slices.Sort(output)
		return terms, output, nil
	}
	if err := checkLabels(rhs); err != nil {
		return nil, nil, err
	}
	output = []byte(rhs)
	for i, c := range output {
		if slices.Contains(output[:i], c) {
			return nil, nil, fmt.Errorf("label %q appears twice in the result", c)
		}
		if count[c] == 0 {
			return nil, nil, fmt.Errorf("label %q of the result is in no operand", c)
		}
	}
	return terms, output, nil
}

func checkLabels(t string) error {
	for i := 0; i < len(t); i++ {
		if c := t[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return fmt.Errorf("%q is not a label: labels are the letters a-z and A-Z", c)
		}
	}
	return nil
}

// checkEinsumOperands holds each operand to its subscripts: one label per
// axis, one size per label, and one float dtype for all.
func checkEinsumOperands(terms [][]byte, operands []*graph.Node) error {
	type seen struct{ size, operand, axis int }
	sizes := map[byte]seen{}
	for i, x := range operands {
		if x.DType() != operands[0].DType() {
			return fmt.Errorf("operands 0 and %d have dtypes %v and %v; graft never converts implicitly", i, graph.DTypeName(operands[0].DType()), graph.DTypeName(x.DType()))
		}
		if graph.IsInteger(x.DType()) {
			return fmt.Errorf("operand %d is %s, and Einsum computes on floats: convert it with ops.Cast", i, graph.DTypeName(x.DType()))
		}
		s := x.Shape()
		if len(s) != len(terms[i]) {
			return fmt.Errorf("operand %d has %d axes and %d labels %q", i, len(s), len(terms[i]), terms[i])
		}
		for axis, c := range terms[i] {
			if first, ok := sizes[c]; ok && first.size != s[axis] {
				return fmt.Errorf("label %q is axis %d of operand %d, of size %d, and axis %d of operand %d, of size %d",
					c, first.axis, first.operand, first.size, axis, i, s[axis])
			} else if !ok {
				sizes[c] = seen{s[axis], i, axis}
			}
		}
	}
	return nil
}

// einsumPart is a node with a label for each of its axes.
type einsumPart struct {
	x      *graph.Node
	labels []byte
}

func labelsOf(parts []einsumPart) []byte {
	var all []byte
	for _, p := range parts {
		all = append(all, p.labels...)
	}
	return all
}

// diagonals takes the diagonal along each label the part repeats, until
// every label names one axis.
func (p einsumPart) diagonals() einsumPart {
	for {
		first, second := -1, -1
		for i, c := range p.labels {
			if j := slices.Index(p.labels, c); j < i {
				first, second = j, i
				break
			}
		}
		if first < 0 {
			return p
		}
		p = p.diagonal(first, second)
	}
}

// diagonal keeps the elements of p whose axes a and b (a < b, of one size n)
// have equal indices. With those axes moved last and flattened, the
// diagonal's elements are n+1 apart; padding the n² of them to n·(n+1) and
// reshaping to (n, n+1) lines them up as column 0.
func (p einsumPart) diagonal(a, b int) einsumPart {
	s := p.x.Shape()
	n := s[a]
	var perm []int
	var rest graph.Shape
	var labels []byte
	for i := range s {
		if i != a && i != b {
			perm = append(perm, i)
			rest = append(rest, s[i])
			labels = append(labels, p.labels[i])
		}
	}
	x := permute(p.x, append(perm, a, b))
	x = Reshape(x, append(rest.Clone(), n*n)...)
	x = Pad(x, -1, 0, n)
	x = Reshape(x, append(rest.Clone(), n, n+1)...)
	x = Slice(x, -1, 0, 1)
	x = Reshape(x, append(rest.Clone(), n)...)
	return einsumPart{x, append(labels, p.labels[a])}
}

// sumAllBut sums p over every label not in keep.
func (p einsumPart) sumAllBut(keep []byte) einsumPart {
	var axes []int
	var labels []byte
	for i, c := range p.labels {
		if slices.Contains(keep, c) {
			labels = append(labels, c)
		} else {
			axes = append(axes, i)
		}
	}
	if len(axes) == 0 { // Sum of no axes would sum them all
		return p
	}
	return einsumPart{Sum(p.x, axes...), labels}
}

// contract multiplies a and b and sums over their shared labels that are
// not needed later, keeping the needed ones (batch axes) and the labels
// of one side only. It is one MatMulT of a as (batch, left, shared) and b
// as (batch, shared, right), each possibly read transposed; or, with no
// label to sum, a broadcast Mul; or, with no label of one side only, the
// Sum of a Mul.
func contract(a, b einsumPart, needed []byte) einsumPart {
	a = a.sumAllBut(append(slices.Clone(needed), b.labels...))
	b = b.sumAllBut(append(slices.Clone(needed), a.labels...))
	var batch, shared, left, right []byte
	for _, c := range a.labels {
		switch {
		case !slices.Contains(b.labels, c):
			left = append(left, c)
		case slices.Contains(needed, c):
			batch = append(batch, c)
		default:
			shared = append(shared, c)
		}
	}
	for _, c := range b.labels {
		if !slices.Contains(a.labels, c) {
			right = append(right, c)
		}
	}
	labels := slices.Concat(batch, left, right)
	switch {
	case len(shared) == 0:
		// Nothing to sum: a product that broadcasts a over b's own labels
		// and b over a's.
		x := reshapeTo(transposeTo(a.x, a.labels, slices.Concat(batch, left)),
			append(sizesOf(a, a, slices.Concat(batch, left)), ones(len(right))...))
		y := reshapeTo(transposeTo(b.x, b.labels, slices.Concat(batch, right)),
			slices.Concat(sizesOf(b, b, batch), ones(len(left)), sizesOf(b, b, right)))
		return einsumPart{Mul(x, y), labels}
	case len(left) == 0 && len(right) == 0:
		// Dot products, one per batch element: cheaper as a Mul and a Sum
		// than as one 1×1 matrix product per batch element.
		order := slices.Concat(batch, shared)
		axes := make([]int, len(shared))
		for i := range axes {
			axes[i] = len(batch) + i
		}
		return einsumPart{Sum(Mul(transposeTo(a.x, a.labels, order), transposeTo(b.x, b.labels, order)), axes...), batch}
	}
	x, transA := asMatrices(a, batch, left, shared)
	y, transB := asMatrices(b, batch, shared, right)
	out := MatMulT(x, y, transA, transB)
	return einsumPart{reshapeTo(out, sizesOf(a, b, labels)), labels}
}

// ones is a shape of n axes of size 1.
func ones(n int) graph.Shape {
	s := make(graph.Shape, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// asMatrices reshapes p to (batch, rows, cols), or (rows, cols) with no
// batch labels, and reports whether it was read in the order (batch, cols,
// rows) instead, to be multiplied transposed: whichever order needs no
// Transpose, or (batch, rows, cols) when both need one.
func asMatrices(p einsumPart, batch, rows, cols []byte) (*graph.Node, bool) {
	order, trans := slices.Concat(batch, rows, cols), false
	if flipped := slices.Concat(batch, cols, rows); slices.Equal(flipped, p.labels) {
		order, trans = flipped, true
	}
	x := transposeTo(p.x, p.labels, order)
	bs, rs, cs := sizesOf(p, p, batch).Size(), sizesOf(p, p, rows).Size(), sizesOf(p, p, cols).Size()
	shape := graph.Shape{bs, rs, cs}
	if trans {
		shape = graph.Shape{bs, cs, rs}
	}
	if len(batch) == 0 {
		shape = shape[1:]
	}
	return reshapeTo(x, shape), trans
}

// sizesOf is the size of each label, read from a or b.
func sizesOf(a, b einsumPart, labels []byte) graph.Shape {
	s := graph.Shape{}
	for _, c := range labels {
		if i := slices.Index(a.labels, c); i >= 0 {
			s = append(s, a.x.Shape()[i])
		} else {
			s = append(s, b.x.Shape()[slices.Index(b.labels, c)])
		}
	}
	return s
}

// transposeTo permutes x's axes, labelled from, into the order of to.
func transposeTo(x *graph.Node, from, to []byte) *graph.Node {
	perm := make([]int, len(to))
	for i, c := range to {
		perm[i] = slices.Index(from, c)
	}
	return permute(x, perm)
}

// permute is Transpose(x, perm...), or x when perm leaves it as it is.
func permute(x *graph.Node, perm []int) *graph.Node {
	for i, p := range perm {
		if i != p {
			return Transpose(x, perm...)
		}
	}
	return x
}

// reshapeTo is Reshape(x, shape...), or x when it has that shape already.
func reshapeTo(x *graph.Node, shape graph.Shape) *graph.Node {
	if x.Shape().Equal(shape) {
		return x
	}
	return Reshape(x, shape...)
}
