package checkpoint

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Save writes through a temporary file named after the checkpoint, in its
// directory, and removes it on every error after creating it: here a write
// that fails, and a rename that fails because a directory took the path.
func TestSaveRemovesItsTemporaryFileOnEveryError(t *testing.T) {
	cases := []struct {
		name  string
		write func(t *testing.T, dir string, w io.Writer) error
		want  string
	}{
		{"the write fails", func(t *testing.T, dir string, w io.Writer) error {
			w.Write(make([]byte, 1<<20)) // past bufio's buffer, onto the disk
			return errors.New("disk full")
		}, "disk full"},
		{"the rename fails", func(t *testing.T, dir string, w io.Writer) error {
			path := filepath.Join(dir, "m.safetensors")
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
			return nil
		}, "rename"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "m.safetensors")
			if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			err := save(path, func(w io.Writer) error {
				temps, _ := filepath.Glob(filepath.Join(dir, ".m.safetensors.tmp-*"))
				if len(temps) != 1 {
					t.Errorf("while writing, the directory holds temporary files %v, want one named .m.safetensors.tmp-*", temps)
				}
				return c.write(t, dir, w)
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("save: %v, want an error containing %q", err, c.want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 || entries[0].Name() != "m.safetensors" {
				t.Errorf("after the error the directory holds %v, want only m.safetensors", entries)
			}
		})
	}
}
