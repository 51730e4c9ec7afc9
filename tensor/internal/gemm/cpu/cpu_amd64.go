//go:build amd64 && !purego

package cpu

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

func init() {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return
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
	X86.HasAVX2FMA = xcr0&ymmState == ymmState && ebx7&avx2 != 0
	want := uint32(avx512f | avx512dq | avx512bw | avx512vl)
	X86.HasAVX512 = X86.HasAVX2FMA && xcr0&zmmState == zmmState && ebx7&want == want
}
