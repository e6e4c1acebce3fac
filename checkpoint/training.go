package checkpoint

import (
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/optim"
)

// The names of a training state's metadata entries and slot tensors; see
// TrainingState.
const (
	trainingFormat = "training-state/1"
	metaPrefix     = "graft."
	metaFormat     = metaPrefix + "format"
	metaEpoch      = metaPrefix + "epoch"
	metaStep       = metaPrefix + "step"
	metaOptimizer  = metaPrefix + "optimizer"
	metaLR         = metaPrefix + "learning_rate"
	metaSteps      = metaPrefix + "steps/"
	metaRNG        = metaPrefix + "rng"
	slotPrefix     = "optim/"
)

// RNG is a random-number generator whose state a training state saves, such
// as the source of the generator that shuffles the data: math/rand/v2's
// *rand.PCG and *rand.ChaCha8 are ones (a rand.Rand of v2 keeps no state
// beyond its source).
type RNG interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// TrainingState is everything a training run needs to go on after a stop
// as if it had not stopped, bit for bit: SaveTraining writes it and
// LoadTraining restores it into a freshly built model (the same layers in the
// same order, so the same names), a fresh optimizer of the same type and a
// fresh generator.
//
// Save at the end of an epoch, or keep what the loop derived from the
// generator yourself: an epoch's shuffled order, drawn at its start, is the
// loop's and not in the state, so a run stopped mid-epoch resumes exactly
// only if its order is saved too (in Metadata, say) or drawn anew from a
// generator saved before the draw. The graph's random-number counter makes
// dropout's masks resume exactly wherever the run stops.
//
// The file is a safetensors file like any other, so any safetensors reader
// can open it (and LoadWith can take the model's parameters out of it). It
// holds these tensors:
//
//	NAME              each parameter and each state, under its own name
//	optim/NAME/SLOT   each slot vector the optimizer keeps for parameter NAME
//	                  (optim/dense1/W/m, optim/dense1/W/v for Adam)
//
// and these __metadata__ entries, every number in decimal:
//
//	graft.format         "training-state/1"
//	graft.epoch          TrainingState.Epoch
//	graft.step           TrainingState.Step
//	graft.optimizer      the optimizer's Go type ("*optim.Adam"), if any
//	graft.learning_rate  its learning rate, printed so that it reads back exactly
//	graft.steps/NAME     the steps the optimizer has taken on parameter NAME
//	                     (Adam's t), for each parameter it has seen
//	graft.rng            the generator's MarshalBinary, in hex, if any
//
// beside the caller's own entries (Metadata), whose keys must not begin
// with "graft.".
type TrainingState struct {
	// Params are the trainable parameters, layers.Model.Params().
	Params []*graph.Node
	// States are the non-trainable states: batch norm's running statistics
	// (layers.Model.States()) and the graph's random-number counter
	// "rng/counter", which dropout reads; g.States() lists them all.
	States []*graph.Node
	// Optimizer's slots for each of Params and its learning rate are
	// saved; nil saves none. Its hyperparameters (Beta1, Momentum ...) are
	// the caller's to set alike, as they are when it is made.
	Optimizer optim.Stateful
	// Epoch and Step count what the run has done: epochs completed,
	// optimizer steps taken. LoadTraining sets them.
	Epoch, Step int
	// RNG is the generator that shuffles the data (its source: the PCG
	// given to rand.New); nil saves none.
	RNG RNG
	// Metadata holds the caller's own strings (a config, a data set's
	// name); LoadTraining sets it to the file's, less graft's entries.
	Metadata map[string]string
}

// slotName is the name of parameter p's slot vector called slot.
func slotName(p, slot string) string { return slotPrefix + p + "/" + slot }

// SaveTraining writes s to the file at path as Save writes a model (the
// file replaced atomically and durably), in the format described at
// TrainingState: a safetensors file with graft's metadata.
func SaveTraining(path string, s *TrainingState) error {
	ts, meta, err := s.tensors()
	if err != nil {
		return wrap(err)
	}
	return save(path, ts, meta)
}

// WriteTraining writes s to w as SaveTraining writes it to a file.
func WriteTraining(w io.Writer, s *TrainingState) error {
	ts, meta, err := s.tensors()
	if err == nil {
		err = writeTensors(w, ts, meta)
	}
	if err != nil {
		return wrap(err)
	}
	return nil
}

// tensors checks s and returns what its file holds.
func (s *TrainingState) tensors() ([]named, map[string]string, error) {
	if err := s.check(); err != nil {
		return nil, nil, err
	}
	ts, err := checkParams(append(append([]*graph.Node(nil), s.Params...), s.States...))
	if err != nil {
		return nil, nil, err
	}
	meta := map[string]string{
		metaFormat: trainingFormat,
		metaEpoch:  strconv.Itoa(s.Epoch),
		metaStep:   strconv.Itoa(s.Step),
	}
	for k, v := range s.Metadata {
		meta[k] = v
	}
	if s.Optimizer != nil {
		meta[metaOptimizer] = optimizerName(s.Optimizer)
		meta[metaLR] = strconv.FormatFloat(s.Optimizer.LearningRate(), 'g', -1, 64)
		seen := make(map[string]bool, len(ts))
		for _, t := range ts {
			seen[t.name] = true
		}
		names := s.Optimizer.SlotNames()
		for _, p := range s.Params {
			sl, ok := s.Optimizer.Slots(p)
			if !ok {
				continue
			}
			meta[metaSteps+p.Name()] = strconv.Itoa(sl.Steps)
			for i, v := range sl.Vectors {
				name := slotName(p.Name(), names[i])
				if err := checkName(name, "an optimizer slot", seen); err != nil {
					return nil, nil, err
				}
				ts = append(ts, named{name, p.DType(), p.Shape(), v})
			}
		}
	}
	if s.RNG != nil {
		b, err := s.RNG.MarshalBinary()
		if err != nil {
			return nil, nil, fmt.Errorf("the generator's state: %w", err)
		}
		meta[metaRNG] = hex.EncodeToString(b)
	}
	return ts, meta, nil
}

// check reports what no training state can hold.
func (s *TrainingState) check() error {
	if s == nil {
		return errors.New("the training state is nil")
	}
	for i, p := range s.Params {
		if p != nil && p.Kind() != graph.Param {
			return fmt.Errorf("Params[%d] %s is a %v, not a parameter (a state belongs in States)", i, quoteName(p.Name()), p.Kind())
		}
	}
	for i, p := range s.States {
		if p != nil && p.Kind() != graph.State {
			return fmt.Errorf("States[%d] %s is a %v, not a state", i, quoteName(p.Name()), p.Kind())
		}
	}
	switch {
	case s.Epoch < 0 || s.Step < 0:
		return fmt.Errorf("Epoch %d and Step %d must not be negative", s.Epoch, s.Step)
	case nilPointer(s.Optimizer):
		return fmt.Errorf("the Optimizer is a nil %s; make one (optim.NewAdam ...) or leave Optimizer nil", optimizerName(s.Optimizer))
	case nilPointer(s.RNG):
		return fmt.Errorf("the RNG is a nil %T; make one (rand.NewPCG ...) or leave RNG nil", s.RNG)
	}
	for k, v := range s.Metadata {
		switch {
		case strings.HasPrefix(k, metaPrefix):
			return fmt.Errorf("Metadata key %s begins with %q, which graft's own entries use", quoteName(k), metaPrefix)
		case !utf8.ValidString(k) || !utf8.ValidString(v):
			return fmt.Errorf("Metadata entry %s is not valid UTF-8, which a safetensors header needs", quoteName(k))
		}
	}
	return nil
}

// nilPointer reports whether v is an interface holding a nil pointer, such
// as a *optim.Adam declared and never made, whose methods would panic.
func nilPointer(v any) bool {
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Pointer && r.IsNil()
}

// optimizerName is what a file calls an optimizer: its Go type.
func optimizerName(o optim.Stateful) string { return fmt.Sprintf("%T", o) }

// LoadTraining restores a training state saved by SaveTraining into s:
// s.Params and s.States are written in place, s.Optimizer is given its slots
// for each of s.Params and its learning rate (SetSlots, SetLearningRate),
// s.RNG its state (UnmarshalBinary), and s.Epoch, s.Step and s.Metadata are
// set. Loading is strict: the file must hold exactly what s names, each
// tensor with its dtype and shape, the optimizer's slots for the optimizer's
// type, and a generator's state if and only if s.RNG is not nil; otherwise
// LoadTraining names each difference and changes nothing. It reads files
// and streams as Load does.
func LoadTraining(path string, s *TrainingState) error {
	return loadPath(path, func(r io.Reader, size int64) error { return s.read(r, size) })
}

// ReadTraining restores a training state from r as LoadTraining does.
func ReadTraining(r io.Reader, s *TrainingState) error {
	if err := s.read(r, -1); err != nil {
		return wrap(err)
	}
	return nil
}

// slotTargets are the targets of one parameter's slot vectors, in
// SlotNames order.
type slotTargets struct {
	param *graph.Node
	first int // the index of its first slot target
}

func (s *TrainingState) read(r io.Reader, size int64) error {
	if err := s.check(); err != nil {
		return err
	}
	targets, err := targetsOf(append(append([]*graph.Node(nil), s.Params...), s.States...), Options{})
	if err != nil {
		return err
	}
	var slots []slotTargets
	var names []string
	if s.Optimizer != nil {
		names = s.Optimizer.SlotNames()
		for _, p := range s.Params {
			slots = append(slots, slotTargets{p, len(targets)})
			for _, n := range names {
				targets = append(targets, target{name: slotName(p.Name(), n), dtype: p.DType(), shape: p.Shape(),
					dst: tensor.New(tensor.Of(p.DType()), tensor.WithShape(p.Shape()...)), optional: true})
			}
		}
	}
	st, err := stage(r, size, targets, Options{Strict: true})
	if st == nil {
		return err
	}
	// The metadata's mistakes come first: a file of another optimizer
	// also holds slot tensors that fit nothing, and saying so explains them.
	restore, metaErr := s.parseMeta(st.meta)
	if metaErr != nil {
		return metaErr
	}
	if err != nil {
		return err
	}
	loaded := make(map[*target]bool, len(st.loads))
	for _, l := range st.loads {
		loaded[l.target] = true
	}
	perParam := make([]optim.Slots, len(slots))
	for i, sl := range slots {
		steps, stepped := restore.steps[sl.param.Name()]
		delete(restore.steps, sl.param.Name())
		for k := range names {
			t := &targets[sl.first+k]
			switch {
			case loaded[t] && len(perParam[i].Vectors) < k:
				return mismatch("the file holds slot %s of parameter %s but not slot %s", names[k], quoteName(sl.param.Name()), names[len(perParam[i].Vectors)])
			case loaded[t] && !stepped:
				return formatError("the file holds slot %s of parameter %s but no %s", names[k], quoteName(sl.param.Name()), metaSteps+sl.param.Name())
			case loaded[t]:
				perParam[i].Vectors = append(perParam[i].Vectors, t.dst)
			}
		}
		perParam[i].Steps = steps
	}
	for _, k := range st.meta.keys { // in the file's order, not the map's
		if name, ok := strings.CutPrefix(k, metaSteps); ok {
			if _, left := restore.steps[name]; left {
				return mismatch("the file holds %s, and no parameter is named %s", quoteName(k), quoteName(name))
			}
		}
	}
	if s.RNG != nil {
		if err := s.RNG.UnmarshalBinary(restore.rng); err != nil {
			return mismatch("the generator does not take the state the file holds: %w", err)
		}
	}
	st.commit()
	for i, sl := range slots {
		if err := s.Optimizer.SetSlots(sl.param, perParam[i]); err != nil {
			return err
		}
	}
	if s.Optimizer != nil {
		s.Optimizer.SetLearningRate(restore.lr)
	}
	s.Epoch, s.Step, s.Metadata = restore.epoch, restore.step, restore.user
	return nil
}

// restored is what a training state's metadata holds.
type restored struct {
	epoch, step int
	lr          float64
	steps       map[string]int // by parameter name
	rng         []byte
	user        map[string]string
}

// parseMeta reads and checks a training state's metadata against s.
func (s *TrainingState) parseMeta(md metadata) (restored, error) {
	meta := md.values
	out := restored{steps: map[string]int{}, user: map[string]string{}}
	if meta[metaFormat] != trainingFormat {
		if v, ok := meta[metaFormat]; ok {
			return out, mismatch("the file is a %s, not a %s", quoteName(v), trainingFormat)
		}
		return out, mismatch("the file is not a training state (its metadata has no %s); a model's parameters load with Load or LoadWith", metaFormat)
	}
	count := func(key string) (int, error) {
		n, err := strconv.Atoi(meta[key])
		if err != nil || n < 0 {
			return 0, formatError("%s is %s; want a count", key, quoteName(meta[key]))
		}
		return n, nil
	}
	var err error
	if out.epoch, err = count(metaEpoch); err != nil {
		return out, err
	}
	if out.step, err = count(metaStep); err != nil {
		return out, err
	}
	name, saved := meta[metaOptimizer]
	switch {
	case s.Optimizer == nil && saved:
		return out, mismatch("the file holds the state of a %s and the training state has no Optimizer", name)
	case s.Optimizer != nil && !saved:
		return out, mismatch("the file holds no optimizer's state, and the training state's Optimizer is a %s", optimizerName(s.Optimizer))
	case s.Optimizer != nil && name != optimizerName(s.Optimizer):
		return out, mismatch("the file holds the state of a %s, and the training state's Optimizer is a %s", quoteName(name), optimizerName(s.Optimizer))
	case saved:
		if out.lr, err = strconv.ParseFloat(meta[metaLR], 64); err != nil {
			return out, formatError("%s is %s; want a number", metaLR, quoteName(meta[metaLR]))
		}
	}
	hexRNG, hasRNG := meta[metaRNG]
	switch {
	case s.RNG == nil && hasRNG:
		return out, mismatch("the file holds a generator's state (%s) and the training state has no RNG", metaRNG)
	case s.RNG != nil && !hasRNG:
		return out, mismatch("the file holds no generator's state (%s), and the training state has an RNG", metaRNG)
	case hasRNG:
		if out.rng, err = hex.DecodeString(hexRNG); err != nil {
			return out, formatError("%s is not hexadecimal: %s", metaRNG, quoteError(err))
		}
	}
	for _, k := range md.keys {
		v := meta[k]
		switch {
		case strings.HasPrefix(k, metaSteps):
			n, err := count(k)
			if err != nil {
				return out, err
			}
			out.steps[strings.TrimPrefix(k, metaSteps)] = n
		case !strings.HasPrefix(k, metaPrefix):
			out.user[k] = v
		}
	}
	if len(out.steps) > 0 && s.Optimizer == nil {
		return out, mismatch("the file holds an optimizer's step counts and the training state has no Optimizer")
	}
	return out, nil
}
