package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strings"

	"graft/graph"
	"graft/internal/atomicfile"
)

// Filter grids: each filter of a first convolution layer, weights (filters,
// 1, kh, kw), becomes a kh×kw tile of grey squares, scaled on its own so
// that 0 is mid grey and the filter's largest |weight| is black or white.
// The tiles sit in a near-square grid on a white background.

const (
	cellPixels = 12 // side of one weight's square
	tileGap    = 6  // white space between and around the tiles
)

// filterGrid is the layout of a grid: the filters as rows of weights, and
// the tile and grid dimensions.
type filterGrid struct {
	filters      [][]float64
	kh, kw       int
	cols, rows   int
	width, depth int // the image's size in pixels
}

func newFilterGrid(w *graph.Node) (*filterGrid, error) {
	s := w.Shape()
	if len(s) != 4 || s[1] != 1 {
		return nil, fmt.Errorf("%s has shape %v; a filter grid wants a first convolution's (filters, 1, height, width)", w.Name(), s)
	}
	values := graph.Float64s(w.Value())
	f := &filterGrid{kh: s[2], kw: s[3]}
	size := f.kh * f.kw
	for i := range s[0] {
		f.filters = append(f.filters, values[i*size:(i+1)*size])
	}
	f.cols = int(math.Ceil(math.Sqrt(float64(s[0]))))
	f.rows = (s[0] + f.cols - 1) / f.cols
	f.width = f.cols*(f.kw*cellPixels+tileGap) + tileGap
	f.depth = f.rows*(f.kh*cellPixels+tileGap) + tileGap
	return f, nil
}

// grey returns the grey level of each weight of filter i, 0 (black) to 255
// (white), 128 for a zero weight.
func (f *filterGrid) grey(i int) []uint8 {
	largest := 0.0
	for _, v := range f.filters[i] {
		largest = math.Max(largest, math.Abs(v))
	}
	out := make([]uint8, len(f.filters[i]))
	for j, v := range f.filters[i] {
		level := 0.0
		if largest > 0 && finite(v) {
			level = v / largest
		}
		out[j] = uint8(math.Round(127.5 + 127.5*level))
	}
	return out
}

// cell returns the top-left pixel of weight (r, c) of filter i.
func (f *filterGrid) cell(i, r, c int) (x, y int) {
	x = tileGap + (i%f.cols)*(f.kw*cellPixels+tileGap) + c*cellPixels
	y = tileGap + (i/f.cols)*(f.kh*cellPixels+tileGap) + r*cellPixels
	return x, y
}

// writeFilters writes the filters of w as a grid, in PNG when path ends in
// .png and in SVG otherwise.
func writeFilters(path string, w *graph.Node) error {
	f, err := newFilterGrid(w)
	if err != nil {
		return err
	}
	if strings.HasSuffix(strings.ToLower(path), ".png") {
		return atomicfile.Write(path, f.png)
	}
	return atomicfile.Write(path, f.svg)
}

func (f *filterGrid) png(w io.Writer) error {
	img := image.NewGray(image.Rect(0, 0, f.width, f.depth))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for i := range f.filters {
		levels := f.grey(i)
		for j, level := range levels {
			x0, y0 := f.cell(i, j/f.kw, j%f.kw)
			for y := y0; y < y0+cellPixels; y++ {
				for x := x0; x < x0+cellPixels; x++ {
					img.SetGray(x, y, color.Gray{Y: level})
				}
			}
		}
	}
	return png.Encode(w, img)
}

func (f *filterGrid) svg(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n", f.width, f.depth, f.width, f.depth)
	fmt.Fprintf(&b, "<title>%d learned filters of %dx%d; mid grey is 0, each filter scaled to its largest weight</title>\n", len(f.filters), f.kh, f.kw)
	fmt.Fprintf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", f.width, f.depth)
	for i := range f.filters {
		for j, level := range f.grey(i) {
			x, y := f.cell(i, j/f.kw, j%f.kw)
			fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\"/>\n", x, y, cellPixels, cellPixels, level, level, level)
		}
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
