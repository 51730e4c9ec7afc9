//go:build amd64 && !purego

package gemm

import (
	"fmt"
	"testing"
)

// BenchmarkMicrokernel measures the AVX-512 kernel alone on packed,
// L1-resident operands (k = 256), the ceiling for the whole product.
func BenchmarkMicrokernel(b *testing.B) {
	const k = 256
	a := make([]float32, 12*k)
	bb := make([]float32, 32*k)
	c := make([]float32, 12*32)
	for b.Loop() {
		kernAVX512(k, &a[0], 1, 12, &bb[0], 32, &c[0], 32, 1)
	}
	b.ReportMetric(2*12*32*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkMaskedMicrokernel measures the 12-row, one-vector masked kernel
// that computes an attention head's 16 columns, on packed operands, at the
// k of a head (32) and of a long pass.
func BenchmarkMaskedMicrokernel(b *testing.B) {
	for _, k := range []int{32, 256} {
		a := make([]float32, 12*k)
		bb := make([]float32, 16*k)
		c := make([]float32, 12*16)
		f := maskedAVX512[0][12]
		b.Run(fmt.Sprint("k", k), func(b *testing.B) {
			for b.Loop() {
				f(k, &a[0], 1, 12, &bb[0], 16, &c[0], 16, 1, 0xffff)
			}
			b.ReportMetric(2*12*16*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
