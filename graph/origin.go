package graph

import (
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// userOrigin returns the file:line of the innermost caller outside graft's
// library packages: the line of user code that asked for a node. graft's own
// examples, commands and tests count as user code.
func userOrigin() string {
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	last := ""
	for {
		f, more := frames.Next()
		if f.File != "" {
			last = shortFile(f.File, f.Line)
			if !isLibraryFrame(f) {
				return last
			}
		}
		if !more {
			return last
		}
	}
}

func isLibraryFrame(f runtime.Frame) bool {
	if strings.HasSuffix(f.File, "_test.go") {
		return false
	}
	pkg := f.Function
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		if j := strings.Index(pkg[i:], "."); j >= 0 {
			pkg = pkg[:i+j]
		}
	}
	if !strings.HasPrefix(pkg, "graft/") {
		return false
	}
	return !strings.HasPrefix(pkg, "graft/examples/") && !strings.HasPrefix(pkg, "graft/cmd/")
}

func shortFile(file string, line int) string {
	dir, base := filepath.Split(file)
	return filepath.Join(filepath.Base(dir), base) + ":" + strconv.Itoa(line)
}
