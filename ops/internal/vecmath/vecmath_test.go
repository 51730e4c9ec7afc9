package vecmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// levels returns the kernel levels that this processor and build can run.
func levels() []int {
	var ls []int
	for l := levelGo; l <= maxLevel; l++ {
		ls = append(ls, l)
	}
	return ls
}

var levelNames = []string{levelGo: "go", levelAVX2: "avx2", levelAVX512: "avx512"}

// withLevel runs the kernels at level l until the test ends.
func withLevel(t testing.TB, l int) {
	old := level
	level = l
	t.Cleanup(func() { level = old })
}

// lengths exercise every masked tail of 16 and 8 lanes, and several chunks.
func lengths() []int {
	var ns []int
	for n := range 68 {
		ns = append(ns, n)
	}
	return append(ns, 100003)
}

var inf32, nan32 = float32(math.Inf(1)), float32(math.NaN())

// edges are inputs that the kernels must treat as the scalar code does.
var edges = []float32{
	0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 1e-40, -1e-40, 1e30, -1e30,
	inf32, -inf32, nan32, 88.7, -88.7, 88.72, 88.73, -87.33, -87.34, -103,
	5, -5, 11, -11, 13.2, -13.2, -13.3, 16, -16, -16.1, 1, -1, 0.5, -0.5,
}

// inputs returns n values: edge values among normal draws of scale s.
func inputs(rng *rand.Rand, n int, s float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(8) == 0 {
			x[i] = edges[rng.IntN(len(edges))]
		} else {
			x[i] = float32(rng.NormFloat64() * s)
		}
	}
	return x
}

// phi returns Φ(x) in float64.
func phi(x float32) float64 { return 0.5 * math.Erfc(-float64(x)/math.Sqrt2) }

// cdfTol returns the error allowed in Φ(x) ≈ want, the contract of NormCDF.
func cdfTol(x float32, want float64) float64 {
	switch {
	case x > -5:
		return 1e-6 * want
	case x > -11:
		return 4e-6 * want
	}
	return 4e-6*want + 2e-38 // the flush to 0 near Φ = 1e-38
}

// same reports whether got and want are both NaN or within tol.
func same(got, want, tol float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol
}

func TestGELU(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(1, uint64(l)))
			for _, n := range lengths() {
				x := inputs(rng, n, 3)
				out, cdf := make([]float32, n), make([]float32, n)
				refOut, refCDF := make([]float32, n), make([]float32, n)
				GELU(out, cdf, x)
				geluGo(refOut, refCDF, x)
				for i, v := range x {
					want := phi(v)
					if !same(float64(cdf[i]), want, cdfTol(v, want)) {
						t.Fatalf("n=%d: GELU cdf(%v) = %v; want %v (Φ)", n, v, cdf[i], want)
					}
					if !same(float64(cdf[i]), float64(refCDF[i]), 2*cdfTol(v, want)) {
						t.Fatalf("n=%d: GELU cdf(%v) = %v; want %v (scalar)", n, v, cdf[i], refCDF[i])
					}
					wo := float64(v) * want
					if math.IsInf(float64(v), -1) {
						wo = math.NaN() // -Inf·0, as the scalar code
					}
					if !same(float64(out[i]), wo, math.Abs(float64(v))*cdfTol(v, want)+math.Abs(wo)*6e-8) {
						t.Fatalf("n=%d: GELU out(%v) = %v; want %v", n, v, out[i], wo)
					}
				}
			}
		})
	}
}

// TestGELUAccuracy measures the worst relative error of Φ on a fine grid.
func TestGELUAccuracy(t *testing.T) {
	var x []float32
	for v := float32(-11); v < 8; v += 0.000731 {
		x = append(x, v)
	}
	out, cdf := make([]float32, len(x)), make([]float32, len(x))
	for _, l := range levels() {
		withLevel(t, l)
		GELU(out, cdf, x)
		var worst5, worst11 float64
		for i, v := range x {
			want := phi(v)
			rel := math.Abs(float64(cdf[i])-want) / want
			if v > -5 {
				worst5 = max(worst5, rel)
			}
			worst11 = max(worst11, rel)
		}
		t.Logf("%s: Φ relative error %.3g for x > -5, %.3g for x > -11", levelNames[l], worst5, worst11)
		if worst5 > 1e-6 || worst11 > 4e-6 {
			t.Errorf("%s: Φ relative error %.3g for x > -5, %.3g for x > -11; want <= 1e-6 and 4e-6", levelNames[l], worst5, worst11)
		}
	}
}

func TestGELUGrad(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(2, uint64(l)))
			for _, n := range lengths() {
				x, g := inputs(rng, n, 3), inputs(rng, n, 1)
				out, cdf, dx, ref := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
				geluGo(out, cdf, x)
				GELUGrad(dx, g, cdf, x)
				geluGradGo(ref, g, cdf, x)
				for i, v := range x {
					u := float64(v)
					xp := u * math.Exp(-u*u/2) / math.Sqrt(2*math.Pi)
					if math.IsInf(u, 0) {
						xp = math.NaN() // ±Inf·0, as the scalar code
					}
					want := float64(g[i]) * (float64(cdf[i]) + xp)
					mag := math.Abs(float64(g[i])) * (math.Abs(float64(cdf[i])) + math.Abs(xp))
					// The scalar code rounds x², which costs it x²·6e-8 in φ,
					// and φ flushes to 0 where e^(-x²/2) < 2^-126.
					mag += math.Abs(float64(g[i])*xp) * u * u * 0.12
					if u*u/2 > 87.3 {
						mag += 1e6 * math.Abs(float64(g[i])*xp)
					}
					if math.IsInf(float64(g[i]), 0) {
						want = float64(ref[i]) // Inf·0 where the scalar code flushes
					}
					if !same(float64(dx[i]), want, 1e-6*mag+1e-44) { // 1e-44: subnormal g
						t.Fatalf("n=%d: GELUGrad(g=%v, x=%v) = %v; want %v", n, g[i], v, dx[i], want)
					}
					if !same(float64(dx[i]), float64(ref[i]), 2e-6*mag+1e-44) {
						t.Fatalf("n=%d: GELUGrad(g=%v, x=%v) = %v; want %v (scalar)", n, g[i], v, dx[i], ref[i])
					}
				}
			}
		})
	}
}

// ulps returns the distance in units in the last place between got and the
// float64 value want.
func ulps(got float32, want float64) float64 {
	w := float32(want)
	if got == w {
		return 0
	}
	ulp := math.Float32frombits(math.Float32bits(w)+1) - w
	return math.Abs(float64(got)-want) / float64(ulp)
}

// rowMax returns the maximum of x, or NaN if x holds one, as softmax does.
func rowMax(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m || v != v {
			m = v
		}
	}
	return m
}

func TestExpSub(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(3, uint64(l)))
			for _, n := range lengths() {
				for _, nanOK := range []bool{false, true} {
					x := inputs(rng, n, 20)
					for i, v := range x {
						if !nanOK && (v != v || v > 1e29) {
							x[i] = -float32(i) // keep most rows finite
						}
					}
					m := rowMax(x)
					if nanOK {
						m = float32(math.Inf(-1)) // the largest of the numbers, NaN lanes aside
						for _, v := range x {
							m = max(m, v)
						}
					}
					y := make([]float32, n)
					sum := ExpSub(y, x, m)
					var want float64
					for i, v := range x {
						w := math.Exp(float64(v - m))
						d := v - m
						switch {
						case d != d:
							if y[i] == y[i] {
								t.Fatalf("n=%d: ExpSub(%v - %v) = %v; want NaN", n, v, m, y[i])
							}
						case d < -87.33654475055310898657:
							if y[i] != 0 {
								t.Fatalf("n=%d: ExpSub(%v - %v) = %v; want 0 (flushed)", n, v, m, y[i])
							}
						case d > 0:
							// Beyond the contract x - m <= 0: any result.
						default:
							if u := ulps(y[i], w); u > 2 {
								t.Fatalf("n=%d: ExpSub(%v - %v) = %v; want %v (%.2f ulp)", n, v, m, y[i], w, u)
							}
						}
						if y[i] == y[i] {
							want += float64(y[i]) // NaN lanes stay out of the sum
						}
					}
					if !same(sum, want, 1e-12*math.Abs(want)) {
						t.Fatalf("n=%d: ExpSub sum = %v; want %v", n, sum, want)
					}
					// In place, as softmax rows use it.
					ExpSub(x, x, m)
					for i := range x {
						if math.Float32bits(x[i]) != math.Float32bits(y[i]) && !(x[i] != x[i] && y[i] != y[i]) {
							t.Fatalf("n=%d: ExpSub in place [%d] = %v; want %v", n, i, x[i], y[i])
						}
					}
				}
			}
		})
	}
}

func BenchmarkGELU(b *testing.B) {
	for _, n := range []int{1024, 1 << 20} {
		// Activations as a network has them: normal, no edge values.
		rng := rand.New(rand.NewPCG(4, 0))
		x, g := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 2)
			g[i] = float32(rng.NormFloat64())
		}
		out, cdf, dx := make([]float32, n), make([]float32, n), make([]float32, n)
		// Each kernel with the bytes it moves an element.
		kernels := []struct {
			name  string
			bytes int
			f     func()
		}{
			{"fwd", 12, func() { GELU(out, cdf, x) }},
			{"bwd", 16, func() { GELUGrad(dx, g, cdf, x) }},
			{"deriv", 12, func() { GELUDeriv(out, cdf, x) }},
			{"derivbwd", 12, func() { Mul(dx, g, cdf) }}, // GELU's backward after GELUDeriv
			{"tanh", 12, func() { GELUTanh(out, cdf, x) }},
			{"tanhbwd", 16, func() { GELUTanhGrad(dx, g, cdf, x) }},
		}
		for _, l := range levels() {
			for _, k := range kernels {
				b.Run(fmt.Sprintf("%s/%s/%d", k.name, levelNames[l], n), func(b *testing.B) {
					withLevel(b, l)
					b.SetBytes(int64(k.bytes * n))
					for b.Loop() {
						k.f()
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
				})
			}
		}
	}
}

func BenchmarkExpSub(b *testing.B) {
	for _, n := range []int{64, 1024, 1 << 20} {
		x := make([]float32, n)
		for i := range x {
			x[i] = -float32(i%1000) * 0.01
		}
		y := make([]float32, n)
		for _, l := range levels() {
			b.Run(fmt.Sprintf("%s/%d", levelNames[l], n), func(b *testing.B) {
				withLevel(b, l)
				b.SetBytes(int64(8 * n))
				for b.Loop() {
					ExpSub(y, x, 0)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
			})
		}
	}
}

func TestGELUTanh(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(10, uint64(l)))
			for _, n := range lengths() {
				x, g := inputs(rng, n, 3), inputs(rng, n, 1)
				out, th, dx := make([]float32, n), make([]float32, n), make([]float32, n)
				refOut, refTh, refDx := make([]float32, n), make([]float32, n), make([]float32, n)
				GELUTanh(out, th, x)
				geluTanhGo(refOut, refTh, x)
				for i, v := range x {
					u := geluC * (float64(v) + geluA*float64(v)*float64(v)*float64(v))
					want := math.Tanh(u)
					if math.IsNaN(u) && !math.IsInf(float64(v), 0) { // Inf-Inf cannot happen here
						want = math.NaN()
					}
					if !same(float64(th[i]), want, 2.5e-7) {
						t.Fatalf("n=%d: GELUTanh th(%v) = %v; want %v", n, v, th[i], want)
					}
					if !same(float64(out[i]), float64(refOut[i]), 2.5e-7*math.Abs(float64(v))+1e-45) {
						t.Fatalf("n=%d: GELUTanh out(%v) = %v; want %v", n, v, out[i], refOut[i])
					}
				}
				GELUTanhGrad(dx, g, th, x)
				geluTanhGradGo(refDx, g, th, x)
				for i, v := range x {
					u := float64(v)
					mag := math.Abs(float64(g[i])) * (1 + math.Abs(u)*(1+3*geluA*u*u))
					if !same(float64(dx[i]), float64(refDx[i]), 4e-7*mag+1e-44) && !math.IsInf(mag, 0) {
						t.Fatalf("n=%d: GELUTanhGrad(g=%v, x=%v) = %v; want %v", n, g[i], v, dx[i], refDx[i])
					}
				}
			}
		})
	}
}

// TestTanhAccuracy measures the worst absolute error of GELUTanh's tanh.
func TestTanhAccuracy(t *testing.T) {
	var x []float32
	for v := float32(-6); v < 6; v += 0.000377 {
		x = append(x, v)
	}
	out, th := make([]float32, len(x)), make([]float32, len(x))
	for _, l := range levels() {
		withLevel(t, l)
		GELUTanh(out, th, x)
		worst := 0.0
		for i, v := range x {
			u := float64(float32(geluC * (v + geluA*v*v*v)))
			worst = max(worst, math.Abs(float64(th[i])-math.Tanh(u)))
		}
		t.Logf("%s: tanh absolute error %.3g", levelNames[l], worst)
		if worst > 2e-7 {
			t.Errorf("%s: tanh absolute error %.3g; want <= 2e-7", levelNames[l], worst)
		}
	}
}

// TestPrefetch, a smoke test: Prefetch, for any length and alignment,
// neither faults nor changes x (its effect on the caches is not visible
// to a test).
func TestPrefetch(t *testing.T) {
	x := make([]float32, 1000)
	for i := range x {
		x[i] = float32(i)
	}
	for _, s := range [][]float32{nil, x[:0], x[3:4], x[5:21], x[17:], x} {
		Prefetch(s)
	}
	for i, v := range x {
		if v != float32(i) {
			t.Fatalf("after Prefetch, x[%d] = %v", i, v)
		}
	}
}
