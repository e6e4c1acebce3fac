package graft_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// helloMain is the external module's program: it imports graft's packages
// by their import paths, as a user's code does, and prints x·x.
const helloMain = `package main

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/ops"
)

func main() {
	g := graph.New()
	x := g.Input("x", tensor.Float64, 3)
	prog, err := graph.Compile(ops.Mul(x, x))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := prog.Run(graph.Feeds{x: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3}))})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out[0].Float64s())
}
`

// TestAnotherModuleBuildsAgainstTheCheckout keeps the README's recipe for
// using graft from another module working: a module in a temporary
// directory imports graft/graph and graft/ops and is built and run against
// this checkout, once through a replace line and once through a go.work
// file. It runs offline once the module cache holds graft's dependencies
// (go test ./... fills it): the replace recipe copies graft's go.sum, so no
// checksum is looked up, and GOMODCACHE and GOPROXY are the caller's.
func TestAnotherModuleBuildsAgainstTheCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the go command")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	checkout, err := os.Getwd() // a test runs in its package's directory, here the module root
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(checkout, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		files map[string]string
		setup [][]string // go commands run before the build
		flags string     // added to GOFLAGS
	}{
		{
			name: "replace",
			files: map[string]string{
				"go.mod": "module example.com/hello\n\ngo 1.26.0\n\nrequire graft v0.0.0\n\nreplace graft => " + checkout + "\n",
				"go.sum": string(sum),
			},
			// -mod=mod lets go add the requirements graft brings (gorgonia.org/tensor ...).
			flags: "-mod=mod",
		},
		{
			name:  "go.work",
			files: map[string]string{"go.mod": "module example.com/hello\n\ngo 1.26.0\n"},
			setup: [][]string{{"work", "init", "."}, {"work", "use", checkout}},
			// A workspace takes its requirements from its modules; go refuses -mod=mod in one.
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.files["main.go"] = helloMain
			for name, text := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := append(os.Environ(), "GOFLAGS="+strings.TrimSpace(withoutModFlag(os.Getenv("GOFLAGS"))+" "+c.flags))
			if c.name != "go.work" {
				env = append(env, "GOWORK=off") // a go.work above the temporary directory must not take over
			}
			goCmd := func(args ...string) string {
				cmd := exec.Command(goTool, args...)
				cmd.Dir, cmd.Env = dir, env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			for _, args := range c.setup {
				goCmd(args...)
			}
			goCmd("build", "-o", filepath.Join(dir, "hello"), ".")
			if out := goCmd("run", "."); out != "[1 4 9]\n" {
				t.Fatalf("go run printed %q, want \"[1 4 9]\\n\"", out)
			}
		})
	}
}

// withoutModFlag removes any -mod flag from a GOFLAGS value, so that the
// caller's setting does not decide which recipe is tested.
func withoutModFlag(flags string) string {
	var kept []string
	for _, f := range strings.Fields(flags) {
		if !strings.HasPrefix(f, "-mod=") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}
