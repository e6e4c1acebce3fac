package train_test

import (
	"fmt"

	"graft/data"
	"graft/graph"
	"graft/optim"
	"graft/train"
)

// FitDataset trains on a data.Dataset; here 8 of 10 rows, with the other
// 2, split off by data.Split, as validation data.
func ExampleModel_FitDataset() {
	g := graph.New()
	model := train.NewModel(g, linear(g), mse) // learns y = 2x + 1
	x, y := lineData(10)
	all, err := data.FromTensors(x, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, validation, err := data.Split(all, 0.2, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := model.FitDataset(optim.NewSGD(0.1), rows, train.Config{
		Epochs: 300, BatchSize: 4, Seed: 1, ValidationData: validation,
	})
	fmt.Printf("%d steps, val_loss %.4f %v\n", h.Steps, h.Metrics["val_loss"][299], err)
	// Output: 600 steps, val_loss 0.0000 <nil>
}

// PredictDataset reads only a dataset's inputs, so a dataset without
// targets serves.
func ExampleModel_PredictDataset() {
	g := graph.New()
	model := train.NewModel(g, linear(g), nil) // y = x·w + b, with w = b = 0
	x, _ := lineData(10)
	inputs, err := data.FromTensors(x, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, err := model.PredictDataset(inputs, 4) // batches of 4, 4 and 2
	fmt.Println(graph.Shape(pred.Shape()), err)
	// Output: (10, 1) <nil>
}

// EvaluateDataset reports the loss averaged over the dataset's rows and
// each meter, as Evaluate does on tensors.
func ExampleModel_EvaluateDataset() {
	g := graph.New()
	model := train.NewModel(g, linear(g), mse) // predicts 0; the targets are 2x + 1
	x, y := lineData(3)                        // targets 1, 1.2 and 1.4
	ds, err := data.FromTensors(x, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	scores, err := model.EvaluateDataset(ds, 2, train.MeanAbsoluteError())
	fmt.Printf("loss %.4f, mae %.1f %v\n", scores["loss"], scores["mae"], err)
	// Output: loss 1.4667, mae 1.2 <nil>
}
