package vecmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// normOneRow is NormRows over the single row x, returning its rstd.
func normOneRow(h, x []float32, eps float32) float32 {
	var rstd [1]float32
	NormRows(h, x, rstd[:], eps)
	return rstd[0]
}

// TestNormRowsOne checks NormRows on a single row against float64 sums.
func TestNormRowsOne(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(5, uint64(l)))
			for _, n := range append(lengths()[1:], 1000) {
				x := make([]float32, n)
				off := rng.NormFloat64() * 10
				for i := range x {
					x[i] = float32(off + rng.NormFloat64()*3)
				}
				h := make([]float32, n)
				r := normOneRow(h, x, 1e-5)
				var s, ss float64
				for _, v := range x {
					s += float64(v)
				}
				mean := s / float64(n)
				for _, v := range x {
					ss += (float64(v) - mean) * (float64(v) - mean)
				}
				want := 1 / math.Sqrt(ss/float64(n)+1e-5)
				if math.Abs(float64(r)-want) > 1e-7*want {
					t.Fatalf("NormRows(n=%d, one row) rstd = %v; want %v", n, r, want)
				}
				for i, v := range x {
					w := (float64(v) - mean) * want
					if math.Abs(float64(h[i])-w) > 1.2e-7*math.Abs(w)+1e-12 {
						t.Fatalf("NormRows(n=%d, one row)[%d] = %v; want %v", n, i, h[i], w)
					}
				}
			}
		})
	}
}

func TestNormGradRow(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(6, uint64(l)))
			for _, n := range append(lengths()[1:], 1000) {
				dh, h, dx := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range dh {
					dh[i], h[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
				}
				r := float32(0.5 + rng.Float64())
				NormGradRow(dx, dh, h, r)
				var m1, m2 float64
				for i := range dh {
					m1 += float64(dh[i])
					m2 += float64(dh[i]) * float64(h[i])
				}
				m1, m2 = m1/float64(n), m2/float64(n)
				for i := range dx {
					w := float64(r) * (float64(dh[i]) - m1 - float64(h[i])*m2)
					mag := float64(r) * (math.Abs(float64(dh[i])) + math.Abs(m1) + math.Abs(float64(h[i])*m2))
					if math.Abs(float64(dx[i])-w) > 3e-7*mag {
						t.Fatalf("NormGradRow(n=%d)[%d] = %v; want %v", n, i, dx[i], w)
					}
				}
			}
		})
	}
}

func TestMulAdd(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(7, uint64(l)))
			for _, n := range lengths() {
				a, b, c := inputs(rng, n, 2), inputs(rng, n, 2), inputs(rng, n, 2)
				d := make([]float32, n)
				MulAdd(d, a, b, c)
				for i := range d {
					w := float64(a[i])*float64(b[i]) + float64(c[i])
					mag := math.Abs(float64(a[i])*float64(b[i])) + math.Abs(float64(c[i]))
					if math.Abs(w) > math.MaxFloat32 {
						w = float64(float32(w)) // overflows to ±Inf
					}
					if !same(float64(d[i]), w, 1.2e-7*mag+1.5e-45) && // 1.5e-45: a subnormal ulp
						!(math.IsInf(mag, 0) || math.IsNaN(w)) {
						t.Fatalf("MulAdd(n=%d)[%d] = %v·%v + %v = %v; want %v", n, i, a[i], b[i], c[i], d[i], w)
					}
				}
				MulAdd(c, a, b, c) // in place, as dw += g·xhat
				for i := range d {
					if math.Float32bits(c[i]) != math.Float32bits(d[i]) && d[i] == d[i] {
						t.Fatalf("MulAdd in place (n=%d)[%d] = %v; want %v", n, i, c[i], d[i])
					}
				}
			}
		})
	}
}

func TestMulAddBinary(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(8, uint64(l)))
			for _, n := range lengths() {
				a, b := inputs(rng, n, 2), inputs(rng, n, 2)
				m, s := make([]float32, n), make([]float32, n)
				Mul(m, a, b)
				Add(s, a, b)
				for i := range a {
					wm, ws := a[i]*b[i], a[i]+b[i]
					if math.Float32bits(m[i]) != math.Float32bits(wm) && !(m[i] != m[i] && wm != wm) {
						t.Fatalf("Mul(n=%d)[%d] = %v; want %v", n, i, m[i], wm)
					}
					if math.Float32bits(s[i]) != math.Float32bits(ws) && !(s[i] != s[i] && ws != ws) {
						t.Fatalf("Add(n=%d)[%d] = %v; want %v", n, i, s[i], ws)
					}
				}
			}
		})
	}
}

func TestMaxScale(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(9, uint64(l)))
			for _, n := range lengths() {
				for _, nanOK := range []bool{false, true} {
					x := inputs(rng, n, 5)
					if !nanOK {
						for i, v := range x {
							if v != v {
								x[i] = -1
							}
						}
					}
					if got, want := Max(x), maxGo(x); got != want && !(got != got && want != want) && !(got == 0 && want == 0) {
						t.Fatalf("Max(n=%d) = %v; want %v", n, got, want)
					}
					y := append([]float32(nil), x...)
					Scale(y, 0.37)
					for i, v := range x {
						if w := v * 0.37; math.Float32bits(y[i]) != math.Float32bits(w) && !(w != w && y[i] != y[i]) {
							t.Fatalf("Scale(n=%d)[%d] = %v; want %v", n, i, y[i], w)
						}
					}
				}
			}
		})
	}
}

func TestSoftmax(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(13, uint64(l)))
			for _, n := range lengths() {
				for trial := range 4 {
					x := make([]float32, n)
					for i := range x {
						x[i] = float32(rng.NormFloat64() * 8)
						if trial == 3 && rng.IntN(10) == 0 {
							x[i] = edges[rng.IntN(len(edges))]
						}
					}
					scale := float32(0.125)
					if trial == 1 {
						scale = 1
					}
					y := make([]float32, n)
					m, sum, ok := Softmax(y, x, scale)
					// The reference: Scale, Max, ExpSub, Scale in Go.
					old := level
					level = levelGo
					want := make([]float32, n)
					for i, v := range x {
						want[i] = v * scale
					}
					wm := Max(want)
					finite := !math.IsInf(float64(wm), 0) && wm == wm
					var ws float64
					if finite {
						ws = ExpSub(want, want, wm)
						Scale(want, float32(1/ws))
					}
					level = old
					if (m != wm && !(m != m && wm != wm)) || ok != (finite && n > 0) {
						t.Fatalf("Softmax(n=%d) m = %v, ok %v; want %v, %v", n, m, ok, wm, finite)
					}
					if math.Abs(sum-ws) > 3e-7*ws { // each term within 2 ulp
						t.Fatalf("Softmax(n=%d) sum = %v; want %v", n, sum, ws)
					}
					for i := range y {
						if !same(float64(y[i]), float64(want[i]), 5e-7*math.Abs(float64(want[i]))+1e-45) {
							t.Fatalf("Softmax(n=%d)[%d] = %v; want %v", n, i, y[i], want[i])
						}
					}
				}
			}
		})
	}
}

// BenchmarkSoftmax compares the one-call softmax of a short row (an
// attention row of cmd/train's transformer has up to 33 keys) with the
// same row made of Scale, Max, ExpSub and Scale.
func BenchmarkSoftmax(b *testing.B) {
	for _, n := range []int{8, 33, 256} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		y := make([]float32, n)
		b.Run(fmt.Sprintf("fused/%d", n), func(b *testing.B) {
			for b.Loop() {
				copy(y, x)
				Softmax(y, y, 0.125)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
		})
		b.Run(fmt.Sprintf("calls/%d", n), func(b *testing.B) {
			for b.Loop() {
				copy(y, x)
				Scale(y, 0.125)
				m := Max(y)
				Scale(y, float32(1/ExpSub(y, y, m)))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
		})
	}
}

func TestSoftmaxGrad(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(14, uint64(l)))
			for _, n := range append(lengths(), 1000) {
				g, y, d := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range y {
					g[i], y[i] = float32(rng.NormFloat64()), float32(rng.Float64())
				}
				SoftmaxGrad(d, g, y, 0.3)
				var dot, mag float64
				for i := range y {
					dot += float64(g[i]) * float64(y[i])
					mag += math.Abs(float64(g[i]) * float64(y[i]))
				}
				for i := range d {
					w := 0.3 * float64(y[i]) * (float64(g[i]) - dot)
					tol := 0.3 * float64(y[i]) * (math.Abs(float64(g[i]))*2.4e-7 + mag*float64(n)*6e-8)
					if math.Abs(float64(d[i])-w) > tol+1e-30 {
						t.Fatalf("SoftmaxGrad(n=%d)[%d] = %v; want %v", n, i, d[i], w)
					}
				}
			}
		})
	}
}

// TestSoftmaxGradRows checks every row against the float64 formula, with
// TestSoftmaxGrad's bound, in place (d = g) as attention calls it.
func TestSoftmaxGradRows(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(16, uint64(l)))
			for _, n := range []int{1, 2, 15, 16, 17, 31, 32, 33, 40} {
				const rows = 5
				g, y := make([]float32, rows*n), make([]float32, rows*n)
				for i := range y {
					g[i], y[i] = float32(rng.NormFloat64()), float32(rng.Float64())
				}
				d := append([]float32(nil), g...)
				SoftmaxGradRows(d, d, y, n, 0.3)
				for r := range rows {
					var dot, mag float64
					for i := r * n; i < (r+1)*n; i++ {
						dot += float64(g[i]) * float64(y[i])
						mag += math.Abs(float64(g[i]) * float64(y[i]))
					}
					for i := r * n; i < (r+1)*n; i++ {
						w := 0.3 * float64(y[i]) * (float64(g[i]) - dot)
						tol := 0.3 * float64(y[i]) * (math.Abs(float64(g[i]))*2.4e-7 + mag*float64(n)*6e-8)
						if math.Abs(float64(d[i])-w) > tol+1e-30 {
							t.Fatalf("SoftmaxGradRows(n=%d) row %d [%d] = %v; want %v", n, r, i-r*n, d[i], w)
						}
					}
				}
			}
		})
	}
}

func TestNormRows(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(15, uint64(l)))
			for _, n := range []int{1, 3, 16, 17, 64, 100} {
				for _, rows := range []int{1, 2, 7, chunk/n + 3} {
					x := make([]float32, rows*n)
					for i := range x {
						x[i] = float32(rng.NormFloat64()*2 + 1)
					}
					h, rstd := make([]float32, len(x)), make([]float32, rows)
					NormRows(h, x, rstd, 1e-5)
					for r := range rstd {
						hr := make([]float32, n)
						want := normOneRow(hr, x[r*n:(r+1)*n], 1e-5)
						if rstd[r] != want {
							t.Fatalf("NormRows(n=%d, rows=%d) rstd[%d] = %v; want %v", n, rows, r, rstd[r], want)
						}
						for j := range hr {
							if h[r*n+j] != hr[j] {
								t.Fatalf("NormRows(n=%d, rows=%d)[%d][%d] = %v; want %v", n, rows, r, j, h[r*n+j], hr[j])
							}
						}
					}
				}
			}
		})
	}
}

func TestLayerNormGrad(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(16, uint64(l)))
			for _, n := range []int{1, 3, 16, 17, 64, 100} {
				for _, rows := range []int{1, 2, 7, chunk/n + 3} {
					g, h := make([]float32, rows*n), make([]float32, rows*n)
					for i := range g {
						g[i], h[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
					}
					w, rstd := make([]float32, n), make([]float32, rows)
					for i := range w {
						w[i] = float32(0.5 + rng.Float64())
					}
					for i := range rstd {
						rstd[i] = float32(0.5 + rng.Float64())
					}
					dx, dw, db := make([]float32, rows*n), make([]float32, n), make([]float32, n)
					LayerNormGrad(dx, g, h, rstd, w, dw, db)
					// The reference: the composed kernels at this level.
					wdx, wdw, wdb, dh := make([]float32, rows*n), make([]float32, n), make([]float32, n), make([]float32, n)
					for r := range rstd {
						gr, hr := g[r*n:(r+1)*n], h[r*n:(r+1)*n]
						Mul(dh, gr, w)
						MulAdd(wdw, gr, hr, wdw)
						Add(wdb, wdb, gr)
						NormGradRow(wdx[r*n:(r+1)*n], dh, hr, rstd[r])
					}
					for i := range dx {
						if math.Abs(float64(dx[i]-wdx[i])) > 1e-6*(1+math.Abs(float64(wdx[i]))) {
							t.Fatalf("LayerNormGrad(n=%d, rows=%d) dx[%d] = %v; want %v", n, rows, i, dx[i], wdx[i])
						}
					}
					for i := range dw {
						if dw[i] != wdw[i] || db[i] != wdb[i] {
							t.Fatalf("LayerNormGrad(n=%d, rows=%d) dw, db[%d] = %v, %v; want %v, %v", n, rows, i, dw[i], db[i], wdw[i], wdb[i])
						}
					}
				}
			}
		})
	}
}

// TestSoftmaxRows checks each row against a float64 softmax of its kept
// prefix, the zeros after it, and the stop before a row with no softmax:
// that row holds scale·x over its kept prefix, and later rows are not
// touched.
func TestSoftmaxRows(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(17, uint64(l)))
			for _, n := range []int{1, 2, 5, 15, 16, 17, 31, 32, 33, 40} {
				for _, first := range []int{0, 1, 2, n, n + 3} {
					for trial := range 4 {
						const rows = 7
						x := make([]float32, rows*n)
						for i := range x {
							x[i] = float32(rng.NormFloat64() * 8)
						}
						if trial == 3 { // an edge value somewhere
							x[rng.IntN(len(x))] = edges[rng.IntN(len(edges))]
						}
						scale := float32(0.25)
						if trial == 1 {
							scale = 1
						}
						y := make([]float32, len(x))
						for i := range y {
							y[i] = 42
						}
						done := SoftmaxRows(y, x, n, first, scale)
						checkSoftmaxRows(t, y, x, n, first, scale, done)
					}
				}
				// Rows with no softmax: NaN or +Inf at row 2's first key, or
				// -Inf at all its kept keys.
				for _, e := range []float32{nan32, inf32, -inf32} {
					for _, first := range []int{1, n} {
						x := make([]float32, 4*n)
						for i := range x {
							x[i] = float32(i%5) - 2
						}
						x[2*n] = e
						if e < 0 { // all of row 2's kept keys
							for i := range min(n, first+2) {
								x[2*n+i] = e
							}
						}
						y := make([]float32, len(x))
						for i := range y {
							y[i] = 42
						}
						done := SoftmaxRows(y, x, n, first, 0.5)
						if done != 2 {
							t.Fatalf("n=%d first=%d, row 2 starting with %v: SoftmaxRows = %d; want 2", n, first, e, done)
						}
						checkSoftmaxRows(t, y, x, n, first, 0.5, done)
					}
				}
			}
		})
	}
}

func checkSoftmaxRows(t *testing.T, y, x []float32, n, first int, scale float32, done int) {
	t.Helper()
	rows := len(x) / n
	for r := range rows {
		k := min(n, first+r)
		v := make([]float32, k)
		m := math.Inf(-1)
		nan := false
		for j := range v {
			v[j] = x[r*n+j] * scale
			m = math.Max(m, float64(v[j]))
			nan = nan || v[j] != v[j]
		}
		stop := nan || math.IsInf(m, 0)
		row := y[r*n : (r+1)*n]
		switch {
		case r > done:
			for j, got := range row {
				if got != 42 {
					t.Fatalf("n=%d first=%d: row %d after the stop at %d: [%d] = %v; want it untouched", n, first, r, done, j, got)
				}
			}
		case r == done:
			if !stop {
				t.Fatalf("n=%d first=%d: stopped at row %d, which has a softmax (max %v)", n, first, r, m)
			}
			for j, got := range row {
				want := float32(42)
				if j < k {
					want = v[j]
				}
				if got != want && !(got != got && want != want) {
					t.Fatalf("n=%d first=%d: stop row %d: [%d] = %v; want %v", n, first, r, j, got, want)
				}
			}
		default:
			if stop {
				t.Fatalf("n=%d first=%d: row %d (max %v, NaN %v) done; want a stop there", n, first, r, m, nan)
			}
			var sum float64
			for _, s := range v {
				sum += math.Exp(float64(s) - m)
			}
			for j, got := range row {
				want, tol := 0.0, 0.0
				if j < k {
					// float32 rounds v - m: a relative error of 2^-24·|v - m| in the result
					d := float64(v[j]) - m
					want = math.Exp(d) / sum
					tol = 1e-30
					if want > 0 {
						tol += want * (1e-6 - d*0x1p-24)
					}
				}
				if !same(float64(got), want, tol) {
					t.Fatalf("n=%d first=%d scale=%v: row %d [%d] = %v; want %v", n, first, scale, r, j, got, want)
				}
			}
		}
	}
	if done < rows && done >= 0 {
		return
	}
	if done != rows {
		t.Fatalf("n=%d first=%d: SoftmaxRows = %d rows; want %d at most", n, first, done, rows)
	}
}

// eqNaN reports whether a and b are equal or both NaN.
func eqNaN(a, b float32) bool { return a == b || (a != a && b != b) }

func TestNormAffineRows(t *testing.T) {
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l)
			rng := rand.New(rand.NewPCG(17, uint64(l)))
			for _, n := range []int{1, 15, 16, 17, 64, 100} {
				for _, rows := range []int{0, 1, 2, 3, 7, chunk/n + 3} {
					x := make([]float32, rows*n)
					for i := range x {
						x[i] = float32(rng.NormFloat64()*2 + 1)
					}
					if rows >= 3 { // a NaN in row 1, an Inf in row 2
						x[n+rng.IntN(n)] = nan32
						x[2*n+rng.IntN(n)] = inf32
					}
					w, b := make([]float32, n), make([]float32, n)
					for i := range w {
						w[i], b[i] = float32(0.5+rng.Float64()), float32(rng.NormFloat64())
					}
					out, h, rstd := make([]float32, len(x)), make([]float32, len(x)), make([]float32, rows)
					NormAffineRows(out, h, x, rstd, w, b, 1e-5)
					// The composition it replaces, at this level.
					wh, wrstd, wout := make([]float32, len(x)), make([]float32, rows), make([]float32, len(x))
					NormRows(wh, x, wrstd, 1e-5)
					for r := range rows {
						MulAdd(wout[r*n:(r+1)*n], wh[r*n:(r+1)*n], w, b)
					}
					for r := range rows {
						if !eqNaN(rstd[r], wrstd[r]) {
							t.Fatalf("NormAffineRows(n=%d, rows=%d) rstd[%d] = %v; want %v", n, rows, r, rstd[r], wrstd[r])
						}
						for j := range n {
							i := r*n + j
							if !eqNaN(h[i], wh[i]) || !eqNaN(out[i], wout[i]) {
								t.Fatalf("NormAffineRows(n=%d, rows=%d)[%d][%d] = %v, %v; want %v, %v", n, rows, r, j, h[i], out[i], wh[i], wout[i])
							}
						}
					}
					// The float64 reference, on the rows without NaN or Inf.
					for r := range rows {
						if rows >= 3 && (r == 1 || r == 2) {
							continue
						}
						xr := x[r*n : (r+1)*n]
						var s, ss float64
						for _, v := range xr {
							s += float64(v)
						}
						mean := s / float64(n)
						for _, v := range xr {
							ss += (float64(v) - mean) * (float64(v) - mean)
						}
						rs := 1 / math.Sqrt(ss/float64(n)+1e-5)
						for j, v := range xr {
							hw := (float64(v) - mean) * rs
							ow := hw*float64(w[j]) + float64(b[j])
							if math.Abs(float64(out[r*n+j])-ow) > 2.4e-7*(math.Abs(hw*float64(w[j]))+math.Abs(float64(b[j])))+1e-12 {
								t.Fatalf("NormAffineRows(n=%d, rows=%d) out[%d][%d] = %v; want %v", n, rows, r, j, out[r*n+j], ow)
							}
						}
					}
				}
			}
		})
	}
}

func BenchmarkNormAffineRows(b *testing.B) {
	for _, n := range []int{64, 256} {
		rows := 2048
		rng := rand.New(rand.NewPCG(18, 0))
		x, w, bias := make([]float32, rows*n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for i := range w {
			w[i], bias[i] = float32(0.5+rng.Float64()), float32(rng.NormFloat64())
		}
		out, h, rstd := make([]float32, rows*n), make([]float32, rows*n), make([]float32, rows)
		b.Run(fmt.Sprintf("fused/%d", n), func(b *testing.B) {
			for b.Loop() {
				NormAffineRows(out, h, x, rstd, w, bias, 1e-5)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
		})
		b.Run(fmt.Sprintf("composed/%d", n), func(b *testing.B) {
			for b.Loop() {
				NormRows(h, x, rstd, 1e-5)
				for r := range rows {
					MulAdd(out[r*n:(r+1)*n], h[r*n:(r+1)*n], w, bias)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
		})
	}
}
