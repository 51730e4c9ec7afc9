package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gotensor/gotensor/autograd"
)

// Generate continues prompt by n tokens and returns them. Each token is the
// most likely one if temperature is 0 (greedy decoding), and otherwise drawn
// from softmax(logits/temperature) with rng (which may be nil for greedy
// decoding). The model runs without dropout and without recording
// gradients, whatever its mode, which Generate leaves unchanged, and keeps
// each block's keys and values in a cache, so that each new token costs one
// forward step of one position. Several goroutines may call Generate on one
// model at once, each with its own rng, but not while the model trains.
//
// Once the sequence fills the context, each step conditions on the last
// Context tokens, as a model without a cache does: the cache is rebuilt from
// them, since learned positions shift.
//
// Generate panics if the prompt is empty, n is negative, temperature is
// negative, or a token is out of range.
func (g *GPT) Generate(rng *rand.Rand, prompt []int, n int, temperature float32) []int {
	if len(prompt) == 0 || n < 0 || !(temperature >= 0) {
		panic(fmt.Sprintf("nn: GPT.Generate: prompt of %d tokens, n %d, temperature %v", len(prompt), n, temperature))
	}
	defer autograd.NoGrad(g.Parameters()...)()

	ctx := g.Config.Context
	seq := append([]int(nil), prompt...)
	cache := g.NewCache()
	window := seq[max(0, len(seq)-ctx):]
	logits := g.forward(window, 1, len(window), cache, true).Data.Data()
	V := g.Config.Vocab
	out := make([]int, 0, n)
	for len(out) < n {
		last := logits[len(logits)-V:]
		next := Sample(rng, last, temperature)
		out = append(out, next)
		seq = append(seq, next)
		if len(out) == n {
			break
		}
		if cache.Len() < ctx {
			logits = g.forward([]int{next}, 1, 1, cache, true).Data.Data()
			continue
		}
		cache = g.NewCache()
		window = seq[len(seq)-ctx:]
		logits = g.forward(window, 1, ctx, cache, true).Data.Data()
	}
	return out
}

// Sample returns an index drawn from softmax(logits/temperature), computed
// in float64, using one rng.Float64(); with temperature 0 it returns the
// index of the largest logit (the first, on ties) and draws nothing, so rng
// may be nil. It panics if logits is empty or temperature is negative.
func Sample(rng *rand.Rand, logits []float32, temperature float32) int {
	if len(logits) == 0 || !(temperature >= 0) {
		panic(fmt.Sprintf("nn: Sample: %d logits, temperature %v", len(logits), temperature))
	}
	best := 0
	for i, x := range logits {
		if x > logits[best] {
			best = i
		}
	}
	if temperature == 0 {
		return best
	}
	t, m := float64(temperature), float64(logits[best])
	var sum float64
	for _, x := range logits {
		sum += math.Exp((float64(x) - m) / t)
	}
	u := rng.Float64() * sum
	for i, x := range logits {
		u -= math.Exp((float64(x) - m) / t)
		if u < 0 {
			return i
		}
	}
	return best // rounding left u at 0
}
