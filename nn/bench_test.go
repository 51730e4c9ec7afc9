package nn

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/optim"
	"github.com/gotensor/gotensor/tensor"
)

// trainStep runs one training step: loss (the forward pass), Backward, the
// optimizer's Step and ZeroGrad, then, with release, the loss's Release. It
// returns the loss.
func trainStep(opt optim.Optimizer, loss func() *autograd.Value, release bool) float32 {
	l := loss()
	l.Backward()
	opt.Step()
	opt.ZeroGrad()
	v := l.Item()
	if release {
		l.Release()
	}
	return v
}

// timeSteps runs step in b's loop and reports, beside the mean (ns/op),
// the median step (median-ns/step), the figure PyTorch's anchor scripts
// print, which a few steps slowed by the machine's other work do not move.
func timeSteps(b *testing.B, step func()) {
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		step()
		times = append(times, time.Since(start))
	}
	if len(times) > 0 {
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/step")
	}
}

// BenchmarkTrainStep times one training step (forward, loss, backward,
// optimizer step, zero grad, Release) of the two reference models of the
// project's anchors (../shared/anchors/torch, outside this repository):
// the small GPT of a3_transformer.py (reversal task sizes, batch 64) with
// AdamW, and the 784-512-512-10 MLP of a4_mlp_matmul.py (batch 256) with
// Adam. GPT/B64 computes the logits of all 32 positions for a loss over
// all of them, as PyTorch's step does; GPTLast16/B64 has the reversal
// task's loss, over the last 16 positions, and takes them alone from
// ForwardRows, as cmd/train does.
func BenchmarkTrainStep(b *testing.B) {
	for _, last := range []int{32, 16} {
		name := "GPT/B64"
		if last < 32 {
			name = "GPTLast16/B64"
		}
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			g := NewGPT(rng, GPTConfig{Vocab: 17, Context: 32, Dim: 64, Heads: 4, Layers: 2, Hidden: 256})
			opt := optim.NewAdamW(g.Parameters(), optim.AdamConfig{LR: 1e-3, WeightDecay: 0.01})
			const B, T = 64, 32
			ids := make([]int, B*T)
			var rows, targets []int
			for i := range ids {
				ids[i] = rng.IntN(17)
				if i%T >= T-last {
					rows, targets = append(rows, i), append(targets, rng.IntN(17))
				}
			}
			logits := func() *autograd.Value {
				if last == T {
					return ops.Reshape(g.Forward(ids, B, T), B*T, 17)
				}
				return g.ForwardRows(ids, B, T, rows)
			}
			step := func() float32 {
				return trainStep(opt, func() *autograd.Value { return ops.CrossEntropy(logits(), targets) }, true)
			}
			first := step()
			timeSteps(b, func() { step() })
			if final := step(); !(final < first) {
				b.Errorf("loss went from %v to %v", first, final)
			}
		})
	}
	b.Run("MLP/B256", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		m := NewMLP(rng, 784, []int{512, 512}, 10)
		opt := optim.NewAdam(m.Parameters(), optim.AdamConfig{LR: 1e-3})
		x := autograd.Const(tensor.Randn(rng, 256, 784))
		labels := make([]int, 256)
		for i := range labels {
			labels[i] = rng.IntN(10)
		}
		step := func() float32 {
			return trainStep(opt, func() *autograd.Value { return ops.CrossEntropy(m.Forward(x), labels) }, true)
		}
		first := step()
		timeSteps(b, func() { step() })
		if last := step(); !(last < first) {
			b.Errorf("loss went from %v to %v", first, last)
		}
	})
}

// BenchmarkGenerate compares generating 31 tokens with the key/value cache
// (one position per step) with recomputing the whole prefix every step.
func BenchmarkGenerate(b *testing.B) {
	g := NewGPT(rand.New(rand.NewPCG(5, 6)), GPTConfig{Vocab: 17, Context: 32, Dim: 64, Heads: 4, Layers: 2, Hidden: 256})
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			g.Generate(nil, []int{1}, 31, 0)
		}
	})
	b.Run("recompute", func(b *testing.B) {
		defer autograd.NoGrad(g.Parameters()...)()
		for b.Loop() {
			seq := []int{1}
			for range 31 {
				logits := g.Forward(seq, 1, len(seq)).Data.Data()
				seq = append(seq, Sample(nil, logits[len(logits)-17:], 0))
			}
		}
	})
}
