//go:build unix

package checkpoint_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
)

// bigModel is one float32 parameter of 100 000 values, so that its file
// (400 kB) is larger than a pipe's buffer and a writer must wait for Load.
func bigModel(fill float64) []*graph.Node {
	data := make([]float64, 100_000)
	for i := range data {
		data[i] = fill + float64(i)
	}
	return []*graph.Node{param(graph.New(), "big", tensor.Float32, data, len(data))}
}

// pipePath returns a path that opens the read end of a new pipe, as bash's
// <(...) does, and the pipe's write end. It skips the test where /dev/fd
// does not exist.
func pipePath(t *testing.T) (string, *os.File) {
	t.Helper()
	if _, err := os.Stat("/dev/fd"); err != nil {
		t.Skip("no /dev/fd on this system")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return fmt.Sprintf("/dev/fd/%d", r.Fd()), w
}

// mustNotHang fails the test instead of hanging it if done is not closed
// once the test's own work should long be over; release unblocks the call.
func mustNotHang(t *testing.T, done <-chan struct{}, release func()) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(time.Minute):
		release()
		t.Fatal("Load did not return: it waits for a writer")
	}
}

func TestLoadReadsAPipeAsAStream(t *testing.T) {
	var file bytes.Buffer
	saved := bigModel(1)
	if err := checkpoint.Write(&file, saved); err != nil {
		t.Fatal(err)
	}
	path, w := pipePath(t)
	go func() {
		w.Write(file.Bytes())
		w.Close()
	}()
	loaded := bigModel(-5)
	if err := checkpoint.Load(path, loaded); err != nil {
		t.Fatalf("Load of a pipe: %v", err)
	}
	mustEqualBits(t, "loaded through a pipe", bits(loaded), bits(saved))
}

func TestLoadOfAPipeReportsTruncationAndTrailingBytes(t *testing.T) {
	var file bytes.Buffer
	if err := checkpoint.Write(&file, model()); err != nil {
		t.Fatal(err)
	}
	good := file.Bytes()
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"cut short", good[:len(good)-1], `the data is cut short in tensor "w"`},
		{"bytes after the data", append(append([]byte(nil), good...), 0), "bytes follow the last tensor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, w := pipePath(t)
			go func() {
				w.Write(c.data)
				w.Close()
			}()
			params := model()
			before := bits(params)
			err := checkpoint.Load(path, params)
			if !errors.Is(err, checkpoint.ErrFormat) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load: %v, want an ErrFormat containing %q", err, c.want)
			}
			mustEqualBits(t, "params after the error", bits(params), before)
		})
	}
}

// An endless stream costs the header and the parameters' size, no more:
// Load stops at the first byte past the last tensor.
func TestLoadOfAnEndlessStreamStops(t *testing.T) {
	var file bytes.Buffer
	if err := checkpoint.Write(&file, model()); err != nil {
		t.Fatal(err)
	}
	path, w := pipePath(t)
	go func() {
		w.Write(file.Bytes())
		zeros := make([]byte, 64<<10)
		for {
			if _, err := w.Write(zeros); err != nil {
				return // the test closed the read end
			}
		}
	}()
	err := checkpoint.Load(path, model())
	if err == nil || !strings.Contains(err.Error(), "bytes follow the last tensor") {
		t.Fatalf("Load of an endless stream: %v, want an error about bytes after the last tensor", err)
	}
	w.Close()

	if _, err := os.Stat("/dev/zero"); err == nil {
		err := checkpoint.Load("/dev/zero", model())
		if !errors.Is(err, checkpoint.ErrFormat) || !strings.Contains(err.Error(), "/dev/zero: ") {
			t.Fatalf("Load of /dev/zero: %v, want an ErrFormat naming the file", err)
		}
	}
}

func TestLoadOfANamedPipeWithNoWriterFailsAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ck.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = checkpoint.Load(path, model())
	}()
	mustNotHang(t, done, func() {
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		<-done
	})
	if !errors.Is(err, checkpoint.ErrFormat) || !strings.Contains(err.Error(), "the named pipe has no writer") ||
		!strings.HasPrefix(err.Error(), "graft: checkpoint: "+path+": ") {
		t.Fatalf("Load of a named pipe with no writer: %v", err)
	}
}

func TestLoadReadsANamedPipeAWriterFilled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ck.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	// A reader of our own keeps the pipe's buffer alive, so the writer can
	// open, write and close before Load opens: the order is deterministic.
	holder, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	saved := model()
	saved[0].Value().Float32s()[1] = 42
	if err := checkpoint.Write(w, saved); err != nil {
		t.Fatal(err)
	}
	w.Close()
	loaded := model()
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = checkpoint.Load(path, loaded)
	}()
	mustNotHang(t, done, func() {
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		<-done
	})
	if err != nil {
		t.Fatalf("Load of a filled named pipe: %v", err)
	}
	mustEqualBits(t, "loaded from a named pipe", bits(loaded), bits(saved))
}

func TestLoadOfADirectoryIsAnError(t *testing.T) {
	dir := t.TempDir()
	err := checkpoint.Load(dir, model())
	if err == nil || !strings.Contains(err.Error(), "is a directory") || !strings.HasPrefix(err.Error(), "graft: checkpoint: ") {
		t.Fatalf("Load of a directory: %v", err)
	}
}
