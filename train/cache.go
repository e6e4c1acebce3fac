package train

import (
	"strconv"

	"gorgonia.org/tensor"

	"graft/graph"
)

// DefaultCacheSize is how many compiled programs a Model keeps unless
// SetCacheSize says otherwise: enough for Fit's full and partial training
// batches and the full and partial batches of its validation, with room for
// a few prediction sizes.
const DefaultCacheSize = 8

// purpose is what a cached program computes.
type purpose byte

const (
	forPredict purpose = 'p' // the predictions, in inference mode
	forEval    purpose = 'e' // the loss and the predictions, in inference mode
	forTrain   purpose = 't' // the loss, the predictions and the gradients, in training mode
)

// program is one compiled program of a model, for one purpose and one
// shape of x (and of y, for evaluation and training). Its batch tensors are
// the feeds: a batch is copied into them, so a run allocates nothing.
type program struct {
	prog *graph.Program
	x, y *graph.Node // y is nil for a prediction program
	// bufs are the batches fed to x and y: the first made with the
	// program, the second by Fit, which fills one while a step runs on
	// the other.
	bufs    [2]*batch
	params  []*graph.Node // a training program's trained parameters, in the order of its gradients
	lastUse uint64
}

// batch is one set of feeds of a program.
type batch struct {
	x, y  *tensor.Dense // y is nil for a prediction program
	feeds graph.Feeds
}

// buffer returns the program's batch i (0 or 1), making the second on
// first use.
func (p *program) buffer(i int) *batch {
	if p.bufs[i] == nil {
		b := &batch{x: batchTensor(p.bufs[0].x, p.bufs[0].x.Shape()[0])}
		b.feeds = graph.Feeds{p.x: b.x}
		if p.y != nil {
			b.y = batchTensor(p.bufs[0].y, p.bufs[0].y.Shape()[0])
			b.feeds[p.y] = b.y
		}
		p.bufs[i] = b
	}
	return p.bufs[i]
}

// programCache keeps at most size programs, evicting the least recently
// used. Its key is the purpose and the dtypes and shapes of x and y.
type programCache struct {
	size      int
	entries   map[string]*program
	clock     uint64
	key       []byte // reused to build keys without allocating
	compiles  int
	hits      int
	evictions int
}

func newProgramCache() *programCache {
	return &programCache{size: DefaultCacheSize, entries: map[string]*program{}}
}

// makeKey writes the key of a program for p of x's and y's kinds into c.key.
func (c *programCache) makeKey(p purpose, x, y *tensor.Dense, rows int) []byte {
	k := append(c.key[:0], byte(p))
	for _, t := range []*tensor.Dense{x, y} {
		if t == nil {
			break
		}
		k = append(k, graph.DTypeName(t.Dtype())...)
		k = strconv.AppendInt(append(k, ' '), int64(rows), 10)
		for _, d := range t.Shape()[1:] {
			k = strconv.AppendInt(append(k, ','), int64(d), 10)
		}
		k = append(k, ';')
	}
	c.key = k
	return k
}

// get returns the cached program for key, marking it used.
func (c *programCache) get(key []byte) *program {
	e := c.entries[string(key)] // a conversion in a map index does not allocate
	if e != nil {
		c.clock++
		e.lastUse = c.clock
		c.hits++
	}
	return e
}

// put adds e under key, evicting the least recently used programs beyond
// the cache's size.
func (c *programCache) put(key []byte, e *program) {
	c.clock++
	e.lastUse = c.clock
	c.compiles++
	c.entries[string(key)] = e
	c.shrink()
}

func (c *programCache) shrink() {
	for len(c.entries) > c.size {
		var oldest string
		var at uint64
		for k, e := range c.entries {
			if oldest == "" || e.lastUse < at {
				oldest, at = k, e.lastUse
			}
		}
		delete(c.entries, oldest)
		c.evictions++
	}
}

// CacheStats says what a Model's program cache holds and has done.
type CacheStats struct {
	Programs  int // compiled programs held now
	Size      int // the most it holds (SetCacheSize)
	Compiles  int // programs built and compiled so far
	Hits      int // lookups that found a compiled program
	Evictions int // programs dropped to stay within Size
}
