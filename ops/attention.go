package ops

import (
	"math"
	"slices"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops/internal/vecmath"
	"github.com/gotensor/gotensor/tensor"
)

// Attention legend: B batch, H heads, T (Tq) query positions, S (Tk) key
// positions, D head size. Every dimension before the last two is a batch
// dimension; q, k and v batch dimensions broadcast.

// ScaledDotProductAttention returns softmax(q·kᵀ/√D + masking)·v and the
// attention weights. q is (..., T, D), k is (..., S, D), v is (..., S, Dv);
// the output is (..., T, Dv) and the weights (..., T, S), each row summing to
// 1 over the keys it may attend to. mask, if not nil, holds keep-flags
// broadcastable to (..., T, S): 0 masks a key out, anything else keeps it
// (padding masks are (B, 1, 1, S)). causal masks key j for query i when j > i.
// A query whose keys are all masked gets zero weights, a zero output and zero
// gradients, never NaN (PyTorch gives NaN there).
//
// The weights are one recorded op (scores, masking and softmax, with a fused
// backward through softmax and q·kᵀ) and the output is MatMul(weights, v), so
// both results may take part in a loss. It panics if the shapes do not fit.
func ScaledDotProductAttention(q, k, v *autograd.Value, mask *tensor.Tensor, causal bool) (out, weights *autograd.Value) {
	qs, ks, vs := q.Data.Shape(), k.Data.Shape(), v.Data.Shape()
	if len(qs) < 2 || len(ks) < 2 || len(vs) < 2 || qs[len(qs)-1] != ks[len(ks)-1] || ks[len(ks)-2] != vs[len(vs)-2] {
		panic(fnMsg("ScaledDotProductAttention", "q %v, k %v, v %v: want (..., T, D), (..., S, D), (..., S, Dv)", qs, ks, vs))
	}
	weights = attentionWeights(q, k, mask, causal)
	return MatMul(weights, v), weights
}

// attentionWeights records softmax(q·kᵀ/√D) with masked keys excluded.
func attentionWeights(q, k *autograd.Value, mask *tensor.Tensor, causal bool) *autograd.Value {
	qs := q.Data.Shape()
	D := qs[len(qs)-1]
	scale := float32(1 / math.Sqrt(float64(D)))
	w := tensor.MatMulT(q.Data, k.Data, false, true) // scores = q·kᵀ: (..., T, D)(..., D, S) -> (..., T, S)
	ws := w.Shape()
	T, S := ws[len(ws)-2], ws[len(ws)-1]
	keep := keepFlags("ScaledDotProductAttention", mask, ws)
	// Softmax of each row of scale·scores over the kept keys; rows with no
	// kept key stay zero.
	wd := w.Data()
	for o := 0; o < len(wd); o += T * S {
		softmaxHead(wd[o:o+T*S], keep, o, S, causal, 0, scale)
	}
	return autograd.RecordBorrowing("AttentionWeights", w, func(g *tensor.Tensor) []*tensor.Tensor {
		// w = softmax(scale·q·kᵀ) per row, so the score gradient is
		// ds = scale·w·(g - Σ_j g_j·w_j); masked keys have w = 0 and get 0.
		ds := tensor.ZerosLike(w)
		d, gs := ds.Data(), g.Data()
		vecmath.SoftmaxGradRows(d, gs, wd, S, scale)
		var dq, dk *tensor.Tensor
		if q.RequiresGrad() {
			dq = reduceTo(tensor.MatMulT(ds, k.Data, false, false), qs) // scores = q·kᵀ, so dq = ds·k: (T,S)(S,D) -> (T,D)
		}
		if k.RequiresGrad() {
			dk = reduceTo(tensor.MatMulT(ds, q.Data, true, false), k.Data.Shape()) // dk = dsᵀ·q: (S,T)(T,D) -> (S,D)
		}
		return []*tensor.Tensor{dq, dk}
	}, q, k)
}

// softmaxHead replaces one head's scores w, rows of S keys for queries
// from, from+1, ... at flat position at, by the softmax of scale·row over
// the keys each row keeps and 0 elsewhere (a row that keeps none is 0):
// without a mask many rows a call (softmaxRows), with one a row at a time
// (softmaxKept).
func softmaxHead(w, keep []float32, at, S int, causal bool, from int, scale float32) {
	if S == 0 {
		return
	}
	if keep == nil {
		softmaxRows(w, S, causal, from, scale)
		return
	}
	for i := 0; i*S < len(w); i++ {
		softmaxKept(w[i*S:(i+1)*S], keep, at+i*S, causal, from+i, scale)
	}
}

// softmaxKept is softmaxHead's row i under the mask keep, which holds the
// keep-flag of key j at keep[at+j].
func softmaxKept(row, keep []float32, at int, causal bool, i int, scale float32) {
	m := float32(math.Inf(-1))
	for j, s := range row {
		v := s * scale
		if !keptKey(keep, at+j, causal, i, j) {
			v = float32(math.Inf(-1)) // e^(-Inf - m) = 0
		} else {
			m = max(m, v)
		}
		row[j] = v
	}
	if math.IsInf(float64(m), 0) || m != m {
		// No kept key (m = -Inf), or infinite or NaN scores: the
		// scalar loop gives the zero row or the NaNs of the reference.
		softmaxKeptScalar(row, keep, at, causal, i, m)
		return
	}
	sum := expSub(row, row, m) // m is finite and kept scores are <= m
	vecmath.Scale(row, float32(1/sum))
}

// softmaxRows is softmaxHead without a mask for the rows of one head's
// scores w, each S keys long, query from+i in row i: vecmath.SoftmaxRows
// does runs of rows in one call each, and a row without a softmax of its
// own (a NaN, or a maximum that is not finite) takes the scalar path.
func softmaxRows(w []float32, S int, causal bool, from int, scale float32) {
	first := S // the keys kept in row 0
	if causal {
		first = min(from+1, S)
	}
	T := len(w) / S
	i := vecmath.SoftmaxRows(w, w, S, first, scale) // the rows done
	for i < T {
		// Row i stopped the kernel: it holds scale·scores over its kept keys.
		row := w[i*S : (i+1)*S]
		m := float32(math.Inf(-1))
		for j, v := range row {
			if keptKey(nil, 0, causal, from+i, j) {
				m = max(m, v) // NaN if v is
			}
		}
		softmaxKeptScalar(row, nil, 0, causal, from+i, m)
		i++
		i += vecmath.SoftmaxRows(w[i*S:], w[i*S:], S, first+i, scale)
	}
}

// softmaxKeptScalar is softmaxKept's slow path for a row whose scaled
// scores (in row, -Inf for dropped keys) have the maximum m over the kept
// keys, when m is not finite.
func softmaxKeptScalar(row, keep []float32, at int, causal bool, i int, m float32) {
	var sum float64
	for j, v := range row {
		if keptKey(keep, at+j, causal, i, j) {
			e := expf(v - m)
			row[j] = e
			sum += float64(e)
		} else {
			row[j] = 0
		}
	}
	if sum > 0 {
		inv := float32(1 / sum)
		for j := range row {
			row[j] *= inv
		}
	}
}

// keptKey reports whether key j of query i (flat score position at) takes part.
func keptKey(keep []float32, at int, causal bool, i, j int) bool {
	return (keep == nil || keep[at] != 0) && (!causal || j <= i)
}

// keepFlags returns mask's keep-flags broadcast to the scores' shape ws,
// one per score, or nil for no mask. It panics, naming fn, if mask does
// not broadcast to ws. ws itself never escapes (the panic and BroadcastTo
// get copies), so a caller's literal stays on its stack: no allocation
// without a mask.
func keepFlags(fn string, mask *tensor.Tensor, ws []int) []float32 {
	if mask == nil {
		return nil
	}
	if !broadcastsTo(mask.Shape(), ws) {
		panic(fnMsg(fn, "mask %v does not broadcast to the scores %v", mask.Shape(), slices.Clone(ws)))
	}
	if !slices.Equal(mask.Shape(), ws) {
		mask = tensor.BroadcastTo(mask, slices.Clone(ws)...)
	}
	return mask.Data()
}

// broadcastsTo reports whether shape a broadcasts to shape b unchanged.
func broadcastsTo(a, b []int) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		da, db := a[len(a)-1-i], b[len(b)-1-i]
		if da != db && da != 1 {
			return false
		}
	}
	return true
}
