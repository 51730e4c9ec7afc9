package ops

import (
	"slices"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// Shape ops move values without computing with them; each backward moves the
// gradient back the same way: Reshape back, Permute by the inverse, Concat
// into Split, a slice into its part of a gradient, a gather into a
// scatter-add.

// Reshape returns x with a new shape holding the same number of elements; one
// dimension may be -1. The data is shared, not copied. It panics as
// tensor.Reshape.
func Reshape(x *autograd.Value, shape ...int) *autograd.Value {
	xs := x.Data.Shape()
	return autograd.RecordBorrowing("Reshape", tensor.Reshape(x.Data, shape...), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Reshape(g, xs...)} // out = reshape(x)
	}, x)
}

// Transpose returns x with its last two dimensions swapped (a copy). It
// panics if x has fewer than two dimensions.
func Transpose(x *autograd.Value) *autograd.Value {
	return autograd.RecordBorrowing("Transpose", tensor.Transpose(x.Data), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Transpose(g)} // out = xᵀ, so dx = gᵀ
	}, x)
}

// Permute returns x with dimension i taken from x's dimension axes[i] (a
// copy). It panics unless axes is a permutation of x's dimensions.
func Permute(x *autograd.Value, axes ...int) *autograd.Value {
	out := tensor.Permute(x.Data, axes...)
	return autograd.RecordBorrowing("Permute", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out dimension i is x dimension axes[i]; the inverse sends it back.
		inv := make([]int, len(axes))
		for i, a := range axes {
			if a < 0 {
				a += len(axes)
			}
			inv[a] = i
		}
		return []*tensor.Tensor{tensor.Permute(g, inv...)}
	}, x)
}

// Concat joins values along axis ax; their other dimensions must agree. It
// panics as tensor.Concat.
func Concat(ax int, xs ...*autograd.Value) *autograd.Value {
	ts := make([]*tensor.Tensor, len(xs))
	for i, x := range xs {
		ts[i] = x.Data
	}
	out := tensor.Concat(ax, ts...)
	return autograd.RecordBorrowing("Concat", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = [x0 x1 ...] along ax, so the dxi are g split at the same sizes
		sizes := make([]int, len(xs))
		for i, t := range ts {
			sizes[i] = t.Dim(ax)
		}
		return tensor.Split(g, ax, sizes...)
	}, xs...)
}

// Split cuts x along axis ax into pieces of the given sizes, which must add
// up to the size of the axis. It panics otherwise.
func Split(x *autograd.Value, ax int, sizes ...int) []*autograd.Value {
	pieces := tensor.Split(x.Data, ax, sizes...)
	out := make([]*autograd.Value, len(pieces))
	start := 0
	for i, p := range pieces {
		out[i] = sliceRecord("Split", x, p, ax, start, start+sizes[i])
		start += sizes[i]
	}
	return out
}

// Slice returns the elements of x with index in [start, end) along axis ax (a
// copy). It panics if ax is out of range or the range is not within the axis.
func Slice(x *autograd.Value, ax, start, end int) *autograd.Value {
	shape := x.Data.Shape()
	outer, n, inner := lanes("Slice", x.Data, ax)
	if start < 0 || end < start || end > n {
		panic(fnMsg("Slice", "range [%d, %d) of axis %d of shape %v", start, end, ax, shape))
	}
	if ax < 0 {
		ax += len(shape)
	}
	oshape := slices.Clone(shape)
	oshape[ax] = end - start
	out := autograd.Scratch(oshape...) // every element is copied in
	o, xs, w := out.Data(), x.Data.Data(), (end-start)*inner
	for i := range outer {
		copy(o[i*w:(i+1)*w], xs[(i*n+start)*inner:])
	}
	return sliceRecord("Slice", x, out, ax, start, end).OwnsData()
}

// sliceRecord records out, the part [start, end) of x along axis ax. Its
// backward adds g into that part of x's gradient sum in place, so the pieces
// of a Split fill one gradient between them rather than each making a zero
// tensor of x's shape for the engine to add up.
func sliceRecord(op string, x *autograd.Value, out *tensor.Tensor, ax, start, end int) *autograd.Value {
	return autograd.RecordBorrowing(op, out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out = x[..., start:end, ...], so dx is g there and 0 elsewhere
		outer, n, inner := lanes(op, x.Data, ax)
		x.AddToGrad(func(dst *tensor.Tensor, accumulate bool) {
			d, gs, w := dst.Data(), g.Data(), (end-start)*inner
			for i := range outer {
				lane, part := d[i*n*inner:(i+1)*n*inner], gs[i*w:(i+1)*w]
				if accumulate {
					vecmath.Add(lane[start*inner:end*inner], lane[start*inner:end*inner], part)
					continue
				}
				clear(lane[:start*inner])
				copy(lane[start*inner:end*inner], part)
				clear(lane[end*inner:])
			}
		})
		return []*tensor.Tensor{nil}
	}, x)
}

// Gather returns the rows of x along its first axis at the given indices, as
// a (len(idx), ...) value; indices may repeat, and their gradients add up. It
// panics if x is 0-d or an index is out of range.
func Gather(x *autograd.Value, idx []int) *autograd.Value {
	shape := x.Data.Shape()
	if len(shape) == 0 {
		panic(fnMsg("Gather", "of a 0-d value"))
	}
	for _, i := range idx {
		if i < 0 || i >= shape[0] {
			panic(fnMsg("Gather", "index %d out of range [0, %d) for shape %v", i, shape[0], shape))
		}
	}
	shape[0] = len(idx)
	out := tensor.GatherInto(autograd.Scratch(shape...), x.Data, idx)
	return autograd.RecordBorrowing("Gather", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// out[i] = x[idx[i]], so dx is g's rows scatter-added into zeros,
		// written into the engine's storage rather than into a new table
		// for it to copy. With a gradient already there (a table tied to
		// an output layer), WriteGrad scatters into storage of its own and
		// adds that: a repeated id's rows are summed before they meet the
		// sum so far, rounding as ScatterAdd's table added to it did.
		x.WriteGrad(func(dst *tensor.Tensor) {
			dst.Fill(0)
			dst.ScatterAddInPlace(idx, g)
		})
		return []*tensor.Tensor{nil}
	}, x).OwnsData()
}

// Embedding returns the rows of a (V, D) table for the given ids, as a
// (len(ids), D) value. The gradient of the table scatter-adds the gradient
// rows: a repeated id accumulates. Embedding panics if the table is not 2-D or
// an id is outside [0, V).
func Embedding(table *autograd.Value, ids []int) *autograd.Value {
	shape := table.Data.Shape()
	if len(shape) != 2 {
		panic(fnMsg("Embedding", "table of shape %v: want (V, D)", shape))
	}
	for i, id := range ids {
		if id < 0 || id >= shape[0] {
			panic(fnMsg("Embedding", "id %d at position %d outside [0, %d) for table %v", id, i, shape[0], shape))
		}
	}
	return Gather(table, ids)
}
