package tensor

import "github.com/gotensor/gotensor/tensor/internal/gemm"

// Gemm computes c = op(a)·op(b), or c += op(a)·op(b) when accumulate is
// true, on matrices held in plain slices: op(a) is (m, k), op(b) is (k, n)
// and c is (m, n). Each matrix is row-major with a leading dimension, so
// that element (i, j) of a matrix with leading dimension ld is x[i*ld+j]:
// a is stored (m, k) with leading dimension lda, or (k, m) when transA; b
// is stored (k, n) with leading dimension ldb, or (n, k) when transB. This
// reads a block of columns of a wider tensor in place, such as one
// attention head's queries inside a packed (T, 3C) projection, where
// MatMul would need a copy. It runs the kernel behind MatMul, with the same
// determinism for any thread count.
//
// Gemm panics if a dimension is negative, a leading dimension is smaller
// than its row, or a slice is too short for its matrix; the message begins
// "gemm:" and names the operand.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	gemm.Gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}
