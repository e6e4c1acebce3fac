package checkpoint_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
	"graft/layers"
	"graft/ops"
)

// xorNet builds the 2-10-1 XOR network on a model seeded with seed.
func xorNet(seed uint64) *layers.Model {
	g := graph.New()
	m := layers.NewModel(seed)
	layers.Sequential{m.Dense(10, ops.ReLU), m.Dense(1, ops.Sigmoid)}.Apply(g.Input("x", tensor.Float32, 4, 2))
	return m
}

// Save a model's parameters, then load them into a freshly built model.
func ExampleSave() {
	dir, _ := os.MkdirTemp("", "graft")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "xor.safetensors")

	trained := xorNet(1)
	if err := checkpoint.Save(path, trained.Params()); err != nil {
		fmt.Println(err)
		return
	}
	restored := xorNet(2) // other initial weights
	if err := checkpoint.Load(path, restored.Params()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(restored.Lookup("dense2/W").Value().Float32s()[3] == trained.Lookup("dense2/W").Value().Float32s()[3])
	// Output: true
}

// Loading into a model of another shape names each parameter that differs
// and both shapes, and leaves the model as it was.
func ExampleLoad_mismatch() {
	var file bytes.Buffer
	checkpoint.Write(&file, xorNet(1).Params())

	g := graph.New()
	m := layers.NewModel(1)
	layers.Sequential{m.Dense(16, ops.ReLU), m.Dense(1, ops.Sigmoid)}.Apply(g.Input("x", tensor.Float32, 4, 2))
	fmt.Println(checkpoint.Read(&file, m.Params()))
	// Output: graft: checkpoint: the checkpoint does not match the parameters: parameter "dense1/W" has shape (2, 16) in the model and (2, 10) in the file; parameter "dense1/b" has shape (16,) in the model and (10,) in the file; parameter "dense2/W" has shape (16, 1) in the model and (10, 1) in the file
}

// Write produces the bytes of a safetensors file: the header's length, the
// JSON header padded with spaces to 8 bytes, then the data.
func ExampleWrite() {
	g := graph.New()
	x := g.Param("x", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2})))
	var b bytes.Buffer
	checkpoint.Write(&b, []*graph.Node{x})
	fmt.Printf("%d %q % x\n", b.Bytes()[0], b.Bytes()[8:64], b.Bytes()[64:])
	// Output: 56 "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  " 00 00 80 3f 00 00 00 40
}

// Load restores a model saved by Save: build the same model, then load its
// parameters by name.
func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "graft")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")
	trained := xorNet(1)
	if err := checkpoint.Save(path, trained.Params()); err != nil {
		fmt.Println(err)
		return
	}
	m := xorNet(2) // the same layers, other initial weights
	w := m.Lookup("dense1/W").Value().Float32s()
	fmt.Printf("before: %.4f\n", w[:3])
	fmt.Println(checkpoint.Load(path, m.Params())) // writes into w in place
	fmt.Printf("after:  %.4f\nsaved:  %.4f\n", w[:3], trained.Lookup("dense1/W").Value().Float32s()[:3])
	err := checkpoint.Load(filepath.Join(dir, "missing.safetensors"), m.Params())
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// before: [0.2133 0.6415 -0.2226]
	// <nil>
	// after:  [-0.5421 -0.4061 -0.1319]
	// saved:  [-0.5421 -0.4061 -0.1319]
	// true
}

// Read takes a checkpoint from any reader; a stream that is not a
// safetensors file is an error wrapping ErrFormat.
func ExampleRead() {
	var file bytes.Buffer
	if err := checkpoint.Write(&file, xorNet(1).Params()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(checkpoint.Read(&file, xorNet(2).Params()))

	err := checkpoint.Read(strings.NewReader("not a checkpoint"), xorNet(2).Params())
	fmt.Println(errors.Is(err, checkpoint.ErrFormat), err)
	// Output:
	// <nil>
	// true graft: checkpoint: not a valid safetensors file: the header length 7521891404167278446 is over the limit of 100000000 bytes
}
