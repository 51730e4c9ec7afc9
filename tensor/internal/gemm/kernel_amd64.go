//go:build amd64 && !purego

package gemm

import "github.com/gotensor/gotensor/tensor/internal/gemm/cpu"

//go:generate go run internal/asmgen/main.go

// kernAVX512 is the 12×32 AVX-512 kernel: 24 zmm accumulators, B in two zmm
// per k step, A broadcast with VBROADCASTSS. See kernel for the contract.
//
//go:noescape
func kernAVX512(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int)

// kernAVX2 is the 6×16 AVX2+FMA kernel: 12 ymm accumulators.
//
//go:noescape
func kernAVX2(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int)

// kernAVX512Bias and kernAVX2Bias are kernAVX512 and kernAVX2 adding a bias
// row as they store (see kernel.biased).
//
//go:noescape
func kernAVX512Bias(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int, bias *float32)

//go:noescape
func kernAVX2Bias(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int, bias *float32)

func archKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512 {
		ks = append(ks, &kernel{name: "avx512", mr: 12, nr: 32, fn: kernAVX512, biased: kernAVX512Bias, rows: edgeAVX512[:], masked: maskedAVX512, dot: dotAVX512, bias: addBiasAVX512})
	}
	if cpu.X86.HasAVX2FMA {
		ks = append(ks, &kernel{name: "avx2", mr: 6, nr: 16, fn: kernAVX2, biased: kernAVX2Bias, rows: edgeAVX2[:]})
	}
	return ks
}

// addBiasAVX512 is the avx512 kernel set's biasFunc (see kernel), for
// tiles up to 32 columns wide.
//
//go:noescape
func addBiasAVX512(c *float32, ldc int, bias *float32, h, w int)

// transpose16 writes the transpose of the 16×16 block at src (rows lds
// floats apart) to dst (rows ldd floats apart): dst[i*ldd+j] = src[j*lds+i].
// It needs AVX-512.
//
//go:noescape
func transpose16(dst *float32, ldd int, src *float32, lds int)

func archTranspose16() func(dst *float32, ldd int, src *float32, lds int) {
	if cpu.X86.HasAVX512 {
		return transpose16
	}
	return nil
}

// transpose12 packs 16 k steps of a 12-row A micro-panel: dst[p*12+r] =
// src[r*lds+p] for r < 12, p < 16. It needs AVX-512.
//
//go:noescape
func transpose12(dst *float32, src *float32, lds int)

func archTranspose12() func(dst *float32, src *float32, lds int) {
	if cpu.X86.HasAVX512 {
		return transpose12
	}
	return nil
}
