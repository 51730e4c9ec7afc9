//go:build linux

package gemm

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// guarded returns the floats of pages-1 pages that end where an
// inaccessible page begins, unmapped when t ends; it skips t where the
// system will not map them.
func guarded(t *testing.T, pages int) []float32 {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, pages*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	guard := (pages - 1) * page
	if err := syscall.Mprotect(mem[guard:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), guard/4)
}

// TestGemmReadsNoFurtherThanB places B at the very end of a page that is
// followed by an inaccessible one, with a partial last column panel read in
// place: a kernel that loaded past B's last column would fault.
func TestGemmReadsNoFurtherThanB(t *testing.T) {
	mem := guarded(t, 8)
	rng := rand.New(rand.NewPCG(9, 10))
	withKernel(t, func(t *testing.T) {
		for _, s := range [][3]int{{20, 17, 8}, {13, 5, 40}, {40, 47, 33}, {3, 31, 64}} {
			for _, acc := range []bool{false, true} {
				m, n, k := s[0], s[1], s[2]
				o := newOperands(rng, false, false, acc, m, n, k, 0)
				b := mem[len(mem)-k*n:] // B's k×n floats end where the guard page begins
				copy(b, o.b)
				o.b = b
				o.check(t, o.run())
			}
		}
	})
}

// TestBiasReadsNoFurther runs GemmBias with C and the bias each ending
// where an inaccessible page begins, for every width of a last column
// tile: a bias routine that touched a lane past the tile would fault.
func TestBiasReadsNoFurther(t *testing.T) {
	cm, bm := guarded(t, 4), guarded(t, 4)
	rng := rand.New(rand.NewPCG(11, 12))
	withKernel(t, func(t *testing.T) {
		for n := 33; n <= 64; n++ { // a full tile of 32 and a last one of 1 to 32
			const m, k = 13, 5
			o := newOperands(rng, false, false, false, m, n, k, 0)
			c, bias := cm[len(cm)-m*n:], bm[len(bm)-n:]
			copy(bias, randSlice(rng, n))
			GemmBias(false, false, m, n, k, o.a, o.lda, o.b, o.ldb, c, n, bias)
		}
	})
}
