package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"gorgonia.org/tensor"

	"graft/checkpoint"
	"graft/graph"
)

// Limits of --text: the file is read whole, and every distinct character
// is a row of the embedding and a column of the head.
const (
	maxTextBytes = 64 << 20
	maxVocab     = 4096
)

// corpus is a text file as token ids, one per character (rune).
type corpus struct {
	ids   []int64
	chars []rune // chars[id] is the character of id, sorted
	index map[rune]int64
}

func readCorpus(path string, context int) (*corpus, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxTextBytes {
		return nil, fmt.Errorf("%s has %d bytes; at most %d are read", path, info.Size(), maxTextBytes)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("%s is not UTF-8 text", path)
	}
	text := []rune(string(raw))
	if len(text) < context+1 {
		return nil, fmt.Errorf("%s has %d characters; --context %d needs at least %d", path, len(text), context, context+1)
	}
	c := &corpus{index: make(map[rune]int64)}
	for _, r := range text {
		if _, ok := c.index[r]; !ok {
			c.index[r] = 0
			c.chars = append(c.chars, r)
		}
	}
	if len(c.chars) > maxVocab {
		return nil, fmt.Errorf("%s has %d distinct characters; at most %d are modelled", path, len(c.chars), maxVocab)
	}
	slices.Sort(c.chars)
	for i, r := range c.chars {
		c.index[r] = int64(i)
	}
	c.ids = make([]int64, len(text))
	for i, r := range text {
		c.ids[i] = c.index[r]
	}
	return c, nil
}

// encode returns the ids of s, or an error naming a character the file
// does not have.
func (c *corpus) encode(s string) ([]int64, error) {
	var ids []int64
	for _, r := range s {
		id, ok := c.index[r]
		if !ok {
			return nil, fmt.Errorf("--prompt has %q, which the text never uses", r)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// windows fills batches with random windows of the text: ids are
// context characters, targets the same window one character later.
func (c *corpus) windows(seed uint64) func(*batch) {
	rng := rand.New(rand.NewPCG(seed, 1))
	return func(b *batch) {
		t := b.context
		for i := range b.rows {
			start := rng.IntN(len(c.ids) - t)
			copy(b.ids[i*t:(i+1)*t], c.ids[start:start+t])
			copy(b.targets[i*t:(i+1)*t], c.ids[start+1:start+t+1])
		}
	}
}

// trainText trains the character-level language model and samples from it.
func trainText(o options, stdout io.Writer) error {
	text, err := readCorpus(o.text, o.context)
	if err != nil {
		return fmt.Errorf("--text: %w", err)
	}
	prompt := []int64{text.ids[0]}
	if o.prompt != "" {
		if prompt, err = text.encode(o.prompt); err != nil {
			return err
		}
	}
	dt := dtypeOf(o.dtype)
	dec := newDecoder(o.seed, config{
		vocab: len(text.chars), context: o.context, dModel: o.dModel, heads: o.heads, blocks: o.blocks,
		dropout: o.dropout, dtype: dt, batch: o.batchSize, evalBatch: 1,
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
	s := summary{Task: "text", DType: o.dtype, Params: dec.model.NumParams(), Text: o.text, Vocab: len(text.chars)}
	if !o.json {
		fmt.Fprintf(stdout, "%s: %d characters, %d distinct; %d blocks, d_model %d, %d heads, context %d, %d parameters, %s\n",
			o.text, len(text.ids), len(text.chars), o.blocks, o.dModel, o.heads, o.context, s.Params, o.dtype)
	}
	ones := make([]float64, o.context)
	for i := range ones {
		ones[i] = 1
	}
	if o.steps > 0 {
		if err := fit(o, tr, newBatch(o.batchSize, o.context, ones, dt), text.windows(o.seed), nil, stdout, &s); err != nil {
			return err
		}
	}
	sample, err := generate(tr, prompt, o.sample, o.temperature, o.seed)
	if err != nil {
		return err
	}
	var out strings.Builder
	for _, id := range sample {
		out.WriteRune(text.chars[id])
	}
	s.Sample = out.String()
	if o.json {
		if err := json.NewEncoder(stdout).Encode(s); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "sample (temperature %g, seed %d):\n%s\n", o.temperature, o.seed, s.Sample)
	}
	return writeOutputs(o, tr, func(tr *trainer) ([]*tensor.Dense, []string, error) {
		window := append(append([]int64(nil), prompt...), sample...)
		window = window[:min(len(window), o.context, 32)]
		return textAttention(tr, window, text.chars)
	})
}

// generate samples n characters after prompt, each from the softmax of the
// model's logits at the last step divided by temperature. The model sees
// the last context characters; a shorter history fills the window from its
// start, and the causal mask makes the steps after it irrelevant.
func generate(tr *trainer, prompt []int64, n int, temperature float64, seed uint64) ([]int64, error) {
	t := tr.dec.cfg.context
	rng := rand.New(rand.NewPCG(seed, 3))
	history := append([]int64(nil), prompt...)
	ids := make([]int64, t)
	idsT := tensor.New(tensor.WithShape(1, t), tensor.WithBacking(ids))
	probs := make([]float64, tr.dec.cfg.vocab)
	for range n {
		window := history[max(0, len(history)-t):]
		clear(ids)
		copy(ids, window)
		out, err := tr.eval.Run(graph.Feeds{tr.evalIDs: idsT})
		if err != nil {
			return nil, err
		}
		v := len(probs)
		logits := graph.Float64s(out[0])[(len(window)-1)*v : len(window)*v]
		peak := slices.Max(logits)
		sum := 0.0
		for j, l := range logits {
			probs[j] = math.Exp((l - peak) / temperature)
			sum += probs[j]
		}
		u, next := rng.Float64()*sum, v-1
		for j, p := range probs {
			if u < p {
				next = j
				break
			}
			u -= p
		}
		history = append(history, int64(next))
	}
	return history[len(prompt):], nil
}

// textAttention returns every block's attention weights on window.
func textAttention(tr *trainer, window []int64, chars []rune) ([]*tensor.Dense, []string, error) {
	t := tr.dec.cfg.context
	ids := make([]int64, t)
	copy(ids, window)
	out, err := tr.eval.Run(graph.Feeds{tr.evalIDs: tensor.New(tensor.WithShape(1, t), tensor.WithBacking(ids))})
	if err != nil {
		return nil, nil, err
	}
	var blocks []*tensor.Dense
	for _, full := range out[1:] {
		heads, n := full.Shape()[1], len(window)
		w := graph.Float64s(full)
		crop := make([]float64, heads*n*n)
		for h := range heads {
			for i := range n {
				copy(crop[(h*n+i)*n:(h*n+i+1)*n], w[(h*t+i)*t:(h*t+i)*t+n])
			}
		}
		blocks = append(blocks, tensor.New(tensor.WithShape(heads, n, n), tensor.WithBacking(crop)))
	}
	tokens := make([]string, len(window))
	for i, id := range window {
		tokens[i] = string(chars[id])
		if chars[id] == '\n' {
			tokens[i] = "⏎"
		} else if chars[id] == ' ' {
			tokens[i] = "·"
		}
	}
	return blocks, tokens, nil
}
