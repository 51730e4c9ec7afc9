//go:build amd64 && !purego

package vecmath

// The CPUID/XGETBV check is a copy of tensor/internal/gemm/cpu, which is
// internal to tensor and so not importable from ops (and the standard
// library's internal/cpu is not importable at all).

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// detect reports AVX2 with FMA3, and AVX-512 F, BW, DQ and VL, each with
// the register state enabled by the OS.
func detect() (hasAVX2FMA, hasAVX512 bool) {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false, false
	}
	xcr0, _ := xgetbv()
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		avx2     = 1 << 5
		avx512f  = 1 << 16
		avx512dq = 1 << 17
		avx512bw = 1 << 30
		avx512vl = 1 << 31
	)
	// XCR0: bit 1 SSE, bit 2 AVX (upper YMM), bits 5-7 opmask, ZMM0-15 upper
	// halves, ZMM16-31.
	const ymmState, zmmState = 0x6, 0xe6
	hasAVX2FMA = xcr0&ymmState == ymmState && ebx7&avx2 != 0
	want := uint32(avx512f | avx512dq | avx512bw | avx512vl)
	hasAVX512 = hasAVX2FMA && xcr0&zmmState == zmmState && ebx7&want == want
	return hasAVX2FMA, hasAVX512
}
