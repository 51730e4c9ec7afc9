package ops

import (
	"math"
	"runtime"
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

// stepBytes returns the bytes that step allocates, on average over 10 calls
// after 2 that fill the engine's free list as a training loop's first steps
// do (the least such average of three runs).
func stepBytes(step func()) uint64 {
	autograd.EmptyCache() // room on the free list, whatever earlier tests left there
	step()
	step()
	// The least of three runs of 10 steps: a collection during a run
	// empties the sync.Pools of the matrix product's buffers, and refilling
	// them counts there, while a step that allocates does so in every run.
	least := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			step()
		}
		runtime.ReadMemStats(&after)
		least = min(least, (after.TotalAlloc-before.TotalAlloc)/10)
	}
	return least
}

// TestStepBytes checks that a training step's big buffers come from the
// storage the previous step handed back: after the first steps, a step
// allocates only small things, far less than its (N, C) logits' or (V, D)
// table's gradient. A buffer that an op takes from Scratch but never
// declares (Keep, OwnsData), or a gradient made fresh each step, costs
// one such size a step.
func TestStepBytes(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random")
	}
	rng := seeded(3)
	const N, D, C = 64, 32, 100
	x := autograd.Const(tensor.Randn(rng, N, D))
	w := autograd.Param(tensor.Randn(rng, C, D))
	b := autograd.Param(tensor.Randn(rng, C))
	labels := make([]int, N)
	for i := range labels {
		labels[i] = rng.IntN(C)
	}
	limit := uint64(N * C) // a quarter of the logits' bytes
	got := stepBytes(func() {
		l := CrossEntropy(Linear(x, w, b), labels, CrossEntropyOpts{LabelSmoothing: 0.1})
		l.Backward()
		l.Release()
		w.ZeroGrad()
		b.ZeroGrad()
	})
	t.Logf("Linear+CrossEntropy: %d bytes a step", got)
	if got > limit {
		t.Errorf("Linear+CrossEntropy step allocates %d bytes; want <= %d (the logits are %d)", got, limit, 4*N*C)
	}
	const V = 500
	table := autograd.Param(tensor.Randn(rng, V, D))
	ids := make([]int, N)
	for i := range ids {
		ids[i] = rng.IntN(V)
	}
	got = stepBytes(func() {
		l := CrossEntropy(Linear(Embedding(table, ids), w, b), labels)
		l.Backward()
		l.Release()
		table.ZeroGrad()
		w.ZeroGrad()
		b.ZeroGrad()
	})
	t.Logf("Embedding+Linear+CrossEntropy: %d bytes a step", got)
	if got > limit {
		t.Errorf("Embedding+Linear+CrossEntropy step allocates %d bytes; want <= %d (the table is %d)", got, limit, 4*V*D)
	}
	// Two pre-LayerNorm residual blocks, as in a transformer: the residual
	// stream's gradient passes through each AddLinear and LayerNorm adds
	// to it, so each block's sum must reuse the storage that came through.
	// The stream is wide enough that the small things a step allocates,
	// with the matrix product's buffers when a collection has emptied
	// their pool, stay under half of it.
	const NR, DR = 256, 64
	rtable, rw, rb := autograd.Param(tensor.Randn(rng, V, DR)), autograd.Param(tensor.Randn(rng, C, DR)), autograd.Param(tensor.Randn(rng, C))
	rids, rlabels := make([]int, NR), make([]int, NR)
	for i := range rids {
		rids[i], rlabels[i] = rng.IntN(V), rng.IntN(C)
	}
	var ps []*autograd.Value
	for range 2 {
		ps = append(ps, autograd.Param(tensor.Ones(DR)), autograd.Param(tensor.Zeros(DR)), autograd.Param(tensor.Randn(rng, DR, DR)), autograd.Param(tensor.Randn(rng, DR)))
	}
	got = stepBytes(func() {
		h := Embedding(rtable, rids)
		for i := 0; i < len(ps); i += 4 {
			h = AddLinear(h, LayerNorm(h, ps[i], ps[i+1], 1e-5), ps[i+2], ps[i+3])
		}
		l := CrossEntropy(Linear(h, rw, rb), rlabels)
		l.Backward()
		l.Release()
		for _, p := range append(ps, rtable, rw, rb) {
			p.ZeroGrad()
		}
	})
	t.Logf("residual blocks: %d bytes a step", got)
	if limit := uint64(2 * NR * DR); got > limit {
		t.Errorf("residual blocks step allocates %d bytes; want <= %d (the stream is %d)", got, limit, 4*NR*DR)
	}
}
