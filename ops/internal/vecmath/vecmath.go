package vecmath

import "math"

// chunk is the most elements one assembly call handles: about 10 µs of
// work, short enough for the scheduler to preempt between calls.
const chunk = 1 << 14

// The kernel levels: scalar Go, AVX2 with FMA (8 lanes), AVX-512 (16 lanes).
const (
	levelGo = iota
	levelAVX2
	levelAVX512
)

// level is the kernel level in use: the best that the processor has
// (maxLevel), lowered only by tests.
var level = maxLevel

// GELU sets out[i] = x[i]·Φ(x[i]) and cdf[i] = Φ(x[i]), with Φ the standard
// normal distribution function, to the accuracy of NormCDF: a relative
// error below 1e-6 for x > -5 and below 4e-6 down to Φ = 1e-28 (the
// assembly, AVX2 on any x86 with it, measured 3.5e-7 over both ranges;
// the scalar code 6.4e-7 and 2.0e-6). Φ(x) flushes to 0 below about
// x = -13.2.
func GELU(out, cdf, x []float32) {
	cdf, x = cdf[:len(out)], x[:len(out)]
	for i := 0; i < len(out); i += chunk {
		j := min(i+chunk, len(out))
		geluChunk(out[i:j], cdf[i:j], x[i:j])
	}
}

// GELUGrad sets dx[i] = g[i]·(cdf[i] + x[i]·φ(x[i])), the backward of
// out = x·Φ(x) given cdf = Φ(x), with φ(x) = e^(-x²/2)/√(2π).
func GELUGrad(dx, g, cdf, x []float32) {
	g, cdf, x = g[:len(dx)], cdf[:len(dx)], x[:len(dx)]
	for i := 0; i < len(dx); i += chunk {
		j := min(i+chunk, len(dx))
		geluGradChunk(dx[i:j], g[i:j], cdf[i:j], x[i:j])
	}
}

// GELUTanh sets th[i] = tanh(u) and out[i] = 0.5·x[i]·(1 + th[i]), with
// u = √(2/π)·(x[i] + 0.044715·x[i]³): the tanh approximation of GELU. th
// has an absolute error below 2e-7 (Tanhf; the assembly measures 1.4e-7).
func GELUTanh(out, th, x []float32) {
	th, x = th[:len(out)], x[:len(out)]
	for i := 0; i < len(out); i += chunk {
		j := min(i+chunk, len(out))
		geluTanhChunk(out[i:j], th[i:j], x[i:j])
	}
}

// GELUTanhGrad sets dx[i] = g[i]·(0.5·(1 + t) + 0.5·x·(1 - t²)·√(2/π)·
// (1 + 3·0.044715·x²)) with t = th[i] and x = x[i], the backward of
// GELUTanh.
func GELUTanhGrad(dx, g, th, x []float32) {
	g, th, x = g[:len(dx)], th[:len(dx)], x[:len(dx)]
	for i := 0; i < len(dx); i += chunk {
		j := min(i+chunk, len(dx))
		geluTanhGradChunk(dx[i:j], g[i:j], th[i:j], x[i:j])
	}
}

// ExpSub sets y[i] = e^(x[i] - m) and returns the sum, in float64, of the
// y[i] that are not NaN. It is the inner loop of a softmax over a row
// whose maximum is m, so x[i] - m <= 0: each y[i] is within 2 ulp of the
// exact value, results below 2^-126 flush to 0, and NaN stays NaN in y
// but is left out of the sum. y and x may be the same slice.
func ExpSub(y, x []float32, m float32) float64 {
	x = x[:len(y)]
	var sum float64
	for i := 0; i < len(y); i += chunk {
		j := min(i+chunk, len(y))
		sum += expSubChunk(y[i:j], x[i:j], m)
	}
	return sum
}

// Softmax sets y = scale·x and m = max(y), NaN if y holds one. If m is
// finite it then sets y = e^(y - m)/sum with sum = Σ e^(y - m) summed in
// float64, and reports ok; otherwise y stays scale·x, sum is 0 and the
// caller decides (a row of -Inf, or with +Inf or NaN, has no softmax of
// its own). y and x may be the same slice; x has len(y) elements or more.
// It is a softmax row in one pass of calls: ExpSub between Max and Scale.
func Softmax(y, x []float32, scale float32) (m float32, sum float64, ok bool) {
	x = x[:len(y)]
	if len(y) == 0 {
		return float32(math.Inf(-1)), 0, false
	}
	if m, sum, ran := softmaxAsm(y, x, scale); ran {
		return m, sum, sum > 0
	}
	if scale == 1 {
		copy(y, x)
	} else {
		for i, v := range x {
			y[i] = v * scale
		}
	}
	m = Max(y)
	if math.IsInf(float64(m), 0) || m != m {
		return m, 0, false
	}
	sum = ExpSub(y, y, m)
	Scale(y, float32(1/sum))
	return m, sum, true
}

// SoftmaxRows is Softmax for the rows of causal or unmasked attention
// weights, each row n elements long (len(y) a multiple of n; x has as many
// elements or more): row r keeps its first k = min(n, first+r) elements,
// which get the softmax of scale·x, and the rest get 0 (first >= n keeps
// whole rows, first = 1 gives the causal triangle). It stops before the
// first row whose kept maximum is NaN or not finite, which has no softmax
// of its own (a row with no kept element among them), leaving scale·x in
// that row's kept elements, and returns the number of rows done. y and x
// may be the same slice.
//
// Rows of at most 32 elements go through one assembly call, a row per
// pair of registers; the sum of a row's exponentials is then a float32
// sum of 32 terms or fewer, within a few ulp of Softmax's float64 one.
func SoftmaxRows(y, x []float32, n, first int, scale float32) int {
	if n <= 0 || len(y) < n {
		return 0
	}
	rows := len(y) / n
	x = x[:rows*n]
	if done := softmaxRowsAsm(y[:rows*n], x, n, first, scale); done >= 0 {
		return done
	}
	for r := range rows {
		k := min(n, first+r)
		row := y[r*n : (r+1)*n]
		if k <= 0 {
			return r
		}
		if _, _, ok := Softmax(row[:k], x[r*n:r*n+k], scale); !ok {
			return r
		}
		clear(row[k:])
	}
	return rows
}

// Prefetch asks the processor to bring x into its caches ahead of use, one
// request per 64-byte line, and returns without waiting: a loop over
// blocks scattered through memory can ask for the next block while it
// works on this one. It changes nothing else, and does nothing where the
// package has no assembly.
func Prefetch(x []float32) { prefetch(x) }
