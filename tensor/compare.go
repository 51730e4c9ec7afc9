package tensor

// Comparisons return masks: 1 where the relation holds and 0 elsewhere, with
// broadcasting. Any comparison with NaN is false, except Ne, which is true.

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

func gt(x, y float32) float32 { return b2f(x > y) }
func ge(x, y float32) float32 { return b2f(x >= y) }
func lt(x, y float32) float32 { return b2f(x < y) }
func le(x, y float32) float32 { return b2f(x <= y) }
func eq(x, y float32) float32 { return b2f(x == y) }
func ne(x, y float32) float32 { return b2f(x != y) }

func gtVV(d, a, b []float32)              { zipVV(d, a, b, gt) }
func gtRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, gt) }
func geVV(d, a, b []float32)              { zipVV(d, a, b, ge) }
func geRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, ge) }
func ltVV(d, a, b []float32)              { zipVV(d, a, b, lt) }
func ltRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, lt) }
func leVV(d, a, b []float32)              { zipVV(d, a, b, le) }
func leRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, le) }
func eqVV(d, a, b []float32)              { zipVV(d, a, b, eq) }
func eqRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, eq) }
func neVV(d, a, b []float32)              { zipVV(d, a, b, ne) }
func neRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, ne) }

// Gt returns the mask a > b.
func Gt(a, b *Tensor) *Tensor { return binary("Gt", a, b, gtVV, gtRow) }

// Ge returns the mask a >= b.
func Ge(a, b *Tensor) *Tensor { return binary("Ge", a, b, geVV, geRow) }

// Lt returns the mask a < b.
func Lt(a, b *Tensor) *Tensor { return binary("Lt", a, b, ltVV, ltRow) }

// Le returns the mask a <= b.
func Le(a, b *Tensor) *Tensor { return binary("Le", a, b, leVV, leRow) }

// Eq returns the mask a == b.
func Eq(a, b *Tensor) *Tensor { return binary("Eq", a, b, eqVV, eqRow) }

// Ne returns the mask a != b.
func Ne(a, b *Tensor) *Tensor { return binary("Ne", a, b, neVV, neRow) }

// GtScalar returns the mask t > s.
func GtScalar(t *Tensor, s float32) *Tensor {
	out := newTensor("GtScalar", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return b2f(x > s) })
	return out
}

// LtScalar returns the mask t < s.
func LtScalar(t *Tensor, s float32) *Tensor {
	out := newTensor("LtScalar", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return b2f(x < s) })
	return out
}

// Where returns a tensor that takes a's element where cond is non-zero and
// b's element where it is zero, with cond, a and b broadcast together.
// A NaN in cond counts as non-zero. It panics if the shapes cannot broadcast.
func Where(cond, a, b *Tensor) *Tensor {
	shape := broadcastShape("Where", broadcastShape("Where", cond.shape, a.shape), b.shape)
	// The result starts as a, and b's elements replace it where cond is 0.
	out := BroadcastTo(a, shape...)
	broadcastInto("Where", out.data, shape, cond, b, whereRow, nil)
	return out
}

// whereRow sets dst[i] = b[i*sb] where c[i*sc] is 0.
func whereRow(dst, c, b []float32, sc, sb int) {
	for i := range dst {
		if c[i*sc] == 0 {
			dst[i] = b[i*sb]
		}
	}
}
