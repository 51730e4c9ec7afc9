package nn

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops"
)

// FeedForward is a transformer's position-wise MLP: Linear, GELU, Linear.
type FeedForward struct {
	Base
	FC1 *Linear // (hidden, C)
	FC2 *Linear // (C, hidden)
}

// NewFeedForward returns the MLP dim -> hidden -> dim.
func NewFeedForward(rng *rand.Rand, dim, hidden int) *FeedForward {
	f := &FeedForward{FC1: NewLinear(rng, dim, hidden, true), FC2: NewLinear(rng, hidden, dim, true)}
	f.AddModule("fc1", f.FC1)
	f.AddModule("fc2", f.FC2)
	return f
}

// Forward returns FC2(GELU(FC1(x))), as the one op ops.FeedForward.
func (f *FeedForward) Forward(x *autograd.Value) *autograd.Value {
	return ops.FeedForward(x, f.FC1.Weight, f.FC1.Bias, f.FC2.Weight, f.FC2.Bias)
}

// addForward returns r + Forward(x), as the one op ops.AddFeedForward.
func (f *FeedForward) addForward(r, x *autograd.Value) *autograd.Value {
	return ops.AddFeedForward(r, x, f.FC1.Weight, f.FC1.Bias, f.FC2.Weight, f.FC2.Bias)
}

// TransformerBlock is a pre-LayerNorm transformer block:
//
//	x ← x + Dropout(Attn(LN1(x)))
//	x ← x + Dropout(MLP(LN2(x)))
type TransformerBlock struct {
	Base
	LN1  *LayerNorm
	Attn *MultiHeadAttention
	LN2  *LayerNorm
	MLP  *FeedForward
	Drop *Dropout // on each residual branch; P 0 for none
}

// NewTransformerBlock returns a block over dim features with the given heads,
// an MLP of hidden units (4·dim if hidden is 0), causal attention if causal,
// and residual dropout p. Submodules are named ln1, attn, ln2, mlp.
func NewTransformerBlock(rng *rand.Rand, dim, heads, hidden int, causal bool, p float32) *TransformerBlock {
	if hidden == 0 {
		hidden = 4 * dim
	}
	b := &TransformerBlock{
		LN1:  NewLayerNorm(dim),
		Attn: NewMultiHeadAttention(rng, dim, heads, causal),
		LN2:  NewLayerNorm(dim),
		MLP:  NewFeedForward(rng, dim, hidden),
		Drop: NewDropout(rng, p),
	}
	b.AddModule("ln1", b.LN1)
	b.AddModule("attn", b.Attn)
	b.AddModule("ln2", b.LN2)
	b.AddModule("mlp", b.MLP)
	b.AddModule("drop", b.Drop)
	return b
}

// Forward returns the block's output for x of shape (B, T, C).
func (b *TransformerBlock) Forward(x *autograd.Value) *autograd.Value {
	return b.ForwardCached(x, nil)
}

// ForwardCached is Forward with the attention's keys and values kept in
// cache (see MultiHeadAttention.ForwardCached).
func (b *TransformerBlock) ForwardCached(x *autograd.Value, cache *KVCache) *autograd.Value {
	return b.forward(x, cache, false)
}

// forward is ForwardCached, with dropout off whatever the mode if eval is
// set.
func (b *TransformerBlock) forward(x *autograd.Value, cache *KVCache, eval bool) *autograd.Value {
	return b.residuals(x, b.Attn.heads(b.LN1.Forward(x), cache, 0), eval)
}

// residuals finishes the block for rows x of its input, given h, the
// attention heads of the same rows merged (the output projection's input):
// x + Dropout(Proj(h)), then the MLP branch and its residual.
func (b *TransformerBlock) residuals(x, h *autograd.Value, eval bool) *autograd.Value {
	if b.Drop.passes(eval) {
		// No dropout between a branch and its residual: each residual Add
		// goes into the branch's last product (the same values, bit for
		// bit).
		x = ops.AddLinear(x, h, b.Attn.Proj.Weight, b.Attn.Proj.Bias)
		return b.MLP.addForward(x, b.LN2.Forward(x))
	}
	x = ops.Add(x, b.Drop.forward(b.Attn.Proj.Forward(h), eval))
	return ops.Add(x, b.Drop.forward(b.MLP.Forward(b.LN2.Forward(x)), eval))
}

// forwardRows is forward for the rows of x (B, T, C), numbered b·T+t,
// that reach the model's output: it returns those rows of the block's
// output, (len(rows), C). Attention still reads every position's keys and
// values, but the output projection, the MLP and the residuals, which act
// on each position alone, run on the chosen rows only; when they are the
// same last positions of every sequence, so do the attention's queries.
func (b *TransformerBlock) forwardRows(x *autograd.Value, rows []int, eval bool) *autograd.Value {
	s := x.Data.Shape()
	B, T, C := s[0], s[1], s[2]
	if from, ok := lastPositions(rows, B, T); ok {
		h := b.Attn.heads(b.LN1.Forward(x), nil, from)
		if from > 0 {
			x = ops.Slice(x, 1, from, T)
		}
		return b.residuals(ops.Reshape(x, -1, C), ops.Reshape(h, -1, C), eval)
	}
	h := b.Attn.heads(b.LN1.Forward(x), nil, 0)
	return b.residuals(ops.Gather(ops.Reshape(x, -1, C), rows), ops.Gather(ops.Reshape(h, -1, C), rows), eval)
}

// lastPositions reports whether rows are positions from, ..., T−1 of each
// of B sequences of T, in order, and returns from.
func lastPositions(rows []int, B, T int) (from int, ok bool) {
	if len(rows) == 0 || B == 0 || len(rows)%B != 0 || len(rows)/B > T {
		return 0, false
	}
	n := len(rows) / B
	from = T - n
	for i, r := range rows {
		if r != i/n*T+from+i%n {
			return 0, false
		}
	}
	return from, true
}

// GPTConfig sizes a GPT model.
type GPTConfig struct {
	Vocab   int     // number of token ids
	Context int     // the longest sequence, the number of learned positions
	Dim     int     // model width C
	Heads   int     // attention heads; must divide Dim
	Layers  int     // transformer blocks
	Hidden  int     // MLP width; 0 means 4·Dim
	Dropout float32 // residual and embedding dropout
}

// GPT is a decoder-only transformer language model: token and learned
// position embeddings, causal pre-LayerNorm blocks, a final LayerNorm and a
// linear head to next-token logits. Its parameters are named "tok.weight",
// "pos.weight", "blocks.<i>.ln1.weight", "blocks.<i>.attn.qkv.weight",
// "blocks.<i>.attn.proj.weight", "blocks.<i>.ln2.weight",
// "blocks.<i>.mlp.fc1.weight", "blocks.<i>.mlp.fc2.weight" (each Linear and
// LayerNorm with its ".bias"), "lnf.weight", "lnf.bias", "head.weight" and
// "head.bias".
type GPT struct {
	Base
	Config GPTConfig
	Tok    *Embedding
	Pos    *PositionalEmbedding
	Drop   *Dropout
	Blocks []*TransformerBlock
	LNF    *LayerNorm
	Head   *Linear
}

// NewGPT returns a GPT model initialised as GPT-2 and the a3_transformer
// reference: weights and embeddings from N(0, 0.02²), biases 0, LayerNorms
// 1 and 0. It panics if a size is not positive or Heads does not divide Dim.
func NewGPT(rng *rand.Rand, cfg GPTConfig) *GPT {
	if cfg.Vocab <= 0 || cfg.Context <= 0 || cfg.Dim <= 0 || cfg.Layers < 0 || cfg.Heads <= 0 || cfg.Dim%cfg.Heads != 0 {
		panic(fmt.Sprintf("nn: NewGPT: config %+v: want positive sizes and Heads dividing Dim", cfg))
	}
	g := &GPT{Config: cfg}
	g.Tok = NewEmbedding(rng, cfg.Vocab, cfg.Dim)
	g.Pos = NewPositionalEmbedding(rng, cfg.Context, cfg.Dim)
	g.Drop = NewDropout(rng, cfg.Dropout)
	g.AddModule("tok", g.Tok)
	g.AddModule("pos", g.Pos)
	g.AddModule("drop", g.Drop)
	for i := range cfg.Layers {
		b := NewTransformerBlock(rng, cfg.Dim, cfg.Heads, cfg.Hidden, true, cfg.Dropout)
		g.Blocks = append(g.Blocks, b)
		g.AddModule(fmt.Sprintf("blocks.%d", i), b)
	}
	g.LNF = NewLayerNorm(cfg.Dim)
	g.Head = NewLinear(rng, cfg.Dim, cfg.Vocab, true)
	g.AddModule("lnf", g.LNF)
	g.AddModule("head", g.Head)
	for _, p := range g.NamedParameters() {
		switch {
		case p.Value.Data.Rank() == 2:
			Normal(rng, p.Value.Data, 0.02)
		case !strings.HasSuffix(p.Name, "ln1.weight") && !strings.HasSuffix(p.Name, "ln2.weight") && p.Name != "lnf.weight":
			p.Value.Data.Fill(0) // biases
		}
	}
	return g
}

// Forward returns the next-token logits (B, T, Vocab) for ids, a batch of B
// sequences of T ids in row-major order (len(ids) = B·T). It panics if
// len(ids) is not B·T, T exceeds the context, or an id is out of range.
func (g *GPT) Forward(ids []int, B, T int) *autograd.Value {
	return g.ForwardCached(ids, B, T, nil)
}

// ForwardRows returns the next-token logits (len(rows), Vocab) of some
// positions of ids, a batch of B sequences of T ids: row i is position
// rows[i] of the flattened batch, numbered b·T+t. Without dropout its
// logits are those rows of Forward's: the same sums, so the same bits
// while the values are finite, unless a product shrinks to gemm's plain
// loop, which rounds differently.
// But the last block's output projection and MLP, the final LayerNorm and
// the head run on the chosen rows only, and when the rows are the same
// last positions of every sequence, so do its attention's queries: a loss
// that ignores some positions (a prompt, say) skips their share of the
// work. It panics as Forward does, or if a row is outside
// [0, B·T).
func (g *GPT) ForwardRows(ids []int, B, T int, rows []int) *autograd.Value {
	for _, r := range rows {
		if r < 0 || r >= B*T {
			panic(fmt.Sprintf("nn: GPT.ForwardRows: row %d outside [0, %d) for B=%d, T=%d", r, B*T, B, T))
		}
	}
	x := g.embed(ids, B, T, nil, false)
	n := len(g.Blocks)
	if n == 0 {
		x = ops.Gather(ops.Reshape(x, -1, g.Config.Dim), rows)
	}
	for i, b := range g.Blocks {
		if i < n-1 {
			x = b.forward(x, nil, false)
		} else {
			x = b.forwardRows(x, rows, false)
		}
	}
	return g.Head.Forward(g.LNF.Forward(x))
}

// embed returns the embedded, position-added input (B, T, C) of forward.
func (g *GPT) embed(ids []int, B, T int, cache *Cache, eval bool) *autograd.Value {
	if len(ids) != B*T {
		panic(fmt.Sprintf("nn: GPT.Forward: %d ids for B=%d, T=%d", len(ids), B, T))
	}
	past := cache.Len()
	if past+T > g.Config.Context {
		panic(fmt.Sprintf("nn: GPT.Forward: positions up to %d exceed the context %d", past+T, g.Config.Context))
	}
	x := ops.Reshape(g.Tok.Forward(ids), B, T, g.Config.Dim)
	return g.Drop.forward(g.Pos.Forward(x, past), eval)
}

// Cache holds a GPT's keys and values per block, for generation.
type Cache struct {
	Layers []KVCache
}

// NewCache returns an empty cache for g.
func (g *GPT) NewCache() *Cache { return &Cache{Layers: make([]KVCache, len(g.Blocks))} }

// Len returns the number of positions in the cache.
func (c *Cache) Len() int {
	if c == nil || len(c.Layers) == 0 {
		return 0
	}
	return c.Layers[0].Len()
}

// ForwardCached returns the logits (B, T, Vocab) for T new positions of each
// of B sequences whose earlier positions are in cache, and appends the new
// positions to the cache. With a nil cache it is Forward. It panics if the
// positions would exceed the context.
func (g *GPT) ForwardCached(ids []int, B, T int, cache *Cache) *autograd.Value {
	return g.forward(ids, B, T, cache, false)
}

// forward is ForwardCached, with dropout off whatever the mode if eval is
// set: Generate's forward pass, which leaves the shared mode alone.
func (g *GPT) forward(ids []int, B, T int, cache *Cache, eval bool) *autograd.Value {
	x := g.embed(ids, B, T, cache, eval)
	for i, b := range g.Blocks {
		var c *KVCache
		if cache != nil {
			c = &cache.Layers[i]
		}
		x = b.forward(x, c, eval)
	}
	return g.Head.Forward(g.LNF.Forward(x))
}
