package ops

import "math"

// expf returns e^x in float32, within 2 ulp of the correctly rounded value
// over the whole range, several times faster than float32(math.Exp(x)): the
// exponentials of softmax, cross-entropy and attention use it. It reduces
// x = n·ln2 + r with |r| <= ln2/2 and evaluates Cephes' degree-7 polynomial
// for e^r (expPoly), then scales by 2^n through the exponent bits. Results below
// 2^-126 flush to 0, and x > 88.72 gives +Inf; NaN gives NaN.
func expf(x float32) float32 {
	const (
		log2e  = 1.44269504088896341
		ln2Hi  = 0.693359375
		ln2Lo  = -2.12194440e-4
		maxArg = 88.72283905206835
		minArg = -87.33654475055310898657 // ln 2^-126
	)
	if !(x >= minArg) { // also NaN
		if x != x {
			return x
		}
		return 0
	}
	if x > maxArg {
		return float32(math.Inf(1))
	}
	// Adding 1.5·2^23 rounds x·log2e to the nearest integer n, which then
	// sits in the low mantissa bits of t.
	t := x*log2e + 12582912
	n := t - 12582912
	k := int32(math.Float32bits(t)) - 0x4b400000
	r := x - n*ln2Hi - n*ln2Lo
	p := expPoly(r)
	// Scale by 2^n: n is in [-126, 128]; split 2^128 as 2·2^127.
	if k > 127 {
		return p * 2 * math.Float32frombits(uint32(k-1+127)<<23)
	}
	return p * math.Float32frombits(uint32(k+127)<<23)
}

// expSub sets y[i] = e^(x[i] - m) for x[i] - m <= 0, as expf without the
// overflow branch, and returns Σ y in float64. It is the inner loop of a
// softmax over a contiguous row.
func expSub(y, x []float32, m float32) float64 {
	const (
		log2e  = 1.44269504088896341
		ln2Hi  = 0.693359375
		ln2Lo  = -2.12194440e-4
		minArg = -87.33654475055310898657
	)
	x = x[:len(y)]
	var s0, s1 float64
	for i, v := range x {
		v -= m
		if !(v >= minArg) { // underflow, or NaN
			if v != v {
				y[i] = v
			} else {
				y[i] = 0
			}
			continue
		}
		t := v*log2e + 12582912
		n := t - 12582912
		k := int32(math.Float32bits(t)) - 0x4b400000
		r := v - n*ln2Hi - n*ln2Lo
		e := expPoly(r) * math.Float32frombits(uint32(k+127)<<23)
		y[i] = e
		if i&1 == 0 {
			s0 += float64(e)
		} else {
			s1 += float64(e)
		}
	}
	return s0 + s1
}

// expPoly returns e^r for |r| <= ln2/2 from Cephes' coefficients, in
// Estrin's scheme: independent pairs combined by powers of r², instead of
// one chain of six multiply-adds, so that the processor can overlap them.
func expPoly(r float32) float32 {
	r2 := r * r
	r4 := r2 * r2
	a := 5.0000001201e-1 + 1.6666665459e-1*r
	b := 4.1665795894e-2 + 8.3334519073e-3*r
	c := 1.3981999507e-3 + 1.9875691500e-4*r
	return 1 + r + r2*((a+r2*b)+r4*c)
}
