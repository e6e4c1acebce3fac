package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// checkWritable reports, before any training, whether writeFile can later
// create or replace path: path must not be a directory, and its directory
// must let us create a file, which is tried and removed at once.
func checkWritable(path string) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".check*")
	if err != nil {
		return fmt.Errorf("cannot create %s in directory %s", filepath.Base(path), dir)
	}
	return errors.Join(f.Close(), os.Remove(f.Name()))
}

// writeFile writes what write produces to a temporary file beside path and
// renames it over path once the write and the close have succeeded, so a
// failure leaves path as it was.
func writeFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
