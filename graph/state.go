package graph

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"
)

// State adds a leaf holding a tensor that persists across runs but that no
// optimizer trains: batch-norm running statistics, the random-number
// counter. Like a parameter, the graph keeps value itself and every run
// reads its current numbers; unlike one, it changes only through the
// updates a program performs (see Update), and autodiff never treats it as
// something to train. Checkpoints save states beside the parameters.
func (g *Graph) State(name string, value *tensor.Dense) *Node {
	if g == nil {
		return Reject("State", errors.New("the graph is nil"))
	}
	return g.tensorLeaf(State, name, value)
}

// update is one recorded Update: every program that computes trigger writes
// value into state's tensor after its last step.
type update struct {
	state, value, trigger *Node
}

// Update records that every program computing trigger also writes value
// into state's tensor at the end of each run, after every step has read
// the old value. It is how a layer's training form changes its state:
// batch norm updates its running statistics when its batch-statistics
// output is computed, a random op advances the random-number counter.
// value must have state's dtype and shape. A program that would write two
// different nodes into one state is a Compile error; the same value node
// recorded twice is one update.
//
// Mistakes (a node that is not a state, another graph, another shape) are
// recorded on the graph as build errors of an op named Update.
func Update(state, value, trigger *Node) {
	nodes := []*Node{state, value, trigger}
	var err error
	switch {
	case state == nil || value == nil || trigger == nil:
		err = errors.New("a nil node")
	case state.kind != State:
		err = fmt.Errorf("%s is a %v, not a state", state.Name(), state.kind)
	case value.dtype != state.dtype || !value.shape.Equal(state.shape):
		err = fmt.Errorf("the value %v %s does not fit the state %v %s", value.shape, DTypeName(value.dtype), state.shape, DTypeName(state.dtype))
	}
	if err != nil {
		Reject("Update", err, nodes...)
		return
	}
	g, gerr := commonGraph("input", nodes)
	if gerr != nil {
		Reject("Update", gerr, nodes...)
		return
	}
	g.updates = append(g.updates, update{state: state, value: value, trigger: trigger})
}

// updatesFor returns the updates that a program computing the nodes in
// order performs, one per state, or an error if a state would get two
// different values.
func (g *Graph) updatesFor(order []*Node) ([]update, error) {
	if len(g.updates) == 0 {
		return nil, nil
	}
	computed := make(map[*Node]bool, len(order))
	for _, n := range order {
		computed[n] = true
	}
	var ups []update
	byState := make(map[*Node]*Node)
	for _, u := range g.updates {
		if !computed[u.trigger] {
			continue
		}
		if v, ok := byState[u.state]; ok {
			if v != u.value {
				return nil, fmt.Errorf("graft: Compile: state %q would be updated twice in one run, by %s (built at %s) and by %s (built at %s)",
					u.state.Name(), v.Name(), v.origin, u.value.Name(), u.value.origin)
			}
			continue
		}
		byState[u.state] = u.value
		ups = append(ups, u)
	}
	return ups, nil
}

func updateValues(ups []update) []*Node {
	vs := make([]*Node, len(ups))
	for i, u := range ups {
		vs[i] = u.value
	}
	return vs
}

// planned is an update as a program performs it: copy from into the
// state's tensor.
type planned struct {
	state *Node
	from  *Value
}

func planUpdates(ups []update, values map[*Node]*Value) []planned {
	var ps []planned
	for _, u := range ups {
		ps = append(ps, planned{state: u.state, from: values[u.value]})
	}
	return ps
}

// applyUpdates writes each update's value into its state's tensor (not into
// the value the steps read, which Run may have staged in a copy). It runs
// after the last step, so every step read the states' old values.
func (p *Program) applyUpdates() {
	for _, u := range p.updates {
		if u.from.F32 != nil {
			copy(u.state.value.Float32s(), u.from.F32)
		} else {
			copy(u.state.value.Float64s(), u.from.F64)
		}
	}
}

// States returns every state of g (batch-norm statistics, the random-number
// counter), in the order they were made: what a checkpoint of a whole
// training state saves beside the parameters.
func (g *Graph) States() []*Node {
	var states []*Node
	for _, n := range g.Nodes() {
		if n.kind == State {
			states = append(states, n)
		}
	}
	return states
}

// SetTraining sets the form that layers build while it holds: true builds
// their training form (dropout drops, batch norm normalizes with the batch's
// statistics and updates its running ones), false, the default, their
// inference form. A node keeps the form it was built in, so a training
// program and an evaluation program of one model come from applying the
// model once in each mode; both share the model's parameters and state.
func (g *Graph) SetTraining(on bool) {
	if g != nil {
		g.training = on
	}
}

// Training reports the mode SetTraining last set; a nil graph is not
// training.
func (g *Graph) Training() bool { return g != nil && g.training }

// RandomCounter returns the graph's random-number counter, a float64 scalar
// state named "rng/counter" created on first use, and the node holding its
// successor. Random ops read the counter and record the update counter ←
// counter+1, so every run of a program with random ops draws new numbers,
// and saving the counter with the parameters resumes the same sequence. A
// float64 counts exactly up to 2^53 runs.
func (g *Graph) RandomCounter() (counter, next *Node) {
	if g == nil {
		n := Reject("RandomCounter", errors.New("the graph is nil"))
		return n, n
	}
	if g.counter == nil {
		g.counter = g.State("rng/counter", tensor.New(tensor.WithShape(), tensor.WithBacking([]float64{0})))
		g.counterNext = Apply(incrementOp{}, g.counter)
	}
	return g.counter, g.counterNext
}

// incrementOp adds one to a float64 scalar: the random-number counter's
// successor. It is a graph op because package graph cannot use ops.
type incrementOp struct{}

func (incrementOp) Name() string                           { return "Increment" }
func (incrementOp) Infer(in []*Node) (Shape, DType, error) { return in[0].shape, in[0].dtype, nil }
func (incrementOp) Grad(node, dy *Node, i int) *Node       { return nil }
func (incrementOp) Forward(out *Value, in []*Value)        { out.F64[0] = in[0].F64[0] + 1 }
