package checkpoint

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"graft/graph"
)

// newFileMode is the permission of a checkpoint Save creates; a file it
// replaces keeps its own.
const newFileMode fs.FileMode = 0o644

// maxLinks bounds how many symbolic links Save follows, as the kernel does.
const maxLinks = 40

// Save writes params to the file at path so that path holds either the old
// file or the whole new one, whatever happens: it writes a temporary file
// named .NAME.tmp-* (NAME being the file's name) in the same directory,
// flushes it to the disk, renames it over path and flushes the directory, so
// that neither a killed process nor a power cut leaves a truncated
// checkpoint. On an error Save removes its temporary file; a process killed
// during Save leaves it behind, and Save does not delete such files itself,
// since another Save of the same path may be writing one. They are safe to
// delete when no Save runs.
//
// A file that exists keeps its permission bits; a new one gets 0644. If path
// is a symbolic link, Save replaces the file the link points to and keeps
// the link. Anything else at path (a directory, a pipe, a device) is an
// error: Save writes regular files, and Write writes to any io.Writer.
func Save(path string, params []*graph.Node) error {
	if _, err := sorted(params); err != nil { // fail before touching the disk
		return wrap(err)
	}
	if err := save(path, func(w io.Writer) error { return Write(w, params) }); err != nil {
		return wrap(err)
	}
	return nil
}

// save writes a file at path through write, as Save describes.
func save(path string, write func(io.Writer) error) (err error) {
	target, mode, err := resolve(path)
	if err != nil {
		return err
	}
	dir, name := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if err != nil {
			f.Close()
			if !renamed {
				os.Remove(f.Name())
			}
		}
	}()
	if err := f.Chmod(mode); err != nil { // CreateTemp makes it 0600
		return err
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), target); err != nil {
		return err
	}
	renamed = true
	return syncDir(dir)
}

// resolve follows path through any symbolic links to the file Save should
// replace, and returns it with the permission bits the new file gets: the
// existing file's, or newFileMode when there is none.
func resolve(path string) (string, fs.FileMode, error) {
	at := path
	for range maxLinks {
		info, err := os.Lstat(at)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return at, newFileMode, nil // a new file, or a dangling link's target
		case err != nil:
			return "", 0, err
		case info.Mode().IsRegular():
			return at, info.Mode().Perm(), nil
		case info.Mode()&fs.ModeSymlink == 0:
			return "", 0, fmt.Errorf("%s is a %s, not a regular file; Save writes files (use Write for a stream)", at, fileKind(info.Mode()))
		}
		link, err := os.Readlink(at)
		if err != nil {
			return "", 0, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(at), link)
		}
		at = link
	}
	return "", 0, fmt.Errorf("%s: more than %d levels of symbolic links", path, maxLinks)
}

// fileKind names the type of a file that is neither regular nor a link.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// syncDir flushes a directory, so that a rename in it survives a power cut.
// Windows cannot open a directory for writing, and some file systems do not
// flush directories (EINVAL): there the rename is as durable as they make it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
