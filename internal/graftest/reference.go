package graftest

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// Number is a number of a reference file written by one of scripts/*.py,
// where JSON has no NaN or infinities and the scripts write them as the
// strings "NaN", "Inf" and "-Inf".
type Number float64

// UnmarshalJSON reads a JSON number or one of the three strings.
func (f *Number) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = Number(math.NaN())
	case `"Inf"`:
		*f = Number(math.Inf(1))
	case `"-Inf"`:
		*f = Number(math.Inf(-1))
	default:
		return json.Unmarshal(b, (*float64)(f))
	}
	return nil
}

// Floats returns v as float64s.
func Floats(v []Number) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

// ReadReference reads a reference file written by one of scripts/*.py: the
// version of PyTorch that computed it and its cases, of the test's own type
// C. A file that does not read or holds no case fails the test.
func ReadReference[C any](t testing.TB, path string) (torch string, cases []C) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Torch string
		Cases []C
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(file.Cases) == 0 {
		t.Fatalf("%s holds no reference cases", path)
	}
	return file.Torch, file.Cases
}
