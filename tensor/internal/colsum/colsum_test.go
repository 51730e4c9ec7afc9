package colsum

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveColSums is the reference: one float64 sum per column, row by row.
func naiveColSums(acc []float64, src []float32, n, ld int) {
	for j := range acc {
		for i := range n {
			acc[j] += float64(src[i*ld+j])
		}
	}
}

// kernels are the implementations of sumStrip this build can run.
func kernels() []bool {
	if useAsm {
		return []bool{false, true}
	}
	return []bool{false}
}

func TestAdd(t *testing.T) {
	defer func(u bool) { useAsm = u }(useAsm)
	rng := rand.New(rand.NewPCG(3, 3))
	for _, asm := range kernels() {
		useAsm = asm
		for _, w := range []int{0, 1, 2, 7, 8, 9, 16, 31, 32, 33, 63, 64, 100} {
			for _, n := range []int{0, 1, 2, 3, 5, 13, 300, maxRows + 3} {
				for _, pad := range []int{0, 3} {
					ld := w + pad
					src := make([]float32, max(n*ld, 1))
					for i := range src {
						src[i] = float32(rng.NormFloat64())
					}
					src = src[:max((n-1)*ld+w, 0)] // reading past the last row's w columns would be out of range
					acc, want := make([]float64, w), make([]float64, w)
					for j := range acc {
						acc[j] = float64(j) - 0.5 // Add adds to what is there
						want[j] = acc[j]
					}
					Add(acc, src, n, ld)
					naiveColSums(want, src, n, ld)
					for j := range want {
						if math.Abs(acc[j]-want[j]) > 1e-12*(1+math.Abs(want[j])) {
							t.Errorf("asm=%v: Add(%d rows of %d, ld %d)[%d] = %v; want %v", asm, n, w, ld, j, acc[j], want[j])
							break
						}
					}
				}
			}
		}
	}
}

// TestAddKernelsAgree checks that the assembly and the Go kernel give
// bitwise the same sums: they add in the same order.
func TestAddKernelsAgree(t *testing.T) {
	if !useAsm {
		t.Skip("no assembly in this build")
	}
	defer func(u bool) { useAsm = u }(useAsm)
	rng := rand.New(rand.NewPCG(4, 4))
	n, w := 2*maxRows+7, 45
	src := make([]float32, n*w)
	for i := range src {
		src[i] = float32(rng.NormFloat64() * math.Exp(rng.NormFloat64()*8))
	}
	sums := [2][]float64{make([]float64, w), make([]float64, w)}
	for i, asm := range []bool{false, true} {
		useAsm = asm
		Add(sums[i], src, n, w)
	}
	for j := range sums[0] {
		if sums[0][j] != sums[1][j] {
			t.Errorf("column %d: Go %v, assembly %v", j, sums[0][j], sums[1][j])
		}
	}
}

func TestAddPanics(t *testing.T) {
	for _, c := range []struct {
		n, w, ld, len int
	}{{2, 3, 2, 10}, {2, 3, 3, 5}} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "colsum: Add") {
					t.Errorf("Add(%d rows of %d, ld %d, from %d): recovered %v; want a colsum: Add panic", c.n, c.w, c.ld, c.len, r)
				}
			}()
			Add(make([]float64, c.w), make([]float32, c.len), c.n, c.ld)
		}()
	}
}

func BenchmarkAdd(b *testing.B) {
	defer func(u bool) { useAsm = u }(useAsm)
	for _, s := range [][2]int{{300, 100}, {64, 512}, {1024, 1024}} {
		n, w := s[0], s[1]
		src := make([]float32, n*w)
		acc := make([]float64, w)
		for _, asm := range kernels() {
			useAsm = asm
			name := "go"
			if asm {
				name = "avx512"
			}
			b.Run(fmt.Sprintf("%s/%dx%d", name, n, w), func(b *testing.B) {
				b.SetBytes(int64(4 * n * w))
				for b.Loop() {
					Add(acc, src, n, w)
				}
			})
		}
	}
}
