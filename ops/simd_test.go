package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// softmaxKeptRef is the scalar softmax of one attention row over its kept
// keys, as attentionWeights computed it before the rows were vectorised.
func softmaxKeptRef(row, keep []float32, at int, causal bool, i int, scale float32) {
	m := float32(math.Inf(-1))
	for j, s := range row {
		if keptKey(keep, at+j, causal, i, j) {
			m = max(m, s*scale)
		}
	}
	for j, s := range row {
		row[j] = s * scale
	}
	softmaxKeptScalar(row, keep, at, causal, i, m)
}

// TestSoftmaxKept checks the vectorised attention rows against the scalar
// ones, for every length of row up to 40 (every tail of 16 and 8 lanes),
// with and without a mask and causality, and with infinite and NaN scores.
func TestSoftmaxKept(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	special := []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e30, -1e30, 0}
	for S := range 41 {
		for trial := range 40 {
			row := make([]float32, S)
			keep := make([]float32, S)
			for j := range row {
				row[j] = float32(rng.NormFloat64() * 4)
				if trial%5 == 4 && rng.IntN(6) == 0 {
					row[j] = special[rng.IntN(len(special))]
				}
				if rng.IntN(3) > 0 {
					keep[j] = 1
				}
			}
			mask := keep
			if trial%2 == 0 {
				mask = nil
			}
			causal, i := trial%4 < 2, rng.IntN(S+1)
			got, want := append([]float32(nil), row...), append([]float32(nil), row...)
			softmaxKept(got, mask, 0, causal, i, 0.35)
			softmaxKeptRef(want, mask, 0, causal, i, 0.35)
			for j := range got {
				g, w := float64(got[j]), float64(want[j])
				if (g != g) != (w != w) || math.Abs(g-w) > 1e-6*math.Abs(w)+1e-30 {
					t.Fatalf("softmaxKept(S=%d, mask=%v, causal=%v, i=%d)[%d] = %v; want %v (row %v)", S, mask != nil, causal, i, j, got[j], want[j], row)
				}
			}
		}
	}
}

// BenchmarkLayerNormGPT measures LayerNorm at the size of the rows of the
// cmd/train reverse transformer: batch 64 · 33 positions, d_model 64.
func BenchmarkLayerNormGPT(b *testing.B) {
	rng := seeded(2)
	x := autograd.Param(tensor.Randn(rng, 64*33, 64))
	w, bias := autograd.Param(tensor.Uniform(rng, 0.5, 1.5, 64)), autograd.Param(tensor.Randn(rng, 64))
	g := tensor.Randn(rng, 64*33, 64)
	b.ReportAllocs()
	for b.Loop() {
		LayerNorm(x, w, bias, 1e-5).BackwardWith(g)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*x.Data.Len()), "ns/elem")
}
