package data_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"gorgonia.org/tensor"

	"graft/data"
)

// writeFile writes text to a file name in a new temporary directory and
// returns its path.
func writeFile(t *testing.T, name string, text []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadCSVFileReadsInputsAndLabelsByName(t *testing.T) {
	path := writeFile(t, "iris.csv", []byte("\ufeffid, sepal , petal,class\n"+
		"1, 5.1, 1.4, 0\r\n"+
		"# a comment line\n"+
		"\n"+
		"2,4.9,\"1.5\",2\n"))
	d, err := data.ReadCSVFile(path, data.CSVOptions{
		Header: true, Comment: '#', LabelNames: []string{"class"}, SkipNames: []string{"id"},
		Dtype: tensor.Float32, LabelDtype: tensor.Int64,
	})
	if err != nil {
		t.Fatal(err)
	}
	x, y := d.X(), d.Y()
	if !x.Shape().Eq(tensor.Shape{2, 2}) || !reflect.DeepEqual(x.Data(), []float32{5.1, 1.4, 4.9, 1.5}) {
		t.Errorf("x: got %v %v", x.Shape(), x.Data())
	}
	if !y.Shape().Eq(tensor.Shape{2}) || !reflect.DeepEqual(y.Data(), []int64{0, 2}) {
		t.Errorf("y: got %v %v", y.Shape(), y.Data())
	}
}

func TestReadCSVChoosesColumnsByNumber(t *testing.T) {
	text := "1;2;3;4\n5;6;7;8\n"
	cases := []struct {
		name   string
		opt    data.CSVOptions
		x, y   any
		yShape tensor.Shape
	}{
		{"the last column", data.CSVOptions{Comma: ';', Labels: []int{-1}}, []float64{1, 2, 3, 5, 6, 7}, []float64{4, 8}, tensor.Shape{2}},
		{"kept as a column", data.CSVOptions{Comma: ';', Labels: []int{-1}, KeepLabelAxis: true}, []float64{1, 2, 3, 5, 6, 7}, []float64{4, 8}, tensor.Shape{2, 1}},
		{"two labels, one skipped", data.CSVOptions{Comma: ';', Labels: []int{3, 0}, Skip: []int{1}}, []float64{3, 7}, []float64{1, 4, 5, 8}, tensor.Shape{2, 2}},
		{"int64 inputs", data.CSVOptions{Comma: ';', Labels: []int{0}, Dtype: tensor.Int64, LabelDtype: tensor.Float32}, []int64{2, 3, 4, 6, 7, 8}, []float32{1, 5}, tensor.Shape{2}},
		{"no labels", data.CSVOptions{Comma: ';'}, []float64{1, 2, 3, 4, 5, 6, 7, 8}, nil, nil},
	}
	for _, c := range cases {
		d, err := data.ReadCSV(strings.NewReader(text), "t.csv", c.opt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(d.X().Data(), c.x) {
			t.Errorf("%s: x is %v", c.name, d.X().Data())
		}
		if c.y == nil {
			if d.Y() != nil {
				t.Errorf("%s: y is %v", c.name, d.Y())
			}
			continue
		}
		if !reflect.DeepEqual(d.Y().Data(), c.y) || !d.Y().Shape().Eq(c.yShape) {
			t.Errorf("%s: y is %v %v", c.name, d.Y().Shape(), d.Y().Data())
		}
	}
}

func TestReadCSVTurnsClassNamesIntoIDs(t *testing.T) {
	text := "sepal,species\n5.1,setosa\n7.0, versicolor\n6.3,virginica\n5.0,setosa\n"
	d, err := data.ReadCSV(strings.NewReader(text), "iris.csv", data.CSVOptions{
		Header: true, LabelNames: []string{"species"}, LabelClasses: []string{"setosa", "versicolor", "virginica"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Y().Data(), []int64{0, 1, 2, 0}) || !reflect.DeepEqual(d.X().Data(), []float64{5.1, 7.0, 6.3, 5.0}) {
		t.Fatalf("got x %v y %v", d.X().Data(), d.Y().Data())
	}
	_, err = data.ReadCSV(strings.NewReader(text), "iris.csv", data.CSVOptions{Header: true, Labels: []int{1}, LabelClasses: []string{"setosa"}})
	if err == nil || !strings.Contains(err.Error(), `iris.csv:3: column 2 ("species"): "versicolor" is not one of LabelClasses ["setosa"]`) {
		t.Errorf("an unknown name: got %v", err)
	}
	_, err = data.ReadCSV(strings.NewReader(text), "iris.csv", data.CSVOptions{Header: true, Labels: []int{1}, LabelClasses: []string{"setosa"}, LabelDtype: tensor.Float32})
	if err == nil || !strings.Contains(err.Error(), "LabelClasses makes class ids, which are int64, but LabelDtype is float32") {
		t.Errorf("float class ids: got %v", err)
	}
}

func TestReadCSVKeepsNonFiniteNumbersOnlyWhenAsked(t *testing.T) {
	d, err := data.ReadCSV(strings.NewReader("NaN,+Inf,-inf,1e-320\n"), "t.csv", data.CSVOptions{AllowNonFinite: true})
	if err != nil {
		t.Fatal(err)
	}
	v := d.X().Float64s()
	if !math.IsNaN(v[0]) || !math.IsInf(v[1], 1) || !math.IsInf(v[2], -1) || v[3] != 1e-320 {
		t.Fatalf("got %v", v)
	}
}

func TestReadCSVRejectsBrokenTablesNamingFileLineAndColumn(t *testing.T) {
	cases := []struct {
		name, text string
		opt        data.CSVOptions
		want       string
	}{
		{"empty", "", data.CSVOptions{}, "t.csv holds no rows"},
		{"a header only", "a,b\n", data.CSVOptions{Header: true}, "t.csv holds a header but no rows"},
		{"a ragged row", "1,2,3\n4,5,6\n\n7,8\n", data.CSVOptions{}, "t.csv:4: 2 fields, but line 1 has 3"},
		{"a long row", "a,b\n1,2\n1,2,3\n", data.CSVOptions{Header: true}, "t.csv:3: 3 fields, but line 1 has 2"},
		{"a word", "a,b\n1,2\n3,abc\n", data.CSVOptions{Header: true}, `t.csv:3: column 2 ("b"): "abc" is not a number`},
		{"an empty field", "1,2\n3,\n", data.CSVOptions{}, "t.csv:2: column 2: the field is empty"},
		{"a NaN", "1,2\n3,nan\n", data.CSVOptions{}, `t.csv:2: column 2: "nan" is not finite; set CSVOptions.AllowNonFinite`},
		{"an Inf label", "1,Inf\n", data.CSVOptions{Labels: []int{1}}, `t.csv:1: column 2: "Inf" is not finite`},
		{"beyond float32", "1,1e39\n", data.CSVOptions{Dtype: tensor.Float32}, `"1e39" is beyond float32's range`},
		{"beyond float64", "1,1e309\n", data.CSVOptions{}, `"1e309" is beyond float64's range`},
		{"a fractional class id", "1,1.5\n", data.CSVOptions{Labels: []int{1}, LabelDtype: tensor.Int64}, `t.csv:1: column 2: "1.5" is not a whole number, as int64 needs`},
		{"beyond int64", "1,9223372036854775808\n", data.CSVOptions{Labels: []int{1}, LabelDtype: tensor.Int64}, "beyond int64's range"},
		{"a bare quote", "1,2\n3,4\"\n", data.CSVOptions{}, `t.csv:2:4: bare " in non-quoted-field`},
		{"a quoted field across lines", "1,\"2\n\",x\n", data.CSVOptions{}, `t.csv:2: column 3: "x" is not a number`},
		{"a missing label name", "a,b\n1,2\n", data.CSVOptions{Header: true, LabelNames: []string{"c"}}, `there is no label column "c"; the header names ["a" "b"]`},
		{"a name without a header", "1,2\n", data.CSVOptions{SkipNames: []string{"a"}}, `skipped column "a" is named, but without Header`},
		{"a label number past the end", "1,2\n", data.CSVOptions{Labels: []int{2}}, "label column 2 does not exist: the rows have 2 columns"},
		{"a label number before the start", "1,2\n", data.CSVOptions{Labels: []int{-3}}, "label column -3 does not exist"},
		{"a column twice", "a,b\n1,2\n", data.CSVOptions{Header: true, Labels: []int{1}, SkipNames: []string{"b"}}, `column 2 ("b") is given twice`},
		{"no input left", "1,2\n", data.CSVOptions{Labels: []int{0}, Skip: []int{1}}, "no input column is left"},
		{"a dtype of no dataset", "1,2\n", data.CSVOptions{Dtype: tensor.Uint8}, "Dtype is uint8"},
	}
	for _, c := range cases {
		_, err := data.ReadCSV(strings.NewReader(c.text), "t.csv", c.opt)
		if err == nil || !strings.HasPrefix(err.Error(), "graft: ReadCSV: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestReadCSVFileNamesTheFileItCannotRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.csv")
	if _, err := data.ReadCSVFile(path, data.CSVOptions{}); err == nil || !strings.Contains(err.Error(), "graft: ReadCSVFile: ") || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v", err)
	}
	fifo := filepath.Join(t.TempDir(), "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err == nil {
		if _, err := data.ReadCSVFile(fifo, data.CSVOptions{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO: got %v, want a refusal", err)
		}
	}
	bad := writeFile(t, "bad.csv", []byte("1,x\n"))
	if _, err := data.ReadCSVFile(bad, data.CSVOptions{}); err == nil || !strings.Contains(err.Error(), bad+":1: column 2") {
		t.Errorf("got %v", err)
	}
}

// FuzzReadCSV: any bytes, read with a header or not and the last column
// as int64 labels or not, give either an error that names the reader's
// file or a dataset whose rows agree and whose numbers are finite.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{"a,b\n1,2\n", "1,2\n3,4\n", "1,\"2\"\n3,4\r\n", "\ufeff1\n", "x\n1e400\n", "1,2\n3\n", "#c\n1,nan\n", "1,\"2\n\",3\n"} {
		f.Add([]byte(seed), false, true)
		f.Add([]byte(seed), true, false)
	}
	f.Fuzz(func(t *testing.T, text []byte, header, labels bool) {
		opt := data.CSVOptions{Header: header, Comment: '#'}
		if labels {
			opt.Labels, opt.LabelDtype = []int{-1}, tensor.Int64
		}
		d, err := data.ReadCSV(bytes.NewReader(text), "f.csv", opt)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "graft: ReadCSV: ") || !strings.Contains(err.Error(), "f.csv") {
				t.Fatalf("error %q does not name ReadCSV and the file", err)
			}
			return
		}
		n := d.X().Shape()[0]
		if d.Len() != n || labels && d.Y().Shape()[0] != n || !labels && d.Y() != nil {
			t.Fatalf("%d rows, x %v, y %v", d.Len(), d.X().Shape(), d.Y())
		}
		for _, v := range d.X().Float64s() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("a non-finite input %v was kept", v)
			}
		}
	})
}
