package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// checkWritable reports, before any training, whether writeFile could
// later create or replace path: path must not be a directory, and its
// directory must let us create a file (tried with a temporary file that is
// removed at once) or, for an existing device or pipe, path itself must
// open for writing. It leaves nothing behind.
func checkWritable(path string) error {
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case err == nil && !info.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		return f.Close()
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".check*")
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err // the temporary name would only confuse
		}
		return fmt.Errorf("cannot create %s in directory %s: %w", filepath.Base(path), dir, err)
	}
	name := f.Name()
	return errors.Join(f.Close(), os.Remove(name))
}

// writeFile writes what write produces to path. A regular file is written
// to a temporary file beside it and renamed over path only once every
// write, the flush and the close have succeeded, so a failure (a full
// disk, a panic in write) leaves path as it was and no partial file. A
// device or pipe that already exists at path (/dev/stdout, /dev/full) is
// written directly.
func writeFile(path string, write func(io.Writer) error) error {
	if info, statErr := os.Stat(path); statErr == nil && !info.Mode().IsRegular() && !info.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		return errors.Join(writeBuffered(f, write), f.Close())
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			f.Close() // a second Close after a failed one only reports it again
			os.Remove(f.Name())
		}
	}()
	if err := writeBuffered(f, write); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	renamed = true
	return nil
}

func writeBuffered(w io.Writer, write func(io.Writer) error) error {
	bw := bufio.NewWriter(w)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}
