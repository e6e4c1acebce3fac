package checkpoint_test

import (
	"encoding/binary"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
)

// param adds a parameter of dtype dt holding data to g.
func param(g *graph.Graph, name string, dt graph.DType, data []float64, shape ...int) *graph.Node {
	return g.Param(name, graftest.Tensor(dt, data, shape...))
}

// bits returns the bit patterns of every parameter's values, to compare
// states exactly (NaN payloads and signed zeros included).
func bits(params []*graph.Node) [][]uint64 {
	out := make([][]uint64, len(params))
	for i, p := range params {
		if p.DType() == tensor.Float32 {
			for _, v := range p.Value().Float32s() {
				out[i] = append(out[i], uint64(math.Float32bits(v)))
			}
		} else {
			for _, v := range p.Value().Float64s() {
				out[i] = append(out[i], math.Float64bits(v))
			}
		}
	}
	return out
}

// file assembles a safetensors file: the header's length, the header as
// given (unpadded), then data.
func file(header string, data ...byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

// f32le returns the little-endian bytes of float32 values.
func f32le(vs ...float32) []byte {
	var out []byte
	for _, v := range vs {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	return out
}

// model returns a graph's worth of parameters of both dtypes for the load
// tests: "w" float32 (2,) and "m" float64 (2, 2).
func model() []*graph.Node {
	g := graph.New()
	return []*graph.Node{
		param(g, "w", tensor.Float32, []float64{-7, -7}, 2),
		param(g, "m", tensor.Float64, []float64{-7, -7, -7, -7}, 2, 2),
	}
}

// mustEqualBits fails unless two parameter states are identical.
func mustEqualBits(t *testing.T, what string, got, want [][]uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d tensors, want %d", what, len(got), len(want))
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s: tensor %d has %d values, want %d", what, i, len(got[i]), len(want[i]))
		}
		for j := range got[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("%s: tensor %d value %d has bits %#x, want %#x", what, i, j, got[i][j], want[i][j])
			}
		}
	}
}
