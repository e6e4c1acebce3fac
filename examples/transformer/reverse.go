package main

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"graft/graph"
)

// The reversal task: a sequence of n digits, a separator, then the same
// digits reversed. A decoder reads
//
//	d₁ … dₙ SEP r₁ … rₙ₋₁
//
// and must predict r₁ … rₙ = dₙ … d₁ at the last n steps (the separator's
// step predicts r₁). Step n+k must fetch the digit at step n−k from far
// back: no fixed window and no counting of digits does it, only attention
// keyed on position.
const (
	digits    = 10
	separator = digits // the token after the ten digits
)

// reversal draws the task's sequences and scores the model on them.
type reversal struct {
	n       int        // digits per sequence
	rng     *rand.Rand // training sequences
	heldOut [][]int64  // the digits of the held-out sequences
	seen    map[string]bool
}

func newReversal(n, heldOut int, seed uint64) *reversal {
	r := &reversal{n: n, rng: rand.New(rand.NewPCG(seed, 1)), seen: make(map[string]bool)}
	held := rand.New(rand.NewPCG(seed, 2))
	for len(r.heldOut) < heldOut {
		d := make([]int64, n)
		for i := range d {
			d[i] = held.Int64N(digits)
		}
		if key := string(digitBytes(d)); !r.seen[key] {
			r.seen[key] = true
			r.heldOut = append(r.heldOut, d)
		}
	}
	return r
}

func digitBytes(d []int64) []byte {
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = byte('0' + v)
	}
	return b
}

// context is the length of the model's input, 2n.
func (r *reversal) context() int { return 2 * r.n }

// weight counts the loss at the last n steps only.
func (r *reversal) weight() []float64 {
	w := make([]float64, r.context())
	for t := r.n; t < r.context(); t++ {
		w[t] = 1
	}
	return w
}

// fill writes sequence d into row i of ids and targets.
func (r *reversal) fill(ids, targets []int64, i int, d []int64) {
	n, t := r.n, r.context()
	full := make([]int64, 0, t+1)
	full = append(full, d...)
	full = append(full, separator)
	for k := n - 1; k >= 0; k-- {
		full = append(full, d[k])
	}
	copy(ids[i*t:(i+1)*t], full[:t])
	copy(targets[i*t:(i+1)*t], full[1:])
}

// next fills b with fresh training sequences, none of them held out.
func (r *reversal) next(b *batch) {
	d := make([]int64, r.n)
	for i := range b.rows {
		for {
			for j := range d {
				d[j] = r.rng.Int64N(digits)
			}
			if !r.seen[string(digitBytes(d))] {
				break
			}
		}
		r.fill(b.ids, b.targets, i, d)
	}
}

// accuracy is the share of output digits right on the held-out sequences,
// two ways: teacher-forced (every step sees the true digits before it, as
// in training) and generated (greedy decoding: each predicted digit is fed
// back as the next input), and the share of sequences generated entirely
// right.
type accuracy struct {
	Forced, Generated, Sequences float64
}

// heldOutBatches calls score on the held-out sequences, evalBatch at a
// time, filled into b (the last batch padded with copies of its last
// sequence); rows is how many of b's rows are real.
func (r *reversal) heldOutBatches(tr *trainer, score func(b *batch, start, rows int) error) error {
	eb := tr.dec.cfg.evalBatch
	b := newBatch(eb, r.context(), r.weight(), tr.dec.cfg.dtype)
	for start := 0; start < len(r.heldOut); start += eb {
		rows := min(eb, len(r.heldOut)-start)
		for i := range eb {
			r.fill(b.ids, b.targets, i, r.heldOut[start+min(i, rows-1)])
		}
		if err := score(b, start, rows); err != nil {
			return err
		}
	}
	return nil
}

// forcedRight counts the output digits the model predicts right when it is
// given the true digits before each, in the first rows of b.
func (r *reversal) forcedRight(tr *trainer, b *batch, rows int) (int, error) {
	out, err := tr.eval.Run(graph.Feeds{tr.evalIDs: b.idsT})
	if err != nil {
		return 0, err
	}
	pred, t, right := argmaxLast(out[0]), r.context(), 0
	for i := range rows {
		for k := r.n; k < t; k++ {
			if pred[i*t+k] == b.targets[i*t+k] {
				right++
			}
		}
	}
	return right, nil
}

// generate decodes every row of b greedily from its digits and separator
// and returns the n digits of each row. The causal mask makes a step's
// prediction independent of the inputs after it, so one run over the whole
// padded sequence per generated digit suffices. It overwrites b's ids
// after the separator.
func (r *reversal) generate(tr *trainer, b *batch) ([]int64, error) {
	t, n := r.context(), r.n
	for i := range b.rows {
		clear(b.ids[i*t+n+1 : (i+1)*t])
	}
	gen := make([]int64, b.rows*n)
	for k := range n {
		out, err := tr.eval.Run(graph.Feeds{tr.evalIDs: b.idsT})
		if err != nil {
			return nil, err
		}
		pred := argmaxLast(out[0])
		for i := range b.rows {
			gen[i*n+k] = pred[i*t+n+k]
			if n+k+1 < t {
				b.ids[i*t+n+k+1] = pred[i*t+n+k]
			}
		}
	}
	return gen, nil
}

// evaluate scores tr's model on the held-out sequences.
func (r *reversal) evaluate(tr *trainer) (accuracy, error) {
	n := r.n
	var forced, generated, sequences int
	err := r.heldOutBatches(tr, func(b *batch, start, rows int) error {
		right, err := r.forcedRight(tr, b, rows)
		if err != nil {
			return err
		}
		forced += right
		gen, err := r.generate(tr, b)
		if err != nil {
			return err
		}
		for i := range rows {
			right := 0
			for k := range n {
				if gen[i*n+k] == r.heldOut[start+i][n-1-k] {
					right++
				}
			}
			generated += right
			if right == n {
				sequences++
			}
		}
		return nil
	})
	total := float64(len(r.heldOut))
	return accuracy{
		Forced:    float64(forced) / (total * float64(n)),
		Generated: float64(generated) / (total * float64(n)),
		Sequences: float64(sequences) / total,
	}, err
}

// evaluateForced is the teacher-forced token accuracy alone: one run per
// evalBatch held-out sequences, cheap enough to log during training.
func (r *reversal) evaluateForced(tr *trainer) (float64, error) {
	right := 0
	err := r.heldOutBatches(tr, func(b *batch, _, rows int) error {
		k, err := r.forcedRight(tr, b, rows)
		right += k
		return err
	})
	return float64(right) / float64(len(r.heldOut)*r.n), err
}

// show returns the first k held-out sequences with their greedy outputs.
func (r *reversal) show(tr *trainer, k int) (string, error) {
	var s string
	err := r.heldOutBatches(tr, func(b *batch, start, rows int) error {
		if start > 0 {
			return nil
		}
		gen, err := r.generate(tr, b)
		if err != nil {
			return err
		}
		n := r.n
		for i := range min(k, rows) {
			want := make([]int64, n)
			for j := range n {
				want[j] = r.heldOut[i][n-1-j]
			}
			got, mark := digitBytes(gen[i*n:(i+1)*n]), "right"
			if string(got) != string(digitBytes(want)) {
				mark = "wrong, want " + string(digitBytes(want))
			}
			s += fmt.Sprintf("  %s -> %s  (%s)\n", digitBytes(r.heldOut[i]), got, mark)
		}
		return nil
	})
	return s, err
}

// attentionMap returns every block's attention weights (heads, T, T) on
// the first held-out sequence, teacher-forced, and the tokens of its steps.
func (r *reversal) attentionMap(tr *trainer) ([]*tensor.Dense, []string, error) {
	eb, t := tr.dec.cfg.evalBatch, r.context()
	b := newBatch(eb, t, r.weight(), tr.dec.cfg.dtype)
	for i := range eb {
		r.fill(b.ids, b.targets, i, r.heldOut[0])
	}
	out, err := tr.eval.Run(graph.Feeds{tr.evalIDs: b.idsT})
	if err != nil {
		return nil, nil, err
	}
	tokens := make([]string, t)
	for j, id := range b.ids[:t] {
		tokens[j] = "|"
		if id < digits {
			tokens[j] = string(rune('0' + id))
		}
	}
	var blocks []*tensor.Dense
	for _, w := range out[1:] {
		blocks = append(blocks, firstOfBatch(w))
	}
	return blocks, tokens, nil
}

// firstOfBatch copies the first sequence's (heads, T, T) weights out of a
// (batch, heads, T, T) tensor.
func firstOfBatch(w *tensor.Dense) *tensor.Dense {
	s := w.Shape()
	size := s[1] * s[2] * s[3]
	return tensor.New(tensor.WithShape(s[1], s[2], s[3]), tensor.WithBacking(graph.Float64s(w)[:size]))
}
