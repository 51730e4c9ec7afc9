package optim

import (
	"math/rand/v2"
	"testing"
)

// TestAdamKernels checks that adamUpdate, which uses the vector kernel where
// the machine has one, gives the same bits as the scalar loop, for lengths
// around the vector width and the chunk size.
func TestAdamKernels(t *testing.T) {
	if !hasAVX {
		t.Skip("no vector kernel in this build or on this machine")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	c := &adamCoef{shrink: 0.999, l2: 0.01, b1: 0.9, c1: 0.1, b2: 0.999, c2: 0.001, inv: 3.2, eps: 1e-8, step: -0.01}
	for _, n := range []int{0, 1, 7, 8, 9, 31, 100, kernelChunk - 1, kernelChunk + 13} {
		vals := func(scale float32) []float32 {
			x := make([]float32, n)
			for i := range x {
				x[i] = scale * float32(rng.NormFloat64())
			}
			return x
		}
		p, g, m, v := vals(1), vals(1), vals(0.1), vals(0.01)
		for i := range v {
			v[i] *= v[i] // second moments are not negative
		}
		p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
		adamUpdate(p, g, m, v, c)
		adamGo(p2, g, m2, v2, c)
		for i := range n {
			if p[i] != p2[i] || m[i] != m2[i] || v[i] != v2[i] {
				t.Fatalf("n=%d: element %d: vector kernel gives p, m, v = %v, %v, %v; scalar loop %v, %v, %v",
					n, i, p[i], m[i], v[i], p2[i], m2[i], v2[i])
			}
		}
	}
}
