package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/ops"
	"github.com/gotensor/gotensor/tensor"
)

// Linear is a fully connected layer, y = x·Wᵀ + b.
type Linear struct {
	Base
	Weight *autograd.Value // (out, in)
	Bias   *autograd.Value // (out), or nil
}

// NewLinear returns a Linear layer from in to out features, with a bias if
// bias is set, initialised as PyTorch's nn.Linear: weight and bias drawn from
// U(−1/√in, 1/√in) (Kaiming-uniform with a = √5), weight first. It panics if
// in or out is not positive.
func NewLinear(rng *rand.Rand, in, out int, bias bool) *Linear {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn: NewLinear: sizes %d -> %d: want positive", in, out))
	}
	l := &Linear{}
	w := tensor.New(out, in)
	KaimingUniform(rng, w, math.Sqrt(5))
	l.Weight = l.AddParam("weight", autograd.Param(w))
	if bias {
		b := tensor.New(out)
		fillUniform(rng, b, 1/math.Sqrt(float64(in)))
		l.Bias = l.AddParam("bias", autograd.Param(b))
	}
	return l
}

// Forward returns x·Wᵀ + b for x of shape (..., in); the result is
// (..., out). It panics if x's last dimension is not in.
func (l *Linear) Forward(x *autograd.Value) *autograd.Value { return ops.Linear(x, l.Weight, l.Bias) }

// Embedding maps integer ids to rows of a learned table.
type Embedding struct {
	Base
	Weight *autograd.Value // (n, dim)
}

// NewEmbedding returns an embedding of n ids into dim dimensions, drawn from
// N(0, 1) as in PyTorch.
func NewEmbedding(rng *rand.Rand, n, dim int) *Embedding {
	e := &Embedding{}
	w := tensor.New(n, dim)
	fillNormal(rng, w, 1)
	e.Weight = e.AddParam("weight", autograd.Param(w))
	return e
}

// Forward returns the rows of the table for ids, as a (len(ids), dim) value.
// It panics if an id is outside [0, n).
func (e *Embedding) Forward(ids []int) *autograd.Value { return ops.Embedding(e.Weight, ids) }

// PositionalEmbedding is a learned embedding of positions 0 to n−1, added to
// a sequence of vectors.
type PositionalEmbedding struct {
	Base
	Weight *autograd.Value // (n, dim)
}

// NewPositionalEmbedding returns a learned embedding of n positions, drawn
// from N(0, 0.02²) as GPT-2's.
func NewPositionalEmbedding(rng *rand.Rand, n, dim int) *PositionalEmbedding {
	p := &PositionalEmbedding{}
	w := tensor.New(n, dim)
	fillNormal(rng, w, 0.02)
	p.Weight = p.AddParam("weight", autograd.Param(w))
	return p
}

// Forward returns x + W[offset : offset+T] for x of shape (..., T, dim): the
// positions of x's T vectors start at offset (non-zero when a key/value
// cache holds the earlier ones). It panics if offset+T exceeds n.
func (p *PositionalEmbedding) Forward(x *autograd.Value, offset int) *autograd.Value {
	shape := x.Data.Shape()
	if len(shape) < 2 {
		panic(fmt.Sprintf("nn: PositionalEmbedding.Forward: input %v: want (..., T, dim)", shape))
	}
	T := shape[len(shape)-2]
	if offset < 0 || offset+T > p.Weight.Data.Dim(0) {
		panic(fmt.Sprintf("nn: PositionalEmbedding.Forward: positions [%d, %d) outside the %d learned", offset, offset+T, p.Weight.Data.Dim(0)))
	}
	pos := p.Weight
	if offset != 0 || T != p.Weight.Data.Dim(0) {
		pos = ops.Slice(p.Weight, 0, offset, offset+T)
	}
	return ops.Add(x, pos)
}

// LayerNorm normalises its input over the last dimension and applies a
// learned scale and shift, as PyTorch's nn.LayerNorm.
type LayerNorm struct {
	Base
	Weight *autograd.Value // (dim), starts at 1
	Bias   *autograd.Value // (dim), starts at 0
	Eps    float32
}

// NewLayerNorm returns a LayerNorm over dim features with eps 1e-5.
func NewLayerNorm(dim int) *LayerNorm {
	l := &LayerNorm{Eps: 1e-5}
	l.Weight = l.AddParam("weight", autograd.Param(tensor.Ones(dim)))
	l.Bias = l.AddParam("bias", autograd.Param(tensor.Zeros(dim)))
	return l
}

// Forward returns the normalised x, of shape (..., dim).
func (l *LayerNorm) Forward(x *autograd.Value) *autograd.Value {
	return ops.LayerNorm(x, l.Weight, l.Bias, l.Eps)
}

// Dropout zeroes each element with probability P in training mode and
// scales the others by 1/(1−P); in evaluation mode it passes its input
// through.
type Dropout struct {
	Base
	P   float32
	src *rand.PCG // the state behind rng, saved by RandomState
	rng *rand.Rand
}

// NewDropout returns a Dropout layer. Its masks come from a generator of its
// own, seeded from rng, so training is reproducible and rng is not shared.
// It panics if p is outside [0, 1].
func NewDropout(rng *rand.Rand, p float32) *Dropout {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("nn: NewDropout: probability %v outside [0, 1]", p))
	}
	src := rand.NewPCG(rng.Uint64(), rng.Uint64())
	return &Dropout{P: p, src: src, rng: rand.New(src)}
}

// Forward applies dropout in training mode and returns x itself otherwise.
func (d *Dropout) Forward(x *autograd.Value) *autograd.Value { return d.forward(x, false) }

// forward is Forward, with dropout off whatever the mode if eval is set.
// With eval set it reads no state, so goroutines may share the layer.
func (d *Dropout) forward(x *autograd.Value, eval bool) *autograd.Value {
	return ops.Dropout(x, d.P, !eval && d.Training(), d.rng)
}

// passes reports whether forward(x, eval) is x itself: P is 0, or the
// dropout is off. A P outside [0, 1] reports false, so that forward is
// called and panics.
func (d *Dropout) passes(eval bool) bool {
	return d.P >= 0 && d.P <= 1 && (d.P == 0 || eval || !d.Training())
}

// ReLU is the layer form of ops.ReLU. Its zero value is ready to use: &ReLU{}.
type ReLU struct{ Base }

// Forward returns max(x, 0).
func (*ReLU) Forward(x *autograd.Value) *autograd.Value { return ops.ReLU(x) }

// GELU is the layer form of the exact ops.GELU, x·Φ(x).
type GELU struct{ Base }

// Forward returns x·Φ(x).
func (*GELU) Forward(x *autograd.Value) *autograd.Value { return ops.GELU(x) }

// Tanh is the layer form of ops.Tanh.
type Tanh struct{ Base }

// Forward returns tanh(x).
func (*Tanh) Forward(x *autograd.Value) *autograd.Value { return ops.Tanh(x) }

// Sigmoid is the layer form of ops.Sigmoid.
type Sigmoid struct{ Base }

// Forward returns 1/(1+e⁻ˣ).
func (*Sigmoid) Forward(x *autograd.Value) *autograd.Value { return ops.Sigmoid(x) }

// Sequential chains layers: each one's output is the next one's input. Its
// layers are submodules named "0", "1", ..., as in PyTorch.
type Sequential struct {
	Base
	Layers []Layer
}

// NewSequential returns the chain of the given layers.
func NewSequential(layers ...Layer) *Sequential {
	s := &Sequential{}
	for _, l := range layers {
		s.Append(l)
	}
	return s
}

// Append adds a layer at the end of the chain.
func (s *Sequential) Append(l Layer) {
	s.AddModule(strconv.Itoa(len(s.Layers)), l)
	s.Layers = append(s.Layers, l)
}

// Forward runs x through every layer in order.
func (s *Sequential) Forward(x *autograd.Value) *autograd.Value {
	for _, l := range s.Layers {
		x = l.Forward(x)
	}
	return x
}

// NewMLP returns a multilayer perceptron: Linear layers (with biases) from in
// through each size in hidden to out, with a ReLU after each but the last.
// Parameters are named as in PyTorch's Sequential: "0.weight", "0.bias",
// "2.weight", ...
func NewMLP(rng *rand.Rand, in int, hidden []int, out int) *Sequential {
	s := NewSequential()
	for _, h := range hidden {
		s.Append(NewLinear(rng, in, h, true))
		s.Append(&ReLU{})
		in = h
	}
	s.Append(NewLinear(rng, in, out, true))
	return s
}
