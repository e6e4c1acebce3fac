package train

import (
	"fmt"
	"io"
)

// ProgressMode says how Fit reports progress to Config.Progress.
type ProgressMode int

const (
	// ProgressAuto shows one line, rewritten in place, when Progress is a
	// terminal, and nothing otherwise, so a log or a pipe stays clean.
	ProgressAuto ProgressMode = iota
	// ProgressLines writes one line per reported epoch, like Keras' fit
	// with verbose=2, wherever Progress goes.
	ProgressLines
)

// progress writes Fit's per-epoch line.
type progress struct {
	w        io.Writer
	terminal bool
	wrote    bool
}

func newProgress(w io.Writer, mode ProgressMode) *progress {
	if mode != ProgressAuto {
		return &progress{w: w}
	}
	if w == nil || !isTerminal(w) {
		return &progress{}
	}
	return &progress{w: w, terminal: true}
}

func (p *progress) epoch(epoch, epochs int, h History) {
	if p.w == nil {
		return
	}
	line := fmt.Sprintf("Epoch %*d/%d - loss: %.4f", len(fmt.Sprint(epochs)), epoch, epochs, h.Loss[len(h.Loss)-1])
	if len(h.Accuracy) > 0 {
		line += fmt.Sprintf(" - accuracy: %.4f", h.Accuracy[len(h.Accuracy)-1])
	}
	if p.terminal {
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
	p.wrote = true
}

func (p *progress) done() {
	if p.terminal && p.wrote {
		fmt.Fprintln(p.w)
	}
}
