package chart

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/activations"
)

func TestWriteSVGDrawsTheRequestedPanels(t *testing.T) {
	xs, err := Linspace(-3, 3, 61)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Sample(activations.GELU, tensor.Float64, xs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		second bool
		titles []string
		width  string
	}{
		{false, []string{"gelu(x)", "gelu′(x), by autodiff"}, `width="460.8pt"`},
		{true, []string{"gelu(x)", "gelu′(x), by autodiff", "gelu″(x), by autodiff"}, `width="691.2pt"`},
	} {
		var a, b bytes.Buffer
		if err := WriteSVG(&a, "gelu", c, tc.second); err != nil {
			t.Fatal(err)
		}
		if err := WriteSVG(&b, "gelu", c, tc.second); err != nil {
			t.Fatal(err)
		}
		svg := a.String()
		if !strings.HasPrefix(svg, "<?xml") || !strings.Contains(svg, "<svg") || !strings.Contains(svg, tc.width) {
			t.Errorf("second=%v: not an SVG of the expected width:\n%.300s", tc.second, svg)
		}
		for _, title := range tc.titles {
			if !strings.Contains(svg, title) {
				t.Errorf("second=%v: the SVG lacks the title %q", tc.second, title)
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("second=%v: two drawings of the same curve differ", tc.second)
		}
	}
}

func TestWriteSVGRejectsCurvesItCannotDraw(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Curve
		want string
	}{
		{"one point", Curve{X: []float64{1}, Y: []float64{1}, D1: []float64{1}}, "need two or more"},
		{"NaN value", Curve{X: []float64{1, 2}, Y: []float64{1, math.NaN()}, D1: []float64{1, 1}}, "NaN"},
	} {
		var buf bytes.Buffer
		err := WriteSVG(&buf, "f", tc.c, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}
