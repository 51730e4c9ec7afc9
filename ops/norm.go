package ops

import (
	"math"
	"slices"

	"github.com/gotensor/gotensor/autograd"
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
	out := tensor.ZerosLike(x.Data)
	xhat := make([]float32, x.Data.Len())
	rstd := make([]float32, N)
	xs, o := x.Data.Data(), out.Data()
	var w, b []float32
	if weight != nil {
		w = weight.Data.Data()
	}
	if bias != nil {
		b = bias.Data.Data()
	}
	for i := range N {
		h, y := xhat[i*C:(i+1)*C], o[i*C:(i+1)*C]
		rstd[i] = normRow(h, xs[i*C:(i+1)*C], eps) // xhat = (x - mean)·rstd
		affine(y, h, w, b)                         // y = xhat·w + b
	}
	parents := []*autograd.Value{x}
	if weight != nil {
		parents = append(parents, weight)
	}
	if bias != nil {
		parents = append(parents, bias)
	}
	return autograd.Record("LayerNorm", out, func(g *tensor.Tensor) []*tensor.Tensor {
		dx := tensor.ZerosLike(x.Data)
		var dw, db []float32
		if weight != nil && weight.RequiresGrad() {
			dw = make([]float32, C)
		}
		if bias != nil && bias.RequiresGrad() {
			db = make([]float32, C)
		}
		gs, d := g.Data(), dx.Data()
		dh := make([]float32, C) // dxhat of one row
		for i := range N {
			gr, h, dr := gs[i*C:(i+1)*C], xhat[i*C:(i+1)*C], d[i*C:(i+1)*C]
			// y = xhat·w + b, so dxhat = g·w, dw += g·xhat, db += g
			if w != nil {
				mulTo(dh, gr, w)
			} else {
				copy(dh, gr)
			}
			if dw != nil {
				addMul(dw, gr, h)
			}
			if db != nil {
				addTo(db, gr)
			}
			// xhat = (x - mean)·rstd, so
			// dx = rstd·(dxhat - mean(dxhat) - xhat·mean(dxhat·xhat))
			m1, m2 := sumDot(dh, h)
			r, a, c := rstd[i], float32(m1/float64(C)), float32(m2/float64(C))
			dr, h = dr[:len(dh)], h[:len(dh)]
			for j, v := range dh {
				dr[j] = r * (v - a - h[j]*c)
			}
		}
		grads := []*tensor.Tensor{dx}
		if weight != nil {
			grads = append(grads, maybeTensor(dw))
		}
		if bias != nil {
			grads = append(grads, maybeTensor(db))
		}
		return grads
	}, parents...)
}

// maybeTensor wraps a gradient slice as a 1-D tensor, or returns nil for nil.
func maybeTensor(s []float32) *tensor.Tensor {
	if s == nil {
		return nil
	}
	return tensor.FromSlice(s)
}

// normRow sets h = (x - mean)·rstd over one row, with the mean and the
// population variance summed in float64, and returns rstd = 1/√(var + eps).
// Four partial sums break the chain of dependent additions, which is what
// bounds a row as short as d_model = 64.
func normRow(h, x []float32, eps float32) float32 {
	h = h[:len(x)]
	var s0, s1, s2, s3 float64
	for i := 0; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += float64(v[0])
		s1 += float64(v[1])
		s2 += float64(v[2])
		s3 += float64(v[3])
	}
	for _, v := range x[len(x)&^3:] {
		s0 += float64(v)
	}
	mean := (s0 + s1 + s2 + s3) / float64(len(x))
	s0, s1, s2, s3 = 0, 0, 0, 0
	for i := 0; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(v[0])-mean, float64(v[1])-mean, float64(v[2])-mean, float64(v[3])-mean
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for _, v := range x[len(x)&^3:] {
		d := float64(v) - mean
		s0 += d * d
	}
	r := 1 / math.Sqrt((s0+s1+s2+s3)/float64(len(x))+float64(eps))
	for j, v := range x {
		h[j] = float32((float64(v) - mean) * r)
	}
	return float32(r)
}

// affine sets y = h·w + b, where a nil w or b stands for 1 or 0.
func affine(y, h, w, b []float32) {
	h = h[:len(y)]
	switch {
	case w != nil && b != nil:
		w, b = w[:len(y)], b[:len(y)]
		for j, v := range h {
			y[j] = v*w[j] + b[j]
		}
	case w != nil:
		mulTo(y, h, w)
	case b != nil:
		b = b[:len(y)]
		for j, v := range h {
			y[j] = v + b[j]
		}
	default:
		copy(y, h)
	}
}

// mulTo sets d = a·b elementwise.
func mulTo(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for j, v := range a {
		d[j] = v * b[j]
	}
}

// addMul adds a·b to d elementwise.
func addMul(d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	for j, v := range a {
		d[j] += v * b[j]
	}
}

// addTo adds a to d elementwise.
func addTo(d, a []float32) {
	a = a[:len(d)]
	for j, v := range a {
		d[j] += v
	}
}

// sumDot returns Σ a and Σ a·b in float64, each in two partial sums.
func sumDot(a, b []float32) (sa, sab float64) {
	b = b[:len(a)]
	var s0, s1, p0, p1 float64
	for i := 0; i+2 <= len(a); i += 2 {
		u, v := a[i:i+2:i+2], b[i:i+2:i+2]
		s0 += float64(u[0])
		s1 += float64(u[1])
		p0 += float64(u[0]) * float64(v[0])
		p1 += float64(u[1]) * float64(v[1])
	}
	if len(a)%2 == 1 {
		u, v := a[len(a)-1], b[len(a)-1]
		s0 += float64(u)
		p0 += float64(u) * float64(v)
	}
	return s0 + s1, p0 + p1
}
