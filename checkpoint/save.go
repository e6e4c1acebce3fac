package checkpoint

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"graft/graph"
	"graft/internal/atomicfile"
)

// newFileMode is the permission of a checkpoint Save creates, less the
// umask; a file it replaces keeps its own.
const newFileMode fs.FileMode = 0o644

// Save writes params to the file at path so that path holds either the old
// file or the whole new one, whatever happens: it writes a temporary file
// named .NAME.tmp-* (NAME being the file's name) in the same directory,
// flushes it to the disk, renames it over path and flushes the directory, so
// that neither a killed process nor a power cut leaves a truncated
// checkpoint. On an error (a panic included) Save removes its temporary
// file; a process killed during Save leaves it behind, and Save does not
// delete such files itself, since another Save of the same path may be
// writing one. They are safe to delete when no Save runs.
//
// A file that exists keeps its permission bits; a new one gets 0644 less
// the umask. If path is a symbolic link, Save replaces the file the link
// points to and keeps the link. Anything else at path (a directory, a pipe,
// a device) is an error: Save writes regular files, and Write writes to any
// io.Writer.
func Save(path string, params []*graph.Node) error {
	ts, err := checkParams(params) // fail before touching the disk
	if err != nil {
		return wrap(err)
	}
	return save(path, ts, nil)
}

// save writes checked tensors and metadata to path as Save does.
func save(path string, ts []named, meta map[string]string) error {
	err := atomicfile.Replace(path, newFileMode, func(w io.Writer) error { return writeTensors(w, ts, meta) })
	if errors.Is(err, atomicfile.ErrNotRegular) {
		err = fmt.Errorf("%w; Save writes files (use Write for a stream)", err)
	}
	if err != nil {
		return wrap(err)
	}
	return nil
}
