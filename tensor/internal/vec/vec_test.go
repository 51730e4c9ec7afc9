package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBinary checks each operation against the scalar loop, bit for bit,
// for lengths around the vector, pass and chunk sizes, in place too, with
// NaN, infinities, zeros and subnormals among the operands.
func TestBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, -3e38}
	fns := []func(d, a, b []float32){Add, Sub, Mul, Div}
	for _, n := range []int{0, 1, 15, 16, 17, 63, 64, 65, 100, chunk + 17} {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			if rng.IntN(8) == 0 {
				a[i] = special[rng.IntN(len(special))]
			}
			if rng.IntN(8) == 0 {
				b[i] = special[rng.IntN(len(special))]
			}
		}
		for op, f := range fns {
			got, want := make([]float32, n), make([]float32, n)
			f(got, a, b)
			binaryGo(op, want, a, b)
			same := func(x, y []float32) bool {
				for i := range x {
					if math.Float32bits(x[i]) != math.Float32bits(y[i]) && !(x[i] != x[i] && y[i] != y[i]) {
						t.Errorf("op %d, n=%d: [%d] = %v; want %v (a %v, b %v)", op, n, i, x[i], y[i], a[i], b[i])
						return false
					}
				}
				return true
			}
			if !same(got, want) {
				continue
			}
			inPlace := append([]float32(nil), a...)
			f(inPlace, inPlace, b)
			same(inPlace, want)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	const n = 1 << 17 // a (2048, 64) activation
	x, y, d := make([]float32, n), make([]float32, n), make([]float32, n)
	for _, asm := range []bool{false, true} {
		name := "go"
		if asm {
			name = "asm"
		}
		b.Run(name, func(b *testing.B) {
			if asm && !useAsm {
				b.Skip("no AVX-512")
			}
			for b.Loop() {
				if asm {
					Add(d, x, y)
				} else {
					binaryGo(opAdd, d, x, y)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
	}
}
