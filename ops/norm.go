package ops

import (
	"slices"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// LayerNorm normalises x over its last axis and applies an elementwise affine
// map: out = (x - mean)/√(var + eps)·weight + bias, with the population
// variance, as PyTorch's layer_norm. x is (..., C); weight and bias are (C),
// and either may be nil (no scale, no shift). The backward is one fused pass
// per row. LayerNorm panics if weight or bias is not (C).
func LayerNorm(x, weight, bias *autograd.Value, eps float32) *autograd.Value {
	shape := x.Data.Shape()
	if len(shape) == 0 {
		panic(fnMsg("LayerNorm", "input of shape []: want (..., C)"))
	}
	C := shape[len(shape)-1]
	for _, p := range []*autograd.Value{weight, bias} {
		if p != nil && !slices.Equal(p.Data.Shape(), []int{C}) {
			panic(fnMsg("LayerNorm", "input %v with weight or bias %v: want [%d]", shape, p.Data.Shape(), C))
		}
	}
	// Shapes: x, xhat and out (N, C); rstd (N).
	N := x.Data.Len() / max(C, 1)
	out := autograd.Scratch(shape...)
	xhatT, rstdT := autograd.Scratch(x.Data.Len()), autograd.Scratch(N) // kept for the backward
	xhat, rstd := xhatT.Data(), rstdT.Data()
	xs, o := x.Data.Data(), out.Data()
	var w, b []float32
	if weight != nil {
		w = weight.Data.Data()
	}
	if bias != nil {
		b = bias.Data.Data()
	}
	if w != nil && b != nil {
		// nn.LayerNorm's case: the two lines below in one pass.
		rowBlocks(N, C, func(lo, hi int) {
			vecmath.NormAffineRows(o[lo*C:hi*C], xhat[lo*C:hi*C], xs[lo*C:hi*C], rstd[lo:hi], w, b, eps)
		})
	} else {
		vecmath.NormRows(xhat, xs[:N*C], rstd, eps) // xhat = (x - mean)·rstd
		for i := range N {
			affine(o[i*C:(i+1)*C], xhat[i*C:(i+1)*C], w, b) // y = xhat·w + b
		}
	}
	parents := []*autograd.Value{x}
	if weight != nil {
		parents = append(parents, weight)
	}
	if bias != nil {
		parents = append(parents, bias)
	}
	return autograd.RecordBorrowing("LayerNorm", out, func(g *tensor.Tensor) []*tensor.Tensor {
		var dw, db []float32
		if weight != nil && weight.RequiresGrad() {
			dw = make([]float32, C)
		}
		if bias != nil && bias.RequiresGrad() {
			db = make([]float32, C)
		}
		gs := g.Data()
		// dx, dw and db come out of one pass; dx goes into x's gradient.
		setGrad(x, dw != nil || db != nil, func(d []float32) {
			if w != nil && dw != nil && db != nil {
				// nn.LayerNorm's case: the loop below in one kernel.
				vecmath.LayerNormGrad(d, gs, xhat, rstd, w, dw, db)
				return
			}
			dh := make([]float32, C) // dxhat of one row
			for i := range N {
				gr, h, dr := gs[i*C:(i+1)*C], xhat[i*C:(i+1)*C], d[i*C:(i+1)*C]
				// y = xhat·w + b, so dxhat = g·w, dw += g·xhat, db += g
				if w != nil {
					vecmath.Mul(dh, gr, w)
				} else {
					copy(dh, gr)
				}
				if dw != nil {
					vecmath.MulAdd(dw, gr, h, dw)
				}
				if db != nil {
					vecmath.Add(db, db, gr)
				}
				// xhat = (x - mean)·rstd, so
				// dx = rstd·(dxhat - mean(dxhat) - xhat·mean(dxhat·xhat))
				vecmath.NormGradRow(dr, dh, h, rstd[i])
			}
		})
		grads := []*tensor.Tensor{nil}
		if weight != nil {
			grads = append(grads, maybeTensor(dw))
		}
		if bias != nil {
			grads = append(grads, maybeTensor(db))
		}
		return grads
	}, parents...).Keep(xhatT, rstdT).OwnsData()
}

// maybeTensor wraps a gradient slice as a 1-D tensor, or returns nil for nil.
func maybeTensor(s []float32) *tensor.Tensor {
	if s == nil {
		return nil
	}
	return tensor.FromSlice(s)
}

// affine sets y = h·w + b for a LayerNorm without w or b (with both,
// NormAffineRows does it): a nil w or b stands for 1 or 0.
func affine(y, h, w, b []float32) {
	h = h[:len(y)]
	switch {
	case w != nil:
		vecmath.Mul(y, h, w)
	case b != nil:
		vecmath.Add(y, h, b)
	default:
		copy(y, h)
	}
}
