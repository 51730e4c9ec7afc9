package vecmath

import "math"

// Row kernels of LayerNorm. They run in AVX-512 assembly where the
// processor has it and in Go otherwise (AVX2 included: a row of d_model
// floats is short, and the float64 sums are what matter).

// NormRows sets h = (x - mean)·rstd over each of the len(rstd) rows of x
// (len(x) a multiple of len(rstd)), with the row's mean and population
// variance summed in float64, and rstd[i] = 1/√(var + eps) of row i. h
// has len(x) elements or more.
func NormRows(h, x, rstd []float32, eps float32) {
	if len(rstd) == 0 {
		return
	}
	n := len(x) / len(rstd)
	h, x = h[:len(x)], x[:n*len(rstd)]
	if n == 0 || n > chunk || level != levelAVX512 {
		normRowsGo(h, x, rstd, eps)
		return
	}
	step := chunk / n // rows a call
	for r := 0; r < len(rstd); r += step {
		e := min(r+step, len(rstd))
		normRowsAsm(h[r*n:e*n], x[r*n:e*n], rstd[r:e], eps)
	}
}

// NormAffineRows is NormRows followed by out = h·w + b (one rounding at
// AVX-512, as MulAdd) on each row, with w and b of the row length n: the
// forward of LayerNorm with a weight and a bias. At AVX-512 it is one pass
// of calls, each over many rows, that writes h and out together; h and
// rstd are those of NormRows to the bit.
func NormAffineRows(out, h, x, rstd, w, b []float32, eps float32) {
	if len(rstd) == 0 {
		return
	}
	n := len(x) / len(rstd)
	N := len(rstd)
	out, h, x, w, b = out[:N*n], h[:N*n], x[:N*n], w[:n], b[:n]
	if n == 0 || n > chunk || level != levelAVX512 {
		normAffineRowsGo(out, h, x, rstd, w, b, eps)
		return
	}
	step := chunk / n // rows a call
	for r := 0; r < N; r += step {
		e := min(r+step, N)
		normAffineRowsAsm(out[r*n:e*n], h[r*n:e*n], x[r*n:e*n], rstd[r:e], w, b, eps)
	}
}

func normAffineRowsGo(out, h, x, rstd, w, b []float32, eps float32) {
	n := len(w)
	normRowsGo(h, x, rstd, eps)
	for r := range rstd {
		mulAddGo(out[r*n:(r+1)*n], h[r*n:(r+1)*n], w, b)
	}
}

func normRowsGo(h, x, rstd []float32, eps float32) {
	n := len(x) / len(rstd)
	for r := range rstd {
		rstd[r] = normRowGo(h[r*n:(r+1)*n], x[r*n:(r+1)*n], eps)
	}
}

// NormGradRow sets dx = r·(dh - mean(dh) - h·mean(dh·h)), the backward of
// h = (x - mean)·r through the mean and variance, with the two means summed
// in float64. dh and h have len(dx) elements or more.
func NormGradRow(dx, dh, h []float32, r float32) {
	dh, h = dh[:len(dx)], h[:len(dx)]
	if len(dx) > 0 && len(dx) <= chunk && level == levelAVX512 {
		normGradRowAsm(dx, dh, h, r)
		return
	}
	normGradRowGo(dx, dh, h, r)
}

// MulAdd sets d = a·b + c elementwise; the assembly fuses the multiply and
// the add into one rounding. c may be d.
func MulAdd(d, a, b, c []float32) {
	a, b, c = a[:len(d)], b[:len(d)], c[:len(d)]
	for i := 0; i < len(d); i += chunk {
		j := min(i+chunk, len(d))
		if level == levelAVX512 {
			mulAddAsm(d[i:j], a[i:j], b[i:j], c[i:j])
		} else {
			mulAddGo(d[i:j], a[i:j], b[i:j], c[i:j])
		}
	}
}

// normRowGo is NormRows for one row in Go, returning its rstd. Four
// partial sums break the chain of dependent additions, which bounds a row
// as short as d_model = 64.
func normRowGo(h, x []float32, eps float32) float32 {
	h = h[:len(x)]
	var s0, s1, s2, s3 float64
	for i := 0; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += float64(v[0])
		s1 += float64(v[1])
		s2 += float64(v[2])
		s3 += float64(v[3])
	}
	for _, v := range x[len(x)&^3:] {
		s0 += float64(v)
	}
	mean := (s0 + s1 + s2 + s3) / float64(len(x))
	s0, s1, s2, s3 = 0, 0, 0, 0
	for i := 0; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(v[0])-mean, float64(v[1])-mean, float64(v[2])-mean, float64(v[3])-mean
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for _, v := range x[len(x)&^3:] {
		d := float64(v) - mean
		s0 += d * d
	}
	r := 1 / math.Sqrt((s0+s1+s2+s3)/float64(len(x))+float64(eps))
	for j, v := range x {
		h[j] = float32((float64(v) - mean) * r)
	}
	return float32(r)
}

// normGradRowGo is the scalar NormGradRow.
func normGradRowGo(dx, dh, h []float32, r float32) {
	dh, h = dh[:len(dx)], h[:len(dx)]
	var s0, s1, p0, p1 float64
	for i := 0; i+2 <= len(dh); i += 2 {
		u, v := dh[i:i+2:i+2], h[i:i+2:i+2]
		s0 += float64(u[0])
		s1 += float64(u[1])
		p0 += float64(u[0]) * float64(v[0])
		p1 += float64(u[1]) * float64(v[1])
	}
	if len(dh)%2 == 1 {
		u, v := dh[len(dh)-1], h[len(dh)-1]
		s0 += float64(u)
		p0 += float64(u) * float64(v)
	}
	n := float64(len(dx))
	a, c := float32((s0+s1)/n), float32((p0+p1)/n)
	for j, v := range dh {
		dx[j] = r * (v - a - h[j]*c)
	}
}

// mulAddGo is the scalar MulAdd (unfused unless the compiler fuses it).
func mulAddGo(d, a, b, c []float32) {
	a, b, c = a[:len(d)], b[:len(d)], c[:len(d)]
	for i, v := range a {
		d[i] = v*b[i] + c[i]
	}
}

// Mul sets d = a·b elementwise. a or b may be d.
func Mul(d, a, b []float32) { binary(d, a, b, mulAsm, mulGo) }

// Add sets d = a + b elementwise. a or b may be d.
func Add(d, a, b []float32) { binary(d, a, b, addAsm, addGo) }

// binary runs an elementwise kernel of two operands in chunks, in assembly
// at AVX-512 and in Go otherwise.
func binary(d, a, b []float32, asm, fallback func(d, a, b []float32)) {
	a, b = a[:len(d)], b[:len(d)]
	for i := 0; i < len(d); i += chunk {
		j := min(i+chunk, len(d))
		if level == levelAVX512 {
			asm(d[i:j], a[i:j], b[i:j])
		} else {
			fallback(d[i:j], a[i:j], b[i:j])
		}
	}
}

func mulGo(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for i, v := range a {
		d[i] = v * b[i]
	}
}

func addGo(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for i, v := range a {
		d[i] = v + b[i]
	}
}

// Max returns the largest element of x, NaN if x holds a NaN, and -Inf
// if x is empty: the shift of a softmax row. Of equal zeros of either sign
// it may return either.
func Max(x []float32) float32 {
	if level != levelAVX512 {
		return maxGo(x)
	}
	m := float32(math.Inf(-1))
	for i := 0; i < len(x); i += chunk {
		c := maxAsm(x[i:min(i+chunk, len(x))])
		if c > m || c != c {
			m = c
		}
		if m != m {
			break
		}
	}
	return m
}

// Scale sets y = y·s elementwise.
func Scale(y []float32, s float32) {
	for i := 0; i < len(y); i += chunk {
		j := min(i+chunk, len(y))
		if level == levelAVX512 {
			scaleAsm(y[i:j], s)
		} else {
			scaleGo(y[i:j], s)
		}
	}
}

func maxGo(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m || v != v {
			m = v
		}
	}
	return m
}

func scaleGo(y []float32, s float32) {
	for i := range y {
		y[i] *= s
	}
}

// SoftmaxGrad sets d = scale·y·(g - Σ_k g_k·y_k) over a row, the backward
// of y = softmax(scale·x), with the dot product summed in float32 (16
// partial sums in the assembly, one in Go).
func SoftmaxGrad(d, g, y []float32, scale float32) {
	g, y = g[:len(d)], y[:len(d)]
	if len(d) > 0 && len(d) <= chunk && level == levelAVX512 {
		softmaxGradAsm(d, g, y, scale)
		return
	}
	softmaxGradGo(d, g, y, scale)
}

// SoftmaxGradRows is SoftmaxGrad for each n-element row of d, g and y (len(d)
// a multiple of n; g and y have as many elements or more): rows of at most
// 32 elements take one assembly call for all of them. d may be g.
func SoftmaxGradRows(d, g, y []float32, n int, scale float32) {
	if n <= 0 || len(d) < n {
		return
	}
	d = d[:len(d)/n*n]
	g, y = g[:len(d)], y[:len(d)]
	if softmaxGradRowsAsm(d, g, y, n, scale) {
		return
	}
	for o := 0; o < len(d); o += n {
		SoftmaxGrad(d[o:o+n], g[o:o+n], y[o:o+n], scale)
	}
}

func softmaxGradGo(d, g, y []float32, scale float32) {
	g, y = g[:len(d)], y[:len(d)]
	var dot float32
	for i, v := range y {
		dot += g[i] * v
	}
	for i, v := range y {
		d[i] = scale * v * (g[i] - dot)
	}
}

// LayerNormGrad is the backward of LayerNorm with a weight w and a bias
// over len(rstd) rows of n = len(w) elements: with dh = g·w for each row,
// it adds g·h to dw and g to db, and sets dx = rstd·(dh - mean(dh) -
// h·mean(dh·h)) as NormGradRow does. dx, g and h have len(rstd)·n
// elements or more.
func LayerNormGrad(dx, g, h, rstd, w, dw, db []float32) {
	n := len(w)
	if len(rstd) == 0 || n == 0 {
		return
	}
	dw, db = dw[:n], db[:n]
	N := len(rstd)
	dx, g, h = dx[:N*n], g[:N*n], h[:N*n]
	if n > chunk || level != levelAVX512 {
		layerNormGradGo(dx, g, h, rstd, w, dw, db)
		return
	}
	step := chunk / n // rows a call
	for r := 0; r < N; r += step {
		e := min(r+step, N)
		layerNormGradAsm(dx[r*n:e*n], g[r*n:e*n], h[r*n:e*n], rstd[r:e], w, dw, db)
	}
}

func layerNormGradGo(dx, g, h, rstd, w, dw, db []float32) {
	n := len(w)
	for r := range rstd {
		d, gr, hr := dx[r*n:(r+1)*n], g[r*n:(r+1)*n], h[r*n:(r+1)*n]
		mulGo(d, gr, w) // dh, kept in dx until NormGradRow reads it
		mulAddGo(dw, gr, hr, dw)
		addGo(db, db, gr)
		normGradRowGo(d, d, hr, rstd[r])
	}
}
