//go:build !amd64 || purego

package vecmath

func geluDerivChunk(out, d, x []float32) { geluDerivSplit(out, d, x) }
