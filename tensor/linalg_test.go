package tensor

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// laClose reports whether got and want have the same shape and agree within
// rel relative to the largest |want| (or rel absolutely when want is small).
func laClose(got, want *Tensor, rel float64) bool {
	if !SameShape(got, want) {
		return false
	}
	scale := 1.0
	for _, w := range want.data {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	for i, g := range got.data {
		if !(math.Abs(float64(g)-float64(want.data[i])) <= rel*scale) {
			return false
		}
	}
	return true
}

func m2(rows ...[]float32) *Tensor {
	n := 0
	if len(rows) > 0 {
		n = len(rows[0])
	}
	return FromSlice(slices.Concat(rows...), len(rows), n)
}

func v1(x ...float32) *Tensor { return FromSlice(x) }

func TestDotOuterNorm(t *testing.T) {
	dots := []struct {
		a, b *Tensor
		want float32
	}{
		{v1(1, 2, 3), v1(4, 5, 6), 32},
		{v1(-1, 0.5), v1(2, 4), 0},
		{Zeros(0), Zeros(0), 0},
		{v1(1e8, 1, -1e8), v1(1, 1, 1), 1}, // float32 accumulation would give 0
	}
	for _, tc := range dots {
		t.Run(fmt.Sprintf("Dot(%v,%v)", tc.a.data, tc.b.data), func(t *testing.T) {
			if got := Dot(tc.a, tc.b); got != tc.want {
				t.Errorf("Dot(%v, %v) = %v; want %v", tc.a.data, tc.b.data, got, tc.want)
			}
		})
	}

	outers := []struct {
		a, b, want *Tensor
	}{
		{v1(1, 2), v1(3, 4, 5), m2([]float32{3, 4, 5}, []float32{6, 8, 10})},
		{v1(-1), v1(2), FromSlice([]float32{-2}, 1, 1)},
		{v1(1, 2), Zeros(0), Zeros(2, 0)},
	}
	for _, tc := range outers {
		t.Run(fmt.Sprintf("Outer(%v,%v)", tc.a.data, tc.b.data), func(t *testing.T) {
			if got := Outer(tc.a, tc.b); !Equal(got, tc.want) {
				t.Errorf("Outer(%v, %v) = %v %v; want %v %v", tc.a.data, tc.b.data, got.shape, got.data, tc.want.shape, tc.want.data)
			}
		})
	}

	inf := float32(math.Inf(1))
	norms := []struct {
		name string
		t    *Tensor
		want float32
	}{
		{"3-4-5", v1(3, 4), 5},
		{"matrix", m2([]float32{1, 2}, []float32{2, 4}), 5},
		{"scalar", Scalar(-3), 3},
		{"empty", Zeros(0, 3), 0},
		{"huge", v1(3e30, 4e30), 5e30},
		{"max float32", v1(math.MaxFloat32), math.MaxFloat32},
		{"tiny", v1(3e-30, 4e-30), 5e-30},
		{"denormal", v1(3e-44, 4e-44), float32(math.Sqrt(float64(float32(3e-44))*float64(float32(3e-44)) + float64(float32(4e-44))*float64(float32(4e-44))))},
		{"beyond float32", v1(math.MaxFloat32, math.MaxFloat32), inf},
		{"inf", v1(1, -inf), inf},
	}
	for _, tc := range norms {
		t.Run("Norm/"+tc.name, func(t *testing.T) {
			got := Norm(tc.t)
			if math.Abs(float64(got)-float64(tc.want)) > 1e-6*math.Abs(float64(tc.want)) && got != tc.want {
				t.Errorf("Norm(%v) = %v; want %v", tc.t.data, got, tc.want)
			}
		})
	}
	if got := Norm(v1(float32(math.NaN()), 1)); !math.IsNaN(float64(got)) {
		t.Errorf("Norm([NaN 1]) = %v; want NaN", got)
	}
}

func TestSolve(t *testing.T) {
	tests := []struct {
		name    string
		a, b, x *Tensor
	}{
		// 1x+2y=5, 3x+4y=6: det -2, x = (20-12)/-2 = -4, y = (6-15)/-2 = 4.5.
		{"2x2", m2([]float32{1, 2}, []float32{3, 4}), v1(5, 6), v1(-4, 4.5)},
		// The textbook system with solution (2, 3, -1).
		{"3x3", m2([]float32{2, 1, -1}, []float32{-3, -1, 2}, []float32{-2, 1, 2}), v1(8, -11, -3), v1(2, 3, -1)},
		// SPD with L = [[2 0 0] [6 1 0] [-8 5 3]]; x = (1, 2, 3).
		{"spd 3x3", m2([]float32{4, 12, -16}, []float32{12, 37, -43}, []float32{-16, -43, 98}), v1(-20, -43, 192), v1(1, 2, 3)},
		// 2x+y=3, x+3y=5: symmetric positive definite, x = 4/5, y = 7/5.
		{"spd 2x2", m2([]float32{2, 1}, []float32{1, 3}), v1(3, 5), v1(0.8, 1.4)},
		// A zero on the diagonal needs a row swap.
		{"permutation", m2([]float32{0, 1}, []float32{1, 0}), v1(2, 3), v1(3, 2)},
		{"pivot 3x3", m2([]float32{0, 2, 1}, []float32{1, 1, 1}, []float32{2, 1, 0}), v1(7, 6, 4), v1(1, 2, 3)},
		// Symmetric but indefinite: Cholesky fails, LU solves it.
		{"symmetric indefinite", m2([]float32{1, 2}, []float32{2, 1}), v1(5, 4), v1(1, 2)},
		// Columns of b are two right-hand sides; the second gives a column of a⁻¹.
		{"2 rhs", m2([]float32{1, 2}, []float32{3, 4}), m2([]float32{5, 1}, []float32{6, 0}), m2([]float32{-4, -2}, []float32{4.5, 1.5})},
		{"1x1", FromSlice([]float32{4}, 1, 1), v1(2), v1(0.5)},
		{"1x1 (1,1) rhs", FromSlice([]float32{-4}, 1, 1), FromSlice([]float32{2}, 1, 1), FromSlice([]float32{-0.5}, 1, 1)},
		{"0x0", Zeros(0, 0), Zeros(0), Zeros(0)},
		{"0x0 with k=3", Zeros(0, 0), Zeros(0, 3), Zeros(0, 3)},
		{"k=0", Eye(2), Zeros(2, 0), Zeros(2, 0)},
		// Scaling must not change the verdict: the pivot test is relative.
		{"tiny scale", m2([]float32{1e-30, 0}, []float32{0, 1e-30}), v1(1e-30, 2e-30), v1(1, 2)},
		{"huge scale", m2([]float32{1e30, 1e30}, []float32{0, 2e30}), v1(3e30, 4e30), v1(1, 2)},
		// Nearly singular (condition number about 4·2¹⁰), exactly representable,
		// with solution (1, 1).
		{"ill-conditioned", m2([]float32{1, 1}, []float32{1, 1 + 0x1p-10}), v1(2, 2+0x1p-10), v1(1, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a0, b0 := tc.a.Clone(), tc.b.Clone()
			got, err := Solve(tc.a, tc.b)
			if err != nil {
				t.Fatalf("Solve(%v, %v) error: %v", tc.a.data, tc.b.data, err)
			}
			if !laClose(got, tc.x, 1e-6) {
				t.Errorf("Solve(%v, %v) = %v %v; want %v %v", tc.a.data, tc.b.data, got.shape, got.data, tc.x.shape, tc.x.data)
			}
			if !Equal(tc.a, a0) || !Equal(tc.b, b0) {
				t.Errorf("Solve modified its arguments")
			}
		})
	}
}

func TestSolveCholeskyPath(t *testing.T) {
	spd := m2([]float32{4, 12, -16}, []float32{12, 37, -43}, []float32{-16, -43, 98})
	if !laSymmetric(spd) {
		t.Fatalf("laSymmetric(%v) = false; want true", spd.data)
	}
	if _, ok := laCholeskyFactor(spd); !ok {
		t.Errorf("laCholeskyFactor(%v) failed; want success", spd.data)
	}
	// A last-ulp asymmetry, as a blocked XᵀX may leave, still counts as symmetric.
	near := m2([]float32{2, 1}, []float32{math.Nextafter32(1, 2), 3})
	if !laSymmetric(near) {
		t.Errorf("laSymmetric(%v) = false; want true", near.data)
	}
	if laSymmetric(m2([]float32{2, 1}, []float32{1.001, 3})) {
		t.Errorf("laSymmetric([[2 1] [1.001 3]]) = true; want false")
	}
	for _, a := range []*Tensor{m2([]float32{1, 2}, []float32{2, 1}), m2([]float32{0, 0}, []float32{0, 1})} {
		if _, ok := laCholeskyFactor(a); ok {
			t.Errorf("laCholeskyFactor(%v) succeeded; want failure (not positive definite)", a.data)
		}
	}
}

func TestSolveErrors(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		name     string
		a, b     *Tensor
		singular bool
	}{
		{"zero", Zeros(2, 2), v1(1, 1), true},
		{"rank 1 symmetric", m2([]float32{1, 2}, []float32{2, 4}), v1(1, 2), true},
		{"rank 2 of 3", m2([]float32{1, 2, 3}, []float32{4, 5, 6}, []float32{7, 8, 9}), v1(1, 2, 3), true},
		{"zero column", m2([]float32{1, 0}, []float32{2, 0}), v1(1, 2), true},
		{"1x1 zero", Zeros(1, 1), v1(1), true},
		// The second pivot is 1e-30 of the scale 1: singular to float64 precision.
		{"tiny pivot", m2([]float32{1, 0}, []float32{0, 1e-30}), v1(1, 1), true},
		{"overflowing solution", FromSlice([]float32{1e-20}, 1, 1), v1(1e30), true},
		{"NaN in a", m2([]float32{1, nan}, []float32{0, 1}), v1(1, 1), false},
		{"Inf in b", Eye(2), v1(inf, 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, err := Solve(tc.a, tc.b)
			if err == nil {
				t.Fatalf("Solve(%v, %v) = %v, nil; want an error", tc.a.data, tc.b.data, x.data)
			}
			if x != nil {
				t.Errorf("Solve(%v, %v) = %v, %v; want nil with the error", tc.a.data, tc.b.data, x.data, err)
			}
			if got := errors.Is(err, ErrSingular); got != tc.singular {
				t.Errorf("errors.Is(Solve(%v, %v) error %q, ErrSingular) = %v; want %v", tc.a.data, tc.b.data, err, got, tc.singular)
			}
			if !strings.HasPrefix(err.Error(), "tensor: Solve: ") {
				t.Errorf("Solve error %q; want prefix %q", err, "tensor: Solve: ")
			}
		})
	}
}

func TestInverse(t *testing.T) {
	tests := []struct {
		name string
		a    *Tensor
		want *Tensor // nil: check only a⁻¹·a = I
	}{
		{"2x2", m2([]float32{1, 2}, []float32{3, 4}), m2([]float32{-2, 1}, []float32{1.5, -0.5})},
		{"permutation", m2([]float32{0, 1}, []float32{1, 0}), m2([]float32{0, 1}, []float32{1, 0})},
		{"1x1", FromSlice([]float32{4}, 1, 1), FromSlice([]float32{0.25}, 1, 1)},
		{"0x0", Zeros(0, 0), Zeros(0, 0)},
		{"3x3", m2([]float32{2, 1, -1}, []float32{-3, -1, 2}, []float32{-2, 1, 2}), nil},
		{"random 10x10", laRandn(rand.New(rand.NewPCG(3, 4)), 10, 10), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Inverse(tc.a)
			if err != nil {
				t.Fatalf("Inverse(%v) error: %v", tc.a.data, err)
			}
			if tc.want != nil && !laClose(inv, tc.want, 1e-6) {
				t.Errorf("Inverse(%v) = %v; want %v", tc.a.data, inv.data, tc.want.data)
			}
			n := tc.a.shape[0]
			prod := laRefMatMul(inv, tc.a)
			if !laClose(prod, Eye(n), 1e-5) {
				t.Errorf("Inverse(%v)·a = %v; want I", tc.a.data, prod.data)
			}
		})
	}
	for _, a := range []*Tensor{Zeros(3, 3), m2([]float32{1, 2}, []float32{2, 4})} {
		if _, err := Inverse(a); !errors.Is(err, ErrSingular) {
			t.Errorf("Inverse(%v) error = %v; want ErrSingular", a.data, err)
		}
	}
	if _, err := Inverse(m2([]float32{1, float32(math.Inf(-1))}, []float32{0, 1})); err == nil || errors.Is(err, ErrSingular) {
		t.Errorf("Inverse with -Inf: error = %v; want a non-finite error", err)
	}
}

func TestDet(t *testing.T) {
	tests := []struct {
		name string
		a    *Tensor
		want float64
	}{
		{"2x2 with a swap", m2([]float32{1, 2}, []float32{3, 4}), -2},
		{"permutation", m2([]float32{0, 1}, []float32{1, 0}), -1},
		{"cycle of 3", m2([]float32{0, 1, 0}, []float32{0, 0, 1}, []float32{1, 0, 0}), 1},
		{"3x3", m2([]float32{2, 1, -1}, []float32{-3, -1, 2}, []float32{-2, 1, 2}), -1},
		{"spd", m2([]float32{4, 12, -16}, []float32{12, 37, -43}, []float32{-16, -43, 98}), 36}, // (2·1·3)²
		{"identity", Eye(4), 1},
		{"diagonal", m2([]float32{2, 0}, []float32{0, -3}), -6},
		{"1x1", FromSlice([]float32{-7}, 1, 1), -7},
		{"0x0", Zeros(0, 0), 1},
		{"singular", m2([]float32{1, 2}, []float32{2, 4}), 0},
		{"singular 3x3", m2([]float32{1, 2, 3}, []float32{4, 5, 6}, []float32{7, 8, 9}), 0},
		{"zero", Zeros(3, 3), 0},
		// 1e30⁴ = 1e120 is far beyond float32 but fine in float64.
		{"large", FromSlice([]float32{1e30, 0, 0, 0, 0, 1e30, 0, 0, 0, 0, 1e30, 0, 0, 0, 0, 1e30}, 4, 4), 1e120},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Det(tc.a)
			if math.Abs(got-tc.want) > 1e-6*math.Max(1, math.Abs(tc.want)) {
				t.Errorf("Det(%v) = %v; want %v", tc.a.data, got, tc.want)
			}
		})
	}
	if got := Det(m2([]float32{1, float32(math.NaN())}, []float32{0, 1})); !math.IsNaN(got) {
		t.Errorf("Det([[1 NaN] [0 1]]) = %v; want NaN", got)
	}
}

func TestCholesky(t *testing.T) {
	a := m2([]float32{4, 12, -16}, []float32{12, 37, -43}, []float32{-16, -43, 98})
	want := m2([]float32{2, 0, 0}, []float32{6, 1, 0}, []float32{-8, 5, 3})
	l, err := Cholesky(a)
	if err != nil {
		t.Fatalf("Cholesky(%v) error: %v", a.data, err)
	}
	if !laClose(l, want, 1e-6) {
		t.Errorf("Cholesky(%v) = %v; want %v", a.data, l.data, want.data)
	}
	if l, err := Cholesky(Zeros(0, 0)); err != nil || !Equal(l, Zeros(0, 0)) {
		t.Errorf("Cholesky(0x0) = %v, %v; want empty, nil", l, err)
	}
	for _, bad := range []*Tensor{
		m2([]float32{1, 2}, []float32{2, 1}), // indefinite
		m2([]float32{1, 2}, []float32{2, 4}), // semidefinite
		m2([]float32{2, 1}, []float32{0, 2}), // not symmetric
	} {
		if _, err := Cholesky(bad); !errors.Is(err, ErrNotPositiveDefinite) {
			t.Errorf("Cholesky(%v) error = %v; want ErrNotPositiveDefinite", bad.data, err)
		}
	}
}

func TestLinalgPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"Dot rank", func() { Dot(Zeros(2, 2), Zeros(4)) }, "tensor: Dot: shapes [2 2] and [4]"},
		{"Dot length", func() { Dot(Zeros(2), Zeros(3)) }, "tensor: Dot: shapes [2] and [3]"},
		{"Outer rank", func() { Outer(Scalar(1), Zeros(3)) }, "tensor: Outer: shapes [] and [3]"},
		{"Solve not square", func() { Solve(Zeros(2, 3), Zeros(2)) }, "tensor: Solve: shapes [2 3] and [2]: a is not a square matrix"},
		{"Solve rank 1 a", func() { Solve(Zeros(4), Zeros(2)) }, "tensor: Solve: shapes [4] and [2]"},
		{"Solve b rows", func() { Solve(Eye(2), Zeros(3)) }, "tensor: Solve: shapes [2 2] and [3]: b must be (2) or (2, k)"},
		{"Solve b rank 3", func() { Solve(Eye(2), Zeros(2, 1, 1)) }, "tensor: Solve: shapes [2 2] and [2 1 1]"},
		{"Solve b scalar", func() { Solve(Eye(1), Scalar(1)) }, "tensor: Solve: shapes [1 1] and []"},
		{"Inverse", func() { Inverse(Zeros(3, 2)) }, "tensor: Inverse: shape [3 2] is not a square matrix"},
		{"Det", func() { Det(Zeros(3)) }, "tensor: Det: shape [3] is not a square matrix"},
		{"Cholesky", func() { Cholesky(Zeros(1, 2)) }, "tensor: Cholesky: shape [1 2] is not a square matrix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, msg := panics(tc.f)
			if !ok {
				t.Fatalf("%s did not panic; want %q", tc.name, tc.want)
			}
			if !strings.HasPrefix(msg, tc.want) {
				t.Errorf("%s panicked with %q; want prefix %q", tc.name, msg, tc.want)
			}
		})
	}
}

// TestSolveRandom compares Solve with the float64 Gaussian elimination below
// on random general and symmetric positive definite systems, with several
// right-hand sides.
func TestSolveRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{2, 7, 40, 120} {
		for _, spd := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/spd=%v", n, spd), func(t *testing.T) {
				a := laRandn(rng, n, n)
				if spd { // a = mᵀm + n·I, exactly symmetric
					m := a
					a = laRefMatMul(laTranspose(m), m)
					for i := range n {
						a.data[i*n+i] += float32(n)
					}
					if _, ok := laCholeskyFactor(a); !ok {
						t.Fatalf("laCholeskyFactor failed on an SPD matrix")
					}
				}
				b := laRandn(rng, n, 3)
				x, err := Solve(a, b)
				if err != nil {
					t.Fatalf("Solve error: %v", err)
				}
				want := laRefSolve(laTo64(a), laTo64(b), n, 3)
				if !laClose(x, FromSlice(laTo32(want), n, 3), 1e-4) {
					t.Errorf("Solve(random %dx%d) differs from the reference:\n got %v\nwant %v", n, n, x.data[:3], want[:3])
				}
			})
		}
	}
}

// TestLinearRegression fits the course's linear model y = X·w + noise by the
// normal equations, with and without an L2 penalty, and compares Solve with a
// float64 least-squares reference by modified Gram-Schmidt QR, which never
// forms XᵀX.
func TestLinearRegression(t *testing.T) {
	const rows, cols, lambda = 100, 4, 0.5
	rng := rand.New(rand.NewPCG(1, 2))
	wTrue := []float64{0.5, 2, -1, 3}
	x32 := Zeros(rows, cols)
	y32 := Zeros(rows)
	for i := range rows {
		x32.data[i*cols] = 1 // bias
		for j := 1; j < cols; j++ {
			x32.data[i*cols+j] = float32(rng.NormFloat64())
		}
		var y float64
		for j := range cols {
			y += float64(x32.data[i*cols+j]) * wTrue[j]
		}
		y32.data[i] = float32(y + 0.1*rng.NormFloat64())
	}

	// XᵀX (+ λI) and Xᵀy as float32 tensors, summed with plain loops.
	normal := func(lambda float32) (*Tensor, *Tensor) {
		xtx, xty := Zeros(cols, cols), Zeros(cols)
		for i := range rows {
			r := x32.data[i*cols : (i+1)*cols]
			for j := range cols {
				for k := range cols {
					xtx.data[j*cols+k] += r[j] * r[k]
				}
				xty.data[j] += r[j] * y32.data[i]
			}
		}
		for j := range cols {
			xtx.data[j*cols+j] += lambda
		}
		return xtx, xty
	}
	// The reference: least squares on [X; √λ·I] and [y; 0] in float64.
	reference := func(lambda float64) []float64 {
		a := make([][]float64, 0, rows+cols)
		y := make([]float64, 0, rows+cols)
		for i := range rows {
			a = append(a, laFloat64(x32.data[i*cols:(i+1)*cols]))
			y = append(y, float64(y32.data[i]))
		}
		for j := range cols {
			r := make([]float64, cols)
			r[j] = math.Sqrt(lambda)
			a = append(a, r)
			y = append(y, 0)
		}
		return laRefLstsq(a, y)
	}

	var norms [2]float32
	for i, lam := range []float64{0, lambda} {
		xtx, xty := normal(float32(lam))
		w, err := Solve(xtx, xty)
		if err != nil {
			t.Fatalf("Solve(XᵀX + %v·I, Xᵀy) error: %v", lam, err)
		}
		want := reference(lam)
		for j, wj := range want {
			if got := float64(w.data[j]); math.Abs(got-wj) > 1e-4*math.Abs(wj) {
				t.Errorf("λ=%v: w[%d] = %v; want %v (float64 QR)", lam, j, got, wj)
			}
			if math.Abs(wj-wTrue[j]) > 0.1 {
				t.Errorf("λ=%v: w[%d] = %v is far from the true %v", lam, j, wj, wTrue[j])
			}
		}
		norms[i] = Norm(w)
	}
	if norms[1] >= norms[0] {
		t.Errorf("|w_ridge| = %v; want less than |w_ols| = %v", norms[1], norms[0])
	}
}

func BenchmarkSolve(b *testing.B) {
	for _, n := range []int{64, 256} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			a := laRandn(rng, n, n)
			rhs := FromSlice(laRandn(rng, n, 1).data)
			x, err := Solve(a, rhs)
			if err != nil {
				b.Fatal(err)
			}
			want := laRefSolve(laTo64(a), laTo64(rhs), n, 1)
			if !laClose(x, FromSlice(laTo32(want)), 1e-3) {
				b.Fatalf("Solve(random %dx%d) differs from the reference", n, n)
			}
			for b.Loop() {
				Solve(a, rhs)
			}
			flops := 2.0 / 3 * float64(n*n*n)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// Test references: naive float64 code, independent of linalg.go's kernels.

func laRandn(rng *rand.Rand, m, n int) *Tensor {
	t := Zeros(m, n)
	for i := range t.data {
		t.data[i] = float32(rng.NormFloat64())
	}
	return t
}

func laTo64(t *Tensor) []float64 {
	d := make([]float64, len(t.data))
	for i, x := range t.data {
		d[i] = float64(x)
	}
	return d
}

func laTo32(d []float64) []float32 {
	s := make([]float32, len(d))
	for i, x := range d {
		s[i] = float32(x)
	}
	return s
}

// laRefMatMul returns a·b for (m, k) and (k, n) matrices, summed in float64.
func laRefMatMul(a, b *Tensor) *Tensor {
	m, k, n := a.shape[0], a.shape[1], b.shape[1]
	out := Zeros(m, n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += float64(a.data[i*k+p]) * float64(b.data[p*n+j])
			}
			out.data[i*n+j] = float32(s)
		}
	}
	return out
}

func laTranspose(a *Tensor) *Tensor {
	m, n := a.shape[0], a.shape[1]
	out := Zeros(n, m)
	for i := range m {
		for j := range n {
			out.data[j*m+i] = a.data[i*n+j]
		}
	}
	return out
}

// laRefSolve solves the (n, n) system a·x = b with k right-hand sides by
// Gauss-Jordan elimination with partial pivoting on the augmented matrix.
func laRefSolve(a, b []float64, n, k int) []float64 {
	w := n + k
	aug := make([][]float64, n)
	for i := range n {
		aug[i] = append(slices.Clone(a[i*n:(i+1)*n]), b[i*k:(i+1)*k]...)
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(aug[r][c]) > math.Abs(aug[p][c]) {
				p = r
			}
		}
		aug[c], aug[p] = aug[p], aug[c]
		for r := range n {
			if r == c {
				continue
			}
			f := aug[r][c] / aug[c][c]
			for j := c; j < w; j++ {
				aug[r][j] -= f * aug[c][j]
			}
		}
	}
	x := make([]float64, n*k)
	for i := range n {
		for j := range k {
			x[i*k+j] = aug[i][n+j] / aug[i][i]
		}
	}
	return x
}

// laRefLstsq returns the w minimising |a·w - y| for a tall matrix a given by
// rows, by modified Gram-Schmidt QR and back substitution on R·w = Qᵀy.
func laRefLstsq(a [][]float64, y []float64) []float64 {
	m, n := len(a), len(a[0])
	q := make([][]float64, n) // columns of Q
	for j := range n {
		q[j] = make([]float64, m)
		for i := range m {
			q[j][i] = a[i][j]
		}
	}
	r := make([][]float64, n)
	for j := range n {
		r[j] = make([]float64, n)
	}
	dot := func(u, v []float64) float64 {
		var s float64
		for i := range u {
			s += u[i] * v[i]
		}
		return s
	}
	for j := range n {
		r[j][j] = math.Sqrt(dot(q[j], q[j]))
		for i := range m {
			q[j][i] /= r[j][j]
		}
		for l := j + 1; l < n; l++ {
			r[j][l] = dot(q[j], q[l])
			for i := range m {
				q[l][i] -= r[j][l] * q[j][i]
			}
		}
	}
	qty := make([]float64, n) // Qᵀy, projected out column by column as MGS does
	y = slices.Clone(y)
	for j := range n {
		qty[j] = dot(q[j], y)
		for i := range m {
			y[i] -= qty[j] * q[j][i]
		}
	}
	w := make([]float64, n)
	for j := n - 1; j >= 0; j-- {
		s := qty[j]
		for l := j + 1; l < n; l++ {
			s -= r[j][l] * w[l]
		}
		w[j] = s / r[j][j]
	}
	return w
}
