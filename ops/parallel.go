package ops

import "github.com/gotensor/gotensor/tensor"

// Work below these sizes stays on one goroutine: about 20 µs of it, so
// that sharing a loop between goroutines (tensor.ParallelFor) costs little
// beside it.
const (
	elemGrain = 1 << 15 // elements of an elementwise kernel
	rowGrain  = 1 << 14 // elements of whole rows of a row kernel

	// headGrain is about the Tq·T·D (queries, keys, head size) of the
	// heads one goroutine of MultiHeadSelfAttention takes at a time (some
	// 20 µs of work, as above).
	headGrain = 1 << 18
)

// chunks calls fn(lo, hi) on ranges that cover [0, n) elements, in
// parallel for a long slice. The kernels it runs are elementwise, so their
// results do not depend on the ranges; ranges start at multiples of 64
// so that each holds whole vectors.
func chunks(n int, fn func(lo, hi int)) {
	const unit = 64
	tensor.ParallelFor((n+unit-1)/unit, elemGrain/unit, func(lo, hi int) { fn(lo*unit, min(hi*unit, n)) })
}

// rowBlocks calls fn(lo, hi) on ranges that cover rows [0, n) of c
// elements each, in parallel when there are many. Ranges start at
// multiples of 4 rows, the row kernels' widest block.
func rowBlocks(n, c int, fn func(lo, hi int)) {
	const unit = 4
	grain := max(1, rowGrain/max(1, c*unit))
	tensor.ParallelFor((n+unit-1)/unit, grain, func(lo, hi int) { fn(lo*unit, min(hi*unit, n)) })
}
