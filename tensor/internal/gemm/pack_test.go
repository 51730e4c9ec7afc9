package gemm

import (
	"math/rand/v2"
	"testing"
)

func TestTranspose16(t *testing.T) {
	if fastTranspose16 == nil {
		t.Skip("no AVX-512 transpose on this CPU or build")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	const lds, ldd = 19, 21
	src := randSlice(rng, 16*lds)
	dst := make([]float32, 16*ldd)
	fastTranspose16(&dst[0], ldd, &src[0], lds)
	for i := range 16 {
		for j := range ldd {
			want := float32(0)
			if j < 16 {
				want = src[j*lds+i]
			}
			if got := dst[i*ldd+j]; got != want {
				t.Fatalf("transpose16: dst[%d][%d] = %v; want %v", i, j, got, want)
			}
		}
	}
}

// TestPackB checks both packing ways of B, including the register
// transpose, against the definition of a packed panel.
func TestPackB(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, nr := range []int{16, 32} {
		for _, tc := range []struct{ cols, kb int }{{70, 37}, {32, 16}, {5, 3}, {48, 50}} {
			for _, transB := range []bool{false, true} {
				const p0, j0, pad = 3, 2, 5
				rows, width := p0+tc.kb, j0+tc.cols
				if transB {
					rows, width = width, rows
				}
				ldb := width + pad
				b := randSlice(rng, rows*ldb)
				panels := (tc.cols + nr - 1) / nr
				dst := randSlice(rng, panels*nr*tc.kb)
				packB(dst, b, ldb, transB, j0, tc.cols, p0, tc.kb, nr)
				for q := range panels {
					for p := range tc.kb {
						for c := range nr {
							j := q*nr + c
							want := float32(0)
							if j < tc.cols {
								i := (p0+p)*ldb + j0 + j
								if transB {
									i = (j0+j)*ldb + p0 + p
								}
								want = b[i]
							}
							if got := dst[q*nr*tc.kb+p*nr+c]; got != want {
								t.Fatalf("packB(nr=%d cols=%d kb=%d transB=%v) panel %d [%d][%d] = %v; want %v", nr, tc.cols, tc.kb, transB, q, p, c, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestPackA checks both packing ways of A against the definition of a
// packed panel, for every kernel's row count.
func TestPackA(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, mr := range []int{4, 6, 12} {
		for _, tc := range []struct{ rows, kb int }{{30, 37}, {12, 16}, {5, 3}, {25, 50}} {
			for _, transA := range []bool{false, true} {
				const p0, i0, pad = 3, 2, 5
				height, width := i0+tc.rows, p0+tc.kb
				if transA {
					height, width = width, height
				}
				lda := width + pad
				a := randSlice(rng, height*lda)
				panels := (tc.rows + mr - 1) / mr
				dst := randSlice(rng, panels*mr*tc.kb)
				packA(dst, a, lda, transA, i0, tc.rows, p0, tc.kb, mr)
				for q := range panels {
					for p := range tc.kb {
						for r := range mr {
							i := q*mr + r
							want := float32(0)
							if i < tc.rows {
								idx := (i0+i)*lda + p0 + p
								if transA {
									idx = (p0+p)*lda + i0 + i
								}
								want = a[idx]
							}
							if got := dst[q*mr*tc.kb+p*mr+r]; got != want {
								t.Fatalf("packA(mr=%d rows=%d kb=%d transA=%v) panel %d [%d][%d] = %v; want %v", mr, tc.rows, tc.kb, transA, q, p, r, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// BenchmarkPackA measures packing a non-transposed A block, with and
// without the register transpose.
func BenchmarkPackA(b *testing.B) {
	const rows, kb, lda = 1536, 342, 1024
	src := make([]float32, rows*lda)
	dst := make([]float32, rows*kb)
	for _, fast := range []bool{false, true} {
		name := "scalar"
		if fast {
			name = "transpose12"
		}
		b.Run(name, func(b *testing.B) {
			defer func(f func(*float32, *float32, int)) { fastTranspose12 = f }(fastTranspose12)
			if !fast {
				fastTranspose12 = nil
			}
			for b.Loop() {
				packA(dst, src, lda, false, 0, rows, 0, kb, 12)
			}
			b.ReportMetric(float64(rows*kb)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gfloat/s")
		})
	}
}
