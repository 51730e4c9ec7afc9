package tensor

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGemmStrided multiplies blocks of columns of wider matrices, in every
// transpose form, into a block of a wider C, and checks them against
// MatMulNaive of the blocks copied out, and that C outside the block is
// untouched.
func TestGemmStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	// block returns the (r, c) block at column j0 of the (r, ld) matrix x.
	block := func(x *Tensor, j0, r, c int) *Tensor {
		ld := x.Dim(1)
		out := New(r, c)
		for i := range r {
			copy(out.data[i*c:(i+1)*c], x.data[i*ld+j0:i*ld+j0+c])
		}
		return out
	}
	for _, s := range [][3]int{{32, 32, 16}, {32, 16, 32}, {5, 7, 3}, {1, 1, 1}, {13, 40, 9}} {
		m, n, k := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			ta, tb := tr[0], tr[1]
			ra, ca, rb, cb := m, k, k, n
			if ta {
				ra, ca = k, m
			}
			if tb {
				rb, cb = n, k
			}
			a, b := Randn(rng, ra, ca+5), Randn(rng, rb, cb+3)
			c := Randn(rng, m, n+4)
			want := c.Clone()
			Gemm(ta, tb, m, n, k, a.data[2:], ca+5, b.data[1:], cb+3, c.data[4:], n+4, false)
			opA, opB := block(a, 2, ra, ca), block(b, 1, rb, cb)
			if ta {
				opA = Transpose(opA)
			}
			if tb {
				opB = Transpose(opB)
			}
			ref := MatMulNaive(opA, opB)
			for i := range m {
				copy(want.data[i*(n+4)+4:], ref.data[i*n:(i+1)*n])
			}
			for i, g := range c.data {
				if w := want.data[i]; math.Abs(float64(g-w)) > 1e-4*(1+math.Abs(float64(w))) {
					t.Fatalf("Gemm(%v, %v, %d, %d, %d) C[%d] = %v; want %v", ta, tb, m, n, k, i, g, w)
				}
			}
		}
	}
}

// TestGemmTri checks the wiring of GemmTri: on a triangular a, the same
// bits as Gemm, for both triangles and both layouts of a.
func TestGemmTri(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	const m, n = 32, 16
	for _, tri := range []Triangle{LowerTriangle, UpperTriangle} {
		for _, ta := range []bool{false, true} {
			a, b := Randn(rng, m, m), Randn(rng, m, n)
			for i := range m {
				for p := range m {
					// op(a)[i][p] is a[i][p], or a[p][i] when transposed
					ai, ap := i, p
					if ta {
						ai, ap = p, i
					}
					if (tri == LowerTriangle && p > i) || (tri == UpperTriangle && p < i) {
						a.data[ai*m+ap] = 0
					}
				}
			}
			want, got := New(m, n), New(m, n)
			Gemm(ta, false, m, n, m, a.data, m, b.data, n, want.data, n, false)
			GemmTri(tri, ta, false, m, n, m, a.data, m, b.data, n, got.data, n, false)
			if !slices.Equal(got.data, want.data) {
				t.Errorf("GemmTri(%d, transA %v) differs from Gemm", tri, ta)
			}
		}
	}
}
