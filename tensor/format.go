package tensor

import (
	"math"
	"strconv"
	"strings"
)

const (
	// fmtThreshold is the number of elements above which String summarises.
	fmtThreshold = 1000
	// fmtEdge is how many leading and trailing items String keeps along a
	// summarised dimension.
	fmtEdge = 3
)

// String returns t formatted for people, laid out as NumPy's str does:
//
//	[[1 2 3]
//	 [4 5 6]]
//
// Each dimension is a pair of brackets; the items of the last dimension are
// separated by a space, and the rows of higher dimensions start on new lines
// indented to align under their opening bracket, with k-1 blank lines between
// items that are themselves k-dimensional (none between the rows of a matrix,
// one between the matrices of a 3-D tensor). A 0-d tensor prints its value
// alone; a tensor with no elements prints "[]" whatever its shape, as NumPy
// does. Lines are not wrapped.
//
// A tensor of more than 1000 elements is summarised: along each dimension
// longer than 6, only the first 3 and last 3 items are printed, with "..."
// in place of the rest.
//
// Values are formatted as by strconv.FormatFloat(v, 'g', 6, 32), six
// significant digits with an exponent for very large or small magnitudes
// ("0.333333", "1e-05"), except that when every finite printed value is an
// integer below 1e8 in magnitude all are printed as exact integers ("1234567"
// rather than "1.23457e+06"). NaN and infinities print as NaN, +Inf and -Inf.
// There is no decimal point on integers: 1 prints as "1", not NumPy's "1.".
// All values of a tensor are right-aligned to the width of the widest.
func (t *Tensor) String() string {
	if len(t.data) == 0 {
		return "[]"
	}
	if len(t.shape) == 0 {
		return fmtWords(t.data)[0]
	}
	summarise := len(t.data) > fmtThreshold
	var shown []float32
	fmtShown(t.shape, summarise, 0, 0, func(i int) { shown = append(shown, t.data[i]) })
	p := &fmtPrinter{shape: t.shape, summarise: summarise, words: fmtWords(shown)}
	var sb strings.Builder
	p.write(&sb, 0)
	return sb.String()
}

// fmtSpan returns how many leading and trailing items of a dimension of
// length n are printed; lead == n and trail == 0 when nothing is elided.
func fmtSpan(n int, summarise bool) (lead, trail int) {
	if summarise && n > 2*fmtEdge {
		return fmtEdge, fmtEdge
	}
	return n, 0
}

// fmtShown calls visit with the flat index of each printed element, in
// printing order, for the dimensions of shape from ax on, starting at the
// flat offset off.
func fmtShown(shape []int, summarise bool, ax, off int, visit func(int)) {
	stride := 1
	for _, d := range shape[ax+1:] {
		stride *= d
	}
	n := shape[ax]
	lead, trail := fmtSpan(n, summarise)
	item := func(i int) {
		if ax == len(shape)-1 {
			visit(off + i)
		} else {
			fmtShown(shape, summarise, ax+1, off+i*stride, visit)
		}
	}
	for i := range lead {
		item(i)
	}
	for i := n - trail; i < n; i++ {
		item(i)
	}
}

// fmtPrinter writes the nested brackets of a tensor, taking the formatted
// elements from words in printing order.
type fmtPrinter struct {
	shape     []int
	summarise bool
	words     []string
	next      int // index of the next word to print
}

// write writes the dimensions from ax on, for the next block of elements.
func (p *fmtPrinter) write(sb *strings.Builder, ax int) {
	last := ax == len(p.shape)-1
	sep := " "
	if !last {
		// Items of dimension ax are at indent ax+1, under the bracket's
		// first item, after rank-ax-2 blank lines.
		sep = strings.Repeat("\n", len(p.shape)-ax-1) + strings.Repeat(" ", ax+1)
	}
	n := p.shape[ax]
	lead, trail := fmtSpan(n, p.summarise)
	sb.WriteByte('[')
	for i := range lead + trail {
		if i > 0 {
			sb.WriteString(sep)
		}
		if i == lead {
			sb.WriteString("...")
			sb.WriteString(sep)
		}
		if last {
			sb.WriteString(p.words[p.next])
			p.next++
		} else {
			p.write(sb, ax+1)
		}
	}
	sb.WriteByte(']')
}

// fmtWords formats the values as String documents, padded on the left to a
// common width.
func fmtWords(vals []float32) []string {
	integers := true
	for _, v := range vals {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		if f != math.Trunc(f) || math.Abs(f) >= 1e8 {
			integers = false
			break
		}
	}
	words := make([]string, len(vals))
	width := 0
	for i, v := range vals {
		f := float64(v)
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			words[i] = strconv.FormatFloat(f, 'g', -1, 32) // NaN, +Inf, -Inf
		case integers:
			words[i] = strconv.FormatFloat(f, 'f', 0, 32)
		default:
			words[i] = strconv.FormatFloat(f, 'g', 6, 32)
		}
		width = max(width, len(words[i]))
	}
	for i, w := range words {
		if len(w) < width {
			words[i] = strings.Repeat(" ", width-len(w)) + w
		}
	}
	return words
}
