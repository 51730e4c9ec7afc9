package tensor

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotensor/gotensor/tensor/internal/colsum"
)

// Reductions over one axis view the tensor as (outer, n, inner), where n is
// the size of the reduced axis, and produce (outer, inner) results, shaped
// with the axis removed or, with keepdim, kept as size 1. Sums accumulate in
// float64, so long sums stay accurate.

// reduceBlock reduces each (n, inner) block of src into inner values of
// dst: src holds len(dst)/inner blocks one after another. Taking them all in
// one call keeps a reduction over the last axis (inner = 1) from making a
// call per row.
type reduceBlock func(dst, src []float32, n, inner int)

// reduce applies k to the outer blocks of t along axis ax. Unless emptyOK,
// it panics when the axis has zero size but the result does not.
func reduce(fn string, t *Tensor, ax int, keepdim, emptyOK bool, k reduceBlock) *Tensor {
	ax = axis(fn, ax, len(t.shape), t.shape)
	shape := slices.Clone(t.shape)
	if keepdim {
		shape[ax] = 1
	} else {
		shape = slices.Delete(shape, ax, ax+1)
	}
	out := newTensor(fn, shape)
	_, n, inner := blocks(t.shape, ax)
	// The result holds outer·inner elements: none when either is zero.
	if n == 0 && len(out.data) > 0 && !emptyOK {
		panic(fmt.Sprintf("tensor: %s over axis %d of zero size in shape %v", fn, ax, t.shape))
	}
	if len(out.data) > 0 {
		k(out.data, t.data, n, inner)
	}
	return out
}

// sum64 returns the float64 sum of xs.
func sum64(xs []float32) float64 {
	// Four accumulators break the dependency chain of the adds.
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		s0 += float64(xs[i])
		s1 += float64(xs[i+1])
		s2 += float64(xs[i+2])
		s3 += float64(xs[i+3])
	}
	for ; i < len(xs); i++ {
		s0 += float64(xs[i])
	}
	return (s0 + s1) + (s2 + s3)
}

func sumBlock(scale float64) reduceBlock {
	return func(dst, src []float32, n, inner int) {
		if inner == 1 {
			for o := range dst {
				dst[o] = float32(sum64(src[o*n:(o+1)*n]) * scale)
			}
			return
		}
		acc := make([]float64, inner)
		for o := 0; o < len(dst); o += inner {
			// acc[j] = Σ_i src[o*n+i*inner+j] in float64, the columns summed
			// a strip of vectors at a time in assembly where the processor
			// allows: a bias gradient is such a sum over a batch.
			clear(acc)
			colsum.Add(acc, src[o*n:(o+inner)*n], n, inner)
			for j, a := range acc {
				dst[o+j] = float32(a * scale)
			}
		}
	}
}

// Sum returns the sum over axis ax (negative counts from the end), keeping it
// as size 1 if keepdim. Like every reduction over an axis it panics if ax is
// out of range.
func Sum(t *Tensor, ax int, keepdim bool) *Tensor {
	return reduce("Sum", t, ax, keepdim, true, sumBlock(1))
}

// Mean returns the mean over axis ax; a zero-size axis gives NaN.
func Mean(t *Tensor, ax int, keepdim bool) *Tensor {
	n := t.shape[axis("Mean", ax, len(t.shape), t.shape)]
	return reduce("Mean", t, ax, keepdim, true, sumBlock(1/float64(n)))
}

// Var returns the population variance (dividing by n, as NumPy's default and
// LayerNorm) over axis ax. It panics if the axis has zero size.
func Var(t *Tensor, ax int, keepdim bool) *Tensor {
	return reduce("Var", t, ax, keepdim, false, func(dst, src []float32, n, inner int) {
		for o := 0; o < len(dst); o += inner {
			block := src[o*n : (o+inner)*n]
			for j := range inner {
				var s float64
				for i := range n {
					s += float64(block[i*inner+j])
				}
				mean := s / float64(n)
				var ss float64
				for i := range n {
					d := float64(block[i*inner+j]) - mean
					ss += d * d
				}
				dst[o+j] = float32(ss / float64(n))
			}
		}
	})
}

// extremeBlock returns a reduction to the maximum (sign 1) or minimum (sign -1)
// value, or with index, to its position along the axis. NaN beats any number,
// and ties go to the first position, as in NumPy.
func extremeBlock(sign float32, index bool) reduceBlock {
	return func(dst, src []float32, n, inner int) {
		if inner == 1 {
			// Along the last axis (a row of logits): each row alone,
			// without the sign products of the general loop.
			for o := range dst {
				at := extremeAt(src[o*n:(o+1)*n], sign > 0)
				if index {
					dst[o] = float32(at)
				} else {
					dst[o] = src[o*n+at]
				}
			}
			return
		}
		for o := 0; o < len(dst); o += inner {
			block := src[o*n : (o+inner)*n]
			for j := range inner {
				best, at := block[j], 0
				for i := 1; i < n; i++ {
					v := block[i*inner+j]
					if best == best && (v != v || sign*v > sign*best) {
						best, at = v, i
					}
				}
				if index {
					dst[o+j] = float32(at)
				} else {
					dst[o+j] = best
				}
			}
		}
	}
}

// extremeAt returns the position of the first maximum of row (the first
// minimum if !largest), or of its first NaN if it has one. row is not
// empty.
func extremeAt(row []float32, largest bool) int {
	best, at := row[0], 0
	for i, v := range row {
		if (largest && v > best) || (!largest && v < best) {
			best, at = v, i
		} else if v != v {
			return i
		}
	}
	return at
}

// Max returns the maximum over axis ax. A NaN gives NaN. It panics if the
// axis has zero size.
func Max(t *Tensor, ax int, keepdim bool) *Tensor {
	return reduce("Max", t, ax, keepdim, false, extremeBlock(1, false))
}

// Min returns the minimum over axis ax. A NaN gives NaN. It panics if the
// axis has zero size.
func Min(t *Tensor, ax int, keepdim bool) *Tensor {
	return reduce("Min", t, ax, keepdim, false, extremeBlock(-1, false))
}

// ArgMax returns the positions of the maxima along axis ax, as float32 values
// (exact up to 2^24); the first wins ties. It panics if the axis has zero size.
func ArgMax(t *Tensor, ax int, keepdim bool) *Tensor {
	return reduce("ArgMax", t, ax, keepdim, false, extremeBlock(1, true))
}

// ArgMin returns the positions of the minima along axis ax, as ArgMax.
func ArgMin(t *Tensor, ax int, keepdim bool) *Tensor {
	return reduce("ArgMin", t, ax, keepdim, false, extremeBlock(-1, true))
}

// SumAll returns the sum of all elements, accumulated in float64
// (0 for an empty tensor).
func SumAll(t *Tensor) float32 { return float32(sum64(t.data)) }

// MeanAll returns the mean of all elements (NaN for an empty tensor).
func MeanAll(t *Tensor) float32 { return float32(sum64(t.data) / float64(len(t.data))) }

// VarAll returns the population variance of all elements (NaN for an empty
// tensor).
func VarAll(t *Tensor) float32 {
	if len(t.data) == 0 {
		return float32(math.NaN())
	}
	return Var(Reshape(t, -1), 0, false).data[0]
}

// allOf applies the reduction f over all elements of t, panicking with fn's
// name if t is empty.
func allOf(fn string, t *Tensor, f func(*Tensor, int, bool) *Tensor) float32 {
	if len(t.data) == 0 {
		panic(fmt.Sprintf("tensor: %s of an empty tensor of shape %v", fn, t.shape))
	}
	return f(Reshape(t, -1), 0, false).data[0]
}

// MaxAll returns the largest element (NaN if there is one). It panics if t
// is empty.
func MaxAll(t *Tensor) float32 { return allOf("MaxAll", t, Max) }

// MinAll returns the smallest element (NaN if there is one). It panics if t
// is empty.
func MinAll(t *Tensor) float32 { return allOf("MinAll", t, Min) }

// ArgMaxAll returns the flat (row-major) position of the largest element,
// the first on ties. It panics if t is empty.
func ArgMaxAll(t *Tensor) int { return int(allOf("ArgMaxAll", t, ArgMax)) }

// ArgMinAll returns the flat position of the smallest element, the first on
// ties. It panics if t is empty.
func ArgMinAll(t *Tensor) int { return int(allOf("ArgMinAll", t, ArgMin)) }

// SumTo returns t summed down to shape, the shape of an operand that was
// broadcast to t's shape: the adjoint of broadcasting, used for gradients.
// Leading dimensions that shape lacks are summed away, and dimensions where
// shape has 1 are summed with keepdim. It panics if shape does not broadcast
// to t's shape.
func SumTo(t *Tensor, shape ...int) *Tensor {
	if slices.Equal(t.shape, shape) {
		return t.Clone()
	}
	if s := broadcastShape("SumTo", shape, t.shape); !slices.Equal(s, t.shape) {
		panic(fmt.Sprintf("tensor: shape mismatch in SumTo: %v does not broadcast to %v", shape, t.shape))
	}
	out := newTensor("SumTo", shape)
	if len(t.data) == 0 {
		return out
	}
	acc := make([]float64, len(out.data))
	// Walk t densely, reading the accumulator with broadcast strides, which
	// are 0 along the dimensions being summed.
	it := newStridedIter("SumTo", t.shape, broadcastStrides(shape, t.shape), make([]int, len(t.shape)))
	n, sa, _ := it.row()
	if it.rank == 2 && it.sa[0] == 0 && sa == 1 {
		// Only leading dimensions are summed (a bias's or a position
		// embedding's gradient): the column sums of t as a matrix of
		// rows of n elements, vectorised.
		colsum.Add(acc, t.data, it.dims[0], n)
	} else {
		for o := 0; o < len(t.data); o += n {
			row, a := t.data[o:o+n], acc[it.offA:]
			if sa == 0 {
				a[0] += sum64(row)
			} else {
				a = a[:n]
				for i, x := range row {
					a[i] += float64(x)
				}
			}
			it.next()
		}
	}
	for i, v := range acc {
		out.data[i] = float32(v)
	}
	return out
}
