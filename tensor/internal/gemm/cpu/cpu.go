// Package cpu reports the x86 vector extensions that the gemm microkernels
// need, checked with CPUID and, for the register state the OS must save,
// XGETBV. On other architectures, and with the purego build tag, every
// feature reads false.
package cpu

// X86 holds the features found at start-up.
var X86 struct {
	// HasAVX2FMA reports AVX2 and FMA3 with YMM state enabled by the OS.
	HasAVX2FMA bool
	// HasAVX512 reports AVX-512 F, BW, DQ and VL with ZMM and opmask
	// state enabled by the OS (XCR0 bits 1, 2, 5, 6 and 7).
	HasAVX512 bool
}
