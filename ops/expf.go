package ops

import "github.com/gotensor/gotensor/ops/internal/vecmath"

// The elementwise math lives in internal/vecmath, whose kernels run in
// AVX-512 or AVX2 assembly where the processor has it; these are the names
// that ops uses.

// expf returns e^x in float32, within 2 ulp of the correctly rounded value
// over the whole range (vecmath.Expf). Results below 2^-126 flush to 0, and
// x > 88.72 gives +Inf; NaN gives NaN.
func expf(x float32) float32 { return vecmath.Expf(x) }

// expSub sets y[i] = e^(x[i] - m) for x[i] - m <= 0, within 2 ulp, and
// returns Σ y in float64, NaN lanes left out (vecmath.ExpSub). It is the
// inner loop of a softmax over a contiguous row.
func expSub(y, x []float32, m float32) float64 { return vecmath.ExpSub(y, x, m) }
