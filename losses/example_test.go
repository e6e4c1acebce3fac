package losses_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"graft/graph"
	"graft/losses"
)

func vector(values ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(values)), tensor.WithBacking(values))
}

func ExampleMeanSquaredError() {
	g := graph.New()
	pred := g.Input("pred", tensor.Float64, 3)
	y := g.Input("y", tensor.Float64, 3)
	loss := losses.MeanSquaredError(pred, y)

	prog, err := graph.Compile(loss)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := prog.Run(graph.Feeds{pred: vector(1, 2, 3), y: vector(1, 0, 0)})
	fmt.Println(out[0].Float64s()[0]) // (0 + 4 + 9)/3
	// Output: 4.333333333333333
}

func ExampleMeanAbsoluteError() {
	g := graph.New()
	pred := g.Const("pred", vector(1, 2, 3))
	y := g.Const("y", vector(1, 0, 0))
	prog, _ := graph.Compile(losses.MeanAbsoluteError(pred, y))
	out, _ := prog.Run(nil)
	fmt.Printf("%.4f\n", out[0].Float64s()[0]) // (0 + 2 + 3)/3
	// Output: 1.6667
}

func ExampleBinaryCrossEntropy() {
	g := graph.New()
	prob := g.Const("p", vector(0.9, 0.2, 0))
	y := g.Const("y", vector(1, 0, 1))
	prog, _ := graph.Compile(losses.BinaryCrossEntropy(prob, y))
	out, _ := prog.Run(nil)
	// -(ln 0.9 + ln 0.8 + ln 1e-7)/3: the 0 is clipped to 1e-7.
	fmt.Printf("%.4f\n", out[0].Float64s()[0])
	// Output: 5.4822
}

func ExampleBinaryCrossEntropyWithLogits() {
	g := graph.New()
	logits := g.Const("z", vector(0, 1000, -1000))
	y := g.Const("y", vector(1, 1, 1))
	prog, _ := graph.Compile(losses.BinaryCrossEntropyWithLogits(logits, y))
	out, _ := prog.Run(nil)
	// (ln 2 + 0 + 1000)/3: finite even where sigmoid(z) rounds to 0.
	fmt.Printf("%.4f\n", out[0].Float64s()[0])
	// Output: 333.5644
}

func ExampleHuber() {
	g := graph.New()
	pred := g.Const("pred", vector(0.5, 3))
	y := g.Const("y", vector(0, 0))
	prog, _ := graph.Compile(losses.Huber(pred, y, losses.DefaultHuberDelta))
	out, _ := prog.Run(nil)
	fmt.Println(out[0].Float64s()[0]) // (0.5²/2 + (3 - 1/2))/2
	// Output: 1.3125
}

func ExampleSoftmaxCrossEntropy() {
	g := graph.New()
	// Two examples, three classes; the labels are class indices.
	logits := g.Const("z", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{
		2, 0, 0,
		0, 0, 0,
	})))
	labels := g.Const("labels", vector(0, 2))
	prog, _ := graph.Compile(losses.SoftmaxCrossEntropy(logits, labels))
	out, _ := prog.Run(nil)
	// (-ln(e²/(e²+2)) - ln(1/3))/2
	fmt.Printf("%.4f\n", out[0].Float64s()[0])
	// Output: 0.6691
}
