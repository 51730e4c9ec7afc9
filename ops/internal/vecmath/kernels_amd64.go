//go:build amd64 && !purego

package vecmath

import "github.com/gotensor/gotensor/tensor"

// maxLevel is the best kernel level of this processor. Package tensor has
// checked the CPU and the OS already for its matrix kernels, with the same
// requirements: AVX2 with FMA, or AVX-512 F, BW, DQ and VL.
var maxLevel = map[string]int{"avx512": levelAVX512, "avx2": levelAVX2}[tensor.Kernel()]

// The assembly kernels take n elements from each pointer; the AVX-512 ones
// mask the last partial vector, the AVX2 ones want n a multiple of 8 and
// leave the rest to their Go callers, which pass it through an 8-lane
// buffer.

//go:noescape
func geluAVX2(out, cdf, x *float32, n int)

//go:noescape
func geluGradAVX2(dx, grad, cdf, x *float32, n int)

//go:noescape
func expSubAVX512(y, x *float32, n int, m float32) float64

//go:noescape
func expSubAVX2(y, x *float32, n int, m float32) float64

//go:noescape
func geluTanhAVX512(out, th, x *float32, n int)

//go:noescape
func geluTanhAVX2(out, th, x *float32, n int)

//go:noescape
func geluTanhGradAVX512(dx, grad, th, x *float32, n int)

func geluTanhChunk(out, th, x []float32) {
	n := len(out)
	if n == 0 {
		return
	}
	switch level {
	case levelAVX512:
		geluTanhAVX512(&out[0], &th[0], &x[0], n)
	case levelAVX2:
		k := n &^ 7
		if k > 0 {
			geluTanhAVX2(&out[0], &th[0], &x[0], k)
		}
		if k < n {
			var ob, tb, xb [8]float32
			copy(xb[:], x[k:])
			geluTanhAVX2(&ob[0], &tb[0], &xb[0], 8)
			copy(out[k:], ob[:])
			copy(th[k:], tb[:])
		}
	default:
		geluTanhGo(out, th, x)
	}
}

// geluTanhGradChunk has no AVX2 form: it is a few multiplications, which
// the Go loop does at a fraction of the forward's cost.
func geluTanhGradChunk(dx, g, th, x []float32) {
	if len(dx) > 0 && level == levelAVX512 {
		geluTanhGradAVX512(&dx[0], &g[0], &th[0], &x[0], len(dx))
		return
	}
	geluTanhGradGo(dx, g, th, x)
}

//go:noescape
func softmaxAVX512(y, x *float32, n int, scale float32) (m float32, sum float64)

// softmaxAsm reports whether it ran; the caller checks len(y) >= 1.
func softmaxAsm(y, x []float32, scale float32) (m float32, sum float64, ran bool) {
	if level != levelAVX512 || len(y) > chunk {
		return 0, 0, false
	}
	m, sum = softmaxAVX512(&y[0], &x[0], len(y), scale)
	return m, sum, true
}

func geluChunk(out, cdf, x []float32) {
	n := len(out)
	if n == 0 {
		return
	}
	switch level {
	case levelAVX512, levelAVX2:
		// The AVX2 kernel at both levels: GELU has no AVX-512 kernel of its
		// own (package ops computes GELU with GELUDeriv, which has one).
		k := n &^ 7
		if k > 0 {
			geluAVX2(&out[0], &cdf[0], &x[0], k)
		}
		if k < n {
			var ob, cb, xb [8]float32
			copy(xb[:], x[k:])
			geluAVX2(&ob[0], &cb[0], &xb[0], 8)
			copy(out[k:], ob[:])
			copy(cdf[k:], cb[:])
		}
	default:
		geluGo(out, cdf, x)
	}
}

func geluGradChunk(dx, g, cdf, x []float32) {
	n := len(dx)
	if n == 0 {
		return
	}
	switch level {
	case levelAVX512, levelAVX2:
		k := n &^ 7
		if k > 0 {
			geluGradAVX2(&dx[0], &g[0], &cdf[0], &x[0], k)
		}
		if k < n {
			var db, gb, cb, xb [8]float32
			copy(gb[:], g[k:])
			copy(cb[:], cdf[k:])
			copy(xb[:], x[k:])
			geluGradAVX2(&db[0], &gb[0], &cb[0], &xb[0], 8)
			copy(dx[k:], db[:])
		}
	default:
		geluGradGo(dx, g, cdf, x)
	}
}

func expSubChunk(y, x []float32, m float32) float64 {
	n := len(y)
	if n == 0 {
		return 0
	}
	switch level {
	case levelAVX512:
		return expSubAVX512(&y[0], &x[0], n, m)
	case levelAVX2:
		var sum float64
		k := n &^ 7
		if k > 0 {
			sum = expSubAVX2(&y[0], &x[0], k, m)
		}
		if k < n {
			var yb, xb [8]float32
			copy(xb[:], x[k:])
			expSubAVX2(&yb[0], &xb[0], 8, m)
			copy(y[k:], yb[:])
			for _, v := range y[k:] {
				if v == v { // NaN lanes stay out of the sum
					sum += float64(v)
				}
			}
		}
		return sum
	}
	return expSubGo(y, x, m)
}

//go:noescape
func softmaxRowsAVX512(y, x *float32, rows, n, first int, scale float32) int

// softmaxRowsAsm reports the rows done, or -1 if it did not run; the
// caller checks that there is a row and 1 <= n.
func softmaxRowsAsm(y, x []float32, n, first int, scale float32) int {
	if level != levelAVX512 || n > 32 {
		return -1
	}
	return softmaxRowsAVX512(&y[0], &x[0], len(y)/n, n, first, scale)
}

//go:noescape
func softmaxGradRowsAVX512(d, grad, y *float32, rows, n int, scale float32)

// softmaxGradRowsAsm reports whether it ran; the caller checks that there
// is a row and 1 <= n.
func softmaxGradRowsAsm(d, g, y []float32, n int, scale float32) bool {
	if level != levelAVX512 || n > 32 {
		return false
	}
	softmaxGradRowsAVX512(&d[0], &g[0], &y[0], len(d)/n, n, scale)
	return true
}

//go:noescape
func prefetchAsm(p *float32, n int)

func prefetch(x []float32) {
	if len(x) > 0 {
		prefetchAsm(&x[0], len(x))
	}
}
