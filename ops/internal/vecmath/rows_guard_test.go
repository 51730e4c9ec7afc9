//go:build linux

package vecmath

import (
	"syscall"
	"testing"
	"unsafe"
)

// guarded returns a page of floats followed by an unmapped page, so that a
// kernel reading or writing past the end of a slice that ends there
// faults; the test skips where the memory cannot be mapped so.
func guarded(t *testing.T) []float32 {
	t.Helper()
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), page/4)
}

// TestNormAffineRowsGuard puts the rows of NormAffineRows right before an
// unmapped page, so that a masked load of the last partial vector that
// touched its masked lanes would fault.
func TestNormAffineRowsGuard(t *testing.T) {
	all := guarded(t)
	for _, n := range []int{1, 9, 17, 25, 31} {
		for _, rows := range []int{1, 2, 5} {
			x := all[len(all)-rows*n:] // ends at the unmapped page
			for i := range x {
				x[i] = float32(i%7) - 3
			}
			w, b := make([]float32, n), make([]float32, n)
			for i := range w {
				w[i], b[i] = 1.5, 0.25
			}
			out, h, rstd := make([]float32, len(x)), make([]float32, len(x)), make([]float32, rows)
			NormAffineRows(out, h, x, rstd, w, b, 1e-5)
			wout, wh, wrstd := make([]float32, len(x)), make([]float32, len(x)), make([]float32, rows)
			normAffineRowsGo(wout, wh, x, wrstd, w, b, 1e-5)
			for i := range out {
				if d := out[i] - wout[i]; d > 1e-6 || d < -1e-6 {
					t.Fatalf("NormAffineRows(n=%d, rows=%d) out[%d] = %v; want %v", n, rows, i, out[i], wout[i])
				}
			}
		}
	}
}

// TestRowsGuard runs the attention row kernels (in place too, as attention
// calls them) and GELUDeriv on slices that end at an unmapped page, for
// every row length a register pair holds.
func TestRowsGuard(t *testing.T) {
	a, b, c := guarded(t), guarded(t), guarded(t)
	for n := 1; n <= 32; n++ {
		for rows := 1; rows <= 5; rows++ {
			x, y, g := a[len(a)-rows*n:], b[len(b)-rows*n:], c[len(c)-rows*n:]
			for i := range x {
				x[i], g[i] = float32(i%7)-3, float32(i%5)-2
			}
			for _, first := range []int{0, 1, n} {
				SoftmaxRows(y, x, n, first, 0.5)
			}
			copy(y, x)
			if done := SoftmaxRows(y, y, n, 1, 0.5); done != rows {
				t.Fatalf("SoftmaxRows(n=%d, rows=%d) in place did %d rows", n, rows, done)
			}
			SoftmaxGradRows(x, g, y, n, 0.5)
			SoftmaxGradRows(g, g, y, n, 0.5)
			GELUDeriv(y, g, x)
		}
	}
}
