package tensor

import (
	"fmt"
	"slices"
)

// maxRank bounds the rank of tensors that take part in broadcasting, so that
// the index arithmetic can keep its counters in fixed-size arrays rather than
// allocating them per call.
const maxRank = 16

// BroadcastShape returns the shape that a and b broadcast to under NumPy's
// rules: shapes are aligned at their last dimension, and each pair of sizes
// must be equal or one of them 1. It panics if they cannot broadcast.
func BroadcastShape(a, b []int) []int { return broadcastShape("BroadcastShape", a, b) }

func broadcastShape(fn string, a, b []int) []int {
	if slices.Equal(a, b) {
		return slices.Clone(a)
	}
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := dimFromEnd(a, n-1-i), dimFromEnd(b, n-1-i)
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			panic(fmt.Sprintf("tensor: shape mismatch in %s: %v and %v cannot broadcast", fn, a, b))
		}
	}
	return out
}

// dimFromEnd returns shape[len(shape)-1-j], or 1 past the front of the shape.
func dimFromEnd(shape []int, j int) int {
	if i := len(shape) - 1 - j; i >= 0 {
		return shape[i]
	}
	return 1
}

// broadcastStrides returns the element strides with which a tensor of shape
// `shape` is read when broadcast to `out`: 0 along broadcast dimensions.
func broadcastStrides(shape, out []int) []int {
	st := make([]int, len(out))
	s := 1
	for i := len(out) - 1; i >= 0; i-- {
		j := i - (len(out) - len(shape))
		if j >= 0 && shape[j] != 1 {
			st[i] = s
		}
		if j >= 0 {
			s *= shape[j]
		}
	}
	return st
}

// stridedIter walks a dense output shape row by row, tracking the offsets of
// up to two operands read with their own strides. Adjacent dimensions that
// every operand reads contiguously (or broadcasts together) are merged first,
// so the inner rows are as long as possible.
type stridedIter struct {
	rank  int
	dims  [maxRank]int // merged dimensions; dims[rank-1] is the row length
	sa    [maxRank]int // strides of operand a
	sb    [maxRank]int // strides of operand b
	count [maxRank]int // position within the outer dimensions
	offA  int
	offB  int
}

func newStridedIter(fn string, out, sa, sb []int) *stridedIter {
	if len(out) > maxRank {
		panic(fmt.Sprintf("tensor: %s: rank %d exceeds %d", fn, len(out), maxRank))
	}
	it := &stridedIter{}
	for i, d := range out {
		if d == 1 {
			continue // size-1 dimensions do not move any offset
		}
		if r := it.rank; r > 0 && sa[i]*d == it.sa[r-1] && sb[i]*d == it.sb[r-1] {
			it.dims[r-1] *= d
			it.sa[r-1], it.sb[r-1] = sa[i], sb[i]
			continue
		}
		it.dims[it.rank], it.sa[it.rank], it.sb[it.rank] = d, sa[i], sb[i]
		it.rank++
	}
	if it.rank == 0 { // a single element
		it.dims[0], it.rank = 1, 1
	}
	return it
}

// rowLen returns the length of each row, and the strides of a and b along it.
func (it *stridedIter) row() (n, sa, sb int) {
	r := it.rank - 1
	return it.dims[r], it.sa[r], it.sb[r]
}

// next advances the operand offsets to the next row.
func (it *stridedIter) next() {
	for d := it.rank - 2; d >= 0; d-- {
		it.count[d]++
		it.offA += it.sa[d]
		it.offB += it.sb[d]
		if it.count[d] < it.dims[d] {
			return
		}
		it.offA -= it.sa[d] * it.dims[d]
		it.offB -= it.sb[d] * it.dims[d]
		it.count[d] = 0
	}
}

// rowKernel computes one row of a broadcast binary operation: dst[i] from
// a[i*sa] and b[i*sb], where each stride is 0 (a broadcast value) or 1.
type rowKernel func(dst, a, b []float32, sa, sb int)

// broadcastInto fills dst, of shape out, with k applied to a and b broadcast
// to out. dst may alias a when a already has shape out. When both operands
// advance by one along rows of at least vecRowMin, vv (if not nil), the
// operation's whole-slice kernel, does each row instead.
func broadcastInto(fn string, dst []float32, out []int, a, b *Tensor, k rowKernel, vv func(dst, a, b []float32)) {
	if len(dst) == 0 {
		return
	}
	it := newStridedIter(fn, out, broadcastStrides(a.shape, out), broadcastStrides(b.shape, out))
	n, sa, sb := it.row()
	if vv != nil && sa == 1 && sb == 1 && n >= vecRowMin {
		k = func(d, a, b []float32, _, _ int) { vv(d, a, b) }
	}
	for o := 0; o < len(dst); o += n {
		k(dst[o:o+n], a.data[it.offA:], b.data[it.offB:], sa, sb)
		it.next()
	}
}
