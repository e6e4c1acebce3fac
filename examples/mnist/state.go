package main

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"os"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
	"graft/layers"
	"graft/optim"
)

// trainingState is what --save writes and --load reads: a
// checkpoint.TrainingState of the model's parameters, the graph's states
// (for a model with dropout the random-number counter "rng/counter", which
// the dropout masks are drawn from), Adam's slots and step counts, and the
// epochs and steps done, so that a run resumed with the same flags goes on
// exactly as the run that saved it would have. The shuffle needs no
// generator in the file: every epoch's comes from epochSeed and the epoch's
// number.
//
// --load also takes the parameter checkpoints that earlier versions of the
// command wrote (checkpoint.Save of the parameters and the counter); such a
// run starts again at epoch 1 with a fresh Adam, as those versions did.
type trainingState struct {
	checkpoint.TrainingState
	plain *plainCheckpoint
}

// newTrainingState builds model's layers on a one-row input, in inference
// mode, so that their parameters exist before --load fills them, and for a
// model with dropout creates the graph's counter, which a training step
// would otherwise create only when built.
func newTrainingState(g *graph.Graph, model *layers.Model, net layers.Sequential, opt *optim.Adam, dt tensor.Dtype, pixels int) (*trainingState, error) {
	net.Apply(g.Input("build", dt, 1, pixels))
	if err := g.Err(); err != nil {
		return nil, err
	}
	if usesRandomness(net) {
		g.RandomCounter()
	}
	return &trainingState{
		TrainingState: checkpoint.TrainingState{Params: model.Params(), States: g.States(), Optimizer: opt},
		plain:         newPlainCheckpoint(g, model, net),
	}, nil
}

func (s *trainingState) save(path string) error {
	return checkpoint.SaveTraining(path, &s.TrainingState)
}

// load restores a training state, or the parameters of a plain checkpoint:
// a file whose metadata does not say it is a training state.
func (s *trainingState) load(path string) error {
	if !isTrainingState(path) {
		return s.plain.load(path)
	}
	return checkpoint.LoadTraining(path, &s.TrainingState)
}

// isTrainingState reports whether the safetensors file at path says in its
// metadata that it holds a training state (graft.format). A file it cannot
// read is taken for one, and LoadTraining reports what is wrong with it.
func isTrainingState(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	var size uint64
	if err := binary.Read(f, binary.LittleEndian, &size); err != nil || size > 100<<20 {
		return true
	}
	header := make([]byte, size)
	if _, err := io.ReadFull(f, header); err != nil {
		return true
	}
	var h struct {
		Metadata map[string]string `json:"__metadata__"`
	}
	if err := json.Unmarshal(header, &h); err != nil {
		return true
	}
	_, ok := h.Metadata["graft.format"]
	return ok
}

// plainCheckpoint is what earlier versions of the command saved: the
// model's parameters, its states, and for a model with dropout the graph's
// counter as the one-element vector file, under the counter's name
// (package checkpoint then refused scalar tensors).
type plainCheckpoint struct {
	nodes         []*graph.Node
	counter, file *graph.Node
}

func newPlainCheckpoint(g *graph.Graph, model *layers.Model, net layers.Sequential) *plainCheckpoint {
	c := &plainCheckpoint{nodes: append(append([]*graph.Node(nil), model.Params()...), model.States()...)}
	if usesRandomness(net) {
		c.counter, _ = g.RandomCounter()
		c.file = graph.New().State(c.counter.Name(), tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})))
		c.nodes = append(c.nodes, c.file)
	}
	return c
}

// save writes c as earlier versions did; the tests use it to make such a
// file.
func (c *plainCheckpoint) save(path string) error {
	if c.counter != nil {
		c.file.Value().Float64s()[0] = c.counter.Value().Float64s()[0]
	}
	return checkpoint.Save(path, c.nodes)
}

func (c *plainCheckpoint) load(path string) error {
	if err := checkpoint.Load(path, c.nodes); err != nil {
		return err
	}
	if c.counter != nil {
		c.counter.Value().Float64s()[0] = c.file.Value().Float64s()[0]
	}
	return nil
}
