package tensor

import (
	"fmt"
	"slices"
)

// Reshape returns a tensor with the given shape that shares t's storage. One
// dimension may be -1; it is inferred from the others. Reshape panics if the
// shape holds a different number of elements, more than one -1, or a negative
// dimension.
func Reshape(t *Tensor, shape ...int) *Tensor {
	shape = slices.Clone(shape)
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("tensor: Reshape of %v to %v: bad dimension %d", t.shape, shape, d))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(t.data)%known != 0 {
			panic(fmt.Sprintf("tensor: Reshape of %v to %v: cannot infer -1", t.shape, shape))
		}
		shape[infer] = len(t.data) / known
	} else if known != len(t.data) {
		panic(fmt.Sprintf("tensor: Reshape of %v (%d elements) to %v (%d elements)", t.shape, len(t.data), shape, known))
	}
	return &Tensor{shape: shape, data: t.data}
}

// stridedCopy fills dst, of dense shape out, with src read at the given
// per-dimension strides (0 repeats a value along a broadcast dimension).
func stridedCopy(fn string, dst []float32, out []int, src []float32, strides []int) {
	if len(dst) == 0 {
		return
	}
	it := newStridedIter(fn, out, strides, make([]int, len(out)))
	n, sa, _ := it.row()
	for o := 0; o < len(dst); o += n {
		d, s := dst[o:o+n], src[it.offA:]
		if sa == 1 {
			copy(d, s)
		} else {
			for i := range d {
				d[i] = s[i*sa]
			}
		}
		it.next()
	}
}

// contiguousStrides returns the row-major element strides of shape.
func contiguousStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// BroadcastTo returns a new tensor holding t broadcast to shape. It panics if
// t cannot broadcast to shape.
func BroadcastTo(t *Tensor, shape ...int) *Tensor {
	if s := broadcastShape("BroadcastTo", t.shape, shape); !slices.Equal(s, shape) {
		panic(fmt.Sprintf("tensor: shape mismatch in BroadcastTo: %v cannot broadcast to %v", t.shape, shape))
	}
	out := newTensor("BroadcastTo", shape)
	stridedCopy("BroadcastTo", out.data, out.shape, t.data, broadcastStrides(t.shape, shape))
	return out
}

// Permute returns a new tensor whose dimension i is t's dimension axes[i].
// It panics unless axes is a permutation of 0..rank-1 (negative axes count
// from the end).
func Permute(t *Tensor, axes ...int) *Tensor {
	r := len(t.shape)
	if len(axes) != r {
		panic(fmt.Sprintf("tensor: Permute of shape %v: axes %v", t.shape, axes))
	}
	src := contiguousStrides(t.shape)
	shape, strides := make([]int, r), make([]int, r)
	seen := make([]bool, r)
	for i, a := range axes {
		a = axis("Permute", a, r, t.shape)
		if seen[a] {
			panic(fmt.Sprintf("tensor: Permute of shape %v: axes %v repeat %d", t.shape, axes, a))
		}
		seen[a] = true
		shape[i], strides[i] = t.shape[a], src[a]
	}
	out := newTensor("Permute", shape)
	stridedCopy("Permute", out.data, shape, t.data, strides)
	return out
}

// Transpose returns a new tensor with the last two dimensions swapped: the
// transpose of a matrix, or of each matrix in a batch. It panics if t has
// fewer than two dimensions.
func Transpose(t *Tensor) *Tensor {
	r := len(t.shape)
	if r < 2 {
		panic(fmt.Sprintf("tensor: Transpose of shape %v: need at least 2 dimensions", t.shape))
	}
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	axes[r-2], axes[r-1] = r-1, r-2
	return Permute(t, axes...)
}

// Squeeze returns a copy of t without the given size-1 dimensions, or without
// all size-1 dimensions if none are given. It panics if a given axis is out of
// range or its size is not 1.
func Squeeze(t *Tensor, axes ...int) *Tensor {
	drop := make([]bool, len(t.shape))
	for _, a := range axes {
		a = axis("Squeeze", a, len(t.shape), t.shape)
		if t.shape[a] != 1 {
			panic(fmt.Sprintf("tensor: Squeeze of shape %v: axis %d has size %d", t.shape, a, t.shape[a]))
		}
		drop[a] = true
	}
	shape := make([]int, 0, len(t.shape))
	for i, d := range t.shape {
		if !drop[i] && (len(axes) > 0 || d != 1) {
			shape = append(shape, d)
		}
	}
	return Reshape(t.Clone(), shape...)
}

// Unsqueeze returns a copy of t with a size-1 dimension inserted at position
// ax, which may be from -(rank+1) to rank.
func Unsqueeze(t *Tensor, ax int) *Tensor {
	ax = axis("Unsqueeze", ax, len(t.shape)+1, t.shape)
	shape := slices.Insert(slices.Clone(t.shape), ax, 1)
	return Reshape(t.Clone(), shape...)
}

// blocks views shape around axis ax as (outer, shape[ax], inner).
func blocks(shape []int, ax int) (outer, n, inner int) {
	outer, inner = 1, 1
	for _, d := range shape[:ax] {
		outer *= d
	}
	for _, d := range shape[ax+1:] {
		inner *= d
	}
	return outer, shape[ax], inner
}

// Concat joins tensors along axis ax. All tensors must have the same rank and
// the same sizes except along ax. It panics otherwise, or if ts is empty.
func Concat(ax int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Concat of no tensors")
	}
	first := ts[0].shape
	ax = axis("Concat", ax, len(first), first)
	shape := slices.Clone(first)
	shape[ax] = 0
	for _, t := range ts {
		if len(t.shape) != len(first) {
			panic(fmt.Sprintf("tensor: shape mismatch in Concat: %v and %v", first, t.shape))
		}
		for i, d := range t.shape {
			if i != ax && d != first[i] {
				panic(fmt.Sprintf("tensor: shape mismatch in Concat along axis %d: %v and %v", ax, first, t.shape))
			}
		}
		shape[ax] += t.shape[ax]
	}
	out := newTensor("Concat", shape)
	outer, _, inner := blocks(shape, ax)
	o := 0
	for i := range outer {
		for _, t := range ts {
			w := t.shape[ax] * inner
			o += copy(out.data[o:], t.data[i*w:(i+1)*w])
		}
	}
	return out
}

// Stack joins tensors of one shape along a new axis ax, which may be from
// -(rank+1) to rank. It panics if the shapes differ or ts is empty.
func Stack(ax int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Stack of no tensors")
	}
	ax = axis("Stack", ax, len(ts[0].shape)+1, ts[0].shape)
	us := make([]*Tensor, len(ts))
	for i, t := range ts {
		if !slices.Equal(t.shape, ts[0].shape) {
			panic(fmt.Sprintf("tensor: shape mismatch in Stack: %v and %v", ts[0].shape, t.shape))
		}
		us[i] = Reshape(t, slices.Insert(slices.Clone(t.shape), ax, 1)...)
	}
	return Concat(ax, us...)
}

// Split cuts t along axis ax into pieces of the given sizes, which must add
// up to the size of that axis; the pieces are copies. It panics otherwise.
func Split(t *Tensor, ax int, sizes ...int) []*Tensor {
	ax = axis("Split", ax, len(t.shape), t.shape)
	total := 0
	for _, s := range sizes {
		if s < 0 {
			panic(fmt.Sprintf("tensor: Split of shape %v along axis %d: negative size in %v", t.shape, ax, sizes))
		}
		total += s
	}
	if total != t.shape[ax] {
		panic(fmt.Sprintf("tensor: Split of shape %v along axis %d: sizes %v add up to %d", t.shape, ax, sizes, total))
	}
	outer, n, inner := blocks(t.shape, ax)
	out := make([]*Tensor, len(sizes))
	start := 0
	for p, s := range sizes {
		shape := slices.Clone(t.shape)
		shape[ax] = s
		piece := newTensor("Split", shape)
		w := s * inner
		for i := range outer {
			copy(piece.data[i*w:(i+1)*w], t.data[(i*n+start)*inner:])
		}
		out[p] = piece
		start += s
	}
	return out
}

// checkIndex panics, naming fn, if i is not in [0, n).
func checkIndex(fn string, i, n int, shape []int) {
	if i < 0 || i >= n {
		panic(fmt.Sprintf("tensor: %s: index %d out of range [0, %d) for shape %v", fn, i, n, shape))
	}
}

// Gather returns the rows of t (along its first axis) at the given indices:
// for a (V, D) embedding table and n indices, an (n, D) tensor. Indices may
// repeat. It panics if t is 0-d or an index is out of range.
func Gather(t *Tensor, idx []int) *Tensor {
	if len(t.shape) == 0 {
		panic("tensor: Gather of a 0-d tensor")
	}
	shape := slices.Clone(t.shape)
	shape[0] = len(idx)
	return gather("Gather", newTensor("Gather", shape), t, idx)
}

// GatherInto is Gather into dst, which must have Gather's result shape
// (len(idx) rows of t's row shape) and not share storage with t; every
// element of dst is written. It returns dst, and panics as Gather does, or
// if dst's shape differs or dst shares storage with t, leaving dst
// unchanged.
func GatherInto(dst, t *Tensor, idx []int) *Tensor {
	if !rowsOf(dst, t, len(idx)) {
		panic(fmt.Sprintf("tensor: GatherInto: destination %v for %d rows of %v", dst.shape, len(idx), t.shape))
	}
	if overlaps(dst.data, t.data) {
		panic(fmt.Sprintf("tensor: GatherInto: destination %v shares storage with the table %v", dst.shape, t.shape))
	}
	return gather("GatherInto", dst, t, idx)
}

// rowsOf reports whether x holds n rows of t's row shape (t is not 0-d).
func rowsOf(x, t *Tensor, n int) bool {
	return len(t.shape) > 0 && len(x.shape) == len(t.shape) && x.shape[0] == n && slices.Equal(x.shape[1:], t.shape[1:])
}

// checkIndices panics, naming fn, unless every index is a row of t.
func checkIndices(fn string, idx []int, t *Tensor) {
	for _, x := range idx {
		checkIndex(fn, x, t.shape[0], t.shape)
	}
}

// gather copies the rows idx of t into out, once every index is checked,
// so that a bad one leaves out unchanged.
func gather(fn string, out, t *Tensor, idx []int) *Tensor {
	checkIndices(fn, idx, t)
	row := numel(fn, t.shape[1:])
	for i, x := range idx {
		copy(out.data[i*row:(i+1)*row], t.data[x*row:(x+1)*row])
	}
	return out
}

// ScatterAddInPlace adds row i of src into row idx[i] of t; repeated indices
// accumulate. It is the adjoint of Gather. It panics, leaving t unchanged, if
// src does not have len(idx) rows of t's row shape, or an index is out of
// range. src may share storage with t.
func (t *Tensor) ScatterAddInPlace(idx []int, src *Tensor) {
	if !rowsOf(src, t, len(idx)) {
		panic(fmt.Sprintf("tensor: shape mismatch in ScatterAdd: %d indices, source %v, destination %v", len(idx), src.shape, t.shape))
	}
	checkIndices("ScatterAdd", idx, t) // all before t changes
	if overlaps(t.data, src.data) {
		src = src.Clone()
	}
	row := numel("ScatterAdd", t.shape[1:])
	for i, x := range idx {
		addVV(t.data[x*row:(x+1)*row], t.data[x*row:(x+1)*row], src.data[i*row:(i+1)*row])
	}
}

// ScatterAdd returns a tensor of n rows, zero except that row i of src is
// added into row idx[i]: the gradient of Gather for a table of n rows.
func ScatterAdd(src *Tensor, idx []int, n int) *Tensor {
	if len(src.shape) == 0 {
		panic("tensor: ScatterAdd of a 0-d tensor")
	}
	shape := slices.Clone(src.shape)
	shape[0] = n
	out := newTensor("ScatterAdd", shape)
	out.ScatterAddInPlace(idx, src)
	return out
}

// OneHot returns the (len(idx), n) matrix whose row i is 1 at column idx[i]
// and 0 elsewhere. It panics if an index is outside [0, n).
func OneHot(idx []int, n int) *Tensor {
	out := newTensor("OneHot", []int{len(idx), n})
	for i, x := range idx {
		checkIndex("OneHot", x, n, []int{n})
		out.data[i*n+x] = 1
	}
	return out
}
