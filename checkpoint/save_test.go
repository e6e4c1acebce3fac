//go:build unix

package checkpoint_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
)

// loadBack loads path into a fresh model() and returns its bits.
func loadBack(t *testing.T, path string) [][]uint64 {
	t.Helper()
	params := model()
	if err := checkpoint.Load(path, params); err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return bits(params)
}

func TestSaveKeepsTheModeOfTheFileItReplaces(t *testing.T) {
	for _, mode := range []fs.FileMode{0o600, 0o640, 0o604} {
		path := filepath.Join(t.TempDir(), "private.safetensors")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // not subject to the umask
			t.Fatal(err)
		}
		if err := checkpoint.Save(path, model()); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("after Save over a %v file: %v, mode %v", mode, err, fi.Mode().Perm())
		}
	}
}

func TestSaveWritesThroughASymlinkAndKeepsIt(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "store", "v1.safetensors")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, link, points, target string }{
		{"relative link", "latest.safetensors", filepath.Join("store", "v1.safetensors"), target},
		{"link to a link", "again.safetensors", "latest.safetensors", target},
		{"dangling link", "next.safetensors", filepath.Join(dir, "store", "v2.safetensors"), filepath.Join(dir, "store", "v2.safetensors")},
	} {
		t.Run(c.name, func(t *testing.T) {
			link := filepath.Join(dir, c.link)
			if err := os.Symlink(c.points, link); err != nil {
				t.Fatal(err)
			}
			saved := model()
			saved[0].Value().Float32s()[0] = float32(len(c.name))
			if err := checkpoint.Save(link, saved); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Fatalf("after Save the link is %v (%v), want still a symbolic link", fi.Mode(), err)
			}
			mustEqualBits(t, "the link's target", loadBack(t, c.target), bits(saved))
		})
	}
	if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the target: %v, mode %v, want its own 0600", err, fi.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "store", ".*.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestSaveRefusesAPathThatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ck.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for path, want := range map[string]string{dir: "is a directory, not a regular file", fifo: "is a named pipe, not a regular file"} {
		err := checkpoint.Save(path, model())
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "graft: checkpoint: ") {
			t.Errorf("Save(%s): %v, want an error containing %q", path, err, want)
		}
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the named pipe is now %v (%v)", fi.Mode(), err)
	}
}

// A parameter whose tensor was replaced or reshaped behind the graph would
// be written under the node's dtype and shape with other bytes; Save, Write,
// Load and Read all refuse it, naming it, and Save leaves no file.
func TestAParameterChangedBehindTheGraphIsRefused(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *graph.Node)
		want   string
	}{
		{"replaced by float32 (6,)", func(p *graph.Node) {
			*p.Value() = *tensor.New(tensor.WithShape(6), tensor.WithBacking(make([]float32, 6)))
		}, `as (3,) float64) cannot hold a float32 tensor of shape (6,); it was replaced or reshaped behind the graph`},
		{"reshaped to (3, 1)", func(p *graph.Node) {
			if err := p.Value().Reshape(3, 1); err != nil {
				panic(err)
			}
		}, `as (3,) float64) cannot hold a float64 tensor of shape (3, 1); it was replaced or reshaped behind the graph`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := param(graph.New(), "theta", tensor.Float64, []float64{1, 2, 3}, 3)
			c.change(p)
			params := []*graph.Node{p}
			path := filepath.Join(t.TempDir(), "m.safetensors")
			valid := filepath.Join(t.TempDir(), "valid.safetensors")
			if err := os.WriteFile(valid, specVector, 0o644); err != nil {
				t.Fatal(err)
			}
			var file bytes.Buffer
			for name, err := range map[string]error{
				"Save":  checkpoint.Save(path, params),
				"Write": checkpoint.Write(&file, params),
				"Load":  checkpoint.Load(valid, params),
				"Read":  checkpoint.Read(bytes.NewReader(specVector), params),
			} {
				if err == nil || !strings.Contains(err.Error(), `parameter "theta" (built at `) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "graft: checkpoint: ") {
					t.Errorf("%s: %v, want an error containing %q", name, err, c.want)
				}
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) || file.Len() != 0 {
				t.Errorf("Save left a file (%v) or Write wrote %d bytes", err, file.Len())
			}
		})
	}
}
