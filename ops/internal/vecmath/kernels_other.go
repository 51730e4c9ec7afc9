//go:build !amd64 || purego

package vecmath

// maxLevel is scalar Go: there is no assembly for this build.
const maxLevel = levelGo

func geluChunk(out, cdf, x []float32) { geluGo(out, cdf, x) }

func geluGradChunk(dx, g, cdf, x []float32) { geluGradGo(dx, g, cdf, x) }

func expSubChunk(y, x []float32, m float32) float64 { return expSubGo(y, x, m) }

func geluTanhChunk(out, th, x []float32) { geluTanhGo(out, th, x) }

func geluTanhGradChunk(dx, g, th, x []float32) { geluTanhGradGo(dx, g, th, x) }

func softmaxAsm(y, x []float32, scale float32) (m float32, sum float64, ran bool) { return 0, 0, false }

func softmaxRowsAsm(y, x []float32, n, first int, scale float32) int { return -1 }

func softmaxGradRowsAsm(d, g, y []float32, n int, scale float32) bool { return false }

func prefetch(x []float32) {}
