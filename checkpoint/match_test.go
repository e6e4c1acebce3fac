package checkpoint_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
)

// mixedFile holds "a" F32 (2,), "b" F32 (3,) and "z" F64 (1,); the params
// below want "a" (2,), "b" (2,) and "c" (1,).
func mixedFile(t *testing.T) []byte {
	g := graph.New()
	var buf bytes.Buffer
	err := checkpoint.Write(&buf, []*graph.Node{
		param(g, "a", tensor.Float32, []float64{1, 2}, 2),
		param(g, "b", tensor.Float32, []float64{3, 4, 5}, 3),
		param(g, "z", tensor.Float64, []float64{6}, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mixedParams() []*graph.Node {
	g := graph.New()
	return []*graph.Node{
		param(g, "a", tensor.Float32, []float64{0, 0}, 2),
		param(g, "b", tensor.Float32, []float64{0, 0}, 2),
		param(g, "c", tensor.Float32, []float64{0}, 1),
	}
}

func names(ts []checkpoint.Tensor) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

// A non-strict load loads what matches and reports everything else: the
// parameter missing from the file, the tensor of another shape, the tensor
// no parameter wants, and what the file holds.
func TestNonStrictLoadLoadsWhatMatchesAndReportsTheRest(t *testing.T) {
	params := mixedParams()
	report, err := checkpoint.ReadWith(bytes.NewReader(mixedFile(t)), params, checkpoint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := params[0].Value().Float32s(); got[0] != 1 || got[1] != 2 {
		t.Errorf("a = %v, want [1 2]", got)
	}
	if got := params[1].Value().Float32s(); got[0] != 0 || got[1] != 0 {
		t.Errorf("b = %v, want it untouched", got)
	}
	switch {
	case !slices.Equal(report.Loaded, []string{"a"}):
		t.Errorf("Loaded %v", report.Loaded)
	case !slices.Equal(report.Missing, []string{"c"}):
		t.Errorf("Missing %v", report.Missing)
	case !slices.Equal(names(report.Unexpected), []string{"z"}):
		t.Errorf("Unexpected %v", report.Unexpected)
	case len(report.Mismatched) != 1 || report.Mismatched[0].Param != "b" || !report.Mismatched[0].File.Shape.Equal(graph.Shape{3}):
		t.Errorf("Mismatched %v", report.Mismatched)
	case !slices.Equal(names(report.File), []string{"z", "a", "b"}):
		t.Errorf("File %v", report.File)
	case report.Complete():
		t.Error("Complete() is true")
	}
	want := `loaded 1 of 3 parameters
mismatched: parameter "b" has shape (2,) in the model and (3,) in the file
missing: parameter "c" is not in the file
unexpected: "z" F64 (1,)
the file holds 3 tensors:
  "z" F64 (1,)
  "a" F32 (2,)
  "b" F32 (3,)
`
	if report.String() != want {
		t.Errorf("String() =\n%s\nwant\n%s", report, want)
	}
}

// A strict load of the same file lists every mismatch in its error,
// returns the report all the same, and changes nothing.
func TestStrictLoadListsEveryMismatchAndChangesNothing(t *testing.T) {
	params := mixedParams()
	before := bits(params)
	path := filepath.Join(t.TempDir(), "mixed.safetensors")
	if err := os.WriteFile(path, mixedFile(t), 0o644); err != nil {
		t.Fatal(err)
	}
	report, err := checkpoint.LoadWith(path, params, checkpoint.Options{Strict: true})
	want := `graft: checkpoint: ` + path + `: the checkpoint does not match the parameters: parameter "b" has shape (2,) in the model and (3,) in the file; parameter "c" is not in the file; the file holds tensor "z", which no parameter is named (loading is strict)`
	if err == nil || err.Error() != want || !errors.Is(err, checkpoint.ErrMismatch) {
		t.Fatalf("LoadWith: %v\nwant %s", err, want)
	}
	mustEqualBits(t, "after a refused load", bits(params), before)
	if len(report.File) != 3 || len(report.Missing) != 1 {
		t.Errorf("the report of a refused load is %+v", report)
	}
}

func TestRenameMapsNamesAndSkipsWhatItMapsToNothing(t *testing.T) {
	params := mixedParams()
	rename := func(name string) string {
		return map[string]string{"a": "c2", "b": "", "z": "c"}[name]
	}
	params[1] = param(graph.New(), "c2", tensor.Float32, []float64{0, 0}, 2)
	params[2] = param(graph.New(), "c", tensor.Float64, []float64{0}, 1)
	report, err := checkpoint.ReadWith(bytes.NewReader(mixedFile(t)), params, checkpoint.Options{Strict: true, Rename: rename})
	if err == nil || !strings.Contains(err.Error(), `parameter "a" is not in the file`) {
		t.Fatalf("ReadWith: %v, want only a missing", err)
	}
	if !slices.Equal(names(report.Skipped), []string{"b"}) || !slices.Equal(report.Loaded, []string{"c2", "c"}) {
		t.Errorf("Skipped %v, Loaded %v", report.Skipped, report.Loaded)
	}

	_, err = checkpoint.ReadWith(bytes.NewReader(mixedFile(t)), mixedParams(), checkpoint.Options{Rename: func(string) string { return "a" }})
	if err == nil || !strings.Contains(err.Error(), `tensors "z" and "a" of the file are both renamed "a"`) {
		t.Errorf("ReadWith renaming two tensors alike: %v", err)
	}
}

func TestTransposeLoadsAMatrixStoredTheOtherWayRound(t *testing.T) {
	g := graph.New()
	var buf bytes.Buffer
	stored := param(g, "w", tensor.Float64, []float64{1, 2, 3, 4, 5, 6}, 3, 2) // (out, in) as nn.Linear keeps it
	if err := checkpoint.Write(&buf, []*graph.Node{stored, param(g, "v", tensor.Float64, []float64{1, 2, 3}, 3)}); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	all := func(string) bool { return true }

	w := param(graph.New(), "w", tensor.Float64, make([]float64, 6), 2, 3)
	if _, err := checkpoint.ReadWith(bytes.NewReader(file), []*graph.Node{w}, checkpoint.Options{Transpose: all}); err != nil {
		t.Fatal(err)
	}
	if got := w.Value().Float64s(); !slices.Equal(got, []float64{1, 3, 5, 2, 4, 6}) {
		t.Errorf("transposed load gave %v, want [1 3 5 2 4 6]", got)
	}
	cases := []struct {
		name  string
		param *graph.Node
		want  string
	}{
		{"the shape already fits", param(graph.New(), "w", tensor.Float64, make([]float64, 6), 3, 2),
			`parameter "w" has shape (3, 2) in the model and (3, 2) in the file, which transposed is (2, 3)`},
		{"not a matrix", param(graph.New(), "v", tensor.Float64, make([]float64, 3), 3),
			`parameter "v" has shape (3,) in the model and (3,) in the file; only a matrix can be transposed`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			report, err := checkpoint.ReadWith(bytes.NewReader(file), []*graph.Node{c.param}, checkpoint.Options{Strict: true, Transpose: all})
			if err == nil || !strings.Contains(err.Error(), c.want) || len(report.Mismatched) != 1 {
				t.Fatalf("ReadWith: %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// A non-strict load of which nothing loads is an error all the same,
// listing what the file holds.
func TestNonStrictLoadOfNothingThatFitsIsAnError(t *testing.T) {
	p := param(graph.New(), "q", tensor.Float32, []float64{0}, 1)
	_, err := checkpoint.ReadWith(bytes.NewReader(mixedFile(t)), []*graph.Node{p}, checkpoint.Options{})
	want := `no tensor of the file fits any of the 1 parameters; the file holds 3 tensors: "z" F64 (1,), "a" F32 (2,), "b" F32 (3,)`
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, checkpoint.ErrMismatch) {
		t.Fatalf("ReadWith: %v, want %q", err, want)
	}
}

// A tensor read past (skipped or unexpected) is still read to its end: a
// stream cut short inside it, or followed by more bytes, is an error.
func TestSkippedTensorsAreStillCheckedInAStream(t *testing.T) {
	full := mixedFile(t)
	params := mixedParams()[:1]
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"cut in the last tensor", full[:len(full)-1], `the data is cut short in tensor "b"`},
		{"bytes after it", append(append([]byte(nil), full...), 0), "bytes follow the last tensor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := bits(params)
			_, err := checkpoint.ReadWith(bytes.NewReader(c.data), params, checkpoint.Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, checkpoint.ErrFormat) {
				t.Fatalf("ReadWith: %v, want %q", err, c.want)
			}
			mustEqualBits(t, "after the error", bits(params), before)
		})
	}
}
