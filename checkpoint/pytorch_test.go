package checkpoint_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
	"graft/layers"
	"graft/ops"
)

// torchNames maps the state_dict of nn.Sequential(nn.Linear(4, 8),
// nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 3)) to graft's layers; the
// batch-norm counter num_batches_tracked has no counterpart and is skipped.
var torchNames = map[string]string{
	"0.weight": "dense1/W", "0.bias": "dense1/b",
	"2.weight": "batchnorm1/gamma", "2.bias": "batchnorm1/beta",
	"2.running_mean": "batchnorm1/running_mean", "2.running_var": "batchnorm1/running_var",
	"2.num_batches_tracked": "",
	"3.weight":              "dense2/W", "3.bias": "dense2/b",
}

func torchOptions(strict bool) checkpoint.Options {
	return checkpoint.Options{
		Strict: strict,
		Rename: func(name string) string {
			if n, ok := torchNames[name]; ok {
				return n
			}
			return name
		},
		Transpose: func(param string) bool { return strings.HasPrefix(param, "dense") && strings.HasSuffix(param, "/W") },
	}
}

// A state_dict with a batch norm loads into graft's layers, its running
// statistics into the layer's states; the int64 counter PyTorch keeps is
// listed, skipped by Rename or unexpected without it, never loaded
// silently.
func TestPyTorchStateDictWithBatchNormLoadsAndReportsTheCounter(t *testing.T) {
	var header bytes.Buffer
	var data []byte
	header.WriteString(`{"__metadata__":{"format":"pt"}`)
	add := func(name, dtype string, shape []int, raw []byte) {
		sh, _ := json.Marshal(shape)
		fmt.Fprintf(&header, `,%q:{"dtype":%q,"shape":%s,"data_offsets":[%d,%d]}`, name, dtype, sh, len(data), len(data)+len(raw))
		data = append(data, raw...)
	}
	ramp := func(n int, offset float32) []byte {
		vs := make([]float32, n)
		for i := range vs {
			vs[i] = offset + float32(i)/8
		}
		return f32le(vs...)
	}
	for i, e := range []struct {
		name  string
		shape []int
	}{{"0.weight", []int{8, 4}}, {"0.bias", []int{8}}, {"2.weight", []int{8}}, {"2.bias", []int{8}},
		{"2.running_mean", []int{8}}, {"2.running_var", []int{8}}, {"3.weight", []int{3, 8}}, {"3.bias", []int{3}}} {
		add(e.name, "F32", e.shape, ramp(graph.Shape(e.shape).Size(), float32(i)))
	}
	add("2.num_batches_tracked", "I64", []int{}, binary.LittleEndian.AppendUint64(nil, 3))
	header.WriteString("}")
	f := file(header.String(), data...)

	m := layers.NewModel(1)
	layers.Sequential{m.Dense(8, ops.ReLU), m.BatchNorm(layers.BatchNormConfig{}), m.Dense(3, nil)}.Apply(graph.New().Input("x", tensor.Float32, 2, 4))
	nodes := append(append([]*graph.Node(nil), m.Params()...), m.States()...)
	report, err := checkpoint.ReadWith(bytes.NewReader(f), nodes, torchOptions(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Loaded) != 8 || !report.Complete() || len(report.Skipped) != 1 || report.Skipped[0].DType != "I64" {
		t.Fatalf("report:\n%s", report)
	}
	// 0.weight is (8, 4), element (o, i) = o/2 + i/8; dense1/W is its transpose.
	if w := m.Lookup("dense1/W").Value().Float32s(); w[1] != 0.5 || w[8] != 0.125 {
		t.Errorf("dense1/W starts %v, want the transpose of 0.weight", w[:9])
	}
	if rm := m.Lookup("batchnorm1/running_mean").Value().Float32s(); rm[0] != 4 {
		t.Errorf("running mean %v, want 2.running_mean's", rm)
	}

	// Without the skip, strict loading refuses the counter, naming it.
	opts := torchOptions(true)
	rename := opts.Rename
	opts.Rename = func(name string) string {
		if name == "2.num_batches_tracked" {
			return name
		}
		return rename(name)
	}
	_, err = checkpoint.ReadWith(bytes.NewReader(f), nodes, opts)
	if err == nil || !strings.Contains(err.Error(), `the file holds tensor "2.num_batches_tracked"`) {
		t.Fatalf("strict ReadWith: %v, want the counter refused", err)
	}
}

// A manual check against PyTorch itself: scripts/torch_state_dict.py writes
// two state_dicts, each with a fixed input and PyTorch's output on it; the
// same models in graft, loaded from the files, must give those outputs.
// The convolution's weight loads as it is, the Linear weights transposed.
//
//	/usr/bin/python3 scripts/torch_state_dict.py /tmp/torch
//	GRAFT_TORCH_STATE_DICTS=/tmp/torch go test -run PyTorchStateDict -v ./checkpoint
func TestPyTorchStateDictGivesPyTorchsOutputs(t *testing.T) {
	dir := os.Getenv("GRAFT_TORCH_STATE_DICTS")
	if dir == "" {
		t.Skip("set GRAFT_TORCH_STATE_DICTS to a directory scripts/torch_state_dict.py wrote")
	}
	cnnNames := map[string]string{"0.weight": "conv1/W", "0.bias": "conv1/b", "3.weight": "dense1/W", "3.bias": "dense1/b"}
	cases := []struct {
		file  string
		build func(x *graph.Node) (*layers.Model, *graph.Node)
		opts  checkpoint.Options
	}{
		{"mlp.safetensors", func(x *graph.Node) (*layers.Model, *graph.Node) {
			m := layers.NewModel(1)
			return m, layers.Sequential{m.Dense(8, ops.ReLU), m.BatchNorm(layers.BatchNormConfig{}), m.Dense(3, nil)}.Apply(x)
		}, torchOptions(true)},
		{"cnn.safetensors", func(x *graph.Node) (*layers.Model, *graph.Node) {
			m := layers.NewModel(1)
			conv := m.Conv2D(3, 3, ops.ReLU, ops.ConvConfig{Padding: ops.SymmetricPadding(1)})
			return m, layers.Sequential{conv, m.Flatten(), m.Dense(2, nil)}.Apply(x)
		}, checkpoint.Options{
			Strict:    true,
			Rename:    func(name string) string { return cnnNames[name] },
			Transpose: func(param string) bool { return param == "dense1/W" },
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(dir, c.file)
			// A first read, matching nothing, gives the metadata.
			report, _ := checkpoint.LoadWith(path, nil, checkpoint.Options{})
			var input, output []float64
			var shape []int
			for key, v := range map[string]any{"input": &input, "output": &output, "input_shape": &shape} {
				if err := json.Unmarshal([]byte(report.Metadata[key]), v); err != nil {
					t.Fatalf("the file's %s: %v", key, err)
				}
			}
			g := graph.New()
			x := g.Input("x", tensor.Float32, shape...)
			m, y := c.build(x)
			report, err := checkpoint.LoadWith(path, append(slices.Clone(m.Params()), m.States()...), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("report:\n%s", report)
			prog, err := graph.Compile(y)
			if err != nil {
				t.Fatal(err)
			}
			xs, _ := graph.NewTensor(tensor.Float32, input, shape...)
			out, err := prog.Run(graph.Feeds{x: xs})
			if err != nil {
				t.Fatal(err)
			}
			got := out[0].Float32s()
			if len(got) != len(output) {
				t.Fatalf("%d outputs, PyTorch gave %d", len(got), len(output))
			}
			for i, want := range output {
				if math.Abs(float64(got[i])-want) > 1e-5*(1+math.Abs(want)) {
					t.Errorf("output %d: graft %v, PyTorch %v", i, got[i], want)
				}
			}
		})
	}
}
