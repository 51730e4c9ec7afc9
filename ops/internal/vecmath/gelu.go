package vecmath

// GELUDeriv sets out[i] = x[i]·Φ(x[i]) and d[i] = Φ(x[i]) + x[i]·φ(x[i]),
// the derivative of GELU, with φ(x) = e^(-x²/2)/√(2π): the forward of GELU
// with what its backward needs, so that the backward is dx = g·d. Φ has the
// accuracy of GELU: over every 61st float32 in [-13, 8] the assembly
// measures a relative error of 4.9e-7 in x·Φ(x) (Φ and one rounding;
// GELU's assembly 4.5e-7) and an error of 4.7e-7 of Φ + |x|·φ in d. Φ
// flushes to 0 below about x = -13.2, as φ does. At ±Inf d is NaN (Inf·0),
// as GELUGrad gives. Below AVX-512 it is GELU followed by GELUGrad.
// out may be x itself: the activation then replaces its input in place.
func GELUDeriv(out, d, x []float32) {
	d, x = d[:len(out)], x[:len(out)]
	for i := 0; i < len(out); i += chunk {
		j := min(i+chunk, len(out))
		geluDerivChunk(out[i:j], d[i:j], x[i:j])
	}
}

// ones is the gradient of 1 that geluDerivSplit passes to GELUGrad, and
// its length the elements geluDerivSplit does at a time: short, since an
// in-place call copies them to the stack, which Go clears on each call.
var ones = func() (o [256]float32) {
	for i := range o {
		o[i] = 1
	}
	return o
}()

// geluDerivSplit is GELUDeriv where there is no kernel of its own: GELU,
// then GELUGrad with a gradient of 1, reading Φ from d and writing d. In
// place (out == x) each piece of x is copied first, since GELU overwrites
// it before GELUGrad reads it.
func geluDerivSplit(out, d, x []float32) {
	if len(out) > 0 && &out[0] == &x[0] {
		var xc [len(ones)]float32
		for i := 0; i < len(out); i += len(ones) {
			j := min(i+len(ones), len(out))
			geluDerivPiece(out[i:j], d[i:j], xc[:copy(xc[:], x[i:j])])
		}
		return
	}
	for i := 0; i < len(out); i += len(ones) {
		j := min(i+len(ones), len(out))
		geluDerivPiece(out[i:j], d[i:j], x[i:j])
	}
}

// geluDerivPiece is geluDerivSplit for at most len(ones) elements, x not
// out.
func geluDerivPiece(out, d, x []float32) {
	geluChunk(out, d, x)                    // d = Φ(x)
	geluGradChunk(d, ones[:len(out)], d, x) // d = 1·(Φ(x) + x·φ(x))
}
