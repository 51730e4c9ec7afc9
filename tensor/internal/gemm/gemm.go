// Package gemm computes single-precision matrix products C = op(A)·op(B) for
// the tensor package. op(X) is X or its transpose Xᵀ, read in place.
//
// Matrices are row-major with a leading dimension: element (i, j) of a matrix
// with leading dimension ld is at x[i*ld+j].
package gemm

// Gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is true,
// where op(A) is (m, k) and op(B) is (k, n). A is stored (m, k) with leading
// dimension lda, or (k, m) when transA; B is stored (k, n) with leading
// dimension ldb, or (n, k) when transB. C is (m, n) with leading dimension ldc.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if m == 0 || n == 0 {
		return
	}
	if !accumulate {
		for i := range m {
			clear(c[i*ldc : i*ldc+n])
		}
	}
	for i := range m {
		ci := c[i*ldc : i*ldc+n]
		for p := range k {
			var aip float32
			if transA {
				aip = a[p*lda+i]
			} else {
				aip = a[i*lda+p]
			}
			if transB {
				for j := range ci {
					ci[j] += aip * b[j*ldb+p]
				}
			} else {
				bp := b[p*ldb : p*ldb+n]
				for j, bv := range bp {
					ci[j] += aip * bv
				}
			}
		}
	}
}

var threads = 1

// SetThreads sets the number of goroutines Gemm may use; n < 1 means GOMAXPROCS.
func SetThreads(n int) { threads = max(n, 1) }

// Threads returns the number of goroutines Gemm may use.
func Threads() int { return threads }

// Kernel names the microkernel in use: "avx512", "avx2" or "purego".
func Kernel() string { return "purego" }
