// Package vecmath holds the elementwise float32 math of ops as slice
// kernels: GELU (exact and tanh) and their gradients, GELU with its
// derivative in one pass, the exponential of softmax rows, the row
// statistics of LayerNorm, ReLU masks, and a few elementwise products,
// maxima and scalings. Each kernel writes its
// destination first, as in
//
//	GELU(out, cdf, x) // out[i] = x[i]·Φ(x[i]), cdf[i] = Φ(x[i])
//
// and reads len(dst) elements from every source; a shorter source panics.
//
// On amd64 the kernels run in assembly, 16 lanes at a time with AVX-512
// (F, DQ) or, for GELU, GELUGrad, GELUTanh and ExpSub, 8 with AVX2 and FMA,
// whichever the processor has; on AVX2 GELUDeriv runs GELU's and
// GELUGrad's kernels, and the other kernels fall back to Go. GELU and
// GELUGrad run their AVX2 kernels on AVX-512 machines too: there the
// training path is GELUDeriv, whose AVX-512 kernel computes both. Elsewhere,
// and with the purego build tag, they are the scalar Go loops (scalar.go,
// rows.go, relu.go), which also define the accuracy the assembly must meet.
// The assembly works on chunks of at most chunk elements per call, because
// Go cannot preempt a goroutine inside assembly.
package vecmath
