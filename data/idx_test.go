package data_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"gorgonia.org/tensor"

	"graft/data"
)

// mnistLike is the start of an MNIST label file written out by hand:
// 00 00, type 08 (unsigned byte), one axis of size 3, then 3 labels.
var mnistLike = []byte{0, 0, 0x08, 1, 0, 0, 0, 3, 7, 2, 1}

func TestReadIDXReadsAHandWrittenLabelFile(t *testing.T) {
	got, err := data.ReadIDX(bytes.NewReader(mnistLike))
	if err != nil {
		t.Fatal(err)
	}
	if got.Dtype() != tensor.Uint8 || !reflect.DeepEqual([]int(got.Shape()), []int{3}) || !reflect.DeepEqual(got.Data(), []uint8{7, 2, 1}) {
		t.Fatalf("got %v %v %v", got.Dtype(), got.Shape(), got.Data())
	}
}

func TestReadIDXReadsBackWhatWriteIDXWroteForEveryType(t *testing.T) {
	tensors := []*tensor.Dense{
		tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]uint8{0, 1, 2, 253, 254, 255})),
		tensor.New(tensor.WithShape(2), tensor.WithBacking([]int8{-128, 127})),
		tensor.New(tensor.WithShape(2), tensor.WithBacking([]int16{-32768, 513})),
		tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int32{-1 << 31, 1<<31 - 1})),
		tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{-1.5, 3.25})),
		tensor.New(tensor.WithShape(2, 1, 1), tensor.WithBacking([]float64{1e-300, -2})),
	}
	for _, want := range tensors {
		var plain, zipped bytes.Buffer
		if err := data.WriteIDX(&plain, want); err != nil {
			t.Fatal(err)
		}
		zw := gzip.NewWriter(&zipped)
		zw.Write(plain.Bytes())
		zw.Close()
		for name, b := range map[string][]byte{"plain": plain.Bytes(), "gzip": zipped.Bytes()} {
			got, err := data.ReadIDX(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%v %s: %v", want.Dtype(), name, err)
			}
			if got.Dtype() != want.Dtype() || !got.Shape().Eq(want.Shape()) || !reflect.DeepEqual(got.Data(), want.Data()) {
				t.Fatalf("%v %s: got %v %v", want.Dtype(), name, got.Shape(), got.Data())
			}
		}
	}
}

func TestReadIDXRejectsBrokenFiles(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "header is cut short"},
		{"bad magic", []byte{1, 0, 8, 1, 0, 0, 0, 1, 0}, "not an IDX file"},
		{"unknown type", []byte{0, 0, 0x0A, 1, 0, 0, 0, 1, 0}, "unknown element type 0x0a"},
		{"no axes", []byte{0, 0, 8, 0}, "no axes"},
		{"an axis of size 0", []byte{0, 0, 8, 1, 0, 0, 0, 0}, "axis 0 has size 0"},
		{"a cut size", []byte{0, 0, 8, 2, 0, 0, 0, 1, 0, 0}, "size of axis 1 is cut short"},
		{"cut elements", []byte{0, 0, 8, 1, 0, 0, 0, 3, 1, 2}, "3 elements of shape [3] are cut short"},
		{"trailing bytes", append(append([]byte{}, mnistLike...), 9), "bytes follow the last"},
		{"too many elements", []byte{0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2}, "more than 4294967296 elements"},
		{"broken gzip", []byte{0x1f, 0x8b, 0, 0}, "ReadIDX"},
	}
	for _, c := range cases {
		_, err := data.ReadIDX(bytes.NewReader(c.b))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "graft: ReadIDX") {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestReadIDXFileReadsRegularFilesAndRefusesFIFOs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "labels-idx1-ubyte")
	if err := os.WriteFile(path, mnistLike, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := data.ReadIDXFile(path); err != nil || got.Shape()[0] != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := data.ReadIDXFile(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v, want a refusal", err)
	}
	if _, err := data.ReadIDXFile(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing file was read")
	}
	os.WriteFile(path, mnistLike[:5], 0o600)
	if _, err := data.ReadIDXFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want an error naming the file", err)
	}
}

func TestWriteIDXRejectsWhatIDXCannotHold(t *testing.T) {
	var b bytes.Buffer
	if err := data.WriteIDX(&b, tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{1, 2}))); err == nil {
		t.Fatal("an int64 tensor was written")
	}
	if err := data.WriteIDX(&b, tensor.New(tensor.FromScalar(1.0))); err == nil {
		t.Fatal("a scalar was written")
	}
	if err := data.WriteIDX(&b, nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Fatalf("a nil tensor gave %v; want an error saying it is nil", err)
	}
	if err := data.WriteIDX(&b, &tensor.Dense{}); err == nil || !strings.Contains(err.Error(), "zero tensor.Dense") {
		t.Fatalf("a zero tensor gave %v; want an error naming it", err)
	}
}
