// Package colsum holds the kernels of package tensor's reductions over a
// leading axis: the column sums of a row-major block, accumulated in
// float64. They run in AVX-512 assembly where the processor has it (as
// package gemm finds it) and in Go elsewhere, and both add the same
// numbers in the same order, so their results are bitwise equal.
package colsum

import "fmt"

// stripW is the number of columns one kernel call sums: four vectors of
// eight float64 accumulators.
const stripW = 32

// maxRows bounds the rows of one kernel call (about 10 µs of work), so that
// the scheduler can preempt between calls: Go cannot preempt assembly.
const maxRows = 4096

// Add adds the n rows of src into acc: acc[j] += Σ_i src[i*ld+j] for
// j < len(acc), in float64. Rows are summed in pairs, even rows into acc
// and odd rows into a second accumulator added at the end, so that the
// adds of a column form two independent chains. The order depends on the
// shape alone. Add panics if src is too short or ld < len(acc).
func Add(acc []float64, src []float32, n, ld int) {
	w := len(acc)
	if n == 0 || w == 0 {
		return
	}
	if ld < w || len(src) < (n-1)*ld+w {
		panic(fmt.Sprintf("colsum: Add of %d rows of %d columns with ld %d from %d values", n, w, ld, len(src)))
	}
	for j := 0; j < w; j += stripW {
		a := acc[j:min(j+stripW, w)]
		for i := 0; i < n; i += maxRows {
			rows := min(maxRows, n-i)
			sumStrip(a, src[i*ld+j:(i+rows-1)*ld+j+len(a)], rows, ld)
		}
	}
}

// sumStripGo is the kernel in Go: acc[j] += Σ_i src[i*ld+j] for the (at
// most stripW) columns of acc, with n >= 1, in the order of Add.
func sumStripGo(acc []float64, src []float32, n, ld int) {
	var odd [stripW]float64
	w := len(acc)
	i := 0
	for ; i+2 <= n; i += 2 {
		r0 := src[i*ld : i*ld+w]
		r1 := src[(i+1)*ld : (i+1)*ld+w]
		for j, v := range r0 {
			acc[j] += float64(v)
			odd[j] += float64(r1[j])
		}
	}
	if i < n {
		for j, v := range src[i*ld : i*ld+w] {
			acc[j] += float64(v)
		}
	}
	for j := range acc {
		acc[j] += odd[j]
	}
}
