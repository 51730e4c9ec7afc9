package ops

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

func TestAttentionRowsSumToOne(t *testing.T) {
	rng := seeded(9)
	q := autograd.Param(tensor.Randn(rng, 2, 3, 4, 8))
	k := autograd.Param(tensor.Randn(rng, 2, 3, 5, 8))
	v := autograd.Param(tensor.Randn(rng, 2, 3, 5, 6))
	for _, causal := range []bool{false, true} {
		out, w := ScaledDotProductAttention(q, k, v, nil, causal)
		if got := out.Data.Shape(); !cmp.Equal(got, []int{2, 3, 4, 6}) {
			t.Errorf("output shape %v; want [2 3 4 6]", got)
		}
		if got := w.Data.Shape(); !cmp.Equal(got, []int{2, 3, 4, 5}) {
			t.Errorf("weights shape %v; want [2 3 4 5]", got)
		}
		sums := tensor.Sum(w.Data, -1, false).Data()
		if !cmp.Equal(sums, tensor.Ones(2, 3, 4).Data(), approx(1e-6, 1e-6)) {
			t.Errorf("causal %v: weight rows sum to %v", causal, sums)
		}
		if causal {
			for i := range 4 {
				for j := i + 1; j < 5; j++ {
					if x := w.Data.At(1, 2, i, j); x != 0 {
						t.Errorf("causal weight (%d, %d) = %v; want 0", i, j, x)
					}
				}
			}
		}
	}
}

func TestAttentionFullyMaskedRow(t *testing.T) {
	// Batch 1 is padding: its mask keeps no key, so every row of it is fully
	// masked. Its outputs, weights and gradients must be zeros, not NaN.
	rng := seeded(4)
	q := autograd.Param(tensor.Randn(rng, 2, 1, 3, 4))
	k := autograd.Param(tensor.Randn(rng, 2, 1, 3, 4))
	v := autograd.Param(tensor.Randn(rng, 2, 1, 3, 4))
	mask := tensor.FromSlice([]float32{1, 1, 0, 0, 0, 0}, 2, 1, 1, 3)
	out, w := ScaledDotProductAttention(q, k, v, mask, false)
	SumAll(Add(out, Reshape(Sum(w, -1, true), 2, 1, 3, 1))).Backward()
	for name, x := range map[string]*tensor.Tensor{"out": out.Data, "weights": w.Data, "dq": q.Grad, "dk": k.Grad, "dv": v.Grad} {
		for i, e := range x.Data() {
			if math.IsNaN(float64(e)) {
				t.Fatalf("%s[%d] is NaN", name, i)
			}
		}
		half := x.Data()[x.Len()/2:]
		if !cmp.Equal(half, make([]float32, len(half))) {
			t.Errorf("%s of the padding batch = %v; want zeros", name, half)
		}
	}
	// In batch 0, key 2 is masked: its weights are 0 and it gets no gradient.
	for i := range 3 {
		if x := w.Data.At(0, 0, i, 2); x != 0 {
			t.Errorf("weight of masked key (%d, 2) = %v", i, x)
		}
	}
	if row := k.Grad.Data()[8:12]; !cmp.Equal(row, make([]float32, 4)) {
		t.Errorf("dk of a masked key = %v; want zeros", row)
	}
}

// TestAttentionUnmaskedRows checks the weights made without a mask, many
// rows a call, against those made with a mask that keeps every key, a row
// at a time, for short and long rows and rows with no softmax of their own:
// a query with an infinite or NaN entry gives infinite or NaN scores.
func TestAttentionUnmaskedRows(t *testing.T) {
	for _, S := range []int{1, 7, 32, 33} {
		rng := seeded(uint64(S))
		q := tensor.Randn(rng, 2, 5, 4)
		k := tensor.Randn(rng, 2, S, 4)
		q.Set(float32(math.Inf(1)), 0, 2, 1)
		q.Set(float32(math.NaN()), 1, 3, 0)
		for _, causal := range []bool{false, true} {
			got := attentionWeights(autograd.Const(q), autograd.Const(k), nil, causal).Data.Data()
			want := attentionWeights(autograd.Const(q), autograd.Const(k), tensor.Ones(2, 5, S), causal).Data.Data()
			if !cmp.Equal(got, want, approx(1e-6, 1e-7), cmpopts.EquateNaNs()) {
				t.Errorf("S=%d causal=%v: unmasked weights\n%v\nwant\n%v", S, causal, got, want)
			}
		}
	}
}

func TestAttentionPanics(t *testing.T) {
	q := autograd.Const(tensor.Zeros(2, 3, 4))
	runPanics(t, []panicCase{
		{"D", func() { ScaledDotProductAttention(q, autograd.Const(tensor.Zeros(2, 3, 5)), q, nil, false) }, "ops.ScaledDotProductAttention: q [2 3 4], k [2 3 5], v [2 3 4]"},
		{"S", func() { ScaledDotProductAttention(q, q, autograd.Const(tensor.Zeros(2, 2, 4)), nil, false) }, "v [2 2 4]: want (..., T, D), (..., S, D), (..., S, Dv)"},
		{"rank", func() { ScaledDotProductAttention(autograd.Const(tensor.Zeros(4)), q, q, nil, false) }, "q [4]"},
		{"mask", func() { ScaledDotProductAttention(q, q, q, tensor.Ones(2, 2, 3), false) }, "ops.ScaledDotProductAttention: mask [2 2 3] does not broadcast to the scores [2 3 3]"},
	})
}
