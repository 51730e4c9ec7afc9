package optim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestAdamKernels checks that adamUpdate, which uses the vector kernel where
// the machine has one, gives the same bits as the scalar loop, for lengths
// around the vector width and the chunk size.
func TestAdamKernels(t *testing.T) {
	if !hasAVX {
		t.Skip("no vector kernel in this build or on this machine")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	adamW := &adamCoef{shrink: 0.999, b1: 0.9, c1: 0.1, b2: 0.999, c2: 0.001, sq: 0.31, eps: 1e-8, step: -0.01}
	adam := *adamW
	adam.shrink, adam.l2 = 1, 0.01
	for _, c := range []*adamCoef{adamW, &adam} {
		for _, n := range []int{0, 1, 7, 8, 9, 31, 100, kernelChunk - 1, kernelChunk + 13} {
			vals := func(scale float32) []float32 {
				x := make([]float32, n)
				for i := range x {
					x[i] = scale * float32(rng.NormFloat64())
				}
				return x
			}
			p, g, m, v := vals(1), vals(1), vals(0.1), vals(0.01)
			for i := range v {
				v[i] *= v[i] // second moments are not negative
			}
			p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
			adamUpdate(p, g, m, v, c)
			adamGo(p2, g, m2, v2, c)
			for i := range n {
				if p[i] != p2[i] || m[i] != m2[i] || v[i] != v2[i] {
					t.Fatalf("%+v, n=%d: element %d: vector kernel gives p, m, v = %v, %v, %v; scalar loop %v, %v, %v",
						*c, n, i, p[i], m[i], v[i], p2[i], m2[i], v2[i])
				}
			}
		}
	}
}

// TestFMA32 checks fma32 against a·b + c computed exactly and rounded once
// (big.Float), on random operands and on ones whose float64 sum lies
// halfway between two float32 values, where rounding twice goes wrong.
func TestFMA32(t *testing.T) {
	want := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetFloat64(float64(c)))
		f, _ := x.Float32() // nearest, ties to even
		return f
	}
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(a, b, c float32) {
		if got, w := fma32(a, b, c), want(a, b, c); math.Float32bits(got) != math.Float32bits(w) {
			t.Fatalf("fma32(%v, %v, %v) = %v; want %v", a, b, c, got, w)
		}
	}
	for range 100000 {
		a, b, c := float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64()*math.Pow(2, float64(rng.IntN(60)-30)))
		check(a, b, c)
	}
	// a·b = 2⁻²⁴·(1 − 2⁻⁴⁶) and c = 1 + 2⁻²³: the exact sum lies just
	// below 1 + 2⁻²³ + 2⁻²⁴, halfway between c and the next float32, so it
	// rounds down to c. In float64 the 2⁻⁷⁰ is lost, and rounding that
	// midpoint to float32, ties to even, would go up.
	a := float32(math.Ldexp(1+0x1p-23, -12))
	b := float32(math.Ldexp(1-0x1p-23, -12))
	c := float32(1 + 0x1p-23)
	if float32(math.FMA(float64(a), float64(b), float64(c))) == want(a, b, c) {
		t.Fatal("the operands are not a case of double rounding")
	}
	check(a, b, c)
	check(-a, b, -c)
	check(a, -b, -c)
}

// TestSGDKernels checks that sgdUpdate, which uses the vector kernel where
// the machine has one, gives the same bits as the scalar loop for every
// combination of weight decay, momentum, first step and Nesterov, for
// lengths around the vector width.
func TestSGDKernels(t *testing.T) {
	if !hasAVX {
		t.Skip("no vector kernel in this build or on this machine")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for flags := range uint32(16) {
		if flags&sgdMomentum == 0 && flags&(sgdFirst|sgdNesterov) != 0 {
			continue // without momentum there is no buffer
		}
		c := &sgdCoef{negLR: -0.05, wd: 0.01, mu: 0.9, damp: 0.7, flags: flags}
		for _, n := range []int{1, 7, 8, 9, 31, 100, kernelChunk + 13} {
			vals := func() []float32 {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				return x
			}
			p, g, b := vals(), vals(), vals()
			p2, b2 := append([]float32(nil), p...), append([]float32(nil), b...)
			if flags&sgdMomentum == 0 {
				b, b2 = nil, nil
			}
			sgdUpdate(p, g, b, c)
			sgdGo(p2, g, b2, c)
			for i := range n {
				if p[i] != p2[i] || b != nil && b[i] != b2[i] {
					t.Fatalf("flags %04b, n=%d: element %d: vector kernel gives p = %v, scalar loop %v", flags, n, i, p[i], p2[i])
				}
			}
		}
	}
}
