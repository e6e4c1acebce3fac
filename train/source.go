package train

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"graft/data"
	"graft/graph"
)

// source is where Fit, Evaluate and Predict read their rows: two tensors,
// or a data.Dataset. For a dataset, x and y are a batch of one row that
// gives the programs' dtypes and row shapes, as the tensors do themselves.
type source struct {
	x, y    *tensor.Dense // y is nil for prediction
	ds      data.Dataset  // nil for tensors
	scratch []int         // the row numbers of a run of consecutive dataset rows
}

// sourceOf returns the source of ds's rows for caller; withY says whether
// its targets are needed. It reports a dataset that holds no rows, or lacks
// targets it needs, or whose Spec describes no batch.
func sourceOf(caller string, ds data.Dataset, withY bool) (*source, error) {
	if ds == nil {
		return nil, fmt.Errorf("graft: %s: the dataset is nil", caller)
	}
	if n := ds.Len(); n < 1 {
		return nil, fmt.Errorf("graft: %s: the dataset holds %d examples; it needs at least one", caller, n)
	}
	x, y, err := data.NewBatch(ds, 1)
	if err != nil {
		return nil, fmt.Errorf("graft: %s: %w", caller, err)
	}
	if withY && y == nil {
		return nil, fmt.Errorf("graft: %s: the dataset has no targets (its y Spec is zero)", caller)
	}
	if !withY {
		y = nil
	}
	return &source{x: x, y: y, ds: ds}, nil
}

// gather fills b with the rows listed, in order.
func (s *source) gather(b *batch, rows []int) error {
	if s.ds != nil {
		return s.ds.Batch(rows, b.x, b.y)
	}
	gatherRows(b.x, s.x, rows)
	if b.y != nil {
		gatherRows(b.y, s.y, rows)
	}
	return nil
}

// read fills b with the rows from start on, as many as b holds.
func (s *source) read(b *batch, start int) error {
	if s.ds == nil {
		copyRows(b.x, s.x, start)
		if b.y != nil {
			copyRows(b.y, s.y, start)
		}
		return nil
	}
	rows := b.x.Shape()[0]
	if cap(s.scratch) < rows {
		s.scratch = make([]int, rows)
	}
	s.scratch = s.scratch[:rows]
	for i := range s.scratch {
		s.scratch[i] = start + i
	}
	return s.ds.Batch(s.scratch, b.x, b.y)
}

// sameRows reports validation rows v that a model trained on t cannot
// take: another dtype or row shape of x or y.
func sameRows(t, v *source) error {
	for _, pair := range [][2]*tensor.Dense{{t.x, v.x}, {t.y, v.y}} {
		a, b := pair[0], pair[1]
		if a.Dtype() != b.Dtype() || !graph.Shape(a.Shape()[1:]).Equal(graph.Shape(b.Shape()[1:])) {
			return fmt.Errorf("graft: Fit: validation rows are %s %v, training rows %s %v; they need one dtype and one row shape",
				graph.DTypeName(b.Dtype()), graph.Shape(b.Shape()[1:]), graph.DTypeName(a.Dtype()), graph.Shape(a.Shape()[1:]))
		}
	}
	return nil
}

var errTwoValidations = errors.New("graft: Fit: give one of ValidationData, ValidationX and ValidationY, or ValidationSplit")
