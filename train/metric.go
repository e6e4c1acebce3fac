package train

import "gorgonia.org/tensor"

// BinaryAccuracy counts predictions on the same side of threshold as their
// 0/1 targets: use 0.5 for probabilities and 0 for logits, as Keras does.
func BinaryAccuracy(threshold float64) Metric {
	return func(pred, target *tensor.Dense) (int, int) {
		p, t := floats(pred), floats(target)
		correct := 0
		for i := 0; i < p.len; i++ {
			if (p.at(i) > threshold) == (t.at(i) > 0.5) {
				correct++
			}
		}
		return correct, p.len
	}
}

// SparseCategoricalAccuracy counts rows of pred (batch, classes) whose
// largest entry is at the class index held in target (batch,).
func SparseCategoricalAccuracy(pred, target *tensor.Dense) (int, int) {
	p, t := floats(pred), floats(target)
	rows := t.len
	classes := p.len / max(rows, 1)
	correct := 0
	for r := 0; r < rows; r++ {
		best := 0
		for c := 1; c < classes; c++ {
			if p.at(r*classes+c) > p.at(r*classes+best) {
				best = c
			}
		}
		if float64(best) == t.at(r) {
			correct++
		}
	}
	return correct, rows
}

// floatView reads a float32 or float64 tensor as float64 without copying.
type floatView struct {
	f32 []float32
	f64 []float64
	len int
}

func floats(t *tensor.Dense) floatView {
	if t.Dtype() == tensor.Float32 {
		d := t.Float32s()
		return floatView{f32: d, len: len(d)}
	}
	d := t.Float64s()
	return floatView{f64: d, len: len(d)}
}

func (v floatView) at(i int) float64 {
	if v.f32 != nil {
		return float64(v.f32[i])
	}
	return v.f64[i]
}
