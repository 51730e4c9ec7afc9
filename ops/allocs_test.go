package ops

import (
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// TestAllocs bounds the allocations of a forward and backward pass, which do
// not depend on the sizes: ops allocate their results and a few small
// buffers, never per element or per row. The counts include the engine's
// (the seed, the topological walk, the leaves' gradients, a weak pointer to
// each output an op made for Release) and the closures of the loops that
// ops share between goroutines, and the bounds are the counts
// measured when the test was written, plus a little. Each pass ends as a
// training step does, with Release; at these sizes (under 1024 elements a
// buffer) nothing goes through the free list, so the counts are those of
// a first step.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random")
	}
	rng := seeded(11)
	x := autograd.Param(tensor.Randn(rng, 32, 64))
	w := autograd.Param(tensor.Randn(rng, 16, 64))
	b := autograd.Param(tensor.Randn(rng, 16))
	ln := autograd.Param(tensor.Ones(64))
	labels := make([]int, 32)
	q := autograd.Param(tensor.Randn(rng, 2, 2, 8, 4))
	qkv := autograd.Param(tensor.Randn(rng, 2, 8, 3*8))
	tests := []struct {
		name string
		max  float64
		f    func() *autograd.Value
	}{
		{"MLP layer", 70, func() *autograd.Value { return CrossEntropy(ReLU(Linear(x, w, b)), labels) }},
		{"LayerNorm", 53, func() *autograd.Value { return SumAll(LayerNorm(x, ln, ln, 1e-5)) }},
		{"GELU", 35, func() *autograd.Value { return SumAll(GELU(x)) }},
		{"Softmax", 30, func() *autograd.Value { return SumAll(Softmax(x, -1)) }},
		{"Attention", 95, func() *autograd.Value {
			out, _ := ScaledDotProductAttention(q, q, q, nil, true)
			return SumAll(out)
		}},
		{"MultiHeadSelfAttention", 42, func() *autograd.Value { return SumAll(MultiHeadSelfAttention(qkv, 2, nil, true)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := testing.AllocsPerRun(5, func() {
				l := tt.f()
				l.Backward()
				l.Release()
			})
			if got > tt.max {
				t.Errorf("%s: %v allocations per forward and backward; want <= %v", tt.name, got, tt.max)
			}
			t.Logf("%s: %v allocations", tt.name, got)
		})
	}
}
