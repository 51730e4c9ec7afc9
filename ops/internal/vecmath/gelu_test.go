package vecmath

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// geluDerivWant returns x·Φ(x) and Φ(x) + x·φ(x) in float64, with the NaN
// that ±Inf gives.
func geluDerivWant(v float32) (out, d float64) {
	u := float64(v)
	xp := u * math.Exp(-u*u/2) / math.Sqrt(2*math.Pi)
	out = u * phi(v)
	if math.IsInf(u, 0) {
		xp = math.NaN() // ±Inf·0
	}
	if math.IsInf(u, -1) {
		out = math.NaN() // -Inf·0
	}
	return out, phi(v) + xp
}

func TestGELUDeriv(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(8, uint64(l)))
			for _, n := range lengths() {
				x := inputs(rng, n, 3)
				out, d := make([]float32, n), make([]float32, n)
				refOut, refD := make([]float32, n), make([]float32, n)
				GELUDeriv(out, d, x)
				geluDerivSplit(refOut, refD, x)
				// In place, out = x, it gives the same bits.
				in, din := slices.Clone(x), make([]float32, n)
				GELUDeriv(in, din, in)
				for i := range x {
					if math.Float32bits(in[i]) != math.Float32bits(out[i]) || math.Float32bits(din[i]) != math.Float32bits(d[i]) {
						t.Fatalf("n=%d: GELUDeriv in place at %v = %v, %v; want %v, %v", n, x[i], in[i], din[i], out[i], d[i])
					}
				}
				for i, v := range x {
					p := phi(v)
					wo, wd := geluDerivWant(v)
					u := float64(v)
					xp := math.Abs(u) * math.Exp(-u*u/2) / math.Sqrt(2*math.Pi)
					if !same(float64(out[i]), wo, math.Abs(u)*cdfTol(v, p)+math.Abs(wo)*6e-8) {
						t.Fatalf("n=%d: GELUDeriv out(%v) = %v; want %v", n, v, out[i], wo)
					}
					// d: the error of Φ, and of x·φ that of e^(-x²/2) (2e-7)
					// and of two roundings; below x²/2 = 87.3 φ flushes to 0.
					tol := cdfTol(v, p) + 3e-7*xp + 6e-8*math.Abs(wd)
					if u*u/2 > 87.3 {
						tol += xp
					}
					if l != levelAVX512 {
						tol += xp * u * u * 1.2e-7 // GELUGrad's scalar code rounds x²
					}
					if !same(float64(d[i]), wd, tol) {
						t.Fatalf("n=%d: GELUDeriv d(%v) = %v; want %v", n, v, d[i], wd)
					}
					// The scalar code rounds x² in φ, which costs it x²·6e-8.
					if !same(float64(d[i]), float64(refD[i]), 2*tol+xp*u*u*1.2e-7) {
						t.Fatalf("n=%d: GELUDeriv d(%v) = %v; want %v (scalar)", n, v, d[i], refD[i])
					}
					if !same(float64(out[i]), float64(refOut[i]), 2*math.Abs(u)*cdfTol(v, p)+math.Abs(wo)*1.2e-7) {
						t.Fatalf("n=%d: GELUDeriv out(%v) = %v; want %v (scalar)", n, v, out[i], refOut[i])
					}
				}
			}
		})
	}
}

// TestGELUDerivAccuracy measures the worst relative error of x·Φ(x) (that
// of Φ and one rounding) and of the derivative on a fine grid.
func TestGELUDerivAccuracy(t *testing.T) {
	var x []float32
	for v := float32(-13); v < 8; v += 0.000731 {
		x = append(x, v)
	}
	out, d := make([]float32, len(x)), make([]float32, len(x))
	for _, l := range levels() {
		withLevel(t, l)
		GELUDeriv(out, d, x)
		var worst5, worst11, worst13, worstD float64
		for i, v := range x {
			wo, wd := geluDerivWant(v)
			rel := math.Abs(float64(out[i])-wo) / math.Abs(wo)
			if v == 0 {
				rel = 0
			}
			if v > -5 {
				worst5 = max(worst5, rel)
			}
			if v > -11 {
				worst11 = max(worst11, rel)
			}
			if v > -12.9 { // Φ normal
				worst13 = max(worst13, rel)
			}
			u := float64(v)
			mag := phi(v) + math.Abs(u)*math.Exp(-u*u/2)/math.Sqrt(2*math.Pi)
			worstD = max(worstD, math.Abs(float64(d[i])-wd)/mag)
		}
		t.Logf("%s: x·Φ(x) relative error %.3g for x > -5, %.3g for x > -11, %.3g for x > -12.9; d error %.3g of Φ + |x|·φ",
			levelNames[l], worst5, worst11, worst13, worstD)
		if worst5 > 1e-6 || worst11 > 4e-6 {
			t.Errorf("%s: x·Φ(x) relative error %.3g for x > -5, %.3g for x > -11; want <= 1e-6 and 4e-6",
				levelNames[l], worst5, worst11)
		}
		// Below AVX-512, d comes from GELUGrad, whose scalar code rounds x².
		if l == levelAVX512 && worstD > 1e-6 {
			t.Errorf("%s: GELUDeriv d error %.3g of Φ + |x|·φ; want <= 1e-6", levelNames[l], worstD)
		}
	}
}

func TestNormCDF(t *testing.T) {
	for x := float32(-5); x < 8; x += 0.00731 {
		want := 0.5 * math.Erfc(-float64(x)/math.Sqrt2)
		if rel := math.Abs(float64(NormCDF(x))-want) / want; rel > 1e-6 {
			t.Fatalf("NormCDF(%v) has relative error %.3g; want <= 1e-6 for x > -5", x, rel)
		}
	}
	worst, at := 0.0, float32(0)
	for x := float32(-11); x < 8; x += 0.00731 { // Φ(-11) = 2e-28; below it float32 loses digits
		want := 0.5 * math.Erfc(-float64(x)/math.Sqrt2)
		if rel := math.Abs(float64(NormCDF(x))-want) / want; rel > worst {
			worst, at = rel, x
		}
	}
	if worst > 4e-6 {
		t.Errorf("NormCDF(%v) has relative error %.3g; want <= 4e-6", at, worst)
	}
	worst = 0
	for u := float32(-10); u < 10; u += 0.00377 {
		if d := math.Abs(float64(Tanhf(u)) - math.Tanh(float64(u))); d > worst {
			worst, at = d, u
		}
	}
	if worst > 2e-7 {
		t.Errorf("Tanhf(%v) has absolute error %.3g; want <= 2e-7", at, worst)
	}
}
