package checkpoint_test

import (
	"bytes"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
)

// JSON would silently turn an invalid UTF-8 name into U+FFFD, so the file
// could not be loaded back into the same parameter: Write refuses it.
func TestWriteRejectsANameThatIsNotUTF8(t *testing.T) {
	g := graph.New()
	p := param(g, "bad\xffname", tensor.Float32, []float64{1}, 1)
	err := checkpoint.Write(&bytes.Buffer{}, []*graph.Node{p})
	if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("Write error %v, want a UTF-8 error", err)
	}
}
