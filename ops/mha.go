package ops

import (
	"math"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// MultiHeadSelfAttention returns the heads of scaled dot-product attention
// over a packed projection, merged back into one (B, T, C) output. qkv is
// (B, T, 3C): columns [0, C) are the queries, [C, 2C) the keys and
// [2C, 3C) the values, and within each, head h owns the D = C/heads
// columns [h·D, (h+1)·D). Head h of position t gives output columns
// [h·D, (h+1)·D) of row t. mask and causal are as for
// ScaledDotProductAttention, with mask broadcastable to the scores
// (B, heads, T, T); a query whose keys are all masked gives zeros.
//
// It equals splitting qkv into q, k and v of shape (B, heads, T, D),
// ScaledDotProductAttention, and merging the heads back, but records one
// node whose backward returns one (B, T, 3C) gradient: the heads are read
// and written in place, as strided blocks of columns, with no copy into
// per-head tensors in either direction. It keeps the attention weights
// (B, heads, T, T) for the backward. It panics if qkv is not 3-D, if
// heads does not divide C, or if the mask does not broadcast.
func MultiHeadSelfAttention(qkv *autograd.Value, heads int, mask *tensor.Tensor, causal bool) *autograd.Value {
	s := qkv.Data.Shape()
	if len(s) != 3 || heads <= 0 || s[2]%(3*heads) != 0 {
		panic(fnMsg("MultiHeadSelfAttention", "qkv %v with %d heads: want (B, T, 3C) with C a multiple of the heads", s, heads))
	}
	B, T, C, H := s[0], s[1], s[2]/3, heads
	D := C / H
	keep := keepFlags("MultiHeadSelfAttention", mask, []int{B, H, T, T})
	scale := float32(1 / math.Sqrt(float64(D)))
	out := autograd.Scratch(B, T, C)  // every head writes its columns of every row
	w := autograd.Scratch(B, H, T, T) // the attention weights, kept for the backward
	x, o, wd := qkv.Data.Data(), out.Data(), w.Data()
	if T == 0 || C == 0 {
		B = 0 // no head has a row or a column: nothing to compute either way
	}
	// The heads are independent: they run in parallel, grain heads at a
	// time, each computed as it would be alone.
	grain := 1 + headGrain/max(1, T*T*D)
	tensor.ParallelFor(B*H, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			// Head (b, h): its q, k and v are (T, D) blocks of rows 3C
			// apart, its output a (T, D) block of rows C apart.
			b, h := i/H, i%H
			if h == 0 && b+1 < B {
				// The next sequence's rows, while this one's heads run:
				// in a training step they are out of cache.
				prefetch(x[(b+1)*T*3*C : (b+2)*T*3*C])
				prefetch(wd[(b+1)*H*T*T : (b+2)*H*T*T])
				prefetch(o[(b+1)*T*C : (b+2)*T*C])
			}
			q := x[b*T*3*C+h*D:]
			k, v := q[C:], q[2*C:]
			at := i * T * T
			wbh := wd[at : at+T*T]
			tensor.Gemm(false, true, T, T, D, q, 3*C, k, 3*C, wbh, T, false) // scores = q·kᵀ: (T,D)(D,T) -> (T,T)
			softmaxHead(wbh, keep, at, T, causal, scale)
			byW(causal, tensor.LowerTriangle, false, T, D, wbh, v, 3*C, o[b*T*C+h*D:], C, false) // out = w·v: (T,T)(T,D) -> (T,D)
		}
	})
	return autograd.RecordBorrowing("MultiHeadSelfAttention", out, func(g *tensor.Tensor) []*tensor.Tensor {
		// Every element of dx is written once: dq, dk and dv of each head
		// fill its three blocks of columns, or add into them when qkv
		// already has a gradient.
		qkv.AddToGrad(func(dx *tensor.Tensor, accumulate bool) {
			gd, dd := g.Data(), dx.Data()
			tensor.ParallelFor(B*H, grain, func(lo, hi int) {
				ds := make([]float32, T*T) // one head's score gradient
				for i := lo; i < hi; i++ {
					b, h := i/H, i%H
					if h == 0 && b+1 < B {
						prefetch(x[(b+1)*T*3*C : (b+2)*T*3*C])
						prefetch(gd[(b+1)*T*C : (b+2)*T*C])
						prefetch(wd[(b+1)*H*T*T : (b+2)*H*T*T])
						prefetch(dd[(b+1)*T*3*C : (b+2)*T*3*C])
					}
					q := x[b*T*3*C+h*D:]
					k, v := q[C:], q[2*C:]
					dq := dd[b*T*3*C+h*D:]
					dk, dv := dq[C:], dq[2*C:]
					gbh := gd[b*T*C+h*D:] // this head's output gradient, (T, D) with rows C apart
					at := i * T * T
					wbh := wd[at : at+T*T]
					tensor.Gemm(false, true, T, T, D, gbh, C, v, 3*C, ds, T, false) // out = w·v, so dw = g·vᵀ: (T,D)(D,T) -> (T,T)
					// w = softmax(scale·scores) per row, so ds = scale·w·(dw - Σ_j dw_j·w_j);
					// masked keys have w = 0 and get 0.
					vecmath.SoftmaxGradRows(ds, ds, wbh, T, scale)
					byW(causal, tensor.LowerTriangle, false, T, D, ds, k, 3*C, dq, 3*C, accumulate) // scores = q·kᵀ, so dq = ds·k: (T,T)(T,D) -> (T,D)
					byW(causal, tensor.UpperTriangle, true, T, D, ds, q, 3*C, dk, 3*C, accumulate)  // dk = dsᵀ·q: (T,T)(T,D) -> (T,D)
					byW(causal, tensor.UpperTriangle, true, T, D, wbh, gbh, C, dv, 3*C, accumulate) // dv = wᵀ·g: (T,T)(T,D) -> (T,D)
				}
			})
		})
		return []*tensor.Tensor{nil}
	}, qkv).Keep(w).OwnsData()
}

// prefetchMax bounds what attention prefetches of one block: 64 KiB, a
// few heads' worth at a small model's sizes, so that a long context's
// weights (H·T² floats a sequence) neither push the current sequence out
// of cache nor make one long uninterruptible assembly call.
const prefetchMax = 16 << 10

// prefetch asks for the first prefetchMax floats of x.
func prefetch(x []float32) { vecmath.Prefetch(x[:min(len(x), prefetchMax)]) }

// byW multiplies by a head's weights or their gradient, a (T, T) matrix
// a, into the (T, D) c: causal makes a zero above the diagonal (op(a)
// lower triangular, or upper when transposed), and GemmTri then skips its
// zero blocks.
func byW(causal bool, tri tensor.Triangle, transA bool, T, D int, a, b []float32, ldb int, c []float32, ldc int, acc bool) {
	if causal {
		tensor.GemmTri(tri, transA, false, T, D, T, a, T, b, ldb, c, ldc, acc)
	} else {
		tensor.Gemm(transA, false, T, D, T, a, T, b, ldb, c, ldc, acc)
	}
}
