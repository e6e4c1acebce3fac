package losses_test

import (
	"errors"
	"fmt"
	"math"

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

func matrix(rows, cols int, values ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(values))
}

// classIDs makes int64 class ids, as a data loader or PyTorch hands them.
func classIDs(ids ...float64) *tensor.Dense {
	t, _ := graph.NewTensor(graph.Int64, ids, len(ids))
	return t
}

// Class labels as int64 ids, fed at each run.
func ExampleSoftmaxCrossEntropy_int64Labels() {
	g := graph.New()
	logits := g.Const("z", matrix(2, 3,
		2, 0, 0,
		0, 0, 0))
	labels := g.Input("labels", graph.Int64, 2)
	prog, _ := graph.Compile(losses.SoftmaxCrossEntropy(logits, labels))
	out, _ := prog.Run(graph.Feeds{labels: classIDs(0, 2)})
	fmt.Printf("%.4f\n", out[0].Float64s()[0]) // the float labels' value

	// A label that names no class is Run's error, before anything computes.
	// The error begins "graft: Run: SoftmaxCrossEntropy built at" and the
	// file:line of the call above.
	_, err := prog.Run(graph.Feeds{labels: classIDs(0, 3)})
	fmt.Println(errors.Unwrap(err))
	// Output:
	// 0.6691
	// label 3 (row 1) names no class: a class id is from 0 to 2
}

func ExampleNegativeLogLikelihood() {
	g := graph.New()
	logProbs := g.Const("lp", matrix(2, 3,
		-1, -2, -3,
		-0.5, -1.5, -4))
	labels := g.Const("labels", classIDs(2, 0))
	prog, _ := graph.Compile(losses.NegativeLogLikelihood(logProbs, labels))
	out, _ := prog.Run(nil)
	fmt.Println(out[0].Float64s()[0]) // (3 + 0.5)/2
	// Output: 1.75
}

func ExampleCrossEntropy() {
	g := graph.New()
	logits := g.Const("z", matrix(2, 2,
		0, 0,
		0, 0))
	labels := g.Const("labels", classIDs(0, 0))
	opts := losses.CrossEntropyOptions{
		Weights:        g.Const("w", vector(1, 3)),
		LabelSmoothing: 0.5,
	}
	prog, _ := graph.Compile(losses.CrossEntropy(logits, labels, opts))
	out, _ := prog.Run(nil)
	// Every log-probability is -ln 2. The weighted mean divides by the
	// targets' weights, w[0] + w[0] = 2: 0.5·(2 ln 2)/2 + (0.5/2)·(2·4 ln 2)/2.
	fmt.Printf("%.6f = %.6f\n", out[0].Float64s()[0], 1.5*math.Ln2)
	// Output: 1.039721 = 1.039721
}

// A probability target has the logits' shape; the mean is over the batch.
func ExampleCrossEntropy_probabilities() {
	g := graph.New()
	logits := g.Const("z", matrix(1, 2, 0, 0))
	probs := g.Const("p", matrix(1, 2, 1, 0))
	opts := losses.CrossEntropyOptions{LabelSmoothing: 0.2} // target (0.9, 0.1)
	prog, _ := graph.Compile(losses.CrossEntropy(logits, probs, opts))
	out, _ := prog.Run(nil)
	fmt.Printf("%.6f\n", out[0].Float64s()[0]) // (0.9 + 0.1)·ln 2
	// Output: 0.693147
}

func ExampleSoftTargetCrossEntropy() {
	g := graph.New()
	logits := g.Const("z", matrix(1, 2, 0, math.Log(3))) // softmax (1/4, 3/4)
	probs := g.Const("p", matrix(1, 2, 0.5, 0.5))
	prog, _ := graph.Compile(losses.SoftTargetCrossEntropy(logits, probs))
	out, _ := prog.Run(nil)
	fmt.Printf("%.4f\n", out[0].Float64s()[0]) // -(ln ¼ + ln ¾)/2
	// Output: 0.8370
}

func ExampleKLDivergence() {
	g := graph.New()
	logProbs := g.Const("lp", matrix(2, 2,
		math.Log(0.5), math.Log(0.5),
		math.Log(0.25), math.Log(0.75)))
	target := g.Const("t", matrix(2, 2,
		1, 0,
		0.25, 0.75))
	prog, _ := graph.Compile(losses.KLDivergence(logProbs, target))
	out, _ := prog.Run(nil)
	// Row 0 diverges by ln 2 (its 0 adds nothing), row 1 by 0: batchmean
	// divides the sum by the 2 rows.
	fmt.Printf("%.4f\n", out[0].Float64s()[0])
	// Output: 0.3466
}

func ExampleKLDivergenceLogTarget() {
	g := graph.New()
	logProbs := g.Const("lp", matrix(1, 2, math.Log(0.25), math.Log(0.75)))
	logTarget := g.Const("lt", matrix(1, 2, math.Log(0.5), math.Log(0.5)))
	prog, _ := graph.Compile(losses.KLDivergenceLogTarget(logProbs, logTarget))
	out, _ := prog.Run(nil)
	fmt.Printf("%.4f\n", out[0].Float64s()[0]) // ½ ln 2 + ½ ln ⅔
	// Output: 0.1438
}

func ExampleSmoothL1() {
	g := graph.New()
	pred := g.Const("pred", vector(0.5, 3))
	y := g.Const("y", vector(0, 0))
	prog, _ := graph.Compile(losses.SmoothL1(pred, y, 1))
	out, _ := prog.Run(nil)
	fmt.Println(out[0].Float64s()[0]) // (0.5·0.5²/1 + (3 - 0.5))/2
	// Output: 1.3125
}

func ExampleBinaryCrossEntropyWithLogitsPosWeight() {
	g := graph.New()
	logits := g.Const("z", matrix(2, 2,
		0, 0,
		1000, -1000))
	y := g.Const("y", matrix(2, 2,
		1, 0,
		0, 1))
	// The positives of column 0 count 3 times, those of column 1 once.
	posWeight := g.Const("pos_weight", vector(3, 1))
	prog, _ := graph.Compile(losses.BinaryCrossEntropyWithLogitsPosWeight(logits, y, posWeight))
	out, _ := prog.Run(nil)
	// (3 ln 2 + ln 2 + 1000 + 1000)/4: finite at ±1000.
	fmt.Printf("%.4f\n", out[0].Float64s()[0])
	// Output: 500.6931
}
