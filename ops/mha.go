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
	return selfAttention("MultiHeadSelfAttention", qkv, heads, mask, causal, 0)
}

// MultiHeadSelfAttentionFrom is MultiHeadSelfAttention, without a mask, for
// the queries of positions from, ..., T−1 only: it returns their outputs,
// (B, T−from, C), rows from onwards of MultiHeadSelfAttention's. Every
// position's keys and values take part; with causal, the query at position
// from+i sees keys 0 to from+i. The gradient of the queries of positions
// before from is zero. A model whose loss reads only the last positions
// uses it in its last layer.
//
// The results are the full op's sums in the same order, so the same bits,
// with two exceptions: a product small enough for gemm's plain loop rounds
// differently, and with causal an infinite or NaN value of a later key
// reaches an earlier query as 0·Inf = NaN, where the full op skips the
// masked block. It panics as MultiHeadSelfAttention does, or if from is
// outside [0, T].
func MultiHeadSelfAttentionFrom(qkv *autograd.Value, heads, from int, causal bool) *autograd.Value {
	if s := qkv.Data.Shape(); len(s) == 3 && (from < 0 || from > s[1]) {
		panic(fnMsg("MultiHeadSelfAttentionFrom", "from %d outside [0, %d] for qkv %v", from, s[1], s))
	}
	return selfAttention("MultiHeadSelfAttentionFrom", qkv, heads, nil, causal, from)
}

// selfAttention is MultiHeadSelfAttentionFrom with a mask, which
// broadcasts to the scores (B, heads, T−from, T); fn names the caller.
func selfAttention(fn string, qkv *autograd.Value, heads int, mask *tensor.Tensor, causal bool, from int) *autograd.Value {
	s := qkv.Data.Shape()
	if len(s) != 3 || heads <= 0 || s[2]%(3*heads) != 0 {
		panic(fnMsg(fn, "qkv %v with %d heads: want (B, T, 3C) with C a multiple of the heads", s, heads))
	}
	B, T, C, H := s[0], s[1], s[2]/3, heads
	D, Tq := C/H, T-from
	keep := keepFlags(fn, mask, []int{B, H, Tq, T})
	scale := float32(1 / math.Sqrt(float64(D)))
	out := autograd.Scratch(B, Tq, C)  // every head writes its columns of every row
	w := autograd.Scratch(B, H, Tq, T) // the attention weights, kept for the backward
	x, o, wd := qkv.Data.Data(), out.Data(), w.Data()
	if Tq == 0 || C == 0 {
		B = 0 // no head has a query or a column: nothing to compute either way
	}
	// Causal weights are zero above the diagonal, which GemmTri skips; with
	// queries from a later position on, the zeros start further right.
	tri := causal && from == 0
	// The heads are independent: they run in parallel, grain heads at a
	// time, each computed as it would be alone.
	grain := 1 + headGrain/max(1, Tq*T*D)
	tensor.ParallelFor(B*H, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			// Head (b, h): its q, k and v are blocks of D columns of rows
			// 3C apart, its output a (Tq, D) block of rows C apart.
			b, h := i/H, i%H
			if h == 0 && b+1 < B {
				// The next sequence's rows, while this one's heads run:
				// in a training step they are out of cache.
				prefetchSequence(b+1, B, x, wd, o)
			}
			head := x[b*T*3*C+h*D:]
			q, k, v := head[from*3*C:], head[C:], head[2*C:]
			at := i * Tq * T
			wbh := wd[at : at+Tq*T]
			tensor.Gemm(false, true, Tq, T, D, q, 3*C, k, 3*C, wbh, T, false) // scores = q·kᵀ: (Tq,D)(D,T) -> (Tq,T)
			softmaxHead(wbh, keep, at, T, causal, from, scale)
			byW(tri, tensor.LowerTriangle, false, Tq, D, T, wbh, v, 3*C, o[b*Tq*C+h*D:], C, false) // out = w·v: (Tq,T)(T,D) -> (Tq,D)
		}
	})
	return autograd.RecordBorrowing(fn, out, func(g *tensor.Tensor) []*tensor.Tensor {
		// Every element of dx is written once: dq, dk and dv of each head
		// fill its three blocks of columns (dq zero before from), or add
		// into them when qkv already has a gradient.
		qkv.AddToGrad(func(dx *tensor.Tensor, accumulate bool) {
			gd, dd := g.Data(), dx.Data()
			if B == 0 && !accumulate {
				clear(dd) // no query: a zero gradient
			}
			tensor.ParallelFor(B*H, grain, func(lo, hi int) {
				ds := make([]float32, Tq*T) // one head's score gradient
				for i := lo; i < hi; i++ {
					b, h := i/H, i%H
					if h == 0 && b+1 < B {
						prefetchSequence(b+1, B, x, gd, wd, dd)
					}
					head, dhead := x[b*T*3*C+h*D:], dd[b*T*3*C+h*D:]
					q, k, v := head[from*3*C:], head[C:], head[2*C:]
					dq, dk, dv := dhead[from*3*C:], dhead[C:], dhead[2*C:]
					if !accumulate {
						for r := range from {
							clear(dhead[r*3*C : r*3*C+D])
						}
					}
					gbh := gd[b*Tq*C+h*D:] // this head's output gradient, (Tq, D) with rows C apart
					at := i * Tq * T
					wbh := wd[at : at+Tq*T]
					tensor.Gemm(false, true, Tq, T, D, gbh, C, v, 3*C, ds, T, false) // out = w·v, so dw = g·vᵀ: (Tq,D)(D,T) -> (Tq,T)
					// w = softmax(scale·scores) per row, so ds = scale·w·(dw - Σ_j dw_j·w_j);
					// masked keys have w = 0 and get 0.
					vecmath.SoftmaxGradRows(ds, ds, wbh, T, scale)
					byW(tri, tensor.LowerTriangle, false, Tq, D, T, ds, k, 3*C, dq, 3*C, accumulate) // scores = q·kᵀ, so dq = ds·k: (Tq,T)(T,D) -> (Tq,D)
					byW(tri, tensor.UpperTriangle, true, T, D, Tq, ds, q, 3*C, dk, 3*C, accumulate)  // dk = dsᵀ·q: (T,Tq)(Tq,D) -> (T,D)
					byW(tri, tensor.UpperTriangle, true, T, D, Tq, wbh, gbh, C, dv, 3*C, accumulate) // dv = wᵀ·g: (T,Tq)(Tq,D) -> (T,D)
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

// prefetchSequence asks for the start of sequence b's part of each of
// bufs, arrays that hold B sequences' data one after another in equal
// parts: the first prefetchMax floats of the part.
func prefetchSequence(b, B int, bufs ...[]float32) {
	for _, x := range bufs {
		n := len(x) / B
		vecmath.Prefetch(x[b*n : b*n+min(n, prefetchMax)])
	}
}

// byW multiplies by a head's weights or their gradient, a, into the
// (m, n) c, where op(a) is (m, k): with tri (causal weights of every
// query), op(a) is zero above its diagonal (lower triangular, or upper when
// transposed), and GemmTri then skips its zero blocks.
func byW(tri bool, half tensor.Triangle, transA bool, m, n, k int, a, b []float32, ldb int, c []float32, ldc int, acc bool) {
	// a's rows run over the T keys: op(a) is a, (m, T), or aᵀ, with a (k, T).
	lda := k
	if transA {
		lda = m
	}
	if tri {
		tensor.GemmTri(half, transA, false, m, n, k, a, lda, b, ldb, c, ldc, acc)
	} else {
		tensor.Gemm(transA, false, m, n, k, a, lda, b, ldb, c, ldc, acc)
	}
}
