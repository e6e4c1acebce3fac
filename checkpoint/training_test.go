package checkpoint_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/autodiff"
	"graft/checkpoint"
	"graft/graph"
	"graft/layers"
	"graft/losses"
	"graft/ops"
	"graft/optim"
)

// run is one training run of a small model with batch norm and dropout,
// built from scratch as a resumed process would build it: the data and the
// model's seed are fixed, everything that changes is in its training state.
type run struct {
	g      *graph.Graph
	model  *layers.Model
	prog   *graph.Program
	x, y   *graph.Node
	xs, ys *tensor.Dense // the data set
	bx, by *tensor.Dense // one batch
	opt    optim.Stateful
	src    *rand.PCG // the shuffle's source
	rng    *rand.Rand
	epoch  int
	step   int
	losses []uint64 // the bits of every step's loss
}

const (
	rows  = 24
	batch = 8
)

func newRun(t *testing.T, dt graph.DType, opt optim.Stateful) *run {
	t.Helper()
	r := &run{g: graph.New(), model: layers.NewModel(7), opt: opt, src: rand.NewPCG(11, 12)}
	r.rng = rand.New(r.src)
	m := r.model
	net := layers.Sequential{m.Dense(6, ops.ReLU), m.BatchNorm(layers.BatchNormConfig{}), m.Dropout(0.25), m.Dense(1, nil)}
	r.x = r.g.Input("x", dt, batch, 3)
	r.y = r.g.Input("y", dt, batch, 1)
	r.g.SetTraining(true)
	loss := losses.MeanSquaredError(net.Apply(r.x), r.y)
	grads, err := autodiff.Grad(loss, m.Params()...)
	if err != nil {
		t.Fatal(err)
	}
	if r.prog, err = graph.Compile(append([]*graph.Node{loss}, grads...)...); err != nil {
		t.Fatal(err)
	}
	xv, yv := make([]float64, rows*3), make([]float64, rows)
	for i := range rows {
		a, b, c := math.Sin(float64(i)), math.Cos(1.3*float64(i)), float64(i%5)/5
		xv[3*i], xv[3*i+1], xv[3*i+2] = a, b, c
		yv[i] = a*b - c
	}
	r.xs, _ = graph.NewTensor(dt, xv, rows, 3)
	r.ys, _ = graph.NewTensor(dt, yv, rows, 1)
	r.bx, _ = graph.NewTensor(dt, make([]float64, batch*3), batch, 3)
	r.by, _ = graph.NewTensor(dt, make([]float64, batch), batch, 1)
	return r
}

// state is the run's training state.
func (r *run) state() *checkpoint.TrainingState {
	return &checkpoint.TrainingState{
		Params: r.model.Params(), States: r.g.States(), Optimizer: r.opt,
		Epoch: r.epoch, Step: r.step, RNG: r.src, Metadata: map[string]string{"data": "sin-cos"},
	}
}

// epochs trains n epochs, shuffling the rows with the run's generator at
// the start of each.
func (r *run) epochs(t *testing.T, n int) {
	t.Helper()
	for range n {
		order := r.rng.Perm(rows)
		for start := 0; start < rows; start += batch {
			copyRows(r.bx, r.xs, order[start:start+batch])
			copyRows(r.by, r.ys, order[start:start+batch])
			out, err := r.prog.Run(graph.Feeds{r.x: r.bx, r.y: r.by})
			if err != nil {
				t.Fatal(err)
			}
			r.losses = append(r.losses, tensorBits(out[0])[0])
			if err := r.opt.Step(r.model.Params(), out[1:]); err != nil {
				t.Fatal(err)
			}
			r.step++
		}
		r.epoch++
	}
}

// tensorBits returns the bit patterns of t's values.
func tensorBits(t *tensor.Dense) []uint64 {
	var out []uint64
	if t.Dtype() == tensor.Float32 {
		for _, v := range t.Float32s() {
			out = append(out, uint64(math.Float32bits(v)))
		}
		return out
	}
	for _, v := range t.Float64s() {
		out = append(out, math.Float64bits(v))
	}
	return out
}

func copyRows(dst, src *tensor.Dense, rows []int) {
	width := dst.Shape()[1]
	for i, row := range rows {
		if dst.Dtype() == tensor.Float32 {
			copy(dst.Float32s()[i*width:(i+1)*width], src.Float32s()[row*width:])
		} else {
			copy(dst.Float64s()[i*width:(i+1)*width], src.Float64s()[row*width:])
		}
	}
}

// everything is the bits of every number the run's future depends on.
func (r *run) everything() [][]uint64 {
	out := bits(append(append([]*graph.Node(nil), r.model.Params()...), r.g.States()...))
	for _, p := range r.model.Params() {
		sl, _ := r.opt.Slots(p)
		out = append(out, []uint64{uint64(sl.Steps)})
		for _, v := range sl.Vectors {
			out = append(out, tensorBits(v))
		}
	}
	return append(out, []uint64{r.rng.Uint64()}, []uint64{uint64(r.epoch), uint64(r.step)})
}

// Training 2 epochs, saving, building the run anew in a fresh graph,
// restoring and training 2 more gives the numbers of 4 epochs without a
// stop, bit for bit: every loss, parameter, batch-norm statistic, dropout
// mask (through the graph's random counter), optimizer slot and shuffle.
func TestResumedTrainingEqualsUninterruptedBitForBit(t *testing.T) {
	optimizers := []struct {
		name string
		make func() optim.Stateful
	}{
		{"Adam", func() optim.Stateful { return optim.NewAdam(0.01) }},
		{"AdamW", func() optim.Stateful { return optim.NewAdamW(0.01) }},
		{"SGD momentum", func() optim.Stateful { o := optim.NewSGD(0.05); o.Momentum = 0.9; return o }},
		{"RMSProp momentum", func() optim.Stateful { o := optim.NewRMSProp(0.01); o.Momentum = 0.5; return o }},
		{"Adagrad", func() optim.Stateful { return optim.NewAdagrad(0.05) }},
	}
	for _, dt := range []graph.DType{tensor.Float32, tensor.Float64} {
		for _, o := range optimizers {
			t.Run(o.name+"/"+graph.DTypeName(dt), func(t *testing.T) {
				whole := newRun(t, dt, o.make())
				whole.epochs(t, 4)

				first := newRun(t, dt, o.make())
				first.epochs(t, 2)
				first.opt.SetLearningRate(first.opt.LearningRate()) // a schedule's rate is saved as it stands
				path := filepath.Join(t.TempDir(), "train.safetensors")
				if err := checkpoint.SaveTraining(path, first.state()); err != nil {
					t.Fatal(err)
				}

				resumed := newRun(t, dt, o.make())
				fresh := newRun(t, dt, o.make()) // the same build, not restored
				st := resumed.state()
				st.Metadata = nil
				if err := checkpoint.LoadTraining(path, st); err != nil {
					t.Fatal(err)
				}
				if st.Epoch != 2 || st.Step != 2*rows/batch || st.Metadata["data"] != "sin-cos" || len(st.Metadata) != 1 {
					t.Fatalf("loaded epoch %d, step %d, metadata %v; want 2, %d and data=sin-cos only", st.Epoch, st.Step, st.Metadata, 2*rows/batch)
				}
				resumed.epoch, resumed.step, resumed.losses = st.Epoch, st.Step, append([]uint64(nil), first.losses...)
				resumed.epochs(t, 2)
				fresh.epoch, fresh.step, fresh.losses = 2, 2*rows/batch, append([]uint64(nil), first.losses...)
				fresh.epochs(t, 2)

				mustEqualBits(t, "losses", [][]uint64{resumed.losses}, [][]uint64{whole.losses})
				mustEqualBits(t, "state after the last step", resumed.everything(), whole.everything())
				if same(fresh.losses, whole.losses) {
					t.Fatal("a run that was not restored gave the same losses; the test proves nothing")
				}
			})
		}
	}
}

func same(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The file is a safetensors file like any other: LoadWith takes the model's
// parameters out of it and reports the rest.
func TestATrainingStateIsASafetensorsFile(t *testing.T) {
	r := newRun(t, tensor.Float32, optim.NewAdam(0.01))
	r.epochs(t, 1)
	var file bytes.Buffer
	if err := checkpoint.WriteTraining(&file, r.state()); err != nil {
		t.Fatal(err)
	}
	other := newRun(t, tensor.Float32, optim.NewAdam(0.01))
	report, err := checkpoint.ReadWith(bytes.NewReader(file.Bytes()), other.model.Params(), checkpoint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustEqualBits(t, "parameters", bits(other.model.Params()), bits(r.model.Params()))
	var unexpected []string
	for _, u := range report.Unexpected {
		unexpected = append(unexpected, u.Name)
	}
	// rng/counter is float64, so it comes first; the rest are float32, by name.
	want := "rng/counter batchnorm1/running_mean batchnorm1/running_var optim/batchnorm1/beta/m optim/batchnorm1/beta/v optim/batchnorm1/gamma/m"
	if got := strings.Join(unexpected, " "); !strings.HasPrefix(got, want) {
		t.Errorf("unexpected tensors %s, want the states and slots (%s ... rng/counter)", got, want)
	}
	if report.Metadata["graft.format"] != "training-state/1" || report.Metadata["graft.optimizer"] != "*optim.Adam" ||
		report.Metadata["graft.steps/dense1/W"] != "3" || report.Metadata["graft.epoch"] != "1" {
		t.Errorf("metadata %v", report.Metadata)
	}
}

// A training state that does not fit is refused, naming the difference,
// and nothing changes: not the parameters, not the optimizer, not the
// generator.
func TestLoadTrainingRefusesAStateThatDoesNotFit(t *testing.T) {
	r := newRun(t, tensor.Float64, optim.NewAdam(0.01))
	r.epochs(t, 1)
	var saved bytes.Buffer
	if err := checkpoint.WriteTraining(&saved, r.state()); err != nil {
		t.Fatal(err)
	}
	var model bytes.Buffer
	if err := checkpoint.Write(&model, r.model.Params()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		file   []byte
		change func(s *checkpoint.TrainingState)
		want   string
	}{
		{"another optimizer", saved.Bytes(), func(s *checkpoint.TrainingState) { s.Optimizer = optim.NewSGD(0.1) },
			`the file holds the state of a "*optim.Adam", and the training state's Optimizer is a *optim.SGD`},
		{"no optimizer", saved.Bytes(), func(s *checkpoint.TrainingState) { s.Optimizer = nil },
			"the file holds the state of a *optim.Adam and the training state has no Optimizer"},
		{"no generator", saved.Bytes(), func(s *checkpoint.TrainingState) { s.RNG = nil },
			"the file holds a generator's state (graft.rng) and the training state has no RNG"},
		{"another generator", saved.Bytes(), func(s *checkpoint.TrainingState) { s.RNG = rand.NewChaCha8([32]byte{}) },
			"the generator does not take the state the file holds"},
		{"states left out", saved.Bytes(), func(s *checkpoint.TrainingState) { s.States = nil },
			`the file holds tensor "batchnorm1/running_mean", which no parameter is named (loading is strict)`},
		{"a model's parameters only", model.Bytes(), func(*checkpoint.TrainingState) {},
			"the file is not a training state (its metadata has no graft.format)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fresh := newRun(t, tensor.Float64, optim.NewAdam(0.01))
			st := fresh.state()
			c.change(st)
			before := fresh.everything()
			fresh.src.Seed(11, 12) // everything drew from it
			err := checkpoint.ReadTraining(bytes.NewReader(c.file), st)
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, checkpoint.ErrMismatch) {
				t.Fatalf("ReadTraining: %v, want an ErrMismatch containing %q", err, c.want)
			}
			if st.Epoch != 0 || st.Step != 0 {
				t.Errorf("epoch %d, step %d after a refused load", st.Epoch, st.Step)
			}
			mustEqualBits(t, "after a refused load", fresh.everything(), before)
		})
	}
}

func TestSaveTrainingRefusesWhatItCannotSave(t *testing.T) {
	r := newRun(t, tensor.Float32, optim.NewAdam(0.01))
	cases := []struct {
		name   string
		change func(s *checkpoint.TrainingState)
		want   string
	}{
		{"nil", nil, "the training state is nil"},
		{"a state among the parameters", func(s *checkpoint.TrainingState) { s.Params = append(s.Params, s.States[0]) },
			`Params[6] "batchnorm1/running_mean" is a state, not a parameter (a state belongs in States)`},
		{"graft's metadata", func(s *checkpoint.TrainingState) { s.Metadata = map[string]string{"graft.epoch": "9"} },
			`Metadata key "graft.epoch" begins with "graft."`},
		{"a negative epoch", func(s *checkpoint.TrainingState) { s.Epoch = -1 }, "Epoch -1 and Step 0 must not be negative"},
		{"a nil optimizer", func(s *checkpoint.TrainingState) { var o *optim.Adam; s.Optimizer = o },
			"the Optimizer is a nil *optim.Adam; make one"},
		{"a nil generator", func(s *checkpoint.TrainingState) { var src *rand.PCG; s.RNG = src }, "the RNG is a nil *rand.PCG"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var st *checkpoint.TrainingState
			if c.change != nil {
				st = r.state()
				c.change(st)
			}
			var b bytes.Buffer
			err := checkpoint.WriteTraining(&b, st)
			if err == nil || !strings.Contains(err.Error(), c.want) || b.Len() != 0 {
				t.Fatalf("WriteTraining: %v (%d bytes written), want an error containing %q", err, b.Len(), c.want)
			}
		})
	}
}

// smallState is a training state without a program: the parameters of
// model(), a state, an Adam that has stepped once and a generator.
func smallState(t testing.TB) *checkpoint.TrainingState {
	params := model()
	g := params[0].Graph()
	counter, _ := g.RandomCounter()
	opt := optim.NewAdam(0.01)
	w := params[0] // only "w": a training state may hold slots for some parameters
	if err := opt.Step([]*graph.Node{w}, []*tensor.Dense{tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, -1}))}); err != nil {
		t.Fatal(err)
	}
	return &checkpoint.TrainingState{Params: params, States: []*graph.Node{counter}, Optimizer: opt, RNG: rand.NewPCG(1, 2)}
}

// FuzzReadTraining feeds ReadTraining and a non-strict ReadWith corrupt
// training states: neither may panic, and on an error neither may change
// anything, the optimizer and the generator included. The state is built
// once and reset for each input, so that the fuzzer's coverage comes from
// the reading alone.
func FuzzReadTraining(f *testing.F) {
	s := smallState(f)
	var valid bytes.Buffer
	if err := checkpoint.WriteTraining(&valid, s); err != nil {
		f.Fatal(err)
	}
	good := valid.Bytes()
	f.Add(good)
	for _, cut := range []int{0, 8, 100, len(good) - 1} {
		f.Add(good[:cut])
	}
	for _, at := range []int{9, 40, 80, 160, 240, len(good) - 1} {
		flipped := append([]byte(nil), good...)
		flipped[at] ^= 0x5a
		f.Add(flipped)
	}
	w := s.Params[0]
	slots, _ := s.Optimizer.Slots(w)
	nodes := append(slices.Clone(s.Params), s.States...)
	s.Params[0].Value().Float32s()[0] = 42
	start := bits(nodes)
	src := s.RNG.(*rand.PCG)
	plain := model()
	plainStart := bits(plain)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Reset what a successful read of the last input changed.
		setBits(nodes, start)
		if err := s.Optimizer.SetSlots(w, slots); err != nil {
			t.Fatal(err)
		}
		s.Optimizer.SetLearningRate(0.01)
		src.Seed(1, 2)
		if err := checkpoint.ReadTraining(bytes.NewReader(data), s); err != nil {
			if !errors.Is(err, checkpoint.ErrFormat) && !errors.Is(err, checkpoint.ErrMismatch) {
				t.Fatalf("error of neither kind: %v", err)
			}
			mustEqualBits(t, "after a failed ReadTraining", bits(nodes), start)
			after, _ := s.Optimizer.Slots(w)
			mustEqualBits(t, "slots after a failed ReadTraining", [][]uint64{tensorBits(after.Vectors[0]), {uint64(after.Steps)}},
				[][]uint64{tensorBits(slots.Vectors[0]), {uint64(slots.Steps)}})
			if s.Optimizer.LearningRate() != 0.01 || src.Uint64() != rand.NewPCG(1, 2).Uint64() {
				t.Fatal("a failed ReadTraining changed the optimizer's rate or the generator")
			}
		}
		setBits(plain, plainStart)
		if _, err := checkpoint.ReadWith(bytes.NewReader(data), plain, checkpoint.Options{Rename: strings.ToLower}); err != nil {
			mustEqualBits(t, "after a failed ReadWith", bits(plain), plainStart)
		}
	})
}

// setBits writes bit patterns that bits returned back into the nodes.
func setBits(nodes []*graph.Node, b [][]uint64) {
	for i, n := range nodes {
		for j, v := range b[i] {
			if n.DType() == tensor.Float32 {
				n.Value().Float32s()[j] = math.Float32frombits(uint32(v))
			} else {
				n.Value().Float64s()[j] = math.Float64frombits(v)
			}
		}
	}
}
