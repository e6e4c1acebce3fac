package ops_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/graph"
	"graft/internal/graftest"
	"graft/ops"
)

// einsumGradCases are the Einsum rows of the gradient-check table
// (gradCases): the forms attention and bilinear layers use, and the
// single-operand ones. Squaring the result makes the second derivatives
// depend on the operands.
func einsumGradCases() []gradCase {
	einsum := func(spec string) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Square(ops.Einsum(spec, x...)) }
	}
	u := func(shape ...int) gradArg { return uniform(-1, 1, shape...) }
	return []gradCase{
		{name: "Einsum ij,jk->ik", args: []gradArg{u(2, 3), u(3, 4)}, build: einsum("ij,jk->ik")},
		{name: "Einsum bij,bjk->bik", args: []gradArg{u(2, 2, 3), u(2, 3, 2)}, build: einsum("bij,bjk->bik")},
		{name: "Einsum bhqd,bhkd->bhqk", args: []gradArg{u(2, 2, 3, 2), u(2, 2, 2, 2)}, build: einsum("bhqd,bhkd->bhqk")},
		{name: "Einsum bhqk,bhkd->bhqd", args: []gradArg{u(1, 2, 3, 2), u(1, 2, 2, 3)}, build: einsum("bhqk,bhkd->bhqd")},
		{name: "Einsum bi,ij,bj->b", args: []gradArg{u(3, 2), u(2, 3), u(3, 3)}, build: einsum("bi,ij,bj->b")},
		{name: "Einsum ij->ji", args: []gradArg{u(2, 3)}, build: einsum("ij->ji")},
		{name: "Einsum ii->i", args: []gradArg{u(3, 3)}, build: einsum("ii->i")},
		{name: "Einsum bii->b, a batch of traces", args: []gradArg{u(2, 3, 3)}, build: einsum("bii->b")},
		{name: "Einsum ijk->ki, summing j", args: []gradArg{u(2, 3, 2)}, build: einsum("ijk->ki")},
		{name: "Einsum i,j->ij", args: []gradArg{u(2), u(3)}, build: einsum("i,j->ij")},
		{name: "Einsum ij,ij->i, dot products", args: []gradArg{u(3, 2), u(3, 2)}, build: einsum("ij,ij->i")},
		{name: "Einsum bi,bj->bij, batched outer products", args: []gradArg{u(2, 2), u(2, 3)}, build: einsum("bi,bj->bij")},
		{name: "Einsum jb,bqj->qb, transposed operands", args: []gradArg{u(3, 2), u(2, 2, 3)}, build: einsum("jb,bqj->qb")},
	}
}

// einsumReference evaluates spec by the definition: for every assignment
// of indices to labels, add the product of the operands' elements to the
// result's element. Only explicit specs.
func einsumReference(spec string, shapes [][]int, data [][]float64) []float64 {
	lhs, out, _ := strings.Cut(spec, "->")
	terms := strings.Split(lhs, ",")
	size := map[byte]int{}
	var labels []byte
	for i, term := range terms {
		for j := range term {
			if _, ok := size[term[j]]; !ok {
				labels = append(labels, term[j])
			}
			size[term[j]] = shapes[i][j]
		}
	}
	offset := func(term string, at map[byte]int) int {
		o := 0
		for j := range term {
			o = o*size[term[j]] + at[term[j]]
		}
		return o
	}
	resultSize := 1
	for j := range out {
		resultSize *= size[out[j]]
	}
	result := make([]float64, resultSize)
	at := map[byte]int{}
	var walk func(k int)
	walk = func(k int) {
		if k == len(labels) {
			p := 1.0
			for i, term := range terms {
				p *= data[i][offset(term, at)]
			}
			result[offset(out, at)] += p
			return
		}
		for v := range size[labels[k]] {
			at[labels[k]] = v
			walk(k + 1)
		}
	}
	walk(0)
	return result
}

func TestEinsumAgreesWithTheDefinition(t *testing.T) {
	cases := []struct {
		spec   string
		shapes [][]int
	}{
		{"ij,jk->ik", [][]int{{2, 3}, {3, 4}}},
		{"bij,bjk->bik", [][]int{{3, 2, 4}, {3, 4, 2}}},
		{"bhqd,bhkd->bhqk", [][]int{{2, 3, 4, 5}, {2, 3, 2, 5}}},
		{"bhqk,bhkd->bhqd", [][]int{{2, 3, 4, 2}, {2, 3, 2, 5}}},
		{"bi,ij,bj->b", [][]int{{4, 3}, {3, 2}, {4, 2}}},
		{"ij->ji", [][]int{{2, 3}}},
		{"ii->i", [][]int{{4, 4}}},
		{"ii->", [][]int{{3, 3}}},
		{"iji->j", [][]int{{2, 3, 2}}},
		{"ij->", [][]int{{2, 3}}},
		{"ij->j", [][]int{{2, 3}}},
		{"i,j->ij", [][]int{{2}, {3}}},
		{"i,i->", [][]int{{5}}},
		{"bqd,kd->bqk", [][]int{{2, 3, 4}, {5, 4}}},
		{"qb,bk->bqk", [][]int{{3, 2}, {2, 4}}},
		{"abc,cda,e->bde", [][]int{{2, 3, 2}, {2, 2, 2}, {3}}},
		{"ij,ij->ij", [][]int{{2, 3}, {2, 3}}},
		{",ij->ij", [][]int{{}, {2, 2}}},
		{"ij,ij->i", [][]int{{3, 4}, {3, 4}}},
		{"bij,bji->b", [][]int{{2, 3, 4}, {2, 4, 3}}},
		{"bi,bj->bji", [][]int{{2, 3}, {2, 4}}},
		{"ab,cd->dacb", [][]int{{2, 3}, {1, 2}}},
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, dt := range bothDTypes {
		for _, c := range cases {
			t.Run(dt.String()+"/"+c.spec, func(t *testing.T) {
				if len(c.shapes) == 1 && strings.Contains(c.spec, ",") {
					c.shapes = append(c.shapes, c.shapes[0]) // "i,i->" reuses the shape
				}
				g := graph.New()
				var xs []*graph.Node
				var data [][]float64
				feeds := graph.Feeds{}
				for i, s := range c.shapes {
					d := make([]float64, graph.Shape(s).Size())
					for j := range d {
						d[j] = float64(rng.IntN(9) - 4) // small integers: exact in both dtypes
					}
					x := g.Input(fmt.Sprint("x", i), dt, s...)
					feeds[x] = graftest.Tensor(dt, d, s...)
					xs, data = append(xs, x), append(data, d)
				}
				got := graftest.Eval(t, feeds, ops.Einsum(c.spec, xs...))[0]
				graftest.AssertClose(t, c.spec, got, einsumReference(c.spec, c.shapes, data), 0, 0)
			})
		}
	}
}

func TestEinsumOnHandWorkedNumbers(t *testing.T) {
	a23 := arg(graftest.Integers(6, 1), 2, 3) // [[1 2 3] [4 5 6]]
	a32 := arg(graftest.Integers(6, 1), 3, 2) // [[1 2] [3 4] [5 6]]
	a33 := arg(graftest.Integers(9, 1), 3, 3)
	einsum := func(spec string) func(x ...*graph.Node) *graph.Node {
		return func(x ...*graph.Node) *graph.Node { return ops.Einsum(spec, x...) }
	}
	checkOpCases(t, []opCase{
		{"ij,jk->ik", []inputArg{a23, a32}, einsum("ij,jk->ik"), []int{2, 2}, []float64{22, 28, 49, 64}},
		{"implicit ij,jk", []inputArg{a23, a32}, einsum("ij,jk"), []int{2, 2}, []float64{22, 28, 49, 64}},
		{"ij->ji", []inputArg{a23}, einsum("ij->ji"), []int{3, 2}, []float64{1, 4, 2, 5, 3, 6}},
		{"implicit ba is a transpose", []inputArg{a23}, einsum("ba"), []int{3, 2}, []float64{1, 4, 2, 5, 3, 6}},
		{"ii->i", []inputArg{a33}, einsum("ii->i"), []int{3}, []float64{1, 5, 9}},
		{"implicit ii is the trace", []inputArg{a33}, einsum("ii"), []int{}, []float64{15}},
		{"ij->", []inputArg{a23}, einsum("ij->"), []int{}, []float64{21}},
		{"ij->j", []inputArg{a23}, einsum("ij->j"), []int{3}, []float64{5, 7, 9}},
		{"i,j->ij", []inputArg{arg([]float64{1, 2}, 2), arg([]float64{3, 4, 5}, 3)}, einsum("i,j->ij"), []int{2, 3}, []float64{3, 4, 5, 6, 8, 10}},
		// x = [[1 2] [3 4]], W = [[1 0] [2 1]], y = [[1 1] [2 0]]:
		// [1 2]·W = [5 2], ·[1 1] = 7; [3 4]·W = [11 4], ·[2 0] = 22.
		{"bi,ij,bj->b", []inputArg{arg(graftest.Integers(4, 1), 2, 2), arg([]float64{1, 0, 2, 1}, 2, 2), arg([]float64{1, 1, 2, 0}, 2, 2)},
			einsum("bi,ij,bj->b"), []int{2}, []float64{7, 22}},
		{"spaces are ignored", []inputArg{a23, a32}, einsum(" ij , jk -> ik "), []int{2, 2}, []float64{22, 28, 49, 64}},
	})
}

// TestEinsumReadsAttentionOperandsInPlace checks that the attention and
// batched forms are one MatMulT between Reshapes, with no Transpose: q·kᵀ
// reads k transposed instead of copying it.
func TestEinsumReadsAttentionOperandsInPlace(t *testing.T) {
	for _, c := range []struct {
		spec   string
		a, b   []int
		matmul string
	}{
		{"bhqd,bhkd->bhqk", []int{2, 3, 4, 5}, []int{2, 3, 6, 5}, "MatMulNT"},
		{"bhqk,bhkd->bhqd", []int{2, 3, 4, 6}, []int{2, 3, 6, 5}, "MatMul"},
		{"bij,bjk->bik", []int{2, 4, 3}, []int{2, 3, 5}, "MatMul"},
		{"ij,kj->ik", []int{4, 3}, []int{5, 3}, "MatMulNT"},
		{"ji,jk->ik", []int{3, 4}, []int{3, 5}, "MatMulTN"},
	} {
		g := graph.New()
		var names []string
		var walk func(n *graph.Node)
		walk = func(n *graph.Node) {
			if n.Kind() == graph.OpNode {
				name, _, _ := strings.Cut(n.Name(), "#")
				names = append(names, name)
				for _, in := range n.Inputs() {
					walk(in)
				}
			}
		}
		walk(ops.Einsum(c.spec, in64(g, "a", c.a...), in64(g, "b", c.b...)))
		names = slices.DeleteFunc(names, func(s string) bool { return s == "Reshape" })
		if !slices.Equal(names, []string{c.matmul}) {
			t.Errorf("%s is built of %v besides Reshapes, want only %s", c.spec, names, c.matmul)
		}
	}
}

func TestEinsumAttentionRunsWithoutAllocating(t *testing.T) {
	for _, dt := range bothDTypes {
		g := graph.New()
		q, k, w := g.Input("q", dt, 2, 2, 3, 4), g.Input("k", dt, 2, 2, 3, 4), g.Input("w", dt, 4, 4)
		scores := ops.Einsum("bhqd,bhkd->bhqk", q, k)
		out := ops.Einsum("bhqk,bhkd->bhqd", ops.Softmax(scores, -1), k)
		grads, err := autodiff.Grad(ops.Sum(ops.Einsum("bi,ij,bj->b", ops.Reshape(out, 12, 4), w, ops.Reshape(q, 12, 4))), q, k, w)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := graph.Compile(grads...)
		if err != nil {
			t.Fatal(err)
		}
		feeds := graph.Feeds{q: graftest.Tensor(dt, graftest.Integers(48, -1), 2, 2, 3, 4), k: graftest.Tensor(dt, graftest.Integers(48, -2), 2, 2, 3, 4), w: graftest.Tensor(dt, graftest.Integers(16, 0), 4, 4)}
		if allocs := testing.AllocsPerRun(20, func() { _, _ = prog.Run(feeds) }); allocs != 0 {
			t.Errorf("%v: Run allocates %v times per call, want 0", dt, allocs)
		}
	}
}

// Attention scores, one (q, k) matrix per batch element and head.
func ExampleEinsum() {
	g := graph.New()
	q := g.Const("q", float64Tensor([]float64{1, 0, 0, 1}, 1, 1, 2, 2)) // (batch, heads, queries, dim)
	k := g.Const("k", float64Tensor([]float64{1, 2, 3, 4, 5, 6}, 1, 1, 3, 2))
	runAndPrint(nil, ops.Einsum("bhqd,bhkd->bhqk", q, k))
	// Output:
	// (1, 1, 2, 3) [1 3 5 2 4 6]
}

// A bilinear form xᵀ·W·y for each row of x and y.
func ExampleEinsum_bilinear() {
	g := graph.New()
	x := g.Const("x", float64Tensor([]float64{1, 2, 3, 4}, 2, 2))
	w := g.Const("w", float64Tensor([]float64{1, 0, 2, 1}, 2, 2))
	y := g.Const("y", float64Tensor([]float64{1, 1, 2, 0}, 2, 2))
	runAndPrint(nil, ops.Einsum("bi,ij,bj->b", x, w, y))
	// Output:
	// (2) [7 22]
}

// FuzzEinsum builds Einsum of any spec on operands shaped after it (one
// size per label, drawn from sizes) and checks that it never panics, that
// a refused spec is a build error, and that an accepted explicit one
// agrees with the definition.
func FuzzEinsum(f *testing.F) {
	for _, spec := range []string{"ij,jk->ik", "bhqd,bhkd->bhqk", "bi,ij,bj->b", "ii->i", "ij", "i,i,i->", "bi,bj,bk->bijk",
		"aa,ab->ba", "...i->i", "ij->ii", "i->j", "i-->i", ",->", "", "Ab,bA->", "abc,cba,bca->abc"} {
		f.Add(spec, []byte{2, 3, 1, 2, 3})
	}
	f.Fuzz(func(t *testing.T, spec string, sizes []byte) {
		if len(spec) > 24 {
			return
		}
		lhs, _, _ := strings.Cut(spec, "->")
		terms := strings.Split(strings.ReplaceAll(lhs, " ", ""), ",")
		if len(terms) > 4 {
			return
		}
		size, labels := map[byte]int{}, 0
		g := graph.New()
		var xs []*graph.Node
		var shapes [][]int
		var data [][]float64
		feeds := graph.Feeds{}
		for i, term := range terms {
			var shape []int
			for j := 0; j < len(term); j++ {
				c := term[j]
				if _, ok := size[c]; !ok {
					size[c] = 2
					if len(sizes) > 0 {
						size[c] = 1 + int(sizes[labels%len(sizes)]%3)
					}
					labels++
				}
				shape = append(shape, size[c])
			}
			if graph.Shape(shape).Size() > 4096 {
				return
			}
			d := make([]float64, graph.Shape(shape).Size())
			for k := range d {
				d[k] = float64((k*5+i)%7 - 3)
			}
			x := g.Input(fmt.Sprint("x", i), tensor.Float64, shape...)
			feeds[x] = graftest.Tensor(tensor.Float64, d, shape...)
			xs, shapes, data = append(xs, x), append(shapes, shape), append(data, d)
		}
		if labels > 8 {
			return
		}
		y := ops.Einsum(spec, xs...)
		if _, err := graph.Compile(y); err != nil {
			var be *graph.BuildError
			if !errors.As(err, &be) || be.Op != "Einsum" {
				t.Fatalf("Einsum(%q) failed with %v, want a build error of Einsum", spec, err)
			}
			return
		}
		if explicit := strings.ReplaceAll(spec, " ", ""); strings.Contains(explicit, "->") {
			got := graftest.Eval(t, feeds, y)[0]
			graftest.AssertClose(t, spec, got, einsumReference(explicit, shapes, data), 1e-12, 1e-12)
		}
	})
}
