package data_test

import (
	"bytes"
	"compress/gzip"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/data"
)

// idxBytes is t in the IDX format, gzip-compressed when zip is set.
func idxBytes(t *testing.T, x *tensor.Dense, zip bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := data.WriteIDX(&b, x); err != nil {
		t.Fatal(err)
	}
	if !zip {
		return b.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b.Bytes())
	zw.Close()
	return z.Bytes()
}

// tinyMNIST writes three 2×2 uint8 images and their labels as IDX files,
// the images gzipped as MNIST ships them, and returns the two paths.
func tinyMNIST(t *testing.T) (images, labels string) {
	t.Helper()
	img := tensor.New(tensor.WithShape(3, 2, 2), tensor.WithBacking([]uint8{0, 51, 102, 255, 255, 0, 0, 0, 1, 2, 3, 4}))
	lab := tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{7, 2, 9}))
	return writeFile(t, "images-idx3-ubyte.gz", idxBytes(t, img, true)), writeFile(t, "labels-idx1-ubyte", idxBytes(t, lab, false))
}

func TestLoadIDXScalesUint8ImagesAndReadsClassIDs(t *testing.T) {
	images, labels := tinyMNIST(t)
	cases := []struct {
		name   string
		opt    data.IDXOptions
		xShape tensor.Shape
		x, y   any
	}{
		{"defaults", data.IDXOptions{}, tensor.Shape{3, 2, 2},
			[]float64{0, 0.2, 0.4, 1, 1, 0, 0, 0, 1.0 / 255, 2.0 / 255, 3.0 / 255, 4.0 / 255}, []int64{7, 2, 9}},
		{"flattened float32, two examples", data.IDXOptions{Dtype: tensor.Float32, Flatten: true, Limit: 2}, tensor.Shape{2, 4},
			[]float32{0, 0.2, 0.4, 1, 1, 0, 0, 0}, []int64{7, 2}},
		{"float labels", data.IDXOptions{LabelDtype: tensor.Float32, Limit: 1}, tensor.Shape{1, 2, 2},
			[]float64{0, 0.2, 0.4, 1}, []float32{7}},
	}
	for _, c := range cases {
		d, err := data.LoadIDX(images, labels, c.opt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !d.X().Shape().Eq(c.xShape) || !reflect.DeepEqual(d.X().Data(), c.x) || !reflect.DeepEqual(d.Y().Data(), c.y) {
			t.Errorf("%s: got x %v %v, y %v", c.name, d.X().Shape(), d.X().Data(), d.Y().Data())
		}
	}
	d, err := data.LoadIDX(images, "", data.IDXOptions{})
	if err != nil || d.Y() != nil || d.Len() != 3 {
		t.Errorf("without labels: got %v, %v", d, err)
	}
}

func TestFromIDXKeepsTheValuesOfImagesThatAreNotUint8(t *testing.T) {
	images := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]int16{-300, 300}))
	labels := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int32{1, 0}))
	d, err := data.FromIDX(images, labels, data.IDXOptions{Dtype: tensor.Float32})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.X().Data(), []float32{-300, 300}) || !reflect.DeepEqual(d.Y().Data(), []int64{1, 0}) {
		t.Errorf("got x %v y %v", d.X().Data(), d.Y().Data())
	}
}

func TestLoadIDXRejectsFilesThatDoNotMakeADataset(t *testing.T) {
	images, labels := tinyMNIST(t)
	full := idxBytes(t, tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{7, 2, 9})), false)
	truncated := writeFile(t, "cut-idx1-ubyte", full[:len(full)-1])
	fewer := writeFile(t, "two-idx1-ubyte", idxBytes(t, tensor.New(tensor.WithShape(2), tensor.WithBacking([]uint8{7, 2})), false))
	floats := writeFile(t, "float-idx1", idxBytes(t, tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{7, 2, 9})), false))
	cases := []struct {
		name, images, labels string
		opt                  data.IDXOptions
		want                 string
	}{
		{"truncated labels", images, truncated, data.IDXOptions{}, "3 elements of shape [3] are cut short: unexpected EOF (in " + truncated + ")"},
		{"a missing file", images + ".missing", labels, data.IDXOptions{}, "graft: ReadIDXFile: "},
		{"mismatched counts", images, fewer, data.IDXOptions{}, "graft: FromIDX: " + images + " hold 3 examples (shape (3, 2, 2)) but " + fewer + " 2 (shape (2))"},
		{"float labels as class ids", images, floats, data.IDXOptions{}, floats + " are float32, not class ids; set LabelDtype"},
		{"a limit past the end", images, labels, data.IDXOptions{Limit: 4}, "Limit is 4 but " + images + " hold only 3 examples"},
		{"a negative limit", images, labels, data.IDXOptions{Limit: -1}, "Limit is -1"},
		{"int64 images", images, labels, data.IDXOptions{Dtype: tensor.Int64}, "Dtype is int64; images become float32 or float64"},
		{"uint8 labels", images, labels, data.IDXOptions{LabelDtype: tensor.Uint8}, "LabelDtype is uint8"},
	}
	for _, c := range cases {
		_, err := data.LoadIDX(c.images, c.labels, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := data.FromIDX(nil, nil, data.IDXOptions{}); err == nil || !strings.Contains(err.Error(), "the images are nil") {
		t.Errorf("nil images: got %v", err)
	}
	int64s := tensor.New(tensor.WithShape(1), tensor.WithBacking([]int64{1}))
	if _, err := data.FromIDX(int64s, nil, data.IDXOptions{}); err == nil || !strings.Contains(err.Error(), "the images are int64, not one of IDX's element types") {
		t.Errorf("int64 images: got %v", err)
	}
}
