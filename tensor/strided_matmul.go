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

// A Triangle names the half of op(a) that GemmTri may take as zeros.
type Triangle = gemm.Triangle

const (
	// LowerTriangle: op(a)[i][p] is zero for p > i (causal attention
	// weights, their gradient).
	LowerTriangle = gemm.Lower
	// UpperTriangle: op(a)[i][p] is zero for p < i (their transposes).
	UpperTriangle = gemm.Upper
)

// GemmTri is Gemm for an op(a) that holds zeros in the given triangle:
// the blocks of zeros off its diagonal are skipped, so a causal attention
// head's products with its weights cost about a third less. c is what
// Gemm gives, bit for bit wherever b is finite. It panics as Gemm does.
func GemmTri(tri Triangle, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	gemm.GemmTri(tri, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// GemmBias is Gemm with c = op(a)·op(b) + bias, the n values of bias added
// to every row of c: a layer's forward pass. The bias goes into each tile
// of c while the kernel's result is still in cache, and c is what Gemm
// followed by adding the bias to each row gives, bit for bit. It panics as
// Gemm does, or if bias has fewer than n values.
func GemmBias(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
	gemm.GemmBias(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, bias)
}

// An Epilogue finishes the block of c in rows [i0, i1) and columns
// [j0, j1) for GemmEpilogue; see there.
type Epilogue = gemm.Epilogue

// GemmEpilogue is Gemm, with bias (n values, or nil) added to every row of
// c as GemmBias adds it, that then calls epi(i0, i1, j0, j1) on each block
// of c once the block holds its final value, while it is still in cache:
// an elementwise function of the product, such as a layer's activation,
// then costs no second pass over c. The blocks cover c once, without
// overlap, and may be finished concurrently on several goroutines, so epi
// must touch only its own block (of c, and of any array laid out like c).
// How c is cut into blocks depends on the shape and the thread count: for
// results that do not depend on it, epi must treat each element alone.
// It panics as GemmBias does, and with epi's value, on the caller's
// goroutine, if epi panics (c is then undefined).
func GemmEpilogue(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool, bias []float32, epi Epilogue) {
	gemm.GemmEpilogue(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, epi)
}
