package checkpoint_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"graft/checkpoint"
	"graft/graph"
)

// tensorJSON is one header entry.
func tensorJSON(name, dtype, shape string, begin, end int) string {
	return fmt.Sprintf(`%q:{"dtype":%q,"shape":%s,"data_offsets":[%d,%d]}`, name, dtype, shape, begin, end)
}

// validHeader describes model(): "m" float64 (2, 2) then "w" float32 (2,).
var validHeader = "{" + tensorJSON("m", "F64", "[2,2]", 0, 32) + "," + tensorJSON("w", "F32", "[2]", 32, 40) + "}"

func TestLoadRejectsBadFilesAndChangesNothing(t *testing.T) {
	data40 := bytes.Repeat([]byte{0x11}, 40)
	entries := func(es ...string) string { return "{" + strings.Join(es, ",") + "}" }
	m := tensorJSON("m", "F64", "[2,2]", 0, 32)
	cases := []struct {
		name     string
		file     []byte
		kind     error  // ErrFormat or ErrMismatch
		want     string // in the error of both Load and Read
		wantLoad string // in Load's error only (it knows the file's size)
		wantRead string // in Read's error only
	}{
		{"empty file", nil, checkpoint.ErrFormat, "the file is 0 bytes long; it must start with an 8-byte header length", "", ""},
		{"cut in the length", []byte{1, 2, 3}, checkpoint.ErrFormat, "the file is 3 bytes long", "", ""},
		{"header length past the end", append([]byte{0xe8, 3, 0, 0, 0, 0, 0, 0}, "{}"...), checkpoint.ErrFormat, "",
			"the header length 1000 is larger than the rest of the file (2 bytes)", "the header is cut short: 2 of its 1000 bytes"},
		{"header length over the limit", append([]byte{0, 0, 0, 0, 0, 1, 0, 0}, "{}"...), checkpoint.ErrFormat,
			"the header length 1099511627776 is over the limit of 100000000 bytes", "", ""},
		{"header not JSON", file("nonsense"), checkpoint.ErrFormat, "the header is not a JSON object", "", ""},
		{"header a JSON array", file("[1, 2]"), checkpoint.ErrFormat, "the header is not a JSON object", "", ""},
		{"bad JSON between entries", file(`{,}`), checkpoint.ErrFormat, "the header is not valid JSON", "", ""},
		{"unclosed object", file(`{`+m, data40...), checkpoint.ErrFormat, "the header is not valid JSON", "", ""},
		{"invalid UTF-8", file("{\"\xff\":{}}"), checkpoint.ErrFormat, "the header is not valid UTF-8", "", ""},
		{"more after the object", file(validHeader+` {}`, data40...), checkpoint.ErrFormat, "the header has more after its JSON object", "", ""},
		{"name given twice", file(entries(m, tensorJSON("m", "F64", "[2,2]", 32, 64)), data40...), checkpoint.ErrFormat, `the header names "m" twice`, "", ""},
		{"metadata not strings", file(`{"__metadata__":{"epoch":3},`+m+`}`, data40...), checkpoint.ErrFormat, "__metadata__ must map strings to strings", "", ""},
		{"entry not an object", file(`{"m":[1,2]}`), checkpoint.ErrFormat, `tensor "m": json: cannot unmarshal array`, "", ""},
		{"unknown dtype", file(entries(m, tensorJSON("w", "Q7", "[2]", 32, 40)), data40...), checkpoint.ErrFormat, `tensor "w" has dtype "Q7"`, "", ""},
		{"no shape", file(`{"w":{"dtype":"F32","data_offsets":[0,8]}}`, data40[:8]...), checkpoint.ErrFormat, `tensor "w" has no shape`, "", ""},
		{"three offsets", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}`, data40[:8]...), checkpoint.ErrFormat,
			`tensor "w" has data_offsets [0 8 9]; want [begin, end]`, "", ""},
		{"negative offset", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}`), checkpoint.ErrFormat, `tensor "w": json: cannot unmarshal number -8`, "", ""},
		{"fractional shape", file(`{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}`, data40[:8]...), checkpoint.ErrFormat, `tensor "w": json: cannot unmarshal number 2.5`, "", ""},
		{"data not from byte 0", file(entries(tensorJSON("m", "F64", "[2,2]", 8, 40), tensorJSON("w", "F32", "[2]", 40, 48)), data40...), checkpoint.ErrFormat,
			`tensor "m" has data_offsets [8, 40]; the tensors must tile the data, and this one should begin at byte 0`, "", ""},
		{"overlapping tensors", file(entries(m, tensorJSON("w", "F32", "[2]", 24, 32)), data40[:32]...), checkpoint.ErrFormat,
			`tensor "w" has data_offsets [24, 32]; the tensors must tile the data, and this one should begin at byte 32`, "", ""},
		{"gap between tensors", file(entries(m, tensorJSON("w", "F32", "[2]", 36, 44)), append(data40, 0, 0, 0, 0)...), checkpoint.ErrFormat,
			`tensor "w" has data_offsets [36, 44]`, "", ""},
		{"end before begin", file(entries(m, tensorJSON("w", "F32", "[2]", 32, 30)), data40[:32]...), checkpoint.ErrFormat,
			`tensor "w" has data_offsets [32, 30]`, "", ""},
		{"offsets disagree with the shape", file(entries(m, tensorJSON("w", "F32", "[3]", 32, 40)), data40...), checkpoint.ErrFormat,
			`tensor "w": shape (3,) of F32 needs 12 bytes, its data_offsets give 8`, "", ""},
		{"shape overflows", file(entries(m, tensorJSON("w", "F32", "[4294967296,4294967296]", 32, 40)), data40...), checkpoint.ErrFormat,
			`tensor "w": shape (4294967296, 4294967296) is too large`, "", ""},
		{"data cut short", file(validHeader, data40[:39]...), checkpoint.ErrFormat, "the data is cut short",
			"the header describes 40 bytes, the file holds 39", `the data is cut short in tensor "w"`},
		{"bytes after the data", file(validHeader, append(data40, 0)...), checkpoint.ErrFormat, "follow the last tensor", "1 bytes follow", ""},
		{"parameter missing", file(entries(m), data40[:32]...), checkpoint.ErrMismatch, `parameter "w" is not in the file`, "", ""},
		{"tensor extra", file(entries(m, tensorJSON("w", "F32", "[2]", 32, 40), tensorJSON("z", "F32", "[1]", 40, 44)), append(data40, 1, 2, 3, 4)...),
			checkpoint.ErrMismatch, `the file holds tensor "z", which no parameter is named (loading is strict)`, "", ""},
		{"shape differs", file(entries(m, tensorJSON("w", "F32", "[1,2]", 32, 40)), data40...), checkpoint.ErrMismatch,
			`parameter "w" has shape (2,) in the model and (1, 2) in the file`, "", ""},
		{"dtype differs", file(entries(m, tensorJSON("w", "F64", "[2]", 32, 48)), append(data40, data40[:8]...)...), checkpoint.ErrMismatch,
			`parameter "w" is F32 in the model and F64 in the file`, "", ""},
		{"half precision", file(entries(m, tensorJSON("w", "F16", "[2]", 32, 36)), data40[:36]...), checkpoint.ErrMismatch,
			`parameter "w" is F32 in the model and F16 in the file`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.safetensors")
			if err := os.WriteFile(path, c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, via := range []struct {
				name, want string
				load       func([]*graph.Node) error
			}{
				{"Load", c.wantLoad, func(ps []*graph.Node) error { return checkpoint.Load(path, ps) }},
				{"Read", c.wantRead, func(ps []*graph.Node) error { return checkpoint.Read(bytes.NewReader(c.file), ps) }},
			} {
				params := model()
				before := bits(params)
				err := via.load(params)
				if err == nil {
					t.Fatalf("%s succeeded", via.name)
				}
				if !errors.Is(err, c.kind) {
					t.Errorf("%s: %v does not wrap %v", via.name, err, c.kind)
				}
				for _, w := range []string{"graft: checkpoint: ", c.want, via.want} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error %q does not contain %q", via.name, err, w)
					}
				}
				mustEqualBits(t, via.name+" after the error", bits(params), before)
			}
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weights.safetensors")
	if err := os.WriteFile(path, []byte{1}, 0o644); err != nil {
		t.Fatal(err)
	}
	err := checkpoint.Load(path, model())
	if err == nil || !strings.HasPrefix(err.Error(), "graft: checkpoint: "+path+": ") {
		t.Fatalf("Load error %v, want it to begin with the path", err)
	}
}

func TestLoadRejectsParamsItCannotFill(t *testing.T) {
	var b bytes.Buffer
	if err := checkpoint.Write(&b, model()); err != nil {
		t.Fatal(err)
	}
	params := append(model(), nil)
	if err := checkpoint.Read(&b, params); err == nil || !strings.Contains(err.Error(), "parameter 2 is nil") {
		t.Fatalf("Read error %v, want one about the nil parameter", err)
	}
}

// FuzzLoad feeds Read corrupt files. Read must never panic; when it fails it
// must say why in one of its two error kinds and leave the parameters as they
// were; when it succeeds, what it loaded must survive a round trip. `go test`
// runs the seed corpus; `go test -fuzz FuzzLoad ./checkpoint` explores more.
func FuzzLoad(f *testing.F) {
	var valid bytes.Buffer
	if err := checkpoint.Write(&valid, model()); err != nil {
		f.Fatal(err)
	}
	good := valid.Bytes()
	f.Add(good)
	f.Add(specVector)
	for _, cut := range []int{0, 7, 8, 20, len(good) - 41, len(good) - 1} {
		f.Add(good[:cut])
	}
	for _, at := range []int{0, 5, 7, 9, 30, 60, len(good) - 1} {
		flipped := append([]byte(nil), good...)
		flipped[at] ^= 0xff
		f.Add(flipped)
	}
	f.Add(file(`{"w":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,18446744073709551615]}}`))
	f.Add(file(`{"__metadata__":null,"m":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		params := model()
		before := bits(params)
		err := checkpoint.Read(bytes.NewReader(data), params)
		if err != nil {
			if !errors.Is(err, checkpoint.ErrFormat) && !errors.Is(err, checkpoint.ErrMismatch) {
				t.Fatalf("error of neither kind: %v", err)
			}
			mustEqualBits(t, "params after a failed Read", bits(params), before)
			return
		}
		var again bytes.Buffer
		if err := checkpoint.Write(&again, params); err != nil {
			t.Fatal(err)
		}
		fresh := model()
		if err := checkpoint.Read(&again, fresh); err != nil {
			t.Fatal(err)
		}
		mustEqualBits(t, "round trip", bits(fresh), bits(params))
	})
}

// A corrupt or hostile header can hold megabytes of shape, name or number:
// an error quotes a few axes and a few hundred bytes of it, and a shape is
// refused by its rank before anything is allocated for it.
func TestErrorsQuoteAtMostAFewAxesAndBytes(t *testing.T) {
	axes := func(n int) string { return "[" + strings.Repeat("1,", n-1) + "1]" }
	m := tensorJSON("m", "F64", "[2,2]", 0, 32)
	longName := strings.Repeat("n", 1<<20)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"many axes", file("{"+m+","+tensorJSON("w", "F32", axes(20), 32, 36)+"}", bytes.Repeat([]byte{1}, 36)...),
			`parameter "w" has shape (2,) in the model and (1, 1, 1, 1, ... (20 axes)) in the file`},
		{"more axes than a checkpoint holds", file("{" + m + "," + tensorJSON("w", "F32", axes(65), 32, 36) + "}"),
			`tensor "w": more than 64 axes`},
		{"a million axes", file("{" + m + "," + tensorJSON("w", "F32", axes(1_000_000), 32, 36) + "}"),
			`tensor "w": more than 64 axes`},
		{"an axis past int", file(`{"w":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,0]}}`),
			`axis 0 of the shape is 9223372036854775808, larger than graft can index`},
		{"a million offsets", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":` + axes(1_000_000) + `}}`),
			`tensor "w": more than 8 data_offsets`},
		{"a megabyte name", file("{"+m+","+tensorJSON("w", "F32", "[2]", 32, 40)+","+tensorJSON(longName, "F32", "[1]", 40, 44)+"}", bytes.Repeat([]byte{1}, 44)...),
			`the file holds tensor "nnnnnnnnnn`},
		{"a megabyte number", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,-` + strings.Repeat("9", 1<<20) + `]}}`),
			`tensor "w": json: cannot unmarshal number -999`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkpoint.Read(bytes.NewReader(c.file), model())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Read: %.300v, want an error containing %q", err, c.want)
			}
			if len(err.Error()) > 600 {
				t.Errorf("the error is %d bytes long: %.300s...", len(err.Error()), err)
			}
		})
	}
}
