package ops_test

import (
	"os"
	"strings"
	"testing"
)

// opTable returns the op names of the table in the package documentation
// (doc.go), with each op's gradient rule.
func opTable(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]string{}
	inTable := false
	for _, line := range strings.Split(string(src), "\n") {
		row, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			inTable = false
			continue
		}
		fields := strings.Fields(row)
		if len(fields) > 0 && fields[0] == "Op" {
			inTable = true
			continue
		}
		if inTable {
			rule := row[strings.Index(row, ")")+1:]
			table[fields[0]] = strings.TrimSpace(rule)
		}
	}
	return table
}

// TestTheOpTableListsEveryCheckedOp keeps the documentation's op table and
// the gradient-check table in step: every op checked there has a line in
// the documentation, and every op of the documentation is checked, unless
// its documented rule is "none, by design".
func TestTheOpTableListsEveryCheckedOp(t *testing.T) {
	documented := opTable(t)
	if len(documented) == 0 {
		t.Fatal("no op table in doc.go")
	}
	checked := map[string]bool{}
	for _, c := range gradCases() {
		op, _, _ := strings.Cut(c.name, " ")
		if strings.HasSuffix(op, ":") { // a composition such as "layer: ..."
			continue
		}
		checked[op] = true
		if documented[op] == "" {
			t.Errorf("op %s is gradient-checked but has no line in the op table of doc.go", op)
		}
	}
	for op, rule := range documented {
		if !checked[op] && rule != "none, by design" {
			t.Errorf("op %s is in the op table of doc.go but has no row in the gradient-check table", op)
		}
	}
}
