//go:build !amd64 || purego

package vecmath

// Without assembly the level is always levelGo and these are not called.

func normGradRowAsm(dx, dh, h []float32, r float32) { normGradRowGo(dx, dh, h, r) }

func mulAddAsm(d, a, b, c []float32) { mulAddGo(d, a, b, c) }

func mulAsm(d, a, b []float32) { mulGo(d, a, b) }

func addAsm(d, a, b []float32) { addGo(d, a, b) }

func maxAsm(x []float32) float32 { return maxGo(x) }

func scaleAsm(y []float32, s float32) { scaleGo(y, s) }

func reluMaskAsm(d, src, x []float32) { reluMaskGo(d, src, x) }

func leakyScaleAsm(d, src, x []float32, slope float32) { leakyScaleGo(d, src, x, slope) }

func softmaxGradAsm(d, g, y []float32, scale float32) { softmaxGradGo(d, g, y, scale) }

func normRowsAsm(h, x, rstd []float32, eps float32) { normRowsGo(h, x, rstd, eps) }

func normAffineRowsAsm(out, h, x, rstd, w, b []float32, eps float32) {
	normAffineRowsGo(out, h, x, rstd, w, b, eps)
}

func layerNormGradAsm(dx, g, h, rstd, w, dw, db []float32) {
	layerNormGradGo(dx, g, h, rstd, w, dw, db)
}
