package data_test

import (
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/data"
)

func TestOneHotPutsAOneAtEachLabelsClass(t *testing.T) {
	labels := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int64{2, 0, 1, 2}))
	for _, c := range []struct {
		dt   tensor.Dtype
		want any
	}{
		{tensor.Float32, []float32{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}},
		{tensor.Float64, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}},
		{tensor.Int64, []int64{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}},
	} {
		got, err := data.OneHot(labels, 3, c.dt)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Shape().Eq(tensor.Shape{2, 2, 3}) || !reflect.DeepEqual(got.Data(), c.want) {
			t.Errorf("%v: got %v %v", c.dt, got.Shape(), got.Data())
		}
	}
}

func TestOneHotRejectsLabelsItCannotEncode(t *testing.T) {
	ids := tensor.New(tensor.WithShape(3), tensor.WithBacking([]int64{0, 4, 1}))
	cases := []struct {
		name    string
		labels  *tensor.Dense
		classes int
		dt      tensor.Dtype
		want    string
	}{
		{"a label past the classes", ids, 4, tensor.Float32, "label 4 (element 1 of shape (3)) is outside [0, 4)"},
		{"a negative label", tensor.New(tensor.WithShape(1), tensor.WithBacking([]int64{-1})), 4, tensor.Float32, "label -1"},
		{"float labels", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1})), 4, tensor.Float32, "labels are float64; class ids are int64"},
		{"no classes", ids, 0, tensor.Float32, "classes is 0"},
		{"a dtype of no dataset", ids, 5, tensor.Uint8, "dt is uint8"},
		{"nil", nil, 5, tensor.Float32, "labels is nil"},
	}
	for _, c := range cases {
		_, err := data.OneHot(c.labels, c.classes, c.dt)
		if err == nil || !strings.HasPrefix(err.Error(), "graft: OneHot: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}
