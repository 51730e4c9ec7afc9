//go:build !amd64 || purego

package colsum

// useAsm is false: there is no assembly in this build.
var useAsm = false

func sumStrip(acc []float64, src []float32, n, ld int) { sumStripGo(acc, src, n, ld) }
