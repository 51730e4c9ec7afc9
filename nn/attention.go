package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/tensor"
)

// Sequence legend: B batch, T positions of the input, S positions attended
// to (T plus those in a cache), C model width, H heads, D = C/H head size.

// MultiHeadAttention is multi-head self-attention with one fused projection
// to queries, keys and values (a (3C, C) Linear), scaled dot-product
// attention per head, and an output projection.
type MultiHeadAttention struct {
	Base
	QKV    *Linear // (3C, C): rows [0, C) make queries, [C, 2C) keys, [2C, 3C) values
	Proj   *Linear // (C, C)
	Heads  int
	Causal bool // each position attends only to itself and earlier ones
}

// NewMultiHeadAttention returns self-attention over dim features with the
// given number of heads, with PyTorch's Linear initialisation. It panics if
// heads does not divide dim.
func NewMultiHeadAttention(rng *rand.Rand, dim, heads int, causal bool) *MultiHeadAttention {
	if heads <= 0 || dim%heads != 0 {
		panic(fmt.Sprintf("nn: NewMultiHeadAttention: %d heads do not divide dimension %d", heads, dim))
	}
	a := &MultiHeadAttention{Heads: heads, Causal: causal}
	a.QKV = NewLinear(rng, dim, 3*dim, true)
	a.Proj = NewLinear(rng, dim, dim, true)
	a.AddModule("qkv", a.QKV)
	a.AddModule("proj", a.Proj)
	return a
}

// Forward returns the attention output for x of shape (B, T, C), (B, T, C).
func (a *MultiHeadAttention) Forward(x *autograd.Value) *autograd.Value {
	return a.ForwardCached(x, nil)
}

// KVCache holds the keys and values of the positions a MultiHeadAttention
// has seen, so that a new position attends to them without recomputing
// them. The zero value is an empty cache.
type KVCache struct {
	K, V *tensor.Tensor // (B, H, S, D), nil when empty
}

// Len returns the number of positions in the cache.
func (c *KVCache) Len() int {
	if c == nil || c.K == nil {
		return 0
	}
	return c.K.Dim(2)
}

// ForwardCached is Forward for x of shape (B, T, C) whose positions follow
// the cache's: the new keys and values are appended to the cache and the
// queries attend to all of them (causally within x). With a nil cache it is
// Forward. The cache holds plain tensors, outside the graph: use it for
// inference, not training.
func (a *MultiHeadAttention) ForwardCached(x *autograd.Value, cache *KVCache) *autograd.Value {
	return a.Proj.Forward(a.heads(x, cache, 0))
}

// heads returns the attention heads of x merged into (B, T, C), the input
// of the output projection; or without a cache, with from > 0, only the
// outputs of positions from onwards, (B, T−from, C).
func (a *MultiHeadAttention) heads(x *autograd.Value, cache *KVCache, from int) *autograd.Value {
	shape := x.Data.Shape()
	if len(shape) != 3 || shape[2] != a.QKV.Weight.Data.Dim(1) {
		panic(fmt.Sprintf("nn: MultiHeadAttention.Forward: input %v: want (B, T, %d)", shape, a.QKV.Weight.Data.Dim(1)))
	}
	B, T, C := shape[0], shape[1], shape[2]
	H := a.Heads
	D := C / H
	if cache == nil {
		// One fused op reads the heads in place from the projection and
		// writes them merged, with one (B, T, 3C) gradient.
		if from > 0 {
			return ops.MultiHeadSelfAttentionFrom(a.QKV.Forward(x), H, from, a.Causal)
		}
		return ops.MultiHeadSelfAttention(a.QKV.Forward(x), H, nil, a.Causal)
	}
	// (B, T, 3C) -> (B, T, 3, H, D) -> (3, B, H, T, D): one copy for q, k and v.
	qkv := ops.Permute(ops.Reshape(a.QKV.Forward(x), B, T, 3, H, D), 2, 0, 3, 1, 4)
	parts := ops.Split(qkv, 0, 1, 1, 1)
	q := ops.Reshape(parts[0], B, H, T, D)
	k := ops.Reshape(parts[1], B, H, T, D)
	v := ops.Reshape(parts[2], B, H, T, D)

	var mask *tensor.Tensor
	causal := a.Causal
	if past := cache.Len(); past > 0 {
		k = autograd.Const(tensor.Concat(2, cache.K, k.Data))
		v = autograd.Const(tensor.Concat(2, cache.V, v.Data))
		if causal {
			mask, causal = offsetCausalMask(T, past), false
		}
	}
	cache.K, cache.V = k.Data, v.Data
	o, _ := ops.ScaledDotProductAttention(q, k, v, mask, causal) // (B, H, T, D)
	// (B, H, T, D) -> (B, T, H, D) -> (B, T, C)
	return ops.Reshape(ops.Permute(o, 0, 2, 1, 3), B, T, C)
}

// offsetCausalMask returns the (T, past+T) keep-mask of T queries at
// positions past, ..., past+T−1: query i may see keys 0 to past+i. It is nil
// for a single query, which sees every key.
func offsetCausalMask(T, past int) *tensor.Tensor {
	if T == 1 {
		return nil
	}
	S := past + T
	m := tensor.New(T, S)
	for i := range T {
		row := m.Data()[i*S : (i+1)*S]
		for j := range past + i + 1 {
			row[j] = 1
		}
	}
	return m
}
