package train

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ProgressMode says how Fit reports progress to Config.Progress.
type ProgressMode int

const (
	// ProgressAuto shows, when Progress is a terminal, a live bar within
	// each epoch (steps done, steps per second, the time left and the
	// running loss) that the epoch's line replaces; anything else gets
	// nothing, so a log or a pipe stays clean.
	ProgressAuto ProgressMode = iota
	// ProgressLines writes one line per reported epoch, like Keras' fit
	// with verbose=2, wherever Progress goes.
	ProgressLines
)

// redrawEvery is how often the live bar is redrawn at most: often enough
// to look live, rarely enough that formatting it costs nothing next to the
// steps.
const redrawEvery = 100 * time.Millisecond

// progress writes Fit's live bar and per-epoch lines.
type progress struct {
	w        io.Writer
	terminal bool
	open     bool // a bar is drawn and its line not ended
	now      func() time.Time

	// the epoch running
	steps, stepsDone int
	lossSum          float64
	start, last      time.Time
}

func newProgress(w io.Writer, mode ProgressMode) *progress {
	if w == io.Discard {
		return &progress{}
	}
	if mode != ProgressAuto {
		return &progress{w: w, now: time.Now}
	}
	if w == nil || !isTerminal(w) {
		return &progress{}
	}
	return &progress{w: w, terminal: true, now: time.Now}
}

// begin starts an epoch of the given number of steps.
func (p *progress) begin(steps int) {
	if p.w == nil {
		return
	}
	p.steps, p.stepsDone, p.lossSum = steps, 0, 0
	p.start = p.now()
	p.last = p.start
}

// step counts a step of batch loss loss and redraws the bar on a terminal
// when it is due.
func (p *progress) step(loss float64) {
	if p.w == nil {
		return
	}
	p.stepsDone++
	p.lossSum += loss
	if !p.terminal {
		return
	}
	if now := p.now(); now.Sub(p.last) >= redrawEvery || p.stepsDone == p.steps {
		p.last = now
		fmt.Fprintf(p.w, "\r\x1b[K%s", p.bar(now))
		p.open = true
	}
}

// bar is the live line: "  120/469 [=====>......] 1234.5 steps/s ETA 0:03 - loss: 0.1234".
func (p *progress) bar(now time.Time) string {
	const width = 24
	filled := width * p.stepsDone / max(p.steps, 1)
	b := strings.Repeat("=", filled)
	if filled < width {
		b += ">" + strings.Repeat(".", width-filled-1)
	}
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(p.stepsDone) / max(elapsed, 1e-9)
	eta := time.Duration(float64(p.steps-p.stepsDone) / max(rate, 1e-9) * float64(time.Second))
	return fmt.Sprintf("%*d/%d [%s] %.1f steps/s ETA %s - loss: %.4f",
		len(fmt.Sprint(p.steps)), p.stepsDone, p.steps, b, rate, clock(eta), p.lossSum/float64(p.stepsDone))
}

// clock writes d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// epoch writes the line of an epoch: its loss and metrics, the validation
// ones, and how long it took.
func (p *progress) epoch(epoch, epochs int, h *History) {
	if p.w == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Epoch %*d/%d", len(fmt.Sprint(epochs)), epoch, epochs)
	for _, name := range h.Names {
		v, ok := h.Last(name)
		switch {
		case !ok:
		case name == "lr": // shown once something has changed it
			if lrs := h.Metrics["lr"]; lrs[0] != v || len(lrs) > 1 && lrs[len(lrs)-2] != v {
				fmt.Fprintf(&b, " - lr: %.3g", v)
			}
		default:
			fmt.Fprintf(&b, " - %s: %.4f", name, v)
		}
	}
	fmt.Fprintf(&b, " - %d steps in %s", p.stepsDone, p.now().Sub(p.start).Round(time.Millisecond))
	if p.terminal {
		fmt.Fprint(p.w, "\r\x1b[K") // the epoch's line replaces its bar
		p.open = false
	}
	fmt.Fprintln(p.w, b.String())
}

// done ends a bar left open by an epoch that did not finish.
func (p *progress) done() {
	if p.open {
		fmt.Fprintln(p.w)
	}
}
