package ops

import (
	"slices"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// Reductions over one axis (negative counts from the end) with keepdim as in
// package tensor. The backward of a sum spreads the gradient back over the
// reduced axis: it is the gradient broadcast to the input's shape.

// keptShape returns shape with axis ax set to 1, and ax normalised.
func keptShape(shape []int, ax int) []int {
	if ax < 0 {
		ax += len(shape)
	}
	s := slices.Clone(shape)
	s[ax] = 1
	return s
}

// Sum returns the sum of x over axis ax, keeping the axis as size 1 if
// keepdim. It panics if ax is out of range.
func Sum(x *autograd.Value, ax int, keepdim bool) *autograd.Value {
	out := tensor.Sum(x.Data, ax, keepdim)
	shape := x.Data.Shape()
	return autograd.RecordBorrowing("Sum", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = Σ_ax x, so dx = g repeated along ax
		return []*tensor.Tensor{tensor.BroadcastTo(tensor.Reshape(g, keptShape(shape, ax)...), shape...)}
	}, x)
}

// Mean returns the mean of x over axis ax, as Sum.
func Mean(x *autograd.Value, ax int, keepdim bool) *autograd.Value {
	out := tensor.Mean(x.Data, ax, keepdim)
	shape := x.Data.Shape()
	n := float32(x.Data.Dim(ax))
	return autograd.RecordBorrowing("Mean", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = Σ_ax x / n, so dx = g/n repeated along ax
		dx := tensor.BroadcastTo(tensor.Reshape(g, keptShape(shape, ax)...), shape...)
		dx.ScaleInPlace(1 / n)
		return []*tensor.Tensor{dx}
	}, x)
}

// SumAll returns the sum of all elements of x as a 0-d value.
func SumAll(x *autograd.Value) *autograd.Value {
	out := tensor.Scalar(tensor.SumAll(x.Data))
	return autograd.RecordBorrowing("SumAll", out, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Full(g.Item(), x.Data.Shape()...)} // out = Σ x
	}, x)
}

// MeanAll returns the mean of all elements of x as a 0-d value.
func MeanAll(x *autograd.Value) *autograd.Value {
	out := tensor.Scalar(tensor.MeanAll(x.Data))
	n := float32(x.Data.Len())
	return autograd.RecordBorrowing("MeanAll", out, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Full(g.Item()/n, x.Data.Shape()...)} // out = Σ x / n
	}, x)
}

// Max returns the maximum of x over axis ax, keeping the axis as size 1 if
// keepdim. The gradient goes to the position of the maximum, the first one on
// ties (as ArgMax). It panics if ax is out of range or the axis has size 0.
func Max(x *autograd.Value, ax int, keepdim bool) *autograd.Value {
	out := tensor.Max(x.Data, ax, keepdim)
	shape := x.Data.Shape()
	return autograd.RecordBorrowing("Max", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = x[argmax]: dx is g at the arg-max and 0 elsewhere.
		// Shapes: x viewed as (outer, n, inner); g and arg as (outer, inner).
		a := ax
		if a < 0 {
			a += len(shape)
		}
		arg := tensor.ArgMax(x.Data, a, false).Data()
		n, inner := shape[a], 1
		for _, d := range shape[a+1:] {
			inner *= d
		}
		dx := tensor.Zeros(shape...)
		d, gs := dx.Data(), g.Data()
		for i, v := range gs {
			o, j := i/inner, i%inner
			d[(o*n+int(arg[i]))*inner+j] = v
		}
		return []*tensor.Tensor{dx}
	}, x)
}
