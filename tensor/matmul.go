package tensor

import (
	"fmt"
	"slices"

	"github.com/gotensor/gotensor/tensor/internal/gemm"
)

// SetThreads sets the number of goroutines a matrix product may use; n < 1
// restores the default, which follows GOMAXPROCS. Results are bitwise the
// same for any thread count.
func SetThreads(n int) { gemm.SetThreads(n) }

// Threads returns the number of goroutines a matrix product may use.
func Threads() int { return gemm.Threads() }

// Kernel names the matrix-product microkernel this machine uses: "avx512",
// "avx2" or "purego".
func Kernel() string { return gemm.Kernel() }

// MatMul returns the matrix product a·b. For 2-D operands, an (m, k) and a
// (k, n) matrix give an (m, n) one. Higher ranks are batches of matrices in
// the last two dimensions, (..., m, k)·(..., k, n) → (..., m, n), with the
// batch dimensions broadcast. As in NumPy, a 1-D a is a row vector and a 1-D
// b a column vector, and that dimension is dropped from the result.
// MatMul panics if the inner dimensions differ, the batch dimensions cannot
// broadcast, or an operand is 0-d.
func MatMul(a, b *Tensor) *Tensor { return MatMulT(a, b, false, false) }

// MatMulT returns op(a)·op(b), where op(x) is x, or x with its last two
// dimensions swapped when the flag is set: MatMulT(a, b, true, false) is aᵀ·b
// and MatMulT(a, b, false, true) is a·bᵀ. The transpose is read in place,
// never materialised. Shapes and panics are as for MatMul; a transposed
// operand must have at least 2 dimensions.
func MatMulT(a, b *Tensor, transA, transB bool) *Tensor {
	return matmul("MatMul", a, b, transA, transB, fastProduct)
}

// MatMulNaive returns a·b computed by the textbook triple loop (i, j, k), one
// dot product per element of the result. It is the reference the fast kernel
// is tested against, and the baseline cmd/bench measures; shapes are as for
// MatMul.
func MatMulNaive(a, b *Tensor) *Tensor {
	return matmul("MatMulNaive", a, b, false, false, naiveProduct)
}

// product computes one (m, n) matrix c = op(a)·op(b) from row-major storage.
type product func(transA, transB bool, m, n, k int, a, b, c []float32)

func fastProduct(transA, transB bool, m, n, k int, a, b, c []float32) {
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	gemm.Gemm(transA, transB, m, n, k, a, lda, b, ldb, c, n, false)
}

func naiveProduct(transA, transB bool, m, n, k int, a, b, c []float32) {
	for i := range m {
		for j := range n {
			var s float32
			for p := range k {
				x, y := a[i*k+p], b[p*n+j]
				if transA {
					x = a[p*m+i]
				}
				if transB {
					y = b[j*k+p]
				}
				s += x * y
			}
			c[i*n+j] = s
		}
	}
}

// matmul checks the shapes and runs prod over every matrix of the
// broadcast batch.
func matmul(fn string, a, b *Tensor, transA, transB bool, prod product) *Tensor {
	as, bs := a.shape, b.shape
	if len(as) == 0 || len(bs) == 0 || (transA && len(as) < 2) || (transB && len(bs) < 2) {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v: need matrices", fn, as, bs))
	}
	if len(as) == 1 {
		as = []int{1, as[0]}
	}
	if len(bs) == 1 {
		bs = []int{bs[0], 1}
	}
	m, k := as[len(as)-2], as[len(as)-1]
	if transA {
		m, k = k, m
	}
	k2, n := bs[len(bs)-2], bs[len(bs)-1]
	if transB {
		k2, n = n, k2
	}
	if k != k2 {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v: inner dimensions %d and %d differ", fn, a.shape, b.shape, k, k2))
	}
	batch := broadcastShape(fn, as[:len(as)-2], bs[:len(bs)-2])
	shape := append(slices.Clone(batch), m, n)
	out := newTensor(fn, shape)
	if len(out.data) == 0 {
		return out
	}
	it := newStridedIter(fn, batch, broadcastStrides(as[:len(as)-2], batch), broadcastStrides(bs[:len(bs)-2], batch))
	rowLen, sa, sb := it.row()
	mk, kn, mn := m*k, k*n, m*n
	for o := 0; o < len(out.data); o += rowLen * mn {
		for i := range rowLen {
			c := out.data[o+i*mn : o+(i+1)*mn]
			pa, pb := (it.offA+i*sa)*mk, (it.offB+i*sb)*kn
			prod(transA, transB, m, n, k, a.data[pa:pa+mk], b.data[pb:pb+kn], c)
		}
		it.next()
	}
	// NumPy drops the dimension a 1-D operand gained.
	switch {
	case len(a.shape) == 1 && len(b.shape) == 1:
		out.shape = []int{}
	case len(a.shape) == 1:
		out.shape = slices.Delete(out.shape, len(out.shape)-2, len(out.shape)-1)
	case len(b.shape) == 1:
		out.shape = out.shape[:len(out.shape)-1]
	}
	return out
}
