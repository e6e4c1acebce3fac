package atomicfile_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"graft/internal/atomicfile"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// names lists dir, so a test sees any temporary file left behind.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range entries {
		ns = append(ns, e.Name())
	}
	return ns
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func perm(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// A new file gets what os.Create would give it (0666 less the umask), not
// the 0600 of os.CreateTemp; nothing but the file is left in its directory.
func TestWriteCreatesAFileWithTheModeOSCreateGives(t *testing.T) {
	dir := t.TempDir()
	ref, err := os.Create(filepath.Join(dir, "ref"))
	if err != nil {
		t.Fatal(err)
	}
	ref.Close()
	path := filepath.Join(dir, "out.csv")
	if err := atomicfile.Write(path, writeString("x,y\n1,2\n")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "x,y\n1,2\n" {
		t.Errorf("the file holds %q", got)
	}
	if got, want := perm(t, path), perm(t, ref.Name()); got != want {
		t.Errorf("mode %v, want %v as os.Create gives", got, want)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"out.csv", "ref"}) {
		t.Errorf("the directory holds %v", got)
	}
}

// Replacing a file keeps its permission bits: a private 0600 file stays
// private, a 0666 one stays writable by all whatever the umask.
func TestWriteKeepsAnExistingFilesMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no permission bits to keep")
	}
	for _, mode := range []fs.FileMode{0o600, 0o640, 0o666, 0o444} {
		dir := t.TempDir()
		path := filepath.Join(dir, "model.safetensors")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := atomicfile.Write(path, writeString("new")); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, path); got != "new" {
			t.Errorf("mode %v: the file holds %q", mode, got)
		}
		if got := perm(t, path); got != mode {
			t.Errorf("mode %v became %v", mode, got)
		}
	}
}

// A failed write (an error or a panic from the writer, as a full disk
// would give) leaves the old file as it was and no temporary file.
func TestWriteLeavesTheOldFileAndNoTemporaryOnAFailure(t *testing.T) {
	full := errors.New("no space left on device")
	for _, c := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"an error after many bytes", func(w io.Writer) error {
			w.Write(bytes.Repeat([]byte("new"), 100000))
			return full
		}},
		{"a panic", func(w io.Writer) error { panic(full) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "loss.svg")
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						err = r.(error)
					}
				}()
				return atomicfile.Write(path, c.write)
			}()
			if !errors.Is(err, full) {
				t.Errorf("error %v, want the writer's", err)
			}
			if got := readFile(t, path); got != "old" {
				t.Errorf("the file holds %.20q, want the old content", got)
			}
			if got := names(t, dir); !slices.Equal(got, []string{"loss.svg"}) {
				t.Errorf("a temporary file was left behind: %v", got)
			}
		})
	}
}

// A symbolic link is written through: its target gets the new contents and
// the link stays a link, also when the target does not exist yet.
func TestWriteReplacesASymlinksTargetAndKeepsTheLink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "real", "model")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest")
	if err := os.Symlink(filepath.Join("real", "model"), link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "next")
	if err := os.Symlink(filepath.Join("real", "next-model"), dangling); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ link, target string }{{link, target}, {dangling, filepath.Join(dir, "real", "next-model")}} {
		if err := atomicfile.Write(c.link, writeString("new")); err != nil {
			t.Fatal(err)
		}
		if info, err := os.Lstat(c.link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a link: %v %v", c.link, info, err)
		}
		if got := readFile(t, c.target); got != "new" {
			t.Errorf("%s holds %q", c.target, got)
		}
	}
	if got := perm(t, target); got != 0o600 {
		t.Errorf("the target's mode became %v", got)
	}
	if got := names(t, filepath.Join(dir, "real")); !slices.Equal(got, []string{"model", "next-model"}) {
		t.Errorf("the target's directory holds %v", got)
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(loop, writeString("x")); err == nil {
		t.Error("a link to itself was written")
	}
}

// A device cannot be replaced by a rename: it is written in place, and its
// errors (the full disk of /dev/full) are reported.
func TestWriteWritesADeviceDirectly(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	if err := atomicfile.Write("/dev/null", writeString("discarded")); err != nil {
		t.Errorf("writing /dev/null: %v", err)
	}
	if err := atomicfile.CheckWritable("/dev/null"); err != nil {
		t.Errorf("CheckWritable(/dev/null): %v", err)
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		if err := atomicfile.Write("/dev/full", writeString("x")); err == nil {
			t.Error("writing /dev/full succeeded")
		}
	}
}

// The paths Write cannot write are refused by CheckWritable and by Write,
// naming the path asked for rather than a temporary name, and neither
// leaves anything behind.
func TestWriteAndCheckWritableRefuseWhatCannotBeWritten(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, path, want string
	}{
		{"a directory", dir, "is a directory"},
		{"a missing directory", filepath.Join(dir, "no", "such", "out.csv"), "cannot create out.csv in directory " + filepath.Join(dir, "no", "such")},
		{"no name", "", "no file name"},
	} {
		for _, f := range []struct {
			name string
			call func(string) error
		}{{"CheckWritable", atomicfile.CheckWritable}, {"Write", func(p string) error { return atomicfile.Write(p, writeString("x")) }}} {
			if err := f.call(c.path); err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), ".tmp") {
				t.Errorf("%s of %s: %v; want an error saying %q", f.name, c.name, err, c.want)
			}
		}
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("the directory holds %v", got)
	}
	path := filepath.Join(dir, "ok.svg")
	if err := atomicfile.CheckWritable(path); err != nil {
		t.Errorf("CheckWritable of a new file: %v", err)
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("CheckWritable left %v", got)
	}
}

// The temporary file is named .NAME.tmp-* beside the file, so a leftover
// of a killed process is recognisable, and it goes also when the rename
// fails (here because a directory took the path while the file was being
// written).
func TestReplaceNamesItsTemporaryFileAndRemovesItWhenTheRenameFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := atomicfile.Replace(path, 0o644, func(w io.Writer) error {
		if temps, _ := filepath.Glob(filepath.Join(dir, ".m.safetensors.tmp-*")); len(temps) != 1 {
			t.Errorf("while writing, the directory holds temporary files %v, want one named .m.safetensors.tmp-*", temps)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		return os.Mkdir(path, 0o755)
	})
	if err == nil || !strings.Contains(err.Error(), "rename") {
		t.Fatalf("Replace: %v, want the rename's error", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"m.safetensors"}) {
		t.Errorf("after the error the directory holds %v, want only m.safetensors", got)
	}
}

// Replace gives a new file the bits its caller names, less the umask (as
// os.OpenFile does), and keeps an existing file's bits exactly.
func TestReplaceGivesANewFileItsPermAndKeepsAnOldOnesMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no permission bits to keep")
	}
	dir := t.TempDir()
	ref, err := os.OpenFile(filepath.Join(dir, "ref"), os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	ref.Close()
	path := filepath.Join(dir, "new.safetensors")
	if err := atomicfile.Replace(path, 0o640, writeString("new")); err != nil {
		t.Fatal(err)
	}
	if got, want := perm(t, path), perm(t, ref.Name()); got != want || readFile(t, path) != "new" {
		t.Errorf("a new file: mode %v holding %q, want %v as os.OpenFile gives, holding \"new\"", got, readFile(t, path), want)
	}
	if err := os.Chmod(path, 0o604); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Replace(path, 0o640, writeString("newer")); err != nil {
		t.Fatal(err)
	}
	if got := perm(t, path); got != 0o604 || readFile(t, path) != "newer" {
		t.Errorf("a replaced file: mode %v holding %q, want its own 0604 holding \"newer\"", got, readFile(t, path))
	}
}

// Replace writes only regular files: a directory, a named pipe or a
// device at the path, or at the end of a link, is refused with
// ErrNotRegular and left as it was, where Write would write the pipe or the
// device in place.
func TestReplaceRefusesADirectoryPipeOrDevice(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{dir: "is a directory, not a regular file"}
	fifo := filepath.Join(dir, "ck.fifo")
	hasFIFO := mkfifo(fifo) == nil
	if hasFIFO {
		cases[fifo] = "is a named pipe, not a regular file"
		link := filepath.Join(dir, "fifo-link")
		if err := os.Symlink("ck.fifo", link); err != nil {
			t.Fatal(err)
		}
		cases[link] = "is a named pipe, not a regular file"
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		cases["/dev/null"] = "is a device, not a regular file"
	}
	for path, want := range cases {
		err := atomicfile.Replace(path, 0o644, writeString("x"))
		if !errors.Is(err, atomicfile.ErrNotRegular) || !strings.Contains(err.Error(), want) {
			t.Errorf("Replace(%s): %v, want ErrNotRegular saying %q", path, err, want)
		}
	}
	if info, err := os.Lstat(fifo); hasFIFO && (err != nil || info.Mode()&fs.ModeNamedPipe == 0) {
		t.Errorf("the named pipe is now %v (%v)", info, err)
	}
}
