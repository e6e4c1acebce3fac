package train

import (
	"fmt"
	"io"
)

// progress prints one line per epoch, like Keras' fit with verbose=2; on a
// terminal it rewrites a single line in place instead.
type progress struct {
	w        io.Writer
	terminal bool
	wrote    bool
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, terminal: w != nil && isTerminal(w)}
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
