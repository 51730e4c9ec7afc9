package tensor

import (
	"fmt"
	"math"
	"slices"
	"unsafe"
)

// Tensor is a dense, row-major, contiguous array of float32 values with a shape.
//
// A tensor of shape (d0, d1, ..., dr-1) stores element (i0, i1, ..., ir-1) at
// data[i0*s0 + i1*s1 + ... + ir-1], where s_j is the product of the dimensions
// after j. For an (m, n) matrix, element (i, j) is data[i*n+j]. A 0-d tensor
// (shape []) holds one value; a tensor with a zero dimension holds none.
//
// The zero Tensor is not usable; make tensors with the constructors.
type Tensor struct {
	shape []int
	data  []float32 // len(data) == product of shape
}

// numel returns the number of elements of a tensor of the given shape,
// panicking with fn's name if a dimension is negative.
func numel(fn string, shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: negative dimension in %s: shape %v", fn, slices.Clone(shape))) // a clone, so that shape does not escape
		}
		n *= d
	}
	return n
}

// newTensor returns an uninitialised (zeroed) tensor of the given shape. The
// shape slice is copied.
func newTensor(fn string, shape []int) *Tensor {
	n := numel(fn, shape)
	return &Tensor{shape: slices.Clone(shape), data: make([]float32, n)}
}

// New returns a zero-filled tensor of the given shape; it is Zeros.
func New(shape ...int) *Tensor { return newTensor("New", shape) }

// Zeros returns a tensor of the given shape filled with zeros.
// Zeros() is a 0-d scalar zero. It panics if a dimension is negative.
func Zeros(shape ...int) *Tensor { return newTensor("Zeros", shape) }

// Ones returns a tensor of the given shape filled with ones.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Full returns a tensor of the given shape with every element equal to v.
func Full(v float32, shape ...int) *Tensor {
	t := newTensor("Full", shape)
	t.Fill(v)
	return t
}

// ZerosLike returns a zero tensor with the shape of t.
func ZerosLike(t *Tensor) *Tensor { return newTensor("ZerosLike", t.shape) }

// FromSlice returns a tensor of the given shape that uses data as its storage,
// without copying: later writes to data are seen by the tensor and vice versa.
// With no shape, the tensor is 1-D of length len(data). FromSlice panics if
// len(data) differs from the product of the shape.
func FromSlice(data []float32, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	if n := numel("FromSlice", shape); n != len(data) {
		panic(fmt.Sprintf("tensor: FromSlice: shape %v needs %d values, got %d", shape, n, len(data)))
	}
	return &Tensor{shape: slices.Clone(shape), data: data}
}

// Scalar returns a 0-d tensor holding v.
func Scalar(v float32) *Tensor { return &Tensor{shape: []int{}, data: []float32{v}} }

// Arange returns the 1-D tensor [start, start+step, ...) of values below stop
// (above stop when step is negative), as NumPy's arange. It panics if step is
// 0, or if an argument is NaN or infinite, or the range would hold more than
// 2^40 values.
func Arange(start, stop, step float32) *Tensor {
	if step == 0 {
		panic(fmt.Sprintf("tensor: Arange(%v, %v, %v): step 0", start, stop, step))
	}
	count := math.Ceil((float64(stop) - float64(start)) / float64(step))
	if math.IsNaN(count) || count > 1<<40 {
		panic(fmt.Sprintf("tensor: Arange(%v, %v, %v): not a finite range of values", start, stop, step))
	}
	n := int(max(count, 0))
	t := newTensor("Arange", []int{n})
	for i := range t.data {
		t.data[i] = start + float32(i)*step
	}
	return t
}

// Linspace returns n evenly spaced values from start to stop inclusive.
// It panics if n is negative.
func Linspace(start, stop float32, n int) *Tensor {
	t := newTensor("Linspace", []int{n})
	if n == 1 {
		t.data[0] = start
		return t
	}
	step := (float64(stop) - float64(start)) / float64(n-1)
	for i := range t.data {
		t.data[i] = float32(float64(start) + float64(i)*step)
	}
	if n > 1 {
		t.data[n-1] = stop
	}
	return t
}

// Eye returns the (n, n) identity matrix.
func Eye(n int) *Tensor {
	t := newTensor("Eye", []int{n, n})
	for i := range n {
		t.data[i*n+i] = 1
	}
	return t
}

// Shape returns a copy of the tensor's shape.
func (t *Tensor) Shape() []int { return slices.Clone(t.shape) }

// Rank returns the number of dimensions (0 for a scalar).
func (t *Tensor) Rank() int { return len(t.shape) }

// Dim returns the size of dimension i; negative i counts from the end
// (Dim(-1) is the last). It panics if i is out of range.
func (t *Tensor) Dim(i int) int { return t.shape[axis("Dim", i, len(t.shape), t.shape)] }

// Len returns the number of elements.
func (t *Tensor) Len() int { return len(t.data) }

// Data returns the tensor's storage, shared: writes through it change the tensor.
func (t *Tensor) Data() []float32 { return t.data }

// Item returns the single value of a tensor with one element (any shape).
// It panics otherwise.
func (t *Tensor) Item() float32 {
	if len(t.data) != 1 {
		panic(fmt.Sprintf("tensor: Item of a tensor of shape %v with %d elements", t.shape, len(t.data)))
	}
	return t.data[0]
}

// offset returns the storage index of the element at idx, panicking with fn's
// name if the index has the wrong rank or is out of range.
func (t *Tensor) offset(fn string, idx []int) int {
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("tensor: %s: index %v for shape %v", fn, idx, t.shape))
	}
	off := 0
	for i, x := range idx {
		if x < 0 || x >= t.shape[i] {
			panic(fmt.Sprintf("tensor: %s: index %v out of range for shape %v", fn, idx, t.shape))
		}
		off = off*t.shape[i] + x
	}
	return off
}

// At returns the element at the given index, one coordinate per dimension.
// It panics if the index is out of range or has the wrong number of coordinates.
func (t *Tensor) At(idx ...int) float32 { return t.data[t.offset("At", idx)] }

// Set sets the element at the given index to v. It panics as At does.
func (t *Tensor) Set(v float32, idx ...int) { t.data[t.offset("Set", idx)] = v }

// Fill sets every element to v.
func (t *Tensor) Fill(v float32) {
	if math.Float32bits(v) == 0 { // +0 only: -0 == 0 but must keep its sign
		clear(t.data) // the runtime's vectorised clear
		return
	}
	for i := range t.data {
		t.data[i] = v
	}
}

// Clone returns a copy of t with its own storage.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{shape: slices.Clone(t.shape), data: slices.Clone(t.data)}
}

// CopyFrom copies src's values into t. It panics if the shapes differ.
func (t *Tensor) CopyFrom(src *Tensor) {
	mustSameShape("CopyFrom", t, src)
	copy(t.data, src.data)
}

// Slice returns rows [start, end) of the first axis, sharing storage with t.
// It panics if t is 0-d or the range is invalid.
func (t *Tensor) Slice(start, end int) *Tensor {
	if len(t.shape) == 0 || start < 0 || end < start || end > t.shape[0] {
		panic(fmt.Sprintf("tensor: Slice(%d, %d) of shape %v", start, end, t.shape))
	}
	row := numel("Slice", t.shape[1:])
	shape := slices.Clone(t.shape)
	shape[0] = end - start
	return &Tensor{shape: shape, data: t.data[start*row : end*row : end*row]}
}

// Index returns row i of the first axis, with that axis removed, sharing
// storage with t. For an (m, n) matrix it is the i-th row of length n.
func (t *Tensor) Index(i int) *Tensor {
	if len(t.shape) == 0 || i < 0 || i >= t.shape[0] {
		panic(fmt.Sprintf("tensor: Index(%d) of shape %v", i, t.shape))
	}
	s := t.Slice(i, i+1)
	s.shape = s.shape[1:]
	return s
}

// Equal reports whether a and b have the same shape and exactly equal values.
// NaNs are never equal.
func Equal(a, b *Tensor) bool {
	return slices.Equal(a.shape, b.shape) && slices.Equal(a.data, b.data)
}

// AllClose reports whether a and b have the same shape and every pair of
// elements satisfies |a-b| <= atol + rtol*|b|, as NumPy's allclose. NaNs are
// never close; infinities are close only to the same infinity.
func AllClose(a, b *Tensor, rtol, atol float64) bool {
	if !slices.Equal(a.shape, b.shape) {
		return false
	}
	for i, x := range a.data {
		y := float64(b.data[i])
		if float64(x) == y {
			continue
		}
		if math.Abs(float64(x)-y) > atol+rtol*math.Abs(y) || math.IsNaN(float64(x)) || math.IsNaN(y) {
			return false
		}
		if math.IsInf(y, 0) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// SameShape reports whether a and b have the same shape.
func SameShape(a, b *Tensor) bool { return slices.Equal(a.shape, b.shape) }

func mustSameShape(fn string, a, b *Tensor) {
	if !slices.Equal(a.shape, b.shape) {
		panic(fmt.Sprintf("tensor: shape mismatch in %s: %v and %v", fn, a.shape, b.shape))
	}
}

// axis normalises a possibly negative axis for a tensor of the given rank,
// panicking with fn's name if it is out of range.
func axis(fn string, ax, rank int, shape []int) int {
	if ax < -rank || ax >= rank {
		panic(fmt.Sprintf("tensor: axis %d out of range in %s for shape %v", ax, fn, shape))
	}
	if ax < 0 {
		ax += rank
	}
	return ax
}

// overlaps reports whether two slices share any element of storage.
func overlaps(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	const size = unsafe.Sizeof(float32(0))
	return pa < pb+uintptr(len(b))*size && pb < pa+uintptr(len(a))*size
}

// Overlaps reports whether a and b share any element of storage, as a view
// and the tensor it was made from do.
func Overlaps(a, b *Tensor) bool { return overlaps(a.data, b.data) }

// sameStorage reports whether a and b are the same elements of storage.
func sameStorage(a, b *Tensor) bool {
	return len(a.data) == len(b.data) && (len(a.data) == 0 || &a.data[0] == &b.data[0])
}
