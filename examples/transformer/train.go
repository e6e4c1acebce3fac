package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
)

// summary is the --json line of a run. A number that is not finite is null.
type summary struct {
	Task     string    `json:"task"`
	DType    string    `json:"dtype"`
	Params   int       `json:"params"`
	Steps    int       `json:"steps"`
	Loss     jsonFloat `json:"final_loss"` // mean of the last logged interval
	Seconds  float64   `json:"train_seconds"`
	StepLoss []float64 `json:"logged_loss"` // the mean loss of every logged interval
	// The reversal task's held-out scores.
	Length            int       `json:"length,omitempty"`
	HeldOut           int       `json:"held_out,omitempty"`
	ForcedAccuracy    float64   `json:"teacher_forced_token_accuracy,omitempty"`
	GeneratedAccuracy float64   `json:"generated_token_accuracy,omitempty"`
	SequenceAccuracy  float64   `json:"generated_sequence_accuracy,omitempty"`
	ForcedAccuracyLog []float64 `json:"logged_teacher_forced_accuracy,omitempty"`
	// The language model's.
	Text   string `json:"text,omitempty"`
	Vocab  int    `json:"vocab,omitempty"`
	Sample string `json:"sample,omitempty"`
}

// jsonFloat is a float64 that JSON writes as null when it is not finite.
type jsonFloat float64

// MarshalJSON writes f as a JSON number, or null when it is NaN or infinite.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

func dtypeOf(name string) graph.DType {
	if name == "float64" {
		return tensor.Float64
	}
	return tensor.Float32
}

// argmaxLast returns the index of the largest element of every row along
// the last axis of logits (batch, T, vocab).
func argmaxLast(logits *tensor.Dense) []int64 {
	s := logits.Shape()
	v := s[len(s)-1]
	values := graph.Float64s(logits)
	out := make([]int64, len(values)/v)
	for i := range out {
		row := values[i*v : (i+1)*v]
		best := 0
		for j, x := range row {
			if x > row[best] {
				best = j
			}
		}
		out[i] = int64(best)
	}
	return out
}

// fit runs the training loop: steps of tr on batches filled by next, a
// progress line (and a call of logged, if not nil) every o.logEvery steps.
// It stops early, with an error, when the loss stops being finite.
func fit(o options, tr *trainer, b *batch, next func(*batch), logged func(step int, loss float64) error, stdout io.Writer, s *summary) error {
	began := time.Now()
	sum, count := 0.0, 0
	for k := range o.steps {
		next(b)
		loss, err := tr.trainStep(k, o.steps, b)
		if err != nil {
			return fmt.Errorf("step %d: %w", k+1, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			s.Loss = jsonFloat(loss)
			return fmt.Errorf("step %d: the loss is %v; the model is not saved", k+1, loss)
		}
		sum += loss
		count++
		if (k+1)%o.logEvery == 0 || k+1 == o.steps {
			mean := sum / float64(count)
			s.StepLoss = append(s.StepLoss, mean)
			s.Loss = jsonFloat(mean)
			if !o.json {
				fmt.Fprintf(stdout, "step %*d/%d  loss %.4f  %.1fs", len(fmt.Sprint(o.steps)), k+1, o.steps, mean, time.Since(began).Seconds())
			}
			if logged != nil {
				if err := logged(k+1, mean); err != nil {
					return err
				}
			}
			if !o.json {
				fmt.Fprintln(stdout)
			}
			sum, count = 0, 0
		}
	}
	s.Steps = o.steps
	s.Seconds = time.Since(began).Seconds()
	return nil
}

// trainReversal is the default task: build, train, score on the held-out
// sequences, report, write the files.
func trainReversal(o options, stdout io.Writer) error {
	task := newReversal(o.length, o.heldOut, o.seed)
	dt := dtypeOf(o.dtype)
	dec := newDecoder(o.seed, config{
		vocab: digits + 1, context: task.context(), dModel: o.dModel, heads: o.heads, blocks: o.blocks,
		dropout: o.dropout, dtype: dt, batch: o.batchSize, evalBatch: min(o.heldOut, 250),
	})
	tr, err := newTrainer(dec, o.lr)
	if err != nil {
		return err
	}
	if o.load != "" {
		if err := checkpoint.Load(o.load, tr.params); err != nil {
			return fmt.Errorf("--load: %w", err)
		}
	}
	s := summary{Task: "reverse", DType: o.dtype, Params: dec.model.NumParams(), Length: o.length, HeldOut: o.heldOut}
	if !o.json {
		fmt.Fprintf(stdout, "reverse %d digits: %d blocks, d_model %d, %d heads, %d parameters, %s; Adam, peak learning rate %g, batch %d\n",
			o.length, o.blocks, o.dModel, o.heads, s.Params, o.dtype, o.lr, o.batchSize)
	}
	logged := func(step int, loss float64) error {
		if step%(o.logEvery*2) != 0 && step != o.steps {
			return nil
		}
		acc, err := task.evaluateForced(tr)
		if err != nil {
			return err
		}
		s.ForcedAccuracyLog = append(s.ForcedAccuracyLog, acc)
		if !o.json {
			fmt.Fprintf(stdout, "  held-out token accuracy %6.2f%%", 100*acc)
		}
		return nil
	}
	if err := fit(o, tr, newBatch(o.batchSize, task.context(), task.weight(), dt), task.next, logged, stdout, &s); err != nil {
		return err
	}
	acc, err := task.evaluate(tr)
	if err != nil {
		return err
	}
	s.ForcedAccuracy, s.GeneratedAccuracy, s.SequenceAccuracy = acc.Forced, acc.Generated, acc.Sequences
	if o.json {
		if err := json.NewEncoder(stdout).Encode(s); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "held-out: %d sequences never trained on; token accuracy %.2f%% teacher-forced, %.2f%% generated greedily; %.2f%% of sequences generated entirely right; %.1fs of training\n",
			o.heldOut, 100*acc.Forced, 100*acc.Generated, 100*acc.Sequences, s.Seconds)
		examples, err := task.show(tr, 3)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, examples)
	}
	return writeOutputs(o, tr, task.attentionMap)
}

// writeOutputs writes --save, --attention and --dot.
func writeOutputs(o options, tr *trainer, attention func(*trainer) ([]*tensor.Dense, []string, error)) error {
	if o.save != "" {
		if err := checkpoint.Save(o.save, tr.params); err != nil {
			return fmt.Errorf("--save: %w", err)
		}
	}
	if o.attention != "" {
		w, tokens, err := attention(tr)
		if err != nil {
			return err
		}
		if err := writeAttentionSVG(o.attention, w, tokens); err != nil {
			return fmt.Errorf("--attention: %w", err)
		}
	}
	if o.dot != "" {
		if err := writeBlockDOT(o.dot, tr.dec.cfg); err != nil {
			return fmt.Errorf("--dot: %w", err)
		}
	}
	return nil
}
