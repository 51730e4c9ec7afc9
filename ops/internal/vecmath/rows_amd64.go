//go:build amd64 && !purego

package vecmath

import "math"

//go:noescape
func normRowsAVX512(h, x, rstd *float32, rows, n int, eps float32)

//go:noescape
func normAffineRowsAVX512(out, h, x, rstd, w, b *float32, rows, n int, eps float32)

//go:noescape
func normGradRowAVX512(dx, dh, h *float32, n int, r float32)

//go:noescape
func mulAddAVX512(d, a, b, c *float32, n int)

// The callers check the level and that the rows are not empty.

func normRowsAsm(h, x, rstd []float32, eps float32) {
	normRowsAVX512(&h[0], &x[0], &rstd[0], len(rstd), len(x)/len(rstd), eps)
}

func normAffineRowsAsm(out, h, x, rstd, w, b []float32, eps float32) {
	normAffineRowsAVX512(&out[0], &h[0], &x[0], &rstd[0], &w[0], &b[0], len(rstd), len(w), eps)
}

func normGradRowAsm(dx, dh, h []float32, r float32) {
	normGradRowAVX512(&dx[0], &dh[0], &h[0], len(dx), r)
}

func mulAddAsm(d, a, b, c []float32) {
	if len(d) > 0 {
		mulAddAVX512(&d[0], &a[0], &b[0], &c[0], len(d))
	}
}

//go:noescape
func mulAVX512(d, a, b *float32, n int)

//go:noescape
func addAVX512(d, a, b *float32, n int)

func mulAsm(d, a, b []float32) {
	if len(d) > 0 {
		mulAVX512(&d[0], &a[0], &b[0], len(d))
	}
}

func addAsm(d, a, b []float32) {
	if len(d) > 0 {
		addAVX512(&d[0], &a[0], &b[0], len(d))
	}
}

//go:noescape
func maxAVX512(x *float32, n int) float32

//go:noescape
func scaleAVX512(y *float32, n int, s float32)

func maxAsm(x []float32) float32 {
	if len(x) == 0 {
		return float32(math.Inf(-1))
	}
	return maxAVX512(&x[0], len(x))
}

func scaleAsm(y []float32, s float32) {
	if len(y) > 0 {
		scaleAVX512(&y[0], len(y), s)
	}
}

//go:noescape
func reluMaskAVX512(d, src, x *float32, n int)

//go:noescape
func leakyScaleAVX512(d, src, x *float32, n int, slope float32)

func reluMaskAsm(d, src, x []float32) {
	if len(d) > 0 {
		reluMaskAVX512(&d[0], &src[0], &x[0], len(d))
	}
}

func leakyScaleAsm(d, src, x []float32, slope float32) {
	if len(d) > 0 {
		leakyScaleAVX512(&d[0], &src[0], &x[0], len(d), slope)
	}
}

//go:noescape
func softmaxGradAVX512(d, grad, y *float32, n int, scale float32)

func softmaxGradAsm(d, g, y []float32, scale float32) {
	softmaxGradAVX512(&d[0], &g[0], &y[0], len(d), scale)
}

//go:noescape
func layerNormGradAVX512(dx, grad, h, rstd, w, dw, db *float32, rows, n int)

func layerNormGradAsm(dx, g, h, rstd, w, dw, db []float32) {
	layerNormGradAVX512(&dx[0], &g[0], &h[0], &rstd[0], &w[0], &dw[0], &db[0], len(rstd), len(w))
}
