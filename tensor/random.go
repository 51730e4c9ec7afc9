package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// The random constructors draw from a caller-supplied generator, so a seeded
// rand.New(rand.NewPCG(seed, 0)) makes them deterministic. A *rand.Rand is not
// safe for concurrent use; give each goroutine its own.

// Rand returns a tensor of values drawn uniformly from [0, 1).
func Rand(rng *rand.Rand, shape ...int) *Tensor {
	t := newTensor("Rand", shape)
	for i := range t.data {
		t.data[i] = rng.Float32()
	}
	return t
}

// Uniform returns a tensor of values drawn uniformly from [lo, hi). It
// panics unless lo <= hi, both finite.
func Uniform(rng *rand.Rand, lo, hi float32, shape ...int) *Tensor {
	if !(lo <= hi) || math.IsInf(float64(lo), 0) || math.IsInf(float64(hi), 0) {
		panic(fmt.Sprintf("tensor: Uniform: range [%v, %v)", lo, hi))
	}
	t := newTensor("Uniform", shape)
	w := float64(hi) - float64(lo)
	for i := range t.data {
		v := float32(float64(lo) + w*rng.Float64())
		if v >= hi && hi > lo { // rounding to float32 may reach hi
			v = math.Nextafter32(hi, lo)
		}
		t.data[i] = v
	}
	return t
}

// Randn returns a tensor of values drawn from the standard normal distribution.
func Randn(rng *rand.Rand, shape ...int) *Tensor {
	t := newTensor("Randn", shape)
	for i := range t.data {
		t.data[i] = float32(rng.NormFloat64())
	}
	return t
}

// Normal returns a tensor of values drawn from the normal distribution with
// the given mean and standard deviation.
func Normal(rng *rand.Rand, mean, std float32, shape ...int) *Tensor {
	t := newTensor("Normal", shape)
	for i := range t.data {
		t.data[i] = mean + std*float32(rng.NormFloat64())
	}
	return t
}
