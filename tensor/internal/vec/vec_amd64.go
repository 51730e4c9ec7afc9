//go:build amd64 && !purego

package vec

import "github.com/gotensor/gotensor/tensor/internal/gemm/cpu"

// useAsm is whether the assembly runs: the processor has AVX-512 (package
// cpu checks CPUID and XGETBV).
var useAsm = cpu.X86.HasAVX512

// binaryAVX512 sets d[i] = a[i] op b[i] for i < n (n >= 1).
//
//go:noescape
func binaryAVX512(op int, d, a, b *float32, n int)
