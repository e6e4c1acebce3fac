package optim_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/internal/graftest"
	"graft/optim"
)

// statefuls makes each optimizer with every slot it can keep in use.
var statefuls = []struct {
	name string
	make func() optim.Stateful
}{
	{"SGD", func() optim.Stateful { return optim.NewSGD(0.1) }},
	{"SGD momentum", func() optim.Stateful { return with(optim.NewSGD(0.1), func(o *optim.SGD) { o.Momentum = 0.9 }) }},
	{"Adam", func() optim.Stateful { return optim.NewAdam(0.1) }},
	{"AdamW", func() optim.Stateful { return optim.NewAdamW(0.1) }},
	{"RMSProp momentum", func() optim.Stateful {
		return with(optim.NewRMSProp(0.1), func(o *optim.RMSProp) { o.Momentum = 0.5 })
	}},
	{"Adagrad", func() optim.Stateful { return optim.NewAdagrad(0.1) }},
}

// paramBits returns the bit patterns of p's values.
func paramBits(p *graph.Node) []uint64 {
	var out []uint64
	if p.DType() == tensor.Float32 {
		for _, v := range p.Value().Float32s() {
			out = append(out, uint64(math.Float32bits(v)))
		}
		return out
	}
	for _, v := range p.Value().Float64s() {
		out = append(out, math.Float64bits(v))
	}
	return out
}

// An optimizer given another's slots (and the parameter's values) takes the
// same next steps bit for bit, as a resumed training run must.
func TestSetSlotsResumesTheSameStepsBitForBit(t *testing.T) {
	for _, dt := range dtypes {
		for _, c := range statefuls {
			t.Run(c.name+"/"+graph.DTypeName(dt), func(t *testing.T) {
				grad := func(i int) []*tensor.Dense {
					return []*tensor.Dense{graftest.Tensor(dt, []float64{grads[i%3][0], grads[i%3][1] * float64(i+1)}, 2)}
				}
				a := graph.New().Param("w", graftest.Tensor(dt, p0, 2))
				first := c.make()
				if _, ok := first.Slots(a); ok {
					t.Fatal("Slots of a parameter no Step has seen reported ok")
				}
				for i := range 2 {
					if err := first.Step([]*graph.Node{a}, grad(i)); err != nil {
						t.Fatal(err)
					}
				}
				saved, ok := first.Slots(a)
				if !ok || saved.Steps != 2 || len(saved.Vectors) > len(first.SlotNames()) {
					t.Fatalf("Slots = %+v, %v; want 2 steps and at most %d vectors", saved, ok, len(first.SlotNames()))
				}
				b := graph.New().Param("w", graftest.Tensor(dt, p0, 2))
				setValues(b, a)
				second := c.make()
				if err := second.SetSlots(b, saved); err != nil {
					t.Fatal(err)
				}
				for i := 2; i < 5; i++ {
					if err := first.Step([]*graph.Node{a}, grad(i)); err != nil {
						t.Fatal(err)
					}
					if err := second.Step([]*graph.Node{b}, grad(i)); err != nil {
						t.Fatal(err)
					}
					ga, gb := paramBits(a), paramBits(b)
					for j := range ga {
						if ga[j] != gb[j] {
							t.Fatalf("step %d: element %d has bits %#x resumed, %#x uninterrupted", i+1, j, gb[j], ga[j])
						}
					}
				}
				// Slots are copies: changing them moves nothing.
				if len(saved.Vectors) > 0 {
					again, _ := second.Slots(b)
					if dt == tensor.Float32 {
						again.Vectors[0].Float32s()[0] = 1e9
					} else {
						again.Vectors[0].Float64s()[0] = 1e9
					}
					if fresh, _ := second.Slots(b); vectorAt(fresh.Vectors[0]) == 1e9 {
						t.Error("changing what Slots returned changed the optimizer")
					}
				}
				// Slots{} forgets the parameter.
				if err := second.SetSlots(b, optim.Slots{}); err != nil {
					t.Fatal(err)
				}
				if _, ok := second.Slots(b); ok {
					t.Error("Slots{} did not forget the parameter")
				}
			})
		}
	}
}

// vectorAt is a slot vector's first element as a float64.
func vectorAt(v *tensor.Dense) float64 {
	if v.Dtype() == tensor.Float32 {
		return float64(v.Float32s()[0])
	}
	return v.Float64s()[0]
}

// setValues copies src's values into dst, of the same dtype and shape.
func setValues(dst, src *graph.Node) {
	if dst.DType() == tensor.Float32 {
		copy(dst.Value().Float32s(), src.Value().Float32s())
	} else {
		copy(dst.Value().Float64s(), src.Value().Float64s())
	}
}

func TestSetSlotsRefusesStateThatDoesNotFitAndChangesNothing(t *testing.T) {
	g := graph.New()
	w := g.Param("w", graftest.Tensor(tensor.Float32, []float64{1, 2}, 2))
	vec := func(dt graph.DType, n int) *tensor.Dense { return graftest.Tensor(dt, make([]float64, n), n) }
	cases := []struct {
		name string
		p    *graph.Node
		s    optim.Slots
		want string
	}{
		{"nil parameter", nil, optim.Slots{Steps: 1}, "the parameter is nil"},
		{"not a parameter", g.Input("x", tensor.Float32, 2), optim.Slots{Steps: 1}, "is of kind input, not a parameter"},
		{"negative steps", w, optim.Slots{Steps: -1}, "-1 steps"},
		{"too many vectors", w, optim.Slots{Steps: 1, Vectors: []*tensor.Dense{vec(tensor.Float32, 2), vec(tensor.Float32, 2), vec(tensor.Float32, 2)}},
			"3 slot vectors; this optimizer keeps at most 2 ([m v])"},
		{"nil vector", w, optim.Slots{Steps: 1, Vectors: []*tensor.Dense{nil}}, "slot m is nil"},
		{"other dtype", w, optim.Slots{Steps: 1, Vectors: []*tensor.Dense{vec(tensor.Float64, 2)}}, "slot m is float64, the parameter is float32"},
		{"other shape", w, optim.Slots{Steps: 1, Vectors: []*tensor.Dense{vec(tensor.Float32, 3)}}, "slot m has shape (3,), the parameter has shape (2,)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := optim.NewAdam(0.1)
			err := opt.SetSlots(c.p, c.s)
			if err == nil || !strings.HasPrefix(err.Error(), "graft: Adam.SetSlots: ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("SetSlots: %v, want an error containing %q", err, c.want)
			}
			if _, ok := opt.Slots(w); ok {
				t.Error("a refused SetSlots made slots")
			}
		})
	}
	var nilAdam *optim.Adam
	if err := nilAdam.SetSlots(w, optim.Slots{}); err == nil || !strings.Contains(err.Error(), "the optimizer is nil") {
		t.Errorf("SetSlots of a nil Adam: %v", err)
	}
	if _, ok := nilAdam.Slots(w); ok {
		t.Error("Slots of a nil Adam reported ok")
	}
}
