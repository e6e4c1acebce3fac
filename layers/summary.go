package layers

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Summary writes a table of the model's layers, like Keras'
// model.summary(): each layer's name and type, the output shape of its
// first application, and its number of parameters, then the total count and
// the memory the parameters take. A layer not yet applied shows "?" and 0.
func (m *Model) Summary(w io.Writer) error {
	if w == nil {
		return errors.New("graft: Summary: the writer is nil")
	}
	rows := [][3]string{{"Layer (type)", "Output shape", "Param #"}}
	bytes := 0
	for _, c := range m.components {
		name, kind, out, params := c.summary()
		shape, count := "?", 0
		if out != nil {
			shape = out.String()
		}
		for _, p := range params {
			count += p.Shape().Size()
			bytes += p.Shape().Size() * int(p.DType().Size())
		}
		rows = append(rows, [3]string{name + " (" + kind + ")", shape, grouped(count)})
	}
	var width [3]int
	for _, r := range rows {
		for i, cell := range r {
			width[i] = max(width[i], len(cell))
		}
	}
	line := width[0] + width[1] + width[2] + 4
	var b strings.Builder
	for i, r := range rows {
		fmt.Fprintf(&b, "%-*s  %-*s  %*s\n", width[0], r[0], width[1], r[1], width[2], r[2])
		if i == 0 {
			b.WriteString(strings.Repeat("=", line) + "\n")
		}
	}
	b.WriteString(strings.Repeat("=", line) + "\n")
	fmt.Fprintf(&b, "Total params: %s (%s)\n", grouped(m.NumParams()), byteSize(bytes))
	_, err := io.WriteString(w, b.String())
	return err
}

// grouped prints n with thousands separators: 235146 as "235,146".
func grouped(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// byteSize prints a byte count in B, KiB or MiB.
func byteSize(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.2f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}
