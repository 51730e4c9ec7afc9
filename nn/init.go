package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gotensor/gotensor/tensor"
)

// Fans returns the fan-in and fan-out of a weight of the given shape, as
// PyTorch computes them: for an (out, in) matrix, in and out; for higher
// ranks (out, in, k...) each is multiplied by the product of the trailing
// dimensions (a convolution's receptive field). Fans panics for a shape of
// fewer than 2 dimensions.
func Fans(shape []int) (fanIn, fanOut int) {
	if len(shape) < 2 {
		panic(fmt.Sprintf("nn: Fans: shape %v: want at least 2 dimensions", shape))
	}
	field := 1
	for _, d := range shape[2:] {
		field *= d
	}
	return shape[1] * field, shape[0] * field
}

// fillUniform sets every element of t to a value drawn uniformly from
// [-bound, bound), as tensor.Uniform draws.
func fillUniform(rng *rand.Rand, t *tensor.Tensor, bound float64) {
	for i := range t.Data() {
		t.Data()[i] = float32(-bound + 2*bound*rng.Float64())
	}
}

// fillNormal sets every element of t to a value drawn from N(0, std²).
func fillNormal(rng *rand.Rand, t *tensor.Tensor, std float64) {
	for i := range t.Data() {
		t.Data()[i] = float32(std * rng.NormFloat64())
	}
}

// XavierUniform fills t, a weight of at least 2 dimensions, with values from
// U(−a, a), a = gain·√(6/(fanIn+fanOut)) (Glorot and Bengio, 2010).
func XavierUniform(rng *rand.Rand, t *tensor.Tensor, gain float64) {
	in, out := Fans(t.Shape())
	fillUniform(rng, t, gain*math.Sqrt(6/float64(in+out)))
}

// XavierNormal fills t with values from N(0, σ²), σ = gain·√(2/(fanIn+fanOut)).
func XavierNormal(rng *rand.Rand, t *tensor.Tensor, gain float64) {
	in, out := Fans(t.Shape())
	fillNormal(rng, t, gain*math.Sqrt(2/float64(in+out)))
}

// KaimingUniform fills t with values from U(−b, b), b = gain·√(3/fanIn), where
// gain = √(2/(1+a²)) suits a leaky ReLU of negative slope a (He et al.,
// 2015); a = 0 is for ReLU. With a = √5 it is PyTorch's default
// initialisation of Linear weights, U(−1/√fanIn, 1/√fanIn).
func KaimingUniform(rng *rand.Rand, t *tensor.Tensor, a float64) {
	in, _ := Fans(t.Shape())
	gain := math.Sqrt(2 / (1 + a*a))
	fillUniform(rng, t, gain*math.Sqrt(3/float64(in)))
}

// KaimingNormal fills t with values from N(0, σ²), σ = gain/√fanIn, with gain
// as for KaimingUniform.
func KaimingNormal(rng *rand.Rand, t *tensor.Tensor, a float64) {
	in, _ := Fans(t.Shape())
	fillNormal(rng, t, math.Sqrt(2/(1+a*a))/math.Sqrt(float64(in)))
}

// Normal fills t with values from N(0, std²), the initialisation GPT-2 uses
// for its weights (std 0.02).
func Normal(rng *rand.Rand, t *tensor.Tensor, std float64) { fillNormal(rng, t, std) }
