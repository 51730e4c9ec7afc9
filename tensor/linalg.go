package tensor

import (
	"errors"
	"fmt"
	"math"
)

// This file holds vector products, norms and dense linear algebra on small
// matrices: Solve, Inverse, Det and Cholesky. The factorisations work in
// float64 on a copy of the float32 input, so a well-conditioned float32
// system is solved to float32 accuracy; results are rounded back to float32
// (Det stays float64 for range). A singular system is a property of the data,
// so Solve, Inverse and Cholesky return errors for it; wrong shapes are the
// caller's mistake and panic.

// ErrSingular is wrapped by the errors that Solve and Inverse return when the
// matrix is singular to working precision.
var ErrSingular = errors.New("singular matrix")

// ErrNotPositiveDefinite is wrapped by the error that Cholesky returns when
// the matrix is not symmetric positive definite.
var ErrNotPositiveDefinite = errors.New("matrix is not symmetric positive definite")

// Dot returns the inner product of two 1-D tensors of equal length,
// accumulated in float64. It panics if either is not 1-D or their lengths
// differ.
func Dot(a, b *Tensor) float32 {
	if len(a.shape) != 1 || len(b.shape) != 1 || a.shape[0] != b.shape[0] {
		panic(fmt.Sprintf("tensor: Dot: shapes %v and %v: want two 1-D tensors of equal length", a.shape, b.shape))
	}
	var s float64
	for i, x := range a.data {
		s += float64(x) * float64(b.data[i])
	}
	return float32(s)
}

// Outer returns the outer product of an (m) and an (n) tensor: the (m, n)
// tensor with element (i, j) equal to a[i]·b[j]. It panics if either is not 1-D.
func Outer(a, b *Tensor) *Tensor {
	if len(a.shape) != 1 || len(b.shape) != 1 {
		panic(fmt.Sprintf("tensor: Outer: shapes %v and %v: want two 1-D tensors", a.shape, b.shape))
	}
	m, n := a.shape[0], b.shape[0]
	out := newTensor("Outer", []int{m, n})
	for i, x := range a.data {
		row := out.data[i*n : (i+1)*n]
		for j, y := range b.data {
			row[j] = x * y
		}
	}
	return out
}

// Norm returns the L2 (Frobenius) norm of all elements of t, the square root
// of the sum of their squares, for a tensor of any shape. The sum is kept in
// float64, which cannot overflow or underflow for float32 inputs (a square is
// at most 1.2e77 and at least 2e-90), so no scaling is needed; the result is
// +Inf only when the true norm exceeds the float32 range or an element is
// infinite, and NaN if an element is NaN.
func Norm(t *Tensor) float32 {
	var s float64
	for _, x := range t.data {
		s += float64(x) * float64(x)
	}
	return float32(math.Sqrt(s))
}

// Solve returns x with a·x = b, for an (n, n) matrix a and a right-hand side b
// of shape (n) or (n, k); x has the shape of b. It works in float64: if a is
// symmetric (each pair within a few float32 ulps; only the lower triangle is
// then read) it tries a Cholesky factorisation, and otherwise, or when a is
// not positive definite, LU with partial pivoting.
//
// Solve returns an error wrapping ErrSingular if a is singular to working
// precision (a pivot of magnitude at most n·eps·max|a|, eps = 2⁻⁵²) or the
// solution overflows float32, and an error if a or b holds NaN or Inf. An
// empty system (n = 0) returns an empty x and no error. Solve panics if a is
// not square or b's first dimension is not n.
func Solve(a, b *Tensor) (*Tensor, error) {
	n := laSquare("Solve", a, b)
	if len(b.shape) < 1 || len(b.shape) > 2 || b.shape[0] != n {
		panic(fmt.Sprintf("tensor: Solve: shapes %v and %v: b must be (%d) or (%d, k)", a.shape, b.shape, n, n))
	}
	k := 1
	if len(b.shape) == 2 {
		k = b.shape[1]
	}
	x := newTensor("Solve", b.shape)
	if n == 0 {
		return x, nil
	}
	if err := laFinite("Solve", "a", a); err != nil {
		return nil, err
	}
	if err := laFinite("Solve", "b", b); err != nil {
		return nil, err
	}
	rhs := laFloat64(b.data)
	if laSymmetric(a) {
		if c, ok := laCholeskyFactor(a); ok {
			c.solve(rhs, k)
			return laRound("Solve", x, rhs)
		}
	}
	lu := laLUFactor(a)
	if lu.singular {
		return nil, lu.err("Solve")
	}
	lu.solve(rhs, k)
	return laRound("Solve", x, rhs)
}

// Inverse returns the inverse of the (n, n) matrix a, computed in float64 by
// LU with partial pivoting. It returns an error wrapping ErrSingular if a is
// singular to working precision (as Solve decides) or the inverse overflows
// float32, and an error if a holds NaN or Inf. It panics if a is not square.
func Inverse(a *Tensor) (*Tensor, error) {
	n := laSquare("Inverse", a, nil)
	inv := newTensor("Inverse", a.shape)
	if n == 0 {
		return inv, nil
	}
	if err := laFinite("Inverse", "a", a); err != nil {
		return nil, err
	}
	lu := laLUFactor(a)
	if lu.singular {
		return nil, lu.err("Inverse")
	}
	id := make([]float64, n*n)
	for i := range n {
		id[i*n+i] = 1
	}
	lu.solve(id, n)
	return laRound("Inverse", inv, id)
}

// Det returns the determinant of the (n, n) matrix a as a float64, the
// product of the LU pivots with the sign of the row permutation; float64
// keeps the range that a product of n float32 values needs (it can still
// overflow to ±Inf for large n). Det returns 0 for a matrix that is singular
// to working precision (exactly when Solve would report ErrSingular), NaN if
// a holds NaN or Inf, and 1 for the empty matrix. It panics if a is not square.
func Det(a *Tensor) float64 {
	if laSquare("Det", a, nil) == 0 {
		return 1
	}
	if laFinite("Det", "a", a) != nil {
		return math.NaN()
	}
	return laLUFactor(a).det()
}

// Cholesky returns the lower-triangular L with L·Lᵀ = a for a symmetric
// positive definite (n, n) matrix a, computed in float64. It returns an error
// wrapping ErrNotPositiveDefinite if a is not symmetric (pairs differing by
// more than a few float32 ulps) or not positive definite to working precision
// (a diagonal term of L² at most n·eps·max|a|), and an error if a holds NaN or
// Inf. It panics if a is not square.
func Cholesky(a *Tensor) (*Tensor, error) {
	n := laSquare("Cholesky", a, nil)
	out := newTensor("Cholesky", a.shape)
	if n == 0 {
		return out, nil
	}
	if err := laFinite("Cholesky", "a", a); err != nil {
		return nil, err
	}
	if !laSymmetric(a) {
		return nil, fmt.Errorf("tensor: Cholesky: %w: a %v is not symmetric", ErrNotPositiveDefinite, a.shape)
	}
	c, ok := laCholeskyFactor(a)
	if !ok {
		return nil, fmt.Errorf("tensor: Cholesky: %w: pivot %d of a %v matrix is not positive", ErrNotPositiveDefinite, c.col, a.shape)
	}
	for i := range n {
		for j := 0; j <= i; j++ {
			out.data[i*n+j] = float32(c.l[i*n+j])
		}
	}
	return out, nil
}

// laSquare returns n for an (n, n) matrix a, panicking with fn's name (and
// b's shape, when b is not nil) otherwise.
func laSquare(fn string, a, b *Tensor) int {
	if len(a.shape) == 2 && a.shape[0] == a.shape[1] {
		return a.shape[0]
	}
	if b != nil {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v: a is not a square matrix", fn, a.shape, b.shape))
	}
	panic(fmt.Sprintf("tensor: %s: shape %v is not a square matrix", fn, a.shape))
}

// laFinite returns an error naming fn and the operand if t holds NaN or Inf.
func laFinite(fn, name string, t *Tensor) error {
	for i, x := range t.data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("tensor: %s: %s %v holds %v at flat index %d", fn, name, t.shape, x, i)
		}
	}
	return nil
}

// laFloat64 returns a float64 copy of s.
func laFloat64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, x := range s {
		d[i] = float64(x)
	}
	return d
}

// laRound rounds the float64 result r into dst and returns dst, or returns
// an error wrapping ErrSingular if a value is not finite in float32: the
// system was too ill-conditioned for its solution to be represented.
func laRound(fn string, dst *Tensor, r []float64) (*Tensor, error) {
	for i, v := range r {
		x := float32(v)
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("tensor: %s: %w: result element %d is %v", fn, ErrSingular, i, v)
		}
		dst.data[i] = x
	}
	return dst, nil
}

// laSymmetric reports whether the square matrix a is symmetric within a few
// float32 ulps: |a[i][j] - a[j][i]| <= 4·eps32·max(|a[i][j]|, |a[j][i]|).
// This admits the rounding differences of a product such as XᵀX computed in
// two orders, and perturbs a by far less than its float32 representation.
func laSymmetric(a *Tensor) bool {
	const tol = 4 * 0x1p-23
	n := a.shape[0]
	for i := range n {
		for j := range i {
			x, y := float64(a.data[i*n+j]), float64(a.data[j*n+i])
			if math.Abs(x-y) > tol*math.Max(math.Abs(x), math.Abs(y)) {
				return false
			}
		}
	}
	return true
}

// laPivotTol returns the magnitude at or below which a pivot of the (n, n)
// matrix a counts as zero: n·eps64·max|a|.
func laPivotTol(a *Tensor) float64 {
	var m float64
	for _, x := range a.data {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return float64(a.shape[0]) * 0x1p-52 * m
}

// laLU is the LU factorisation with partial pivoting P·A = L·U of an (n, n)
// matrix, in float64. lu holds U on and above the diagonal and the
// multipliers of the unit lower-triangular L below it, row-major; row i of
// P·A is row perm[i] of A. If a pivot was at most the tolerance the
// factorisation stopped there: singular is set and col, pivot say where.
type laLU struct {
	n        int
	lu       []float64
	perm     []int
	sign     float64 // determinant of P: +1 or -1
	singular bool
	col      int
	pivot    float64
}

// laLUFactor factors the square matrix a.
func laLUFactor(a *Tensor) *laLU {
	n := a.shape[0]
	f := &laLU{n: n, lu: laFloat64(a.data), perm: make([]int, n), sign: 1}
	for i := range f.perm {
		f.perm[i] = i
	}
	tol := laPivotTol(a)
	lu := f.lu
	for j := range n {
		p := j // row of the largest |lu[i][j]| for i >= j
		for i := j + 1; i < n; i++ {
			if math.Abs(lu[i*n+j]) > math.Abs(lu[p*n+j]) {
				p = i
			}
		}
		if math.Abs(lu[p*n+j]) <= tol {
			f.singular, f.col, f.pivot = true, j, lu[p*n+j]
			return f
		}
		if p != j {
			rp, rj := lu[p*n:(p+1)*n], lu[j*n:(j+1)*n]
			for c := range rp {
				rp[c], rj[c] = rj[c], rp[c]
			}
			f.perm[p], f.perm[j] = f.perm[j], f.perm[p]
			f.sign = -f.sign
		}
		piv := lu[j*n+j]
		rj := lu[j*n+j+1 : (j+1)*n]
		for i := j + 1; i < n; i++ {
			ri := lu[i*n+j+1 : (i+1)*n]
			l := lu[i*n+j] / piv
			lu[i*n+j] = l
			if l != 0 {
				laAxpy(ri, -l, rj)
			}
		}
	}
	return f
}

// err returns the ErrSingular error for a singular factorisation, for fn.
func (f *laLU) err(fn string) error {
	return fmt.Errorf("tensor: %s: %w: pivot %.3g in column %d of a (%d, %d) matrix", fn, ErrSingular, f.pivot, f.col, f.n, f.n)
}

// solve overwrites the (n, k) row-major b with the solution x of A·x = b.
// f must not be singular.
func (f *laLU) solve(b []float64, k int) {
	n, lu := f.n, f.lu
	pb := make([]float64, len(b)) // P·b
	for i, src := range f.perm {
		copy(pb[i*k:(i+1)*k], b[src*k:(src+1)*k])
	}
	copy(b, pb)
	for i := range n { // L·y = P·b, L unit lower
		ri := b[i*k : (i+1)*k]
		for j := range i {
			laAxpy(ri, -lu[i*n+j], b[j*k:(j+1)*k])
		}
	}
	for i := n - 1; i >= 0; i-- { // U·x = y
		ri := b[i*k : (i+1)*k]
		for j := i + 1; j < n; j++ {
			laAxpy(ri, -lu[i*n+j], b[j*k:(j+1)*k])
		}
		d := lu[i*n+i]
		for c := range ri {
			ri[c] /= d
		}
	}
}

// det returns the determinant: 0 if singular, else the signed pivot product.
func (f *laLU) det() float64 {
	if f.singular {
		return 0
	}
	d := f.sign
	for i := range f.n {
		d *= f.lu[i*f.n+i]
	}
	return d
}

// laChol is the Cholesky factorisation A = L·Lᵀ of an (n, n) matrix in
// float64; l is row-major lower triangular. If it failed, col is the column
// whose diagonal term was not positive.
type laChol struct {
	n   int
	l   []float64
	col int
}

// laCholeskyFactor factors the square matrix a, reading its lower triangle.
// It reports false if a diagonal term L[j][j]² is at most the pivot
// tolerance, that is a is not positive definite to working precision.
func laCholeskyFactor(a *Tensor) (*laChol, bool) {
	n := a.shape[0]
	c := &laChol{n: n, l: make([]float64, n*n)}
	tol := laPivotTol(a)
	l := c.l
	for j := range n {
		rj := l[j*n : j*n+j]
		d := float64(a.data[j*n+j]) - laDot(rj, rj)
		if !(d > tol) {
			c.col = j
			return c, false
		}
		ljj := math.Sqrt(d)
		l[j*n+j] = ljj
		for i := j + 1; i < n; i++ {
			l[i*n+j] = (float64(a.data[i*n+j]) - laDot(l[i*n:i*n+j], rj)) / ljj
		}
	}
	return c, true
}

// solve overwrites the (n, k) row-major b with the solution of L·Lᵀ·x = b.
func (c *laChol) solve(b []float64, k int) {
	n, l := c.n, c.l
	for i := range n { // L·y = b
		ri := b[i*k : (i+1)*k]
		for j := range i {
			laAxpy(ri, -l[i*n+j], b[j*k:(j+1)*k])
		}
		for t := range ri {
			ri[t] /= l[i*n+i]
		}
	}
	for i := n - 1; i >= 0; i-- { // Lᵀ·x = y
		ri := b[i*k : (i+1)*k]
		for j := i + 1; j < n; j++ {
			laAxpy(ri, -l[j*n+i], b[j*k:(j+1)*k])
		}
		for t := range ri {
			ri[t] /= l[i*n+i]
		}
	}
}

// laAxpy computes y += alpha·x for slices of equal length.
func laAxpy(y []float64, alpha float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// laDot returns the inner product of two float64 slices of equal length.
func laDot(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	for i, v := range x {
		s += v * y[i]
	}
	return s
}
