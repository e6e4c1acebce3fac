package data_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/data"
)

func TestPermutationIsFixedBySeedAndEpoch(t *testing.T) {
	// These orders are part of the promise: a change to Permutation that
	// moves them breaks every reproduced run, so it must not pass quietly.
	golden := []struct {
		seed  uint64
		epoch int
		want  []int
	}{
		{42, 0, []int{6, 2, 5, 3, 4, 7, 0, 1, 9, 8}},
		{42, 1, []int{2, 3, 9, 6, 0, 8, 7, 4, 5, 1}},
	}
	order := make([]int, 10)
	for _, g := range golden {
		order[0] = 99 // Permutation ignores what order held
		data.Permutation(order, g.seed, g.epoch)
		if !reflect.DeepEqual(order, g.want) {
			t.Errorf("seed %d epoch %d: got %v, want %v", g.seed, g.epoch, order, g.want)
		}
	}
	other := make([]int, 10)
	data.Permutation(other, 43, 1)
	if reflect.DeepEqual(order, other) {
		t.Error("seeds 42 and 43 gave the same order")
	}
	if allocs := testing.AllocsPerRun(100, func() { data.Permutation(order, 1, 2) }); allocs != 0 {
		t.Errorf("%v allocations per Permutation", allocs)
	}
	data.Permutation(nil, 1, 0) // an empty order is a permutation too
}

func TestPermutationDrawsEveryOrderAsOften(t *testing.T) {
	// Over 6000 seeds, each of the 6 orders of 3 rows should come up about
	// 1000 times (the standard deviation is 29); the seeds are fixed, so
	// the counts are too.
	counts := map[[3]int]int{}
	order := make([]int, 3)
	for seed := range uint64(6000) {
		data.Permutation(order, seed, 0)
		counts[[3]int(order)]++
	}
	if len(counts) != 6 {
		t.Fatalf("%d distinct orders of 3 rows: %v", len(counts), counts)
	}
	for o, c := range counts {
		if c < 850 || c > 1150 {
			t.Errorf("order %v came up %d times of 6000", o, c)
		}
	}
}

func TestBatchesCutsTheOrderWithAShorterLastBatch(t *testing.T) {
	for _, c := range []struct {
		n, size int
		want    [][]int
	}{
		{7, 3, [][]int{{0, 1, 2}, {3, 4, 5}, {6}}},
		{6, 3, [][]int{{0, 1, 2}, {3, 4, 5}}},
		{2, 5, [][]int{{0, 1}}},
		{0, 5, nil},
	} {
		order := make([]int, c.n)
		for i := range order {
			order[i] = i
		}
		batches, err := data.NewBatches(order, c.size)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]int
		for i := range batches.Len() {
			got = append(got, batches.At(i))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%d rows by %d: got %v, want %v", c.n, c.size, got, c.want)
		}
		if batches.At(-1) != nil || batches.At(batches.Len()) != nil {
			t.Errorf("%d rows by %d: a batch outside [0, %d) is not nil", c.n, c.size, batches.Len())
		}
	}
	for _, size := range []int{0, -2} {
		if _, err := data.NewBatches([]int{0}, size); err == nil || !strings.Contains(err.Error(), "graft: NewBatches: the batch size is") {
			t.Errorf("size %d: got %v", size, err)
		}
	}
	var zero data.Batches
	if zero.Len() != 0 || zero.At(0) != nil {
		t.Error("the zero Batches is not empty")
	}
}

func TestAnEpochLoopAllocatesNothing(t *testing.T) {
	// The loop a trainer runs: refill the order, then read every batch
	// into the full or the last batch's tensors.
	x := tensor.New(tensor.WithShape(10, 3), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(10), tensor.Of(tensor.Int64))
	d, err := data.FromTensors(x, y)
	if err != nil {
		t.Fatal(err)
	}
	fullX, fullY := newBatch(t, d, 4)
	lastX, lastY := newBatch(t, d, 2)
	order := make([]int, d.Len())
	batches, err := data.NewBatches(order, 4)
	if err != nil {
		t.Fatal(err)
	}
	epoch := 0
	allocs := testing.AllocsPerRun(20, func() {
		data.Permutation(order, 7, epoch)
		epoch++
		for i := range batches.Len() {
			rows := batches.At(i)
			bx, by := fullX, fullY
			if len(rows) < 4 {
				bx, by = lastX, lastY
			}
			if err := d.Batch(rows, bx, by); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per epoch", allocs)
	}
}

// column10 is a dataset of ten rows whose input is the row's number.
func column10(t *testing.T) *data.Tensors {
	t.Helper()
	d, err := data.FromTensors(tensor.New(tensor.WithShape(10), tensor.WithBacking([]int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})), nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rowsOf reads every row of d, in order, as the row numbers column10 holds.
func rowsOf(t *testing.T, d data.Dataset) []int {
	t.Helper()
	x, _ := newBatch(t, d, d.Len())
	all := make([]int, d.Len())
	for i := range all {
		all[i] = i
	}
	if err := d.Batch(all, x, nil); err != nil {
		t.Fatal(err)
	}
	var rows []int
	for _, v := range x.Int64s() {
		rows = append(rows, int(v))
	}
	return rows
}

func TestSplitDividesTheRowsBySeedAndFraction(t *testing.T) {
	d := column10(t)
	train, val, err := data.Split(d, 0.3, 7)
	if err != nil {
		t.Fatal(err)
	}
	tr, va := rowsOf(t, train), rowsOf(t, val)
	if len(tr) != 7 || len(va) != 3 || !slices.IsSorted(tr) || !slices.IsSorted(va) {
		t.Fatalf("train %v, validation %v", tr, va)
	}
	if all := slices.Sorted(slices.Values(append(slices.Clone(tr), va...))); !reflect.DeepEqual(all, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("the parts do not cover the rows once each: train %v, validation %v", tr, va)
	}
	train2, val2, _ := data.Split(d, 0.3, 7)
	if !reflect.DeepEqual(rowsOf(t, train2), tr) || !reflect.DeepEqual(rowsOf(t, val2), va) {
		t.Error("the same seed split differently")
	}
	_, val3, _ := data.Split(d, 0.3, 8)
	if reflect.DeepEqual(rowsOf(t, val3), va) {
		t.Error("seeds 7 and 8 gave the same validation rows")
	}
	if _, val, _ := data.Split(d, 0.7, 1); val.Len() != 7 { // 0.7·10 is 7.000000000000001
		t.Errorf("0.7 of 10 rows gave %d", val.Len())
	}
	if _, ok := train.(*data.Tensors); !ok {
		t.Errorf("a split of *Tensors is a %T", train)
	}
}

func TestSplitRejectsFractionsThatLeaveAPartEmpty(t *testing.T) {
	d := column10(t)
	for _, c := range []struct {
		fraction float64
		want     string
	}{
		{0, "must lie strictly between 0 and 1"},
		{1, "must lie strictly between 0 and 1"},
		{-0.5, "must lie strictly between 0 and 1"},
		{0.04, "leaves 10 for training and 0 for validation"},
		{0.96, "leaves 0 for training and 10 for validation"},
	} {
		_, _, err := data.Split(d, c.fraction, 1)
		if err == nil || !strings.HasPrefix(err.Error(), "graft: Split: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("fraction %v: got %v, want an error containing %q", c.fraction, err, c.want)
		}
	}
	if _, _, err := data.Split(nil, 0.5, 1); err == nil {
		t.Error("a nil dataset was split")
	}
}
