package layers

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"gorgonia.org/tensor"

	"graft/graph"
)

// Model hands out layers and owns their parameters: it seeds their
// initialisation, names them, and lists them in the order they were created.
// A model's parameters all live in one graph, the graph of the first node a
// layer of it is applied to.
type Model struct {
	rng        *rand.Rand
	graph      *graph.Graph
	params     []*graph.Node
	states     []*graph.Node          // non-trainable state, such as batch norm's running statistics
	byName     map[string]*graph.Node // parameters and states
	names      map[string]bool        // layer and parameter names already taken
	components []component            // the summary's rows, in creation order
}

// component is one row of a model's summary: a layer, or a parameter made
// directly with Model.Param.
type component interface {
	summary() (name, kind string, out graph.Shape, params []*graph.Node)
}

// NewModel returns an empty model whose layers draw their initial weights
// from a PCG generator seeded with seed. Two models given the same seed, on
// which the same layers are created in the same order, get the same weights
// bit for bit.
func NewModel(seed uint64) *Model {
	return &Model{
		rng:    rand.New(rand.NewPCG(seed, 0x6772616674)), // "graft"
		byName: make(map[string]*graph.Node),
		names:  make(map[string]bool),
	}
}

// stream returns a generator of its own for one layer or parameter, seeded
// from the model's generator when the layer is created. A layer's weights
// therefore depend on the seed and on the order layers are created, not on
// the order they are first applied.
func (m *Model) stream() *rand.Rand {
	return rand.New(rand.NewPCG(m.rng.Uint64(), m.rng.Uint64()))
}

// name returns the name a new layer gets: the one asked for, or kind
// followed by the first number not taken ("dense1", "dense2"). A name asked
// for that is already taken is an error, reported when the layer is applied.
func (m *Model) name(asked, kind string) (string, error) {
	if asked != "" {
		if m.names[asked] {
			return asked, fmt.Errorf("the model already has a layer or parameter named %q", asked)
		}
		m.names[asked] = true
		return asked, nil
	}
	for i := 1; ; i++ {
		n := kind + strconv.Itoa(i)
		if !m.names[n] {
			m.names[n] = true
			return n, nil
		}
	}
}

// checkGraph reports whether nodes of g may join the model's parameters.
func (m *Model) checkGraph(g *graph.Graph) error {
	if m.graph != nil && g != m.graph {
		return fmt.Errorf("the model's parameters live in another graph; a model's layers are applied in one graph")
	}
	return nil
}

// newParam creates a parameter of the given shape in g, filled by init, and
// adds it to the model's list.
func (m *Model) newParam(g *graph.Graph, name string, dt graph.DType, shape graph.Shape, fanIn, fanOut int, init Initializer, rng *rand.Rand) *graph.Node {
	values := make([]float64, shape.Size())
	init(values, fanIn, fanOut, rng)
	t, err := graph.NewTensor(dt, values, shape...) // callers have checked dt and shape
	if err != nil {
		return graph.Reject("Param", err, g.Input(name, tensor.Float64))
	}
	p := g.Param(name, t)
	m.graph = g
	m.params = append(m.params, p)
	m.byName[name] = p
	return p
}

// Param creates a parameter for a custom layer: a tensor of the given dtype
// and shape in g, named name (which must be new to the model), filled by
// init (nil means GlorotUniform). Its fans follow Keras' convention: for a
// shape (..., in, out) the fan-in is in and the fan-out out, each times the
// product of the leading axes; a vector's fans are both its length. Mistakes
// (a taken name, a bad shape or dtype, another graph) are recorded on g and
// reported by graph.Compile.
func (m *Model) Param(g *graph.Graph, name string, dt graph.DType, init Initializer, shape ...int) *graph.Node {
	s := graph.Shape(shape).Clone()
	if init == nil {
		init = GlorotUniform
	}
	var err error
	switch {
	case name == "":
		err = fmt.Errorf("a parameter needs a name")
	case m.names[name] || m.byName[name] != nil:
		err = fmt.Errorf("the model already has a layer or parameter named %q", name)
	case graph.CheckDType(dt) != nil:
		err = fmt.Errorf("parameter %q: %w", name, graph.CheckDType(dt))
	case graph.CheckShape(s) != nil: // before the initializer allocates: Dense(1<<40) once ran out of memory
		err = fmt.Errorf("parameter %q: %w", name, graph.CheckShape(s))
	default:
		err = m.checkGraph(g)
	}
	if g == nil {
		g, err = graph.New(), fmt.Errorf("parameter %q is given a nil graph", name)
	}
	if err != nil {
		// Record the mistake on g through a placeholder scalar, so that the
		// error carries the caller's file:line like any build error.
		return graph.Reject("Param", err, g.Input(name, tensor.Float64))
	}
	m.names[name] = true
	fanIn, fanOut := fans(s)
	p := m.newParam(g, name, dt, s, fanIn, fanOut, init, m.stream())
	m.components = append(m.components, paramRow{p})
	return p
}

// fans returns the fan-in and fan-out of a parameter of shape s, as Keras
// computes them: (in, out) for a matrix; for more axes the leading ones
// (a convolution's receptive field) multiply both.
func fans(s graph.Shape) (in, out int) {
	switch len(s) {
	case 0:
		return 1, 1
	case 1:
		return s[0], s[0]
	}
	field := graph.Shape(s[:len(s)-2]).Size()
	return s[len(s)-2] * field, s[len(s)-1] * field
}

// Params returns the model's parameters in the order they were created,
// which is the same for every build of the same model. The caller must not
// change the slice.
func (m *Model) Params() []*graph.Node { return m.params }

// Lookup returns the parameter called name, or nil.
func (m *Model) Lookup(name string) *graph.Node { return m.byName[name] }

// NumParams returns the number of trainable values: the sum of the sizes of
// the parameters created so far.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += p.Shape().Size()
	}
	return n
}

// paramRow is a parameter made with Model.Param, shown as a row of its own.
type paramRow struct{ p *graph.Node }

func (r paramRow) summary() (string, string, graph.Shape, []*graph.Node) {
	return r.p.Name(), "Param", r.p.Shape(), []*graph.Node{r.p}
}
