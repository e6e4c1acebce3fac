package checkpoint_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
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

// The spec's layout written out by hand: a u64 header length of 56, the
// 54-byte JSON header padded with two spaces to end on an 8-byte boundary,
// then float32 1 and 2 in little-endian order.
var specVector = []byte{
	56, 0, 0, 0, 0, 0, 0, 0,
	'{', '"', 'x', '"', ':', '{',
	'"', 'd', 't', 'y', 'p', 'e', '"', ':', '"', 'F', '3', '2', '"', ',',
	'"', 's', 'h', 'a', 'p', 'e', '"', ':', '[', '2', ']', ',',
	'"', 'd', 'a', 't', 'a', '_', 'o', 'f', 'f', 's', 'e', 't', 's', '"', ':', '[', '0', ',', '8', ']',
	'}', '}', ' ', ' ',
	0x00, 0x00, 0x80, 0x3f, // 1.0 = 0x3f800000
	0x00, 0x00, 0x00, 0x40, // 2.0 = 0x40000000
}

func TestSpecVectorLoadsAndIsWrittenByteForByte(t *testing.T) {
	g := graph.New()
	x := param(g, "x", tensor.Float32, []float64{0, 0}, 2)
	if err := checkpoint.Read(bytes.NewReader(specVector), []*graph.Node{x}); err != nil {
		t.Fatal(err)
	}
	if got := x.Value().Float32s(); got[0] != 1 || got[1] != 2 {
		t.Fatalf("loaded %v, want [1 2]", got)
	}
	var b bytes.Buffer
	if err := checkpoint.Write(&b, []*graph.Node{x}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), specVector) {
		t.Fatalf("Write gave\n%q\nwant\n%q", b.Bytes(), specVector)
	}
}

func TestWriteOrdersByDtypeThenNameAndAlignsTheData(t *testing.T) {
	g := graph.New()
	params := []*graph.Node{
		param(g, "w", tensor.Float32, []float64{1, 2}, 2),
		param(g, "v", tensor.Float64, []float64{0.5}, 1, 1),
		param(g, "u", tensor.Float32, []float64{-1}, 1),
	}
	// float64 tensors first (the widest alignment), then by name; the
	// 165-byte header is padded with 3 spaces to 168 = 0xa8.
	header := `{"v":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]},` +
		`"u":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},` +
		`"w":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}   `
	want := append([]byte{0xa8, 0, 0, 0, 0, 0, 0, 0}, header...)
	want = append(want, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f) // 0.5
	want = append(want, 0, 0, 0x80, 0xbf)             // -1
	want = append(want, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40)
	var b bytes.Buffer
	if err := checkpoint.Write(&b, params); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("Write gave\n%q\nwant\n%q", b.Bytes(), want)
	}
}

func TestWriteOfNoParamsIsAnEmptyPaddedHeader(t *testing.T) {
	var b bytes.Buffer
	if err := checkpoint.Write(&b, nil); err != nil {
		t.Fatal(err)
	}
	want := []byte{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("Write gave %q, want %q", b.Bytes(), want)
	}
	if err := checkpoint.Read(bytes.NewReader(want), nil); err != nil {
		t.Fatal(err)
	}
}

func TestNamesAreWrittenAsJSONWithoutHTMLEscapes(t *testing.T) {
	g := graph.New()
	p := param(g, `a<b>&"c"`, tensor.Float32, []float64{3}, 1)
	var b bytes.Buffer
	if err := checkpoint.Write(&b, []*graph.Node{p}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `{"a<b>&\"c\"":{`) {
		t.Fatalf("header %q does not hold the name as plain JSON", b.String())
	}
	p.Value().Float32s()[0] = 0
	if err := checkpoint.Read(&b, []*graph.Node{p}); err != nil || p.Value().Float32s()[0] != 3 {
		t.Fatalf("Read: %v, value %v, want 3", err, p.Value().Float32s())
	}
}

func TestSaveThenLoadRestoresAModelBitForBit(t *testing.T) {
	for _, dt := range []graph.DType{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			build := func(seed uint64) *layers.Model {
				g := graph.New()
				m := layers.NewModel(seed)
				net := layers.Sequential{m.Dense(10, ops.ReLU), m.Dense(3, ops.Tanh, layers.WithBiasInit(layers.Normal(0, 1))), m.Dense(1, nil)}
				net.Apply(g.Input("x", dt, 4, 2))
				return m
			}
			saved, loaded := build(1), build(2)
			// Values no arithmetic would give keep the test honest about bits.
			if dt == tensor.Float64 {
				saved.Params()[0].Value().Float64s()[0] = math.Copysign(0, -1)
				saved.Params()[0].Value().Float64s()[1] = math.Inf(-1)
				saved.Params()[0].Value().Float64s()[2] = math.Float64frombits(0x7ff8_0000_dead_beef)
			} else {
				saved.Params()[0].Value().Float32s()[0] = float32(math.Copysign(0, -1))
				saved.Params()[0].Value().Float32s()[1] = math.Float32frombits(0x7fc0_beef)
			}
			path := filepath.Join(t.TempDir(), "model.safetensors")
			if err := checkpoint.Save(path, saved.Params()); err != nil {
				t.Fatal(err)
			}
			if bits(loaded.Params())[0][3] == bits(saved.Params())[0][3] {
				t.Fatal("seeds 1 and 2 gave the same weights; the test proves nothing")
			}
			if err := checkpoint.Load(path, loaded.Params()); err != nil {
				t.Fatal(err)
			}
			mustEqualBits(t, "loaded model", bits(loaded.Params()), bits(saved.Params()))
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("saved file: %v, mode %v, want 0644", err, fi.Mode())
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("the directory holds %d files after Save, want only the checkpoint", len(entries))
			}
		})
	}
}

func TestParamsAreLoadedByNameWhateverTheirOrder(t *testing.T) {
	g := graph.New()
	a := param(g, "a", tensor.Float64, []float64{1, 2}, 2)
	b := param(g, "b", tensor.Float32, []float64{3}, 1)
	var buf bytes.Buffer
	if err := checkpoint.Write(&buf, []*graph.Node{a, b}); err != nil {
		t.Fatal(err)
	}
	g2 := graph.New()
	b2 := param(g2, "b", tensor.Float32, []float64{0}, 1)
	a2 := param(g2, "a", tensor.Float64, []float64{0, 0}, 2)
	if err := checkpoint.Read(&buf, []*graph.Node{b2, a2}); err != nil {
		t.Fatal(err)
	}
	mustEqualBits(t, "loaded", bits([]*graph.Node{a2, b2}), bits([]*graph.Node{a, b}))
}

func TestMetadataIsAcceptedAndIgnored(t *testing.T) {
	g := graph.New()
	x := param(g, "x", tensor.Float32, []float64{0, 0}, 2)
	f := file(`{"__metadata__":{"format":"pt","epoch":"3"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32le(5, 6)...)
	if err := checkpoint.Read(bytes.NewReader(f), []*graph.Node{x}); err != nil {
		t.Fatal(err)
	}
	if got := x.Value().Float32s(); got[0] != 5 || got[1] != 6 {
		t.Fatalf("loaded %v, want [5 6]", got)
	}
}

func TestWriteRejectsParamsItCannotName(t *testing.T) {
	g := graph.New()
	ok := param(g, "ok", tensor.Float32, []float64{1}, 1)
	cases := []struct {
		name   string
		params []*graph.Node
		want   string
	}{
		{"nil", []*graph.Node{ok, nil}, "parameter 1 is nil"},
		{"op node", []*graph.Node{ops.Neg(ok)}, "Neg#1 is a op, which holds no tensor"},
		{"input", []*graph.Node{g.Input("x", tensor.Float32, 1)}, "x is a input, which holds no tensor"},
		{"duplicate", []*graph.Node{ok, param(g, "ok", tensor.Float32, []float64{2}, 1)}, `two parameters are named "ok"`},
		{"metadata name", []*graph.Node{param(g, "__metadata__", tensor.Float64, []float64{2}, 1)}, `named "__metadata__"`},
		// JSON would silently turn an invalid UTF-8 name into U+FFFD, so the
		// file could not be loaded back into the same parameter.
		{"name not UTF-8", []*graph.Node{param(g, "bad\xffname", tensor.Float32, []float64{1}, 1)}, "not valid UTF-8"},
		{"more axes than a file holds", []*graph.Node{param(g, "deep", tensor.Float64, []float64{2}, slices.Repeat([]int{1}, 65)...)},
			`parameter "deep" has 65 axes; a checkpoint holds at most 64`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			err := checkpoint.Write(&b, c.params)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "graft: checkpoint: ") {
				t.Fatalf("Write: %v, want an error containing %q", err, c.want)
			}
			if b.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", b.Len())
			}
			path := filepath.Join(t.TempDir(), "m.safetensors")
			if err := checkpoint.Save(path, c.params); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Save: %v, want an error containing %q", err, c.want)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Save left a file behind: %v", err)
			}
		})
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after < len(p) {
		return 0, errors.New("disk full")
	}
	w.after -= len(p)
	return len(p), nil
}

func TestWriteReportsTheWritersError(t *testing.T) {
	for _, after := range []int{0, 8, 8 + 56} { // in the length, the header, the data
		if err := checkpoint.Write(&failingWriter{after}, model()); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("after %d bytes: Write returned %v, want the writer's error", after, err)
		}
	}
}

func TestSaveAndLoadReportFileSystemErrors(t *testing.T) {
	dir := t.TempDir()
	if err := checkpoint.Save(filepath.Join(dir, "no", "such", "dir.safetensors"), model()); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	err := checkpoint.Load(filepath.Join(dir, "missing.safetensors"), model())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file returned %v, want fs.ErrNotExist", err)
	}
}

// FuzzFlippedByte saves a model, flips bits of one byte of the file and
// loads it back with Load and with Read. Neither may panic. Each either fails
// with ErrFormat or ErrMismatch and leaves the parameters as they were, or
// loads exactly the saved values, but for the one value holding the byte when
// it lies in the data: safetensors has no checksum, so a flip there is a
// changed value, while one in the header (its padding included) is an error
// or, where JSON allows, changes nothing. `go test` runs a flip of every byte;
// `go test -fuzz FuzzFlippedByte ./checkpoint` explores other masks.
func FuzzFlippedByte(f *testing.F) {
	saved := model() // "w" float32 (2,), "m" float64 (2, 2)
	copy(saved[0].Value().Float32s(), []float32{1.5, -2.25})
	copy(saved[1].Value().Float64s(), []float64{3, math.Pi, -0.125, 1e300})
	dir := f.TempDir()
	path := filepath.Join(dir, "saved.safetensors")
	if err := checkpoint.Save(path, saved); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	// The data, 40 bytes at the end of the file, holds m's four float64
	// values, then w's two float32 ones (widest dtype first).
	dataAt := len(good) - 40
	for at := range good {
		f.Add(uint(at), byte(0xff))
	}
	f.Add(uint(dataAt-1), byte(' '^'\t')) // padding that stays whitespace
	f.Add(uint(0), byte(0x80))            // a header length past the end
	f.Fuzz(func(t *testing.T, at uint, mask byte) {
		if mask == 0 {
			return // no flip
		}
		at %= uint(len(good))
		flipped := append([]byte(nil), good...)
		flipped[at] ^= mask
		want := bits(saved)
		if off := int(at) - dataAt; off >= 0 && off < 32 {
			want[1][off/8] ^= uint64(mask) << (8 * (off % 8))
		} else if off >= 32 {
			want[0][(off-32)/4] ^= uint64(mask) << (8 * ((off - 32) % 4))
		}
		// Each fuzzing process runs one input at a time, so one file will do.
		file := filepath.Join(dir, "flipped.safetensors")
		if err := os.WriteFile(file, flipped, 0o644); err != nil {
			t.Fatal(err)
		}
		for name, load := range map[string]func([]*graph.Node) error{
			"Load": func(ps []*graph.Node) error { return checkpoint.Load(file, ps) },
			"Read": func(ps []*graph.Node) error { return checkpoint.Read(bytes.NewReader(flipped), ps) },
		} {
			params := model()
			before := bits(params)
			if err := load(params); err != nil {
				if !errors.Is(err, checkpoint.ErrFormat) && !errors.Is(err, checkpoint.ErrMismatch) {
					t.Fatalf("%s: byte %d ^ %#x: error of neither kind: %v", name, at, mask, err)
				}
				mustEqualBits(t, name+" after an error", bits(params), before)
				continue
			}
			mustEqualBits(t, fmt.Sprintf("%s of byte %d ^ %#x", name, at, mask), bits(params), want)
		}
	})
}
