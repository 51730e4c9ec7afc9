//go:build amd64 && !purego

package gemm

import "testing"

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
