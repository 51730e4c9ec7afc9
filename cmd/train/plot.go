package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"

	"github.com/gotensor/gotensor/tensor"
)

// Plots are drawn pixel by pixel into an image.RGBA and encoded as PNG with
// the standard library; text uses a 3×5 bitmap font scaled up.

var (
	white   = color.RGBA{255, 255, 255, 255}
	black   = color.RGBA{40, 40, 40, 255}
	grey    = color.RGBA{225, 225, 225, 255}
	palette = []color.RGBA{
		{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	}
)

// glyphs holds 3×5 bitmaps, one bit per pixel, row by row from the top.
var glyphs = map[rune]uint16{
	'0': 0b111101101101111, '1': 0b010110010010111, '2': 0b111001111100111, '3': 0b111001111001111,
	'4': 0b101101111001001, '5': 0b111100111001111, '6': 0b111100111101111, '7': 0b111001010010010,
	'8': 0b111101111101111, '9': 0b111101111001111, '.': 0b000000000000010, '-': 0b000000111000000,
	'+': 0b000010111010000, 'e': 0b000111111100111, 'a': 0b000011101101011, 'c': 0b000111100100111,
	'i': 0b010000010010010, 'l': 0b010010010010010, 'o': 0b000111101101111, 'p': 0b000111101111100,
	'r': 0b000111100100100, 's': 0b000111110011111, 't': 0b010111010010011, 'u': 0b000101101101111,
	'y': 0b000101111001111, 'g': 0b000111101111001, 'n': 0b000110101101101, 'd': 0b001111101101111,
	' ': 0,
}

const scale = 2 // text pixels per font pixel

// drawText writes s with its top-left corner at (x, y).
func drawText(img *image.RGBA, x, y int, s string, c color.RGBA) {
	for _, r := range s {
		bits := glyphs[r]
		for row := range 5 {
			for col := range 3 {
				if bits&(1<<(14-row*3-col)) == 0 {
					continue
				}
				for dy := range scale {
					for dx := range scale {
						img.SetRGBA(x+col*scale+dx, y+row*scale+dy, c)
					}
				}
			}
		}
		x += 4 * scale
	}
}

func textWidth(s string) int { return len(s) * 4 * scale }

// fill paints the whole image.
func fill(img *image.RGBA, c color.RGBA) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// line draws a segment with Bresenham's algorithm, thick pixels wide.
func line(img *image.RGBA, x0, y0, x1, y1, thick int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	err := dx + dy
	for {
		for t := range thick {
			img.SetRGBA(x0+t/2, y0+t-t/2, c)
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		if e2 := 2 * err; e2 >= dy {
			err += dy
			x0 += sx
		} else {
			err += dx
			y0 += sy
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sign(x int) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// encodePNG returns the image as PNG bytes.
func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// lossPlot draws y against x as a line chart with labelled axes. The y axis
// is logarithmic when the values are positive and span more than a factor
// of 20.
func lossPlot(xs []int, ys []float64, title string) ([]byte, error) {
	const W, H, left, right, top, bottom = 640, 400, 70, 20, 30, 40
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	fill(img, white)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	if len(xs) == 0 || lo > hi {
		drawText(img, left, top, "no data", black)
		return encodePNG(img)
	}
	logY := lo > 0 && hi/lo > 20
	tr := func(y float64) float64 {
		if logY {
			return math.Log10(y)
		}
		return y
	}
	ylo, yhi := tr(lo), tr(hi)
	if yhi == ylo {
		ylo, yhi = ylo-1, yhi+1
	}
	xlo, xhi := float64(xs[0]), float64(xs[len(xs)-1])
	if xhi == xlo {
		xhi = xlo + 1
	}
	px := func(x float64) int { return left + int((x-xlo)/(xhi-xlo)*float64(W-left-right)) }
	py := func(y float64) int { return H - bottom - int((tr(y)-ylo)/(yhi-ylo)*float64(H-top-bottom)) }

	// Grid lines and tick labels: five on each axis.
	for i := range 5 {
		f := float64(i) / 4
		yv := ylo + f*(yhi-ylo)
		if logY {
			yv = math.Pow(10, yv)
		}
		y := py(yv)
		line(img, left, y, W-right, y, 1, grey)
		label := strconv.FormatFloat(yv, 'g', 3, 64)
		drawText(img, left-6-textWidth(label), y-5, label, black)
		xv := xlo + f*(xhi-xlo)
		x := px(xv)
		line(img, x, top, x, H-bottom, 1, grey)
		label = strconv.Itoa(int(math.Round(xv)))
		drawText(img, x-textWidth(label)/2, H-bottom+8, label, black)
	}
	line(img, left, top, left, H-bottom, 1, black)
	line(img, left, H-bottom, W-right, H-bottom, 1, black)
	drawText(img, left, 8, title, black)

	prevX, prevY := -1, -1
	for i, x := range xs {
		y := ys[i]
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		cx, cy := px(float64(x)), py(y)
		if prevX >= 0 {
			line(img, prevX, prevY, cx, cy, 2, palette[0])
		}
		prevX, prevY = cx, cy
	}
	return encodePNG(img)
}

// boundaryPlot draws the decision regions of a 2-D classifier, predict, over
// the bounding box of the points, and the points on top in their class colour.
func boundaryPlot(p points, predict func(grid *tensor.Tensor) []int) ([]byte, error) {
	const W, H, cell = 480, 480, 4
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	fill(img, white)
	xy := p.X.Data()
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := 0; i+1 < len(xy); i += 2 {
		xlo, xhi = min(xlo, float64(xy[i])), max(xhi, float64(xy[i]))
		ylo, yhi = min(ylo, float64(xy[i+1])), max(yhi, float64(xy[i+1]))
	}
	if len(xy) == 0 {
		xlo, xhi, ylo, yhi = -1, 1, -1, 1
	}
	padX, padY := 0.1*(xhi-xlo)+1e-3, 0.1*(yhi-ylo)+1e-3
	xlo, xhi, ylo, yhi = xlo-padX, xhi+padX, ylo-padY, yhi+padY

	// One prediction per cell, all in one batch.
	nx, ny := W/cell, H/cell
	grid := tensor.Zeros(nx*ny, 2)
	g := grid.Data()
	for j := range ny {
		for i := range nx {
			k := j*nx + i
			g[2*k] = float32(xlo + (float64(i)+0.5)/float64(nx)*(xhi-xlo))
			g[2*k+1] = float32(yhi - (float64(j)+0.5)/float64(ny)*(yhi-ylo))
		}
	}
	classes := predict(grid)
	for k, c := range classes {
		col := pale(palette[c%len(palette)])
		i, j := k%nx, k/nx
		for dy := range cell {
			for dx := range cell {
				img.SetRGBA(i*cell+dx, j*cell+dy, col)
			}
		}
	}
	for n, c := range p.Y {
		x := int((float64(xy[2*n]) - xlo) / (xhi - xlo) * W)
		y := int((yhi - float64(xy[2*n+1])) / (yhi - ylo) * H)
		dot(img, x, y, 4, black)
		dot(img, x, y, 3, palette[c%len(palette)])
	}
	return encodePNG(img)
}

// pale mixes c with white, for background regions.
func pale(c color.RGBA) color.RGBA {
	mix := func(v uint8) uint8 { return uint8((int(v) + 3*255) / 4) }
	return color.RGBA{mix(c.R), mix(c.G), mix(c.B), 255}
}

// dot draws a filled disc of radius r.
func dot(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for y := -r; y <= r; y++ {
		for x := -r; x <= r; x++ {
			if x*x+y*y <= r*r {
				img.SetRGBA(cx+x, cy+y, c)
			}
		}
	}
}
