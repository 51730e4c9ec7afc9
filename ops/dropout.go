package ops

import (
	"math/rand/v2"

	"github.com/gotensor/gotensor/autograd"
	"github.com/gotensor/gotensor/tensor"
)

// Dropout zeroes each element of x with probability p and scales the others
// by 1/(1-p), so that the expected value is unchanged; with p = 1 every
// element is zeroed. When train is false or p is 0 it returns x itself. The
// mask is drawn from rng, one Uint64 per two elements in row-major order, so
// a seeded generator gives the same mask every run; the backward multiplies
// the gradient by the same mask. Dropout panics if p is outside [0, 1], or if rng
// is nil when a mask is needed.
func Dropout(x *autograd.Value, p float32, train bool, rng *rand.Rand) *autograd.Value {
	if !(p >= 0 && p <= 1) {
		panic(fnMsg("Dropout", "probability %v outside [0, 1]", p))
	}
	if !train || p == 0 {
		return x
	}
	if rng == nil {
		panic(fnMsg("Dropout", "nil rng in training mode"))
	}
	scale := float32(0)
	if p < 1 {
		scale = 1 / (1 - p)
	}
	mask := tensor.ZerosLike(x.Data) // 0 or 1/(1-p)
	m := mask.Data()
	// Each Uint64 gives two uniform draws u in [0, 1) of 24 bits (a float32's
	// precision), halving the calls through rng's Source; an element is
	// kept when u >= p.
	for i := 0; i < len(m); i += 2 {
		r := rng.Uint64()
		if float32(r>>40)*0x1p-24 >= p {
			m[i] = scale
		}
		if i+1 < len(m) && float32(r>>8&0xffffff)*0x1p-24 >= p {
			m[i+1] = scale
		}
	}
	return autograd.RecordBorrowing("Dropout", tensor.Mul(x.Data, mask), func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Mul(g, mask)} // out = x·mask
	}, x)
}
