package checkpoint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
	"graft/layers"
	"graft/ops"
)

// writeTorchStateDict writes, into dir, the file that
//
//	model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
//	safetensors.torch.save_file(model.state_dict(), path)
//
// writes for the weights below: tensors named after the module's index in
// the Sequential and the parameter's name, each weight (out, in).
func writeTorchStateDict(dir string) string {
	g := graph.New()
	torch := func(name string, values []float64, shape ...int) *graph.Node {
		t, _ := graph.NewTensor(tensor.Float32, values, shape...)
		return g.Param(name, t)
	}
	path := filepath.Join(dir, "mlp.safetensors")
	checkpoint.Save(path, []*graph.Node{
		torch("0.weight", []float64{1, -1, 0.5, 2, -1, 0}, 3, 2),
		torch("0.bias", []float64{0, 1, 0.5}, 3),
		torch("2.weight", []float64{1, 2, 3}, 1, 3),
		torch("2.bias", []float64{-1}, 1),
	})
	return path
}

// Import a PyTorch model saved as safetensors into graft layers: rename
// the state_dict's names to the layers' parameters, and transpose each
// nn.Linear weight, (out, in), into a Dense W, (in, out). A convolution's
// weight needs no transposing: layers.Conv keeps PyTorch's layout. Strict
// loading refuses a file that does not match; either way the Report lists
// what the file holds.
func ExampleLoadWith_pyTorch() {
	dir, _ := os.MkdirTemp("", "graft")
	defer os.RemoveAll(dir)
	path := writeTorchStateDict(dir)

	g := graph.New()
	m := layers.NewModel(1)
	x := g.Input("x", tensor.Float32, 1, 2)
	y := layers.Sequential{m.Dense(3, ops.ReLU), m.Dense(1, nil)}.Apply(x)

	graftNames := map[string]string{"0.weight": "dense1/W", "0.bias": "dense1/b", "2.weight": "dense2/W", "2.bias": "dense2/b"}
	report, err := checkpoint.LoadWith(path, m.Params(), checkpoint.Options{
		Strict: true,
		Rename: func(name string) string {
			if n, ok := graftNames[name]; ok {
				return n
			}
			return name // reported as unexpected, where "" would skip it
		},
		Transpose: func(param string) bool { return strings.HasSuffix(param, "/W") }, // every W here is a Dense's
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(report)
	fmt.Println("dense1/W:", m.Lookup("dense1/W").Value().Float32s())

	prog, _ := graph.Compile(y)
	xs, _ := graph.NewTensor(tensor.Float32, []float64{1, 2}, 1, 2)
	out, _ := prog.Run(graph.Feeds{x: xs})
	// relu(W₀x + b₀) = relu([-1, 5.5, -0.5]) = [0, 5.5, 0]; W₂·that + b₂ = 11 - 1.
	fmt.Println("y:", out[0].Float32s())
	// Output:
	// loaded 4 of 4 parameters
	// the file holds 4 tensors:
	//   "0.bias" F32 (3,)
	//   "0.weight" F32 (3, 2)
	//   "2.bias" F32 (1,)
	//   "2.weight" F32 (1, 3)
	// dense1/W: [1 0.5 -1 -1 2 0]
	// y: [10]
}
