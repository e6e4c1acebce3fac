package train

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// CSVLogger writes one row per epoch to W: a header "epoch,<metric>,..."
// before the first, then the epoch and every metric of the History in its
// Names order, as Keras' CSVLogger does. A metric missing from an epoch is
// an empty field.
type CSVLogger struct {
	W       io.Writer
	columns []string
}

// OnTrainBegin starts a new table.
func (c *CSVLogger) OnTrainBegin(s *State) error {
	c.columns = nil
	return nil
}

// OnEpochEnd writes the epoch's row, and the header before the first.
func (c *CSVLogger) OnEpochEnd(s *State) error {
	if c.W == nil {
		return fmt.Errorf("graft: CSVLogger: W is nil")
	}
	h := s.History
	var b strings.Builder
	if c.columns == nil {
		c.columns = append([]string(nil), h.Names...)
		b.WriteString("epoch")
		for _, n := range c.columns {
			b.WriteString("," + n)
		}
		b.WriteByte('\n')
	}
	b.WriteString(strconv.Itoa(s.Epoch))
	for _, n := range c.columns {
		b.WriteByte(',')
		if v, ok := h.Last(n); ok && len(h.Metrics[n]) == h.Epochs {
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(c.W, b.String())
	return err
}

// JSONLinesLogger writes one JSON object per epoch to W, a line each:
// {"epoch":1,"loss":0.69,...} with every metric of the History. NaN and
// infinite values, which JSON lacks, are written as null.
type JSONLinesLogger struct {
	W io.Writer
}

// OnEpochEnd writes the epoch's line.
func (j *JSONLinesLogger) OnEpochEnd(s *State) error {
	if j.W == nil {
		return fmt.Errorf("graft: JSONLinesLogger: W is nil")
	}
	var b strings.Builder
	b.WriteString(`{"epoch":` + strconv.Itoa(s.Epoch))
	for _, n := range s.History.Names {
		v, ok := s.History.Last(n)
		if !ok {
			continue
		}
		name, _ := json.Marshal(n) // a string always marshals
		b.WriteString("," + string(name) + ":")
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b.WriteString("null")
		} else {
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(j.W, b.String())
	return err
}
