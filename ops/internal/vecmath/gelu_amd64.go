//go:build amd64 && !purego

package vecmath

//go:noescape
func geluDerivAVX512(out, d, x *float32, n int)

func geluDerivChunk(out, d, x []float32) {
	if len(out) > 0 && level == levelAVX512 {
		geluDerivAVX512(&out[0], &d[0], &x[0], len(out))
		return
	}
	geluDerivSplit(out, d, x)
}
