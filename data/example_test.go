package data_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"

	"graft/data"
)

func ExampleReadIDX() {
	// Three MNIST-style labels: 00 00, type 08 (uint8), one axis of size 3.
	file := []byte{0, 0, 0x08, 1, 0, 0, 0, 3, 7, 2, 1}
	labels, err := data.ReadIDX(bytes.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(labels.Dtype(), labels.Shape(), labels.Data())
	// Output: uint8 (3) [7 2 1]
}

func ExampleWriteIDX() {
	var b bytes.Buffer
	images := tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]uint8{0, 64, 128, 255}))
	if err := data.WriteIDX(&b, images); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", b.Bytes())
	// Output: 00 00 08 03 00 00 00 01 00 00 00 02 00 00 00 02 00 40 80 ff
}

// ReadIDXFile reads a file, gzipped or not, and names it in its errors.
func ExampleReadIDXFile() {
	dir, err := os.MkdirTemp("", "graft-idx")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "labels-idx1-ubyte")
	if err := os.WriteFile(path, []byte{0, 0, 0x08, 1, 0, 0, 0, 3, 7, 2}, 0o644); err != nil {
		fmt.Println(err)
		return
	}
	_, err = data.ReadIDXFile(path)
	fmt.Println(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""))
	// Output: graft: ReadIDX: 3 elements of shape [3] are cut short: unexpected EOF (in labels-idx1-ubyte)
}
