//go:build linux

package vecmath

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestNormAffineRowsGuard puts the rows of NormAffineRows right before an
// unmapped page, so that a masked load of the last partial vector that
// touched its masked lanes would fault.
func TestNormAffineRowsGuard(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	all := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), page/4)
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
