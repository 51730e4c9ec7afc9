//go:build amd64 && !purego

package gemm

// dotAVX512 computes out[r*4+j] = Σ_p ar[p]·bj[p] for r < 2, j < 4: two
// rows of A against four rows of B, as dot products of length k. It needs
// AVX-512.
//
//go:noescape
func dotAVX512(k int, a0, a1, b0, b1, b2, b3, out *float32)
