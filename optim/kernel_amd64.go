//go:build !purego

package optim

// hasAVX reports whether the CPU and the operating system support AVX
// (256-bit ymm registers), which the vector kernels use.
var hasAVX = detectAVX()

func detectAVX() bool {
	_, _, ecx, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if ecx&osxsave == 0 || ecx&avx == 0 {
		return false
	}
	eax, _ := xgetbv()
	return eax&6 == 6 // the OS saves xmm and ymm state
}

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// adamAVX runs the Adam update of adamGo on n elements, n a multiple of 8.
//
//go:noescape
func adamAVX(p, grad, m, v *float32, n int, c *adamCoef)
