package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// input makes one random input tensor for a gradient check.
type input func(rng *rand.Rand) *tensor.Tensor

// normal draws standard normal values of the given shape.
func normal(shape ...int) input {
	return func(rng *rand.Rand) *tensor.Tensor { return tensor.Randn(rng, shape...) }
}

// uniform draws values uniform in [lo, hi).
func uniform(lo, hi float32, shape ...int) input {
	return func(rng *rand.Rand) *tensor.Tensor { return tensor.Uniform(rng, lo, hi, shape...) }
}

// awayFromZero draws normal values pushed at least 0.1 away from 0, so that
// central differences with eps = 1e-2 never straddle a kink at 0.
func awayFromZero(shape ...int) input {
	return func(rng *rand.Rand) *tensor.Tensor {
		t := tensor.Randn(rng, shape...)
		for i, v := range t.Data() {
			if v >= 0 {
				t.Data()[i] = v + 0.1
			} else {
				t.Data()[i] = v - 0.1
			}
		}
		return t
	}
}

// distinct draws a random permutation of 0..n-1, scaled by 0.1, so that a
// maximum never has a tie within eps = 1e-2.
func distinct(shape ...int) input {
	return func(rng *rand.Rand) *tensor.Tensor {
		t := tensor.Zeros(shape...)
		for i, p := range rng.Perm(t.Len()) {
			t.Data()[i] = 0.1*float32(p) - 0.05*float32(t.Len())
		}
		return t
	}
}

type gradCase struct {
	name   string
	f      func(xs ...*autograd.Value) *autograd.Value
	inputs []input
	tol    float64 // atol and rtol; 0 means 1e-2
}

// gradCases lists every op, with broadcast and size-1 shapes where they apply.
var gradCases = []gradCase{
	// arith.go
	{name: "Add", f: func(x ...*autograd.Value) *autograd.Value { return Add(x[0], x[1]) }, inputs: []input{normal(2, 3), normal(3)}},
	{name: "Add/size1", f: func(x ...*autograd.Value) *autograd.Value { return Add(x[0], x[1]) }, inputs: []input{normal(2, 1, 4), normal(3, 1)}},
	{name: "Sub", f: func(x ...*autograd.Value) *autograd.Value { return Sub(x[0], x[1]) }, inputs: []input{normal(2, 1), normal(1, 3)}},
	{name: "Mul", f: func(x ...*autograd.Value) *autograd.Value { return Mul(x[0], x[1]) }, inputs: []input{normal(2, 3), normal(2, 1)}},
	{name: "Mul/scalar", f: func(x ...*autograd.Value) *autograd.Value { return Mul(x[0], x[1]) }, inputs: []input{normal(2, 3), normal()}},
	{name: "Div", f: func(x ...*autograd.Value) *autograd.Value { return Div(x[0], x[1]) }, inputs: []input{normal(3, 2), uniform(1, 2, 2)}},
	{name: "Neg", f: func(x ...*autograd.Value) *autograd.Value { return Neg(x[0]) }, inputs: []input{normal(4)}},
	{name: "Pow", f: func(x ...*autograd.Value) *autograd.Value { return Pow(x[0], x[1]) }, inputs: []input{uniform(0.5, 2, 2, 3), uniform(-1, 2, 3)}},
	{name: "AddScalar", f: func(x ...*autograd.Value) *autograd.Value { return AddScalar(x[0], 2) }, inputs: []input{normal(3)}},
	{name: "SubScalar", f: func(x ...*autograd.Value) *autograd.Value { return SubScalar(x[0], 2) }, inputs: []input{normal(3)}},
	{name: "MulScalar", f: func(x ...*autograd.Value) *autograd.Value { return MulScalar(x[0], -3) }, inputs: []input{normal(3)}},
	{name: "DivScalar", f: func(x ...*autograd.Value) *autograd.Value { return DivScalar(x[0], 4) }, inputs: []input{normal(3)}},
	{name: "PowScalar/2", f: func(x ...*autograd.Value) *autograd.Value { return PowScalar(x[0], 2) }, inputs: []input{normal(3)}},
	{name: "PowScalar/1.5", f: func(x ...*autograd.Value) *autograd.Value { return PowScalar(x[0], 1.5) }, inputs: []input{uniform(0.5, 2, 3)}},
	// matmul.go
	{name: "MatMul", f: func(x ...*autograd.Value) *autograd.Value { return MatMul(x[0], x[1]) }, inputs: []input{normal(3, 4), normal(4, 2)}},
	{name: "MatMul/batched", f: func(x ...*autograd.Value) *autograd.Value { return MatMul(x[0], x[1]) }, inputs: []input{normal(2, 3, 4), normal(2, 4, 2)}},
	{name: "MatMul/broadcast", f: func(x ...*autograd.Value) *autograd.Value { return MatMul(x[0], x[1]) }, inputs: []input{normal(2, 1, 3, 4), normal(3, 4, 2)}},
	{name: "MatMul/size1", f: func(x ...*autograd.Value) *autograd.Value { return MatMul(x[0], x[1]) }, inputs: []input{normal(1, 4), normal(4, 1)}},
	{name: "Linear", f: func(x ...*autograd.Value) *autograd.Value { return Linear(x[0], x[1], x[2]) }, inputs: []input{normal(3, 4), normal(5, 4), normal(5)}},
	{name: "Linear/nobias", f: func(x ...*autograd.Value) *autograd.Value { return Linear(x[0], x[1], nil) }, inputs: []input{normal(3, 4), normal(5, 4)}},
	{name: "Linear/3d", f: func(x ...*autograd.Value) *autograd.Value { return Linear(x[0], x[1], x[2]) }, inputs: []input{normal(2, 3, 4), normal(2, 4), normal(2)}},
	// A residual block around a computed value: the product's input and
	// weight gradients add into sums that already hold one, and the weight
	// is used twice.
	{name: "Linear/residual", f: func(x ...*autograd.Value) *autograd.Value {
		h := Mul(x[0], x[0])
		return Add(h, Linear(Add(h, Linear(h, x[1], x[2])), x[1], nil))
	}, inputs: []input{normal(2, 3, 4), normal(4, 4), normal(4)}},
	{name: "FeedForward", f: func(x ...*autograd.Value) *autograd.Value { return FeedForward(x[0], x[1], x[2], x[3], x[4]) }, inputs: []input{normal(2, 3, 4), normal(5, 4), normal(5), normal(3, 5), normal(3)}},
	{name: "FeedForward/nobias", f: func(x ...*autograd.Value) *autograd.Value { return FeedForward(x[0], x[1], nil, x[2], nil) }, inputs: []input{normal(4), normal(6, 4), normal(2, 6)}},
	// The input and w1 also feed a residual, so their gradients add into
	// sums that already hold one.
	{name: "FeedForward/residual", f: func(x ...*autograd.Value) *autograd.Value {
		return Add(FeedForward(x[0], x[1], x[2], x[3], nil), Linear(x[0], x[1], nil))
	}, inputs: []input{normal(3, 4), normal(4, 4), normal(4), normal(4, 4)}},
	{name: "AddLinear", f: func(x ...*autograd.Value) *autograd.Value { return AddLinear(x[0], x[1], x[2], x[3]) }, inputs: []input{normal(2, 3, 5), normal(2, 3, 4), normal(5, 4), normal(5)}},
	{name: "AddFeedForward", f: func(x ...*autograd.Value) *autograd.Value {
		return AddFeedForward(x[0], x[0], x[1], x[2], x[3], nil)
	}, inputs: []input{normal(3, 4), normal(6, 4), normal(6), normal(4, 6)}},
	// unary.go
	{name: "Exp", f: func(x ...*autograd.Value) *autograd.Value { return Exp(x[0]) }, inputs: []input{normal(2, 3)}},
	{name: "Log", f: func(x ...*autograd.Value) *autograd.Value { return Log(x[0]) }, inputs: []input{uniform(0.5, 2, 2, 3)}},
	{name: "Sqrt", f: func(x ...*autograd.Value) *autograd.Value { return Sqrt(x[0]) }, inputs: []input{uniform(0.5, 2, 2, 3)}},
	{name: "Tanh", f: func(x ...*autograd.Value) *autograd.Value { return Tanh(x[0]) }, inputs: []input{normal(2, 3)}},
	{name: "Sigmoid", f: func(x ...*autograd.Value) *autograd.Value { return Sigmoid(x[0]) }, inputs: []input{normal(2, 3)}},
	{name: "ReLU", f: func(x ...*autograd.Value) *autograd.Value { return ReLU(x[0]) }, inputs: []input{awayFromZero(2, 3)}},
	{name: "LeakyReLU", f: func(x ...*autograd.Value) *autograd.Value { return LeakyReLU(x[0], 0.1) }, inputs: []input{awayFromZero(2, 3)}},
	{name: "GELU", f: func(x ...*autograd.Value) *autograd.Value { return GELU(x[0]) }, inputs: []input{normal(2, 3)}},
	{name: "GELUTanh", f: func(x ...*autograd.Value) *autograd.Value { return GELUTanh(x[0]) }, inputs: []input{normal(2, 3)}},
	// reduce.go
	{name: "Sum", f: func(x ...*autograd.Value) *autograd.Value { return Sum(x[0], 1, false) }, inputs: []input{normal(2, 3, 2)}},
	{name: "Sum/keepdim", f: func(x ...*autograd.Value) *autograd.Value { return Sum(x[0], -1, true) }, inputs: []input{normal(2, 3)}},
	{name: "Mean", f: func(x ...*autograd.Value) *autograd.Value { return Mean(x[0], 0, false) }, inputs: []input{normal(3, 2)}},
	{name: "Mean/size1", f: func(x ...*autograd.Value) *autograd.Value { return Mean(x[0], 1, true) }, inputs: []input{normal(3, 1)}},
	{name: "SumAll", f: func(x ...*autograd.Value) *autograd.Value { return SumAll(x[0]) }, inputs: []input{normal(2, 3)}},
	{name: "MeanAll", f: func(x ...*autograd.Value) *autograd.Value { return MeanAll(x[0]) }, inputs: []input{normal(2, 3)}},
	{name: "MeanAll/scalar", f: func(x ...*autograd.Value) *autograd.Value { return MeanAll(x[0]) }, inputs: []input{normal()}},
	{name: "Max", f: func(x ...*autograd.Value) *autograd.Value { return Max(x[0], 1, false) }, inputs: []input{distinct(2, 4, 3)}},
	{name: "Max/keepdim", f: func(x ...*autograd.Value) *autograd.Value { return Max(x[0], -1, true) }, inputs: []input{distinct(3, 4)}},
	// softmax.go
	{name: "Softmax", f: func(x ...*autograd.Value) *autograd.Value { return Softmax(x[0], -1) }, inputs: []input{normal(3, 4)}},
	{name: "Softmax/axis0", f: func(x ...*autograd.Value) *autograd.Value { return Softmax(x[0], 0) }, inputs: []input{normal(3, 2, 2)}},
	{name: "Softmax/size1", f: func(x ...*autograd.Value) *autograd.Value { return Softmax(x[0], 1) }, inputs: []input{normal(3, 1)}},
	{name: "LogSoftmax", f: func(x ...*autograd.Value) *autograd.Value { return LogSoftmax(x[0], -1) }, inputs: []input{normal(3, 4)}},
	{name: "LogSoftmax/axis1", f: func(x ...*autograd.Value) *autograd.Value { return LogSoftmax(x[0], 1) }, inputs: []input{normal(2, 3, 2)}},
	// loss.go
	{name: "CrossEntropy", f: func(x ...*autograd.Value) *autograd.Value { return CrossEntropy(x[0], []int{1, 0, 3}) }, inputs: []input{normal(3, 4)}},
	{name: "CrossEntropy/smooth+ignore", f: func(x ...*autograd.Value) *autograd.Value {
		return CrossEntropy(x[0], []int{1, -100, 3}, CrossEntropyOpts{LabelSmoothing: 0.1})
	}, inputs: []input{normal(3, 4)}},
	{name: "CrossEntropy/3d", f: func(x ...*autograd.Value) *autograd.Value {
		return CrossEntropy(x[0], []int{2, 0, 1, 1, 2, 5}, CrossEntropyOpts{IgnoreIndex: 5})
	}, inputs: []input{normal(2, 3, 3)}},
	{name: "BCEWithLogits", f: func(x ...*autograd.Value) *autograd.Value { return BCEWithLogits(x[0], x[1]) }, inputs: []input{normal(2, 3), uniform(0, 1, 2, 3)}},
	{name: "MSE", f: func(x ...*autograd.Value) *autograd.Value { return MSE(x[0], x[1]) }, inputs: []input{normal(2, 3), normal(2, 3)}},
	// shape.go
	{name: "Reshape", f: func(x ...*autograd.Value) *autograd.Value { return Mul(Reshape(x[0], 3, -1), x[1]) }, inputs: []input{normal(2, 3), normal(3, 2)}},
	{name: "Transpose", f: func(x ...*autograd.Value) *autograd.Value { return Transpose(x[0]) }, inputs: []input{normal(2, 3, 4)}},
	{name: "Permute", f: func(x ...*autograd.Value) *autograd.Value { return Permute(x[0], 2, 0, 1) }, inputs: []input{normal(2, 3, 4)}},
	{name: "Concat", f: func(x ...*autograd.Value) *autograd.Value { return Concat(1, x[0], x[1], x[0]) }, inputs: []input{normal(2, 1, 3), normal(2, 2, 3)}},
	{name: "Split", f: func(x ...*autograd.Value) *autograd.Value {
		p := Split(x[0], -1, 1, 3)
		return Concat(-1, p[1], p[0])
	}, inputs: []input{normal(2, 4)}},
	{name: "Slice", f: func(x ...*autograd.Value) *autograd.Value { return Slice(x[0], 1, 1, 3) }, inputs: []input{normal(2, 4, 2)}},
	// Overlapping slices of a computed value, which is also used whole: the
	// slices' gradients add into the engine's sum for it.
	{name: "Slice/overlapping", f: func(x ...*autograd.Value) *autograd.Value {
		y := Mul(x[0], x[0])
		return Concat(1, Slice(y, 1, 1, 3), y, Slice(y, 1, 0, 2), Split(y, 1, 3, 1)[0])
	}, inputs: []input{normal(2, 4, 2)}},
	{name: "Gather", f: func(x ...*autograd.Value) *autograd.Value { return Gather(x[0], []int{2, 0, 2}) }, inputs: []input{normal(3, 2, 2)}},
	{name: "Embedding", f: func(x ...*autograd.Value) *autograd.Value { return Embedding(x[0], []int{1, 1, 3, 0, 1}) }, inputs: []input{normal(4, 3)}},
	// norm.go
	{name: "LayerNorm", f: func(x ...*autograd.Value) *autograd.Value { return LayerNorm(x[0], x[1], x[2], 1e-5) }, inputs: []input{normal(3, 5), uniform(0.5, 1.5, 5), normal(5)}},
	{name: "LayerNorm/3d", f: func(x ...*autograd.Value) *autograd.Value { return LayerNorm(x[0], x[1], nil, 1e-5) }, inputs: []input{normal(2, 2, 4), normal(4)}},
	{name: "LayerNorm/plain", f: func(x ...*autograd.Value) *autograd.Value { return LayerNorm(x[0], nil, nil, 1e-5) }, inputs: []input{normal(2, 3)}},
	{name: "LayerNorm/bias", f: func(x ...*autograd.Value) *autograd.Value { return LayerNorm(x[0], nil, x[1], 1e-5) }, inputs: []input{normal(2, 3), normal(3)}},
	// dropout.go: a fresh generator with the same seed on every call gives
	// the same mask, so the function is deterministic.
	{name: "Dropout", f: func(x ...*autograd.Value) *autograd.Value { return Dropout(x[0], 0.3, true, seeded(5)) }, inputs: []input{normal(4, 5)}},
	// attention.go
	{name: "Attention", f: func(x ...*autograd.Value) *autograd.Value {
		out, _ := ScaledDotProductAttention(x[0], x[1], x[2], nil, false)
		return out
	}, inputs: []input{normal(2, 3, 4), normal(2, 5, 4), normal(2, 5, 3)}},
	{name: "Attention/weights", f: func(x ...*autograd.Value) *autograd.Value {
		_, w := ScaledDotProductAttention(x[0], x[1], x[2], nil, true)
		return w
	}, inputs: []input{normal(1, 2, 3, 4), normal(1, 2, 3, 4), normal(1, 2, 3, 4)}},
	{name: "Attention/causal", f: func(x ...*autograd.Value) *autograd.Value {
		out, _ := ScaledDotProductAttention(x[0], x[1], x[2], nil, true)
		return out
	}, inputs: []input{normal(2, 1, 4, 3), normal(2, 1, 4, 3), normal(2, 1, 4, 2)}},
	{name: "Attention/padding", f: func(x ...*autograd.Value) *autograd.Value {
		// Batch 1 masks its last two keys, and in batch 0 query 0 sees none.
		m := tensor.Ones(2, 1, 3, 4)
		for _, at := range [][]int{{0, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 0, 2}, {0, 0, 0, 3}, {1, 0, 0, 2}, {1, 0, 0, 3}, {1, 0, 1, 2}, {1, 0, 1, 3}, {1, 0, 2, 2}, {1, 0, 2, 3}} {
			m.Set(0, at...)
		}
		out, w := ScaledDotProductAttention(x[0], x[1], x[2], m, false)
		return Add(SumAll(out), SumAll(Mul(w, w)))
	}, inputs: []input{normal(2, 2, 3, 4), normal(2, 2, 4, 4), normal(2, 2, 4, 3)}},
	{name: "Attention/broadcast", f: func(x ...*autograd.Value) *autograd.Value {
		out, _ := ScaledDotProductAttention(x[0], x[1], x[2], tensor.FromSlice([]float32{1, 1, 0}, 3), false)
		return out
	}, inputs: []input{normal(2, 2, 4), normal(3, 4), normal(3, 2)}},
	// mha.go: more shapes in mha_test.go.
	{name: "MultiHeadSelfAttention", f: func(x ...*autograd.Value) *autograd.Value {
		return MultiHeadSelfAttention(x[0], 2, nil, true)
	}, inputs: []input{normal(2, 5, 12)}},
	// Ops whose backward adds into a gradient their input already has from
	// another use, here a residual connection around them.
	{name: "ReLU/residual", f: func(x ...*autograd.Value) *autograd.Value {
		h := Mul(x[0], x[1])
		return Add(h, ReLU(h))
	}, inputs: []input{awayFromZero(2, 3), awayFromZero(2, 3)}},
	{name: "LeakyReLU/residual", f: func(x ...*autograd.Value) *autograd.Value {
		h := Mul(x[0], x[1])
		return Add(h, LeakyReLU(h, 0.1))
	}, inputs: []input{awayFromZero(2, 3), awayFromZero(2, 3)}},
	{name: "GELU/residual", f: func(x ...*autograd.Value) *autograd.Value {
		h := Mul(x[0], x[0])
		return Add(h, GELU(h))
	}, inputs: []input{normal(2, 3)}},
	{name: "GELUTanh/residual", f: func(x ...*autograd.Value) *autograd.Value {
		h := Mul(x[0], x[0])
		return Add(h, GELUTanh(h))
	}, inputs: []input{normal(2, 3)}},
	{name: "LayerNorm/residual", f: func(x ...*autograd.Value) *autograd.Value {
		h := Mul(x[0], x[0])
		return Add(h, LayerNorm(h, x[1], x[2], 1e-5))
	}, inputs: []input{normal(3, 5), uniform(0.5, 1.5, 5), normal(5)}},
	{name: "MultiHeadSelfAttention/reused", f: func(x ...*autograd.Value) *autograd.Value {
		h := Mul(x[0], x[0])
		return Concat(-1, h, MultiHeadSelfAttention(h, 2, nil, true))
	}, inputs: []input{normal(2, 5, 12)}},
	// similarity.go
	{name: "CosineSimilarity", f: func(x ...*autograd.Value) *autograd.Value { return CosineSimilarity(x[0], x[1]) }, inputs: []input{normal(5), normal(5)}},
	{name: "PairwiseCosine", f: func(x ...*autograd.Value) *autograd.Value { return PairwiseCosine(x[0], x[1]) }, inputs: []input{normal(3, 4), normal(2, 4)}},
}

func TestGradCheck(t *testing.T) {
	for i, c := range gradCases {
		t.Run(c.name, func(t *testing.T) {
			rng := seeded(uint64(100 + i))
			in := make([]*tensor.Tensor, len(c.inputs))
			for j, gen := range c.inputs {
				in[j] = gen(rng)
			}
			tol := c.tol
			if tol == 0 {
				tol = 1e-2
			}
			res, err := autograd.GradCheck(c.f, in, 1e-2, tol, tol)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			_ = res
		})
	}
}
