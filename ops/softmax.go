package ops

import (
	"math"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// Softmax and LogSoftmax view their input as (outer, n, inner) around the
// axis: each of the outer·inner lanes is n values spaced inner apart. The
// maximum of a lane is subtracted before exponentiating, so logits of any
// finite size give finite results.

// lanes returns the (outer, n, inner) view of x around axis ax, with a
// negative ax counting from the end. It panics, naming fn, if ax is out of
// range.
func lanes(fn string, x *tensor.Tensor, ax int) (outer, n, inner int) {
	shape := x.Shape()
	if ax < -len(shape) || ax >= len(shape) {
		panic(fnMsg(fn, "axis %d out of range for shape %v", ax, shape))
	}
	if ax < 0 {
		ax += len(shape)
	}
	outer, inner = 1, 1
	for _, d := range shape[:ax] {
		outer *= d
	}
	for _, d := range shape[ax+1:] {
		inner *= d
	}
	return outer, shape[ax], inner
}

// softmaxLane writes the softmax of the lane x[0], x[s], ..., x[(n-1)s] into
// y at the same positions and returns log Σ exp(x - max) and the max.
func softmaxLane(y, x []float32, n, s int) (logSum, m float32) {
	if s == 1 {
		return softmaxRow(y[:n], x[:n])
	}
	m = x[0]
	for i := 1; i < n; i++ {
		if v := x[i*s]; v > m || v != v {
			m = v
		}
	}
	var sum float64
	for i := range n {
		e := expf(x[i*s] - m)
		y[i*s] = e
		sum += float64(e)
	}
	inv := float32(1 / sum)
	for i := range n {
		y[i*s] *= inv
	}
	return float32(math.Log(sum)), m
}

// softmaxRow is softmaxLane for a contiguous row: y = softmax(x).
func softmaxRow(y, x []float32) (logSum, m float32) {
	m, sum, ok := vecmath.Softmax(y, x, 1)
	if !ok { // m is ±Inf or NaN: the NaNs of e^(x - m) as the scalar loop made them
		sum = expSub(y, x, m)
		vecmath.Scale(y, float32(1/sum))
	}
	return float32(math.Log(sum)), m
}

// Softmax returns exp(x) / Σ exp(x) over axis ax. It panics if ax is out of
// range.
func Softmax(x *autograd.Value, ax int) *autograd.Value {
	outer, n, inner := lanes("Softmax", x.Data, ax)
	out := tensor.ZerosLike(x.Data)
	xs, ys := x.Data.Data(), out.Data()
	if n > 0 {
		for o := range outer {
			for j := range inner {
				b := o*n*inner + j
				softmaxLane(ys[b:], xs[b:], n, inner)
			}
		}
	}
	return autograd.RecordBorrowing("Softmax", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// y = softmax(x), so dx_i = y_i·(g_i - Σ_k g_k·y_k) along the axis
		dx := tensor.ZerosLike(g)
		d, gs := dx.Data(), g.Data()
		for o := range outer {
			for j := range inner {
				b := o*n*inner + j
				softmaxGrad(d[b:], gs[b:], ys[b:], n, inner)
			}
		}
		return []*tensor.Tensor{dx}
	}, x)
}

// LogSoftmax returns x - log Σ exp(x) over axis ax, computed stably. It
// panics if ax is out of range.
func LogSoftmax(x *autograd.Value, ax int) *autograd.Value {
	outer, n, inner := lanes("LogSoftmax", x.Data, ax)
	out := tensor.ZerosLike(x.Data)
	p := tensor.ZerosLike(x.Data) // softmax(x), kept for the backward
	xs, ys, ps := x.Data.Data(), out.Data(), p.Data()
	if n > 0 {
		for o := range outer {
			for j := range inner {
				b := o*n*inner + j
				logSum, m := softmaxLane(ps[b:], xs[b:], n, inner)
				for i := range n {
					ys[b+i*inner] = xs[b+i*inner] - m - logSum
				}
			}
		}
	}
	return autograd.RecordBorrowing("LogSoftmax", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// y = x - log Σ exp(x), so dx_i = g_i - softmax(x)_i·Σ_k g_k
		dx := tensor.ZerosLike(g)
		d, gs := dx.Data(), g.Data()
		for o := range outer {
			for j := range inner {
				b := o*n*inner + j
				logSoftmaxGrad(d[b:], gs[b:], ps[b:], n, inner)
			}
		}
		return []*tensor.Tensor{dx}
	}, x)
}

// softmaxGrad sets d = y·(g - Σ_k g_k·y_k) over the lane of n values
// spaced s apart: the backward of y = softmax(x).
func softmaxGrad(d, g, y []float32, n, s int) {
	if s == 1 {
		vecmath.SoftmaxGrad(d[:n], g[:n], y[:n], 1)
		return
	}
	var dot float32
	for i := range n {
		dot += g[i*s] * y[i*s]
	}
	for i := range n {
		d[i*s] = y[i*s] * (g[i*s] - dot)
	}
}

// logSoftmaxGrad sets d = g - p·Σ_k g_k over the lane of n values spaced s
// apart, where p = softmax(x): the backward of y = log softmax(x).
func logSoftmaxGrad(d, g, p []float32, n, s int) {
	if s == 1 {
		d, g, p = d[:n], g[:n], p[:n]
		var sum float32
		for _, v := range g {
			sum += v
		}
		for i, v := range g {
			d[i] = v - p[i]*sum
		}
		return
	}
	var sum float32
	for i := range n {
		sum += g[i*s]
	}
	for i := range n {
		d[i*s] = g[i*s] - p[i*s]*sum
	}
}
