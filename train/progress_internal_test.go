package train

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// The live bar shows steps, rate, time left and the running loss, redrawn
// at most every redrawEvery; the epoch's line replaces it.
func TestProgressBarShowsStepsRateAndETA(t *testing.T) {
	var out bytes.Buffer
	at := time.Unix(0, 0)
	p := &progress{w: &out, terminal: true, now: func() time.Time { return at }}
	p.begin(4)
	for i := range 4 {
		at = at.Add(50 * time.Millisecond) // 20 steps/s
		p.step(float64(i))
	}
	// Redrawn at steps 2 (100 ms after the start) and 4 (the last).
	frames := strings.Split(out.String(), "\r\x1b[K")[1:]
	if len(frames) != 2 {
		t.Fatalf("%d redraws %q, want 2", len(frames), out.String())
	}
	if want := "2/4 [============>...........] 20.0 steps/s ETA 0:00 - loss: 0.5000"; frames[0] != want {
		t.Errorf("bar at step 2:\n%q, want\n%q", frames[0], want)
	}
	h := &History{Metrics: map[string][]float64{}}
	h.record("loss", 1.5)
	h.record("lr", 0.1)
	p.epoch(1, 2, h)
	if !strings.HasSuffix(out.String(), "\r\x1b[KEpoch 1/2 - loss: 1.5000 - 4 steps in 200ms\n") {
		t.Errorf("the epoch line: %q", out.String())
	}
	p.done()
	if strings.HasSuffix(out.String(), "\n\n") {
		t.Error("done added a blank line after a finished epoch")
	}
	if got := clock(3725 * time.Second); got != "1:02:05" {
		t.Errorf("clock of 3725 s = %q", got)
	}
}

// Lines mode writes the epoch line only; io.Discard gets nothing at all.
func TestProgressLinesAndDiscard(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, ProgressLines)
	p.begin(3)
	for range 3 {
		p.step(1)
	}
	h := &History{Metrics: map[string][]float64{}}
	h.record("loss", 1)
	h.record("lr", 0.1)
	h.record("lr", 0.05) // changed: shown
	p.epoch(2, 2, h)
	if got := out.String(); !strings.HasPrefix(got, "Epoch 2/2 - loss: 1.0000 - lr: 0.05 - 3 steps in ") || strings.Count(got, "\n") != 1 {
		t.Errorf("lines mode wrote %q", got)
	}
	q := newProgress(io.Discard, ProgressLines)
	if q.w != nil {
		t.Error("io.Discard is not quiet")
	}
}
