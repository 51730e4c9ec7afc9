// Command gelufit fits the polynomial P of vecmath's GELUDeriv kernel
// (gelu_amd64.s): t·P(t), t = 1/(1 + p·a), approximates the Mills ratio
// Φ(-a)/φ(a) for a in [0, 13.3], by least squares in a Chebyshev basis
// reweighted toward the minimax relative error (Lawson), and prints the
// coefficients of P in powers of t with the relative errors reached in
// float64 and in float32 arithmetic. Run as
//
//	go run ./ops/internal/vecmath/internal/gelufit -p 0.35 -deg 8
//
// it fits the kernel's P. The constants committed in gelu_amd64.s come
// from an earlier run of this fit and differ from a rerun in the last few
// ulp: a rerun rounds to the same float32 for c0..c3 and c6..c8, but gives
// c4 and c5 about 12 and 3 float32 ulp away. The kernel keeps the
// committed constants, whose accuracy its tests measure.
package main

import (
	"flag"
	"fmt"
	"math"
)

// R(a) = Φ(-a)/φ(a)
func mills(a float64) float64 {
	return 0.5 * math.Erfc(a/math.Sqrt2) * math.Sqrt(2*math.Pi) * math.Exp(a*a/2)
}

// solve returns the c that minimizes ||W(Ac - b)|| over the k columns of
// A, with W = diag(w), from the normal equations, which it solves by
// Gaussian elimination with partial pivoting: k is small, and the
// Chebyshev basis keeps the equations well conditioned.
func solve(A [][]float64, b, w []float64, k int) []float64 {
	M := make([][]float64, k)
	v := make([]float64, k)
	for i := range M {
		M[i] = make([]float64, k)
	}
	for r := range A {
		ww := w[r] * w[r]
		for i := 0; i < k; i++ {
			v[i] += ww * A[r][i] * b[r]
			for j := 0; j < k; j++ {
				M[i][j] += ww * A[r][i] * A[r][j]
			}
		}
	}
	// gaussian elimination with pivoting
	for i := 0; i < k; i++ {
		p := i
		for j := i + 1; j < k; j++ {
			if math.Abs(M[j][i]) > math.Abs(M[p][i]) {
				p = j
			}
		}
		M[i], M[p] = M[p], M[i]
		v[i], v[p] = v[p], v[i]
		for j := i + 1; j < k; j++ {
			f := M[j][i] / M[i][i]
			for c := i; c < k; c++ {
				M[j][c] -= f * M[i][c]
			}
			v[j] -= f * v[i]
		}
	}
	c := make([]float64, k)
	for i := k - 1; i >= 0; i-- {
		s := v[i]
		for j := i + 1; j < k; j++ {
			s -= M[i][j] * c[j]
		}
		c[i] = s / M[i][i]
	}
	return c
}

func main() {
	pf := flag.Float64("p", 0.35, "the p of t = 1/(1 + p·a)")
	degf := flag.Int("deg", 8, "the degree of P")
	flag.Parse()
	p, deg := *pf, *degf
	amax := 13.3
	t0 := 1 / (1 + p*amax)
	k := deg + 1
	// sample nodes in t
	N := 4000
	var ts, ys []float64
	for i := 0; i < N; i++ {
		th := math.Pi * (float64(i) + 0.5) / float64(N)
		t := t0 + (1-t0)*(1-math.Cos(th))/2
		a := (1/t - 1) / p
		ts = append(ts, t)
		ys = append(ys, mills(a)/t)
	}
	// The basis: the Chebyshev polynomials T_j(x) of x = 2(t - t0)/(1 - t0) - 1,
	// which maps [t0, 1] onto [-1, 1]; cheb2mono turns the fit into powers of t.
	A := make([][]float64, N)
	for i, t := range ts {
		A[i] = make([]float64, k)
		x := 2*(t-t0)/(1-t0) - 1
		A[i][0] = 1
		if k > 1 {
			A[i][1] = x
		}
		for j := 2; j < k; j++ {
			A[i][j] = 2*x*A[i][j-1] - A[i][j-2]
		}
	}
	w := make([]float64, N)
	for i := range w {
		w[i] = 1 / ys[i]
	}
	var c []float64
	for it := 0; it < 200; it++ {
		c = solve(A, ys, w, k)
		// lawson update
		var s float64
		for i := range ts {
			var f float64
			for j := range c {
				f += c[j] * A[i][j]
			}
			e := math.Abs(f-ys[i]) / ys[i]
			w[i] *= math.Sqrt(e + 1e-30)
			s += w[i]
		}
		for i := range w {
			w[i] /= s / float64(N)
		}
	}
	c = cheb2mono(c, t0)
	// evaluate relative error in float64 and float32
	var e64, e32, worstA float64
	c32 := make([]float32, k)
	for i := range c {
		c32[i] = float32(c[i])
	}
	for a := 0.0; a < amax; a += 0.0001 {
		t := 1 / (1 + p*a)
		y := mills(a) / t
		e64 = math.Max(e64, math.Abs(horner(c, t)-y)/y)
		t32 := float32(1) / float32(float64(float32(p))*float64(float32(a))+1)
		var q float32 = c32[k-1]
		for j := k - 2; j >= 0; j-- {
			q = float32(float64(q)*float64(t32) + float64(c32[j]))
		}
		r := float64(float32(t32 * q))
		if e := math.Abs(r-mills(float64(float32(a)))) / mills(float64(float32(a))); e > e32 {
			e32 = e
			worstA = a
		}
	}
	fmt.Printf("p=%g deg=%d rel64=%.3g rel32(R)=%.3g at a=%.4g\n", p, deg, e64, e32, worstA)
	for i := range c {
		fmt.Printf("  c%d = %.10g\n", i, c[i])
	}
}

func horner(c []float64, t float64) float64 {
	s := c[len(c)-1]
	for j := len(c) - 2; j >= 0; j-- {
		s = s*t + c[j]
	}
	return s
}

// cheb2mono converts Σ c_j T_j(x), x = 2(t-t0)/(1-t0)-1, to powers of t.
func cheb2mono(c []float64, t0 float64) []float64 {
	k := len(c)
	// T_j as polynomials in x
	T := make([][]float64, k)
	T[0] = make([]float64, k)
	T[0][0] = 1
	if k > 1 {
		T[1] = make([]float64, k)
		T[1][1] = 1
	}
	for j := 2; j < k; j++ {
		T[j] = make([]float64, k)
		for i := 0; i < k; i++ {
			if i > 0 {
				T[j][i] += 2 * T[j-1][i-1]
			}
			T[j][i] -= T[j-2][i]
		}
	}
	px := make([]float64, k)
	for j := range c {
		for i := range px {
			px[i] += c[j] * T[j][i]
		}
	}
	// x = alpha t + beta
	alpha := 2 / (1 - t0)
	beta := -2*t0/(1-t0) - 1
	out := make([]float64, k)
	pw := []float64{1} // (alpha t + beta)^i
	for i := 0; i < k; i++ {
		for d := range pw {
			out[d] += px[i] * pw[d]
		}
		np := make([]float64, len(pw)+1)
		for d := range pw {
			np[d] += beta * pw[d]
			np[d+1] += alpha * pw[d]
		}
		pw = np
	}
	return out
}
