package checkpoint_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
	"graft/layers"
	"graft/ops"
	"graft/optim"
)

// Save a training run's whole state at the end of an epoch and restore it
// in a new process: the same model built again, a fresh optimizer and a
// fresh generator, then LoadTraining. Here the "new process" is a second
// build in the same program.
func ExampleSaveTraining() {
	dir, _ := os.MkdirTemp("", "graft")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.safetensors")

	build := func() (*graph.Graph, *layers.Model) {
		g := graph.New()
		m := layers.NewModel(1)
		x := g.Input("x", tensor.Float32, 8, 2)
		g.SetTraining(true)
		layers.Sequential{m.Dense(4, ops.ReLU), m.BatchNorm(layers.BatchNormConfig{}), m.Dropout(0.1), m.Dense(1, nil)}.Apply(x)
		return g, m
	}

	g, m := build()
	shuffle := rand.NewPCG(1, 2) // the source of the rand.Rand that shuffles the data
	opt := optim.NewAdam(0.001)
	// ... train: Run the program, opt.Step, shuffle with rand.New(shuffle) ...
	err := checkpoint.SaveTraining(path, &checkpoint.TrainingState{
		Params: m.Params(), States: g.States(), Optimizer: opt,
		Epoch: 3, Step: 120, RNG: shuffle,
	})
	fmt.Println(err)

	g2, m2 := build()
	resumed := &checkpoint.TrainingState{
		Params: m2.Params(), States: g2.States(), Optimizer: optim.NewAdam(0.001),
		RNG: rand.NewPCG(0, 0),
	}
	fmt.Println(checkpoint.LoadTraining(path, resumed))
	fmt.Println("epoch", resumed.Epoch, "step", resumed.Step)
	for _, s := range resumed.States {
		fmt.Println(s.Name(), s.Shape())
	}
	// Output:
	// <nil>
	// <nil>
	// epoch 3 step 120
	// batchnorm1/running_mean (4,)
	// batchnorm1/running_var (4,)
	// rng/counter ()
}

// A non-strict load takes what fits and reports the rest, with what the
// file holds.
func ExampleLoadWith() {
	dir, _ := os.MkdirTemp("", "graft")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "xor.safetensors")
	checkpoint.Save(path, xorNet(1).Params()) // dense1 (2, 10), dense2 (10, 1)

	g := graph.New()
	m := layers.NewModel(2)
	layers.Sequential{m.Dense(10, ops.ReLU), m.Dense(3, nil)}.Apply(g.Input("x", tensor.Float32, 4, 2)) // another head
	report, err := checkpoint.LoadWith(path, m.Params(), checkpoint.Options{})
	fmt.Println(err)
	fmt.Print(report)
	// Output:
	// <nil>
	// loaded 2 of 4 parameters
	// mismatched: parameter "dense2/W" has shape (10, 3) in the model and (10, 1) in the file
	// mismatched: parameter "dense2/b" has shape (3,) in the model and (1,) in the file
	// the file holds 4 tensors:
	//   "dense1/W" F32 (2, 10)
	//   "dense1/b" F32 (10,)
	//   "dense2/W" F32 (10, 1)
	//   "dense2/b" F32 (1,)
}
