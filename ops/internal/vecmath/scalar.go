package vecmath

import "math"

// Expf returns e^x in float32, within 2 ulp of the correctly rounded value
// over the whole range, several times faster than float32(math.Exp(x)). It
// reduces x = n·ln2 + r with |r| <= ln2/2 and evaluates Cephes' degree-7
// polynomial for e^r (expPoly), then scales by 2^n through the exponent bits.
// Results below 2^-126 flush to 0, and x > 88.72 gives +Inf; NaN gives NaN.
func Expf(x float32) float32 {
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

// expSubGo is the scalar ExpSub: Expf without the overflow branch.
func expSubGo(y, x []float32, m float32) float64 {
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

// NormCDF returns Φ(x) = 0.5·erfc(-x/√2), the standard normal distribution
// function, with a relative error below 1e-6 for x > -5 and below 4e-6 down
// to Φ = 1e-28, in both tails (unlike 0.5·(1 + erf(x/√2)), which loses the
// left tail). It uses the Chebyshev fit of erfc in Numerical Recipes (§6.2,
// fractional error below 1.2e-7), evaluated in float64 up to a float32
// exponential, whose rounded argument limits the far tail.
func NormCDF(x float32) float32 {
	z := math.Abs(float64(x)) * (1 / math.Sqrt2)
	t := 1 / (1 + 0.5*z)
	// The fit's polynomial in t, in Estrin's scheme: short dependency chains.
	t2 := t * t
	t4 := t2 * t2
	q0 := (-1.26551223 + 1.00002368*t) + t2*(0.37409196+0.09678418*t)
	q1 := (-0.18628806 + 0.27886807*t) + t2*(-1.13520398+1.48851587*t)
	p := -z*z + q0 + t4*(q1+t4*(-0.82215223+0.17087277*t))
	half := 0.5 * t * float64(Expf(float32(p))) // 0.5·erfc(|x|/√2) = Φ(-|x|)
	if x > 0 {
		return float32(1 - half)
	}
	return float32(half)
}

// geluGo is the scalar GELU.
func geluGo(out, cdf, x []float32) {
	cdf, x = cdf[:len(out)], x[:len(out)]
	for i, v := range x {
		c := NormCDF(v)
		cdf[i] = c
		out[i] = v * c
	}
}

// geluGradGo is the scalar GELUGrad.
func geluGradGo(dx, g, cdf, x []float32) {
	g, cdf, x = g[:len(dx)], cdf[:len(dx)], x[:len(dx)]
	for i, v := range x {
		pdf := Expf(-0.5*v*v) * 0.3989422804014327
		dx[i] = g[i] * (cdf[i] + v*pdf)
	}
}

// geluC is √(2/π), and geluA the cubic coefficient of the tanh approximation.
const (
	geluC = 0.7978845608028654
	geluA = 0.044715
)

// Tanhf returns tanh(u) = sign(u)·(1 - 2/(e^(2|u|) + 1)), with an absolute
// error below 2e-7: enough wherever tanh is added to 1, as in GELUTanh.
func Tanhf(u float32) float32 {
	a := u
	if a < 0 {
		a = -a
	}
	t := 1 - 2/(Expf(2*a)+1)
	if u < 0 {
		return -t
	}
	return t
}

// geluTanhGo is the scalar GELUTanh.
func geluTanhGo(out, th, x []float32) {
	th, x = th[:len(out)], x[:len(out)]
	for i, v := range x {
		th[i] = Tanhf(geluC * (v + geluA*v*v*v))
		out[i] = 0.5 * v * (1 + th[i])
	}
}

// geluTanhGradGo is the scalar GELUTanhGrad.
func geluTanhGradGo(dx, g, th, x []float32) {
	g, th, x = g[:len(dx)], th[:len(dx)], x[:len(dx)]
	for i, v := range x {
		t := th[i]
		dx[i] = g[i] * (0.5*(1+t) + 0.5*v*(1-t*t)*geluC*(1+3*geluA*v*v))
	}
}
