package tensor

import (
	"fmt"
	"slices"

	"github.com/gotensor/gotensor/tensor/internal/gemm"
)

// SetThreads sets the number of goroutines a matrix product or a
// ParallelFor loop may use; n < 1 restores the default, which follows
// GOMAXPROCS. Matrix products are bitwise the same for any thread count.
func SetThreads(n int) { gemm.SetThreads(n) }

// Threads returns the number of goroutines a matrix product or a
// ParallelFor loop may use.
func Threads() int { return gemm.Threads() }

// ParallelFor calls fn(lo, hi) on consecutive ranges that together cover
// [0, n), at most Threads of them at once, on the caller's goroutine and
// the workers that matrix products use, and returns when every call has
// returned. Each range is at least grain long, so a loop shorter than two
// grains is the single call fn(0, n); the ranges depend only on n, grain
// and Threads. fn must be safe to run concurrently on disjoint ranges. When
// what fn computes for an index does not depend on the range it came in,
// the results are the same for any thread count. A panic in fn, on
// whichever goroutine, comes back as a panic of ParallelFor's caller once
// every range has returned. fn is not called when n ≤ 0, and a grain below
// 1 counts as 1.
func ParallelFor(n, grain int, fn func(lo, hi int)) { gemm.For(n, grain, fn) }

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
func MatMul(a, b *Tensor) *Tensor {
	return matmul("MatMul", nil, a, b, false, false, false, fastProduct)
}

// MatMulT returns op(a)·op(b), where op(x) is x, or x with its last two
// dimensions swapped when the flag is set: MatMulT(a, b, true, false) is aᵀ·b
// and MatMulT(a, b, false, true) is a·bᵀ. The transpose is read in place,
// never materialised. Shapes and panics are as for MatMul; a transposed
// operand must have at least 2 dimensions.
func MatMulT(a, b *Tensor, transA, transB bool) *Tensor {
	return matmul("MatMulT", nil, a, b, transA, transB, false, fastProduct)
}

// MatMulTInto computes op(a)·op(b) as MatMulT does, but into dst rather than
// a new tensor; with accumulate set it adds the product to dst's values, in
// the same pass, and returns dst. For two matrices it allocates nothing
// (batched operands do). dst must have the product's shape and must not
// share storage with a or b. Backward passes use it to add a weight's
// gradient straight into the gradient already held.
func MatMulTInto(dst, a, b *Tensor, transA, transB, accumulate bool) *Tensor {
	return matmul("MatMulTInto", dst, a, b, transA, transB, accumulate, fastProduct)
}

// MatMulNaive returns a·b computed by the textbook triple loop (i, j, k), one
// dot product per element of the result. It is the reference the fast kernel
// is tested against, and the baseline cmd/bench measures; shapes are as for
// MatMul.
func MatMulNaive(a, b *Tensor) *Tensor {
	return matmul("MatMulNaive", nil, a, b, false, false, false, naiveProduct)
}

// product computes one (m, n) matrix c = op(a)·op(b) from row-major storage,
// or adds it to c if acc is set.
type product func(transA, transB, acc bool, m, n, k int, a, b, c []float32)

func fastProduct(transA, transB, acc bool, m, n, k int, a, b, c []float32) {
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	gemm.Gemm(transA, transB, m, n, k, a, lda, b, ldb, c, n, acc)
}

func naiveProduct(transA, transB, acc bool, m, n, k int, a, b, c []float32) {
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
			if acc {
				s += c[i*n+j]
			}
			c[i*n+j] = s
		}
	}
}

// matmul checks the shapes and runs prod over every matrix of the broadcast
// batch, into dst, or a new tensor when dst is nil.
func matmul(fn string, dst, a, b *Tensor, transA, transB, acc bool, prod product) *Tensor {
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
	var batch []int // nil for two matrices, so that their product allocates nothing into dst
	if len(as) > 2 || len(bs) > 2 {
		batch = broadcastShape(fn, as[:len(as)-2], bs[:len(bs)-2])
	}
	// NumPy drops the dimension a 1-D operand gained.
	var buf [8]int
	shape := append(buf[:0], batch...)
	if len(a.shape) > 1 {
		shape = append(shape, m)
	}
	if len(b.shape) > 1 {
		shape = append(shape, n)
	}
	if dst == nil {
		dst = newTensor(fn, shape)
	} else {
		if !slices.Equal(dst.shape, shape) {
			panic(fmt.Sprintf("tensor: %s: destination %v for the product of %v and %v: want %v", fn, dst.shape, a.shape, b.shape, slices.Clone(shape)))
		}
		if overlaps(dst.data, a.data) || overlaps(dst.data, b.data) {
			panic(fmt.Sprintf("tensor: %s: destination %v shares storage with an operand", fn, dst.shape))
		}
	}
	if len(dst.data) == 0 {
		return dst
	}
	if batch == nil {
		prod(transA, transB, acc, m, n, k, a.data, b.data, dst.data)
		return dst
	}
	it := newStridedIter(fn, batch, broadcastStrides(as[:len(as)-2], batch), broadcastStrides(bs[:len(bs)-2], batch))
	rowLen, sa, sb := it.row()
	mk, kn, mn := m*k, k*n, m*n
	for o := 0; o < len(dst.data); o += rowLen * mn {
		for i := range rowLen {
			c := dst.data[o+i*mn : o+(i+1)*mn]
			pa, pb := (it.offA+i*sa)*mk, (it.offB+i*sb)*kn
			prod(transA, transB, acc, m, n, k, a.data[pa:pa+mk], b.data[pb:pb+kn], c)
		}
		it.next()
	}
	return dst
}
