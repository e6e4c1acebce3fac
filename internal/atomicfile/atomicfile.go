// Package atomicfile writes a file so that a reader, or the next run after
// a crash or a power cut, finds either its old contents or all of the new
// ones, never a part, and no temporary file left behind.
//
// Write puts the bytes in a temporary file in the destination's directory
// (a rename is atomic only within one file system), flushes it to disk,
// renames it over the destination and flushes the directory, so the rename
// itself survives a power cut. A file that already exists keeps its
// permission bits; a new one gets those os.Create would give it (0666 less
// the umask). A symbolic link is written through: its target is replaced and
// the link stays. An existing device or pipe (/dev/null, /dev/stdout when it
// is a terminal, a FIFO) cannot be replaced and is written directly.
//
// Replace is Write for a file that must be a regular file, as a checkpoint
// must: it refuses a device or pipe, and gives a new file the permission
// bits its caller names.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
)

// ErrNotRegular is wrapped by the error about a path that names a
// directory, or, for Replace, a device, a pipe or another special file.
var ErrNotRegular = errors.New("not a regular file")

// Write writes what write produces to path, through a buffer. When write,
// a write to disk, the flush or the rename fails (a full disk, a panic in
// write), path is left as it was and the temporary file is removed.
func Write(path string, write func(io.Writer) error) error {
	return replace(path, 0o666, true, write)
}

// Replace is Write for a path that must end at a regular file, or at
// nothing yet: a directory, a device, a pipe or a socket at path, or at the
// end of its symbolic links, is an error wrapping ErrNotRegular, and path is
// not touched. A file that exists keeps its permission bits; a new one gets
// perm less the umask.
func Replace(path string, perm fs.FileMode, write func(io.Writer) error) error {
	return replace(path, perm, false, write)
}

// replace is Write, or with direct false, Replace; perm is what a new file
// gets, less the umask.
func replace(path string, perm fs.FileMode, direct bool, write func(io.Writer) error) error {
	dest, device, err := open(path, perm, direct)
	if err != nil {
		return err
	}
	if device != nil {
		return errors.Join(writeBuffered(device, write), device.Close())
	}
	f, err := createTemp(dest.path, dest.perm)
	if err != nil {
		return err
	}
	renamed := false
	defer func() { // on every path that does not rename, panics included
		if !renamed {
			f.Close() // a second Close after a failed one only reports it again
			os.Remove(f.Name())
		}
	}()
	if dest.exists { // the umask may have narrowed perm: give the old file's bits exactly, before any byte is written
		if err := f.Chmod(dest.perm); err != nil {
			return err
		}
	}
	if err := writeBuffered(f, write); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), dest.path); err != nil {
		return err
	}
	renamed = true
	return syncDir(filepath.Dir(dest.path))
}

// CheckWritable reports whether Write could write path now, so that a
// command can refuse a bad output path before hours of work rather than
// after: path must not be a directory, and its directory must let a file be
// created there (tried with a temporary file, removed at once), or an
// existing device or pipe must open for writing. It leaves nothing behind.
func CheckWritable(path string) error {
	dest, device, err := open(path, 0o666, true)
	if err != nil {
		return err
	}
	if device != nil {
		return device.Close()
	}
	f, err := createTemp(dest.path, 0o600)
	if err != nil {
		return err
	}
	return errors.Join(f.Close(), os.Remove(f.Name()))
}

// destination is what Write replaces: the file a path names after its
// symbolic links are followed, whether it exists and its permission bits, or
// direct when the path is a device or pipe to be written in place.
type destination struct {
	path   string
	exists bool
	perm   fs.FileMode
	direct bool
}

// open resolves path and, when it is a device or pipe and direct allows
// writing one, opens it for writing in place; perm is a new file's.
func open(path string, perm fs.FileMode, direct bool) (destination, *os.File, error) {
	dest, err := resolve(path, perm, direct)
	if err != nil || !dest.direct {
		return dest, nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	return dest, f, err
}

func resolve(path string, perm fs.FileMode, direct bool) (destination, error) {
	if path == "" {
		return destination{}, errors.New("no file name given")
	}
	info, err := os.Stat(path)
	switch {
	case err == nil && (info.IsDir() || !direct && !info.Mode().IsRegular()):
		return destination{}, fmt.Errorf("%s is a %s, %w", path, fileKind(info.Mode()), ErrNotRegular)
	case err == nil && !info.Mode().IsRegular():
		return destination{path: path, direct: true}, nil
	case err == nil:
		target, err := filepath.EvalSymlinks(path)
		return destination{path: target, exists: true, perm: info.Mode().Perm()}, err
	case errors.Is(err, fs.ErrNotExist):
		target, err := danglingTarget(path)
		return destination{path: target, perm: perm}, err
	}
	return destination{}, err
}

// fileKind names the type of a file that is not a regular file.
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

// maxLinks bounds the symbolic links danglingTarget follows, as the kernel
// bounds them (Linux allows 40), so a loop of links is an error.
const maxLinks = 40

// danglingTarget returns the path a new file at path would be created at:
// path itself, or, when path is a symbolic link to a file that does not
// exist yet, the end of its chain of links.
func danglingTarget(path string) (string, error) {
	for range maxLinks {
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || err == nil && info.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", fmt.Errorf("%s: more than %d levels of symbolic links", path, maxLinks)
}

// createTemp creates a new file beside path, named .NAME.tmp-DIGITS after
// it so that a leftover is recognisable, with permission bits perm less the
// umask.
// os.CreateTemp would always make it 0600.
func createTemp(path string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 10000 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) { // name the file asked for, not the temporary one
			return nil, fmt.Errorf("cannot create %s in directory %s: %w", base, filepath.Clean(dir), pathErr.Err)
		}
		return f, err
	}
	return nil, fmt.Errorf("cannot create %s: no unused temporary name in directory %s", base, filepath.Clean(dir))
}

// syncDir flushes a directory, so that a rename in it survives a power cut.
// Windows cannot open a directory for that, and makes renames durable
// itself; some file systems do not flush directories (EINVAL): there the
// rename is as durable as they make it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
		err = nil
	}
	return errors.Join(err, d.Close())
}

func writeBuffered(w io.Writer, write func(io.Writer) error) error {
	bw := bufio.NewWriter(w)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}
