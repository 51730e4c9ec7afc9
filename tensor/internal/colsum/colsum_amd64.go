//go:build amd64 && !purego

package colsum

import "github.com/gotensor/gotensor/tensor/internal/gemm/cpu"

// useAsm is whether sumStrip runs the assembly: the processor has AVX-512
// (package cpu checks CPUID and XGETBV), unless a test turned it off.
var useAsm = cpu.X86.HasAVX512

// sumStripAVX512 is sumStripGo in assembly for w = bits.Len(mask) columns:
// mask has the low w bits set, and each of the four vectors loads and
// stores under its byte of it.
//
//go:noescape
func sumStripAVX512(acc *float64, src *float32, n, ld int, mask uint32)

func sumStrip(acc []float64, src []float32, n, ld int) {
	if !useAsm {
		sumStripGo(acc, src, n, ld)
		return
	}
	sumStripAVX512(&acc[0], &src[0], n, ld, uint32(uint64(1)<<len(acc)-1))
}
