package tensor

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotensor/gotensor/tensor/internal/vec"
)

// The element loops below take the scalar function as an argument. They are
// small enough for the compiler to inline, and once inlined at a call site
// that passes a named function, that function is inlined into the loop too:
// the loops run without a call per element.

// mapInto sets dst[i] = f(a[i]).
func mapInto(dst, a []float32, f func(float32) float32) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = f(a[i])
	}
}

// zipVV sets dst[i] = f(a[i], b[i]).
func zipVV(dst, a, b []float32, f func(x, y float32) float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = f(a[i], b[i])
	}
}

// zipRow sets dst[i] = f(a[i*sa], b[i*sb]): one row of a broadcast operation.
func zipRow(dst, a, b []float32, sa, sb int, f func(x, y float32) float32) {
	for i := range dst {
		dst[i] = f(a[i*sa], b[i*sb])
	}
}

// binary returns vv(a, b) for same-shaped operands and the row-by-row
// broadcast otherwise.
func binary(fn string, a, b *Tensor, vv func(dst, a, b []float32), row rowKernel) *Tensor {
	if slices.Equal(a.shape, b.shape) {
		out := newTensor(fn, a.shape)
		vv(out.data, a.data, b.data)
		return out
	}
	out := newTensor(fn, broadcastShape(fn, a.shape, b.shape))
	broadcastInto(fn, out.data, out.shape, a, b, row, vv)
	return out
}

// binaryInPlace sets dst = dst op src, with src broadcast to dst's shape.
// A src that shares storage with dst (a Slice or Index of it) is read from
// a copy, so that no element is read after it was written.
func binaryInPlace(fn string, dst, src *Tensor, vv func(dst, a, b []float32), row rowKernel) {
	if overlaps(dst.data, src.data) && !sameStorage(dst, src) {
		src = src.Clone()
	}
	if slices.Equal(dst.shape, src.shape) {
		vv(dst.data, dst.data, src.data)
		return
	}
	if s := broadcastShape(fn, dst.shape, src.shape); !slices.Equal(s, dst.shape) {
		panic(fmt.Sprintf("tensor: shape mismatch in %s: %v cannot broadcast to %v", fn, src.shape, dst.shape))
	}
	broadcastInto(fn, dst.data, dst.shape, dst, src, row, vv)
}

func add(x, y float32) float32     { return x + y }
func sub(x, y float32) float32     { return x - y }
func mul(x, y float32) float32     { return x * y }
func div(x, y float32) float32     { return x / y }
func pow(x, y float32) float32     { return float32(math.Pow(float64(x), float64(y))) }
func maximum(x, y float32) float32 { return max(x, y) }
func minimum(x, y float32) float32 { return min(x, y) }

// The four arithmetic operations run in vec's kernels on operands of one
// shape, and on broadcast rows of at least vecRowMin elements in which both
// operands advance by one (a bias row added to each row of a matrix), with
// the results of the scalar loop bit for bit: each element is one IEEE
// operation either way.
func addVV(d, a, b []float32) { vec.Add(d, a, b) }
func subVV(d, a, b []float32) { vec.Sub(d, a, b) }
func mulVV(d, a, b []float32) { vec.Mul(d, a, b) }
func divVV(d, a, b []float32) { vec.Div(d, a, b) }

// vecRowMin is the shortest row handed to vec: below it the call costs more
// than it saves (adding a row to (n, 8) took a quarter longer through vec,
// to (n, 12) a third less, on AVX-512).
const vecRowMin = 12

func addRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, add) }
func subRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, sub) }
func mulRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, mul) }
func divRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, div) }

func powVV(d, a, b []float32)              { zipVV(d, a, b, pow) }
func powRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, pow) }
func maxVV(d, a, b []float32)              { zipVV(d, a, b, maximum) }
func maxRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, maximum) }
func minVV(d, a, b []float32)              { zipVV(d, a, b, minimum) }
func minRow(d, a, b []float32, sa, sb int) { zipRow(d, a, b, sa, sb, minimum) }

// Add returns a + b elementwise, with broadcasting.
// Like every binary function here, it panics if the shapes cannot broadcast.
func Add(a, b *Tensor) *Tensor { return binary("Add", a, b, addVV, addRow) }

// Sub returns a - b elementwise, with broadcasting.
func Sub(a, b *Tensor) *Tensor { return binary("Sub", a, b, subVV, subRow) }

// Mul returns a * b elementwise (the Hadamard product), with broadcasting.
func Mul(a, b *Tensor) *Tensor { return binary("Mul", a, b, mulVV, mulRow) }

// Div returns a / b elementwise, with broadcasting. Division by zero gives
// ±Inf or NaN, as in IEEE arithmetic.
func Div(a, b *Tensor) *Tensor { return binary("Div", a, b, divVV, divRow) }

// Pow returns a raised to the power b elementwise, with broadcasting.
func Pow(a, b *Tensor) *Tensor { return binary("Pow", a, b, powVV, powRow) }

// Maximum returns the elementwise maximum of a and b, with broadcasting.
// A NaN in either operand gives NaN.
func Maximum(a, b *Tensor) *Tensor { return binary("Maximum", a, b, maxVV, maxRow) }

// Minimum returns the elementwise minimum of a and b, with broadcasting.
// A NaN in either operand gives NaN.
func Minimum(a, b *Tensor) *Tensor { return binary("Minimum", a, b, minVV, minRow) }

// AddInPlace sets t = t + src, with src broadcast to t's shape. It panics if
// src cannot broadcast to t's shape (t's shape never changes). Like every
// InPlace method, it gives the right result when src shares storage with t,
// as a Slice or Index of t does.
func (t *Tensor) AddInPlace(src *Tensor) { binaryInPlace("AddInPlace", t, src, addVV, addRow) }

// SubInPlace sets t = t - src, with src broadcast to t's shape.
func (t *Tensor) SubInPlace(src *Tensor) { binaryInPlace("SubInPlace", t, src, subVV, subRow) }

// MulInPlace sets t = t * src, with src broadcast to t's shape.
func (t *Tensor) MulInPlace(src *Tensor) { binaryInPlace("MulInPlace", t, src, mulVV, mulRow) }

// DivInPlace sets t = t / src, with src broadcast to t's shape.
func (t *Tensor) DivInPlace(src *Tensor) { binaryInPlace("DivInPlace", t, src, divVV, divRow) }

// ScaleInPlace sets t = s * t.
func (t *Tensor) ScaleInPlace(s float32) {
	for i := range t.data {
		t.data[i] *= s
	}
}

// AddScaledInPlace sets t = t + alpha*x (BLAS's axpy). It panics if the shapes
// differ.
func (t *Tensor) AddScaledInPlace(alpha float32, x *Tensor) {
	mustSameShape("AddScaledInPlace", t, x)
	xs := x.data[:len(t.data)]
	for i := range t.data {
		t.data[i] += alpha * xs[i]
	}
}

// AddScalar returns t + s.
func AddScalar(t *Tensor, s float32) *Tensor {
	out := newTensor("AddScalar", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return x + s })
	return out
}

// SubScalar returns t - s.
func SubScalar(t *Tensor, s float32) *Tensor {
	out := newTensor("SubScalar", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return x - s })
	return out
}

// MulScalar returns s * t.
func MulScalar(t *Tensor, s float32) *Tensor {
	out := newTensor("MulScalar", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return x * s })
	return out
}

// DivScalar returns t / s.
func DivScalar(t *Tensor, s float32) *Tensor {
	out := newTensor("DivScalar", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return x / s })
	return out
}

// PowScalar returns t raised to the power p elementwise, as Pow does; the
// square (p = 2) is computed as x·x.
func PowScalar(t *Tensor, p float32) *Tensor {
	out := newTensor("PowScalar", t.shape)
	if p == 2 {
		mapInto(out.data, t.data, func(x float32) float32 { return x * x })
	} else {
		mapInto(out.data, t.data, func(x float32) float32 { return float32(math.Pow(float64(x), float64(p))) })
	}
	return out
}

// Neg returns -t.
func Neg(t *Tensor) *Tensor {
	out := newTensor("Neg", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return -x })
	return out
}

// Abs returns |t| elementwise.
func Abs(t *Tensor) *Tensor {
	out := newTensor("Abs", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) })
	return out
}

// Exp returns e^t elementwise.
func Exp(t *Tensor) *Tensor {
	out := newTensor("Exp", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return float32(math.Exp(float64(x))) })
	return out
}

// Log returns the natural logarithm elementwise (-Inf at 0, NaN below).
func Log(t *Tensor) *Tensor {
	out := newTensor("Log", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return float32(math.Log(float64(x))) })
	return out
}

// Sqrt returns the square root elementwise (NaN for negative values).
func Sqrt(t *Tensor) *Tensor {
	out := newTensor("Sqrt", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return float32(math.Sqrt(float64(x))) })
	return out
}

// Tanh returns the hyperbolic tangent elementwise.
func Tanh(t *Tensor) *Tensor {
	out := newTensor("Tanh", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 { return float32(math.Tanh(float64(x))) })
	return out
}

// Sigmoid returns 1/(1+e^-t) elementwise, computed without overflow for
// large |t|.
func Sigmoid(t *Tensor) *Tensor {
	out := newTensor("Sigmoid", t.shape)
	mapInto(out.data, t.data, sigmoid)
	return out
}

func sigmoid(x float32) float32 {
	if x >= 0 {
		return float32(1 / (1 + math.Exp(-float64(x))))
	}
	e := math.Exp(float64(x))
	return float32(e / (1 + e))
}

// ReLU returns max(t, 0) elementwise; NaN stays NaN.
func ReLU(t *Tensor) *Tensor {
	out := newTensor("ReLU", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 {
		if x < 0 {
			return 0
		}
		return x
	})
	return out
}

// Clip returns t with every element limited to [lo, hi]; NaN stays NaN.
// It panics if lo > hi or either bound is NaN.
func Clip(t *Tensor, lo, hi float32) *Tensor {
	if !(lo <= hi) {
		panic(fmt.Sprintf("tensor: Clip: lo %v > hi %v", lo, hi))
	}
	out := newTensor("Clip", t.shape)
	mapInto(out.data, t.data, func(x float32) float32 {
		if x < lo {
			return lo
		}
		if x > hi {
			return hi
		}
		return x
	})
	return out
}

// Apply returns f applied to every element of t: the escape hatch for a
// function this package lacks. It costs a call per element.
func Apply(t *Tensor, f func(float32) float32) *Tensor {
	out := newTensor("Apply", t.shape)
	for i, x := range t.data {
		out.data[i] = f(x)
	}
	return out
}
