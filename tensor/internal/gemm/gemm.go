package gemm

import (
	"fmt"
	"sync"
)

// Block sizes, in floats; see doc.go for how they were chosen. kcMax bounds
// the k-long pass of one kernel call (A micro-panel kc×mr in L1), nb the
// columns of one packed B block (kc×nb in L2), mb the rows of one packed A
// block (mb×kc in L3). nb and mb must be multiples of every kernel's nr
// and mr.
var (
	kcMax = 384
	nb    = 512
	mb    = 1536
)

// directBMax is the largest kc×n block of a non-transposed B that kernels
// read in place instead of packing (it then sits in L2 by itself).
var directBMax = 160 * 1024

// directAMaxN is the widest product whose kernels read a row-major A in
// place rather than packing it: packing pays only when a micro-panel
// serves many column tiles. Leading dimensions that are multiples of
// 4 KiB are packed anyway, since their rows would share L1 sets.
var directAMaxN = 1024

// tinyMNK is the largest m·n·k computed by the plain loop in tiny, which
// skips packing and the kernels altogether.
const tinyMNK = 8 * 8 * 8

// transposeNarrow enables the transposed product for narrow C (see
// transposed); tests turn it off to compare.
var transposeNarrow = true

// useDot enables dot products for A·Bᵀ with at most four columns (see
// dots); tests turn it off to compare.
var useDot = true

// dotFunc computes out[r*4+j] = Σ_p ar[p]·bj[p] for r < 2, j < 4.
type dotFunc func(k int, a0, a1, b0, b1, b2, b3, out *float32)

// dots computes C = A·Bᵀ, or adds it to C, for a row-major A and an
// (n, k) B with n <= 4, as dot products of rows, two rows of A at a time.
// Both operands are read in place: with so few columns, packing A (or
// transposing it, as transposed does) costs more than the arithmetic, which
// here is one pass over A. Each element is one dot product summed in a
// fixed order, so the result does not depend on the thread count.
func dots(dot dotFunc, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	var rows [4]*float32
	for j := range rows {
		rows[j] = &b[min(j, n-1)*ldb] // unused rows repeat the last one
	}
	var out [8]float32
	for i := 0; i < m; i += 2 {
		i1 := min(i+1, m-1)
		dot(k, &a[i*lda], &a[i1*lda], rows[0], rows[1], rows[2], rows[3], &out[0])
		for r := range i1 - i + 1 { // both rows, or the last one alone
			cr := c[(i+r)*ldc : (i+r)*ldc+n]
			if accumulate {
				for j := range cr {
					cr[j] += out[r*4+j]
				}
			} else {
				copy(cr, out[r*4:r*4+n])
			}
		}
	}
}

// parMNK is the smallest m·n·k split over several goroutines; smaller
// products stay on the caller's goroutine.
var parMNK = 64 * 64 * 128

// The largest tile of any kernel.
const maxMR, maxNR = 12, 32

// Gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is true,
// where op(A) is (m, k) and op(B) is (k, n). A is stored (m, k) with leading
// dimension lda, or (k, m) when transA; B is stored (k, n) with leading
// dimension ldb, or (n, k) when transB. C is (m, n) with leading dimension ldc.
//
// Gemm panics if a dimension is negative, a leading dimension is smaller
// than its row, or a slice is too short for its matrix.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	product(Full, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, nil, nil)
}

// GemmBias computes C = op(A)·op(B) + bias, with bias (n values) added to
// every row of C: a layer's forward pass. Each element is the product's
// sum, rounded, plus its bias, rounded, as Gemm followed by a pass adding
// the bias gives; but the bias goes into each tile of C in the product's
// last pass, while the tile is in cache: by the kernel as it stores a
// full tile where the kernel has a biased variant (AVX-512, AVX2), and
// right after the kernel otherwise. It panics as Gemm does, or
// if bias has fewer than n values.
func GemmBias(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
	product(Full, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, false, checkBias(bias, n), nil)
}

// checkBias returns bias cut to its n values, or panics if it has fewer.
func checkBias(bias []float32, n int) []float32 {
	if len(bias) < n {
		panic(fmt.Sprintf("gemm: len(bias) = %d for n = %d", len(bias), n))
	}
	return bias[:n:n]
}

// A Triangle says which half of op(A) holds zeros, so that a product may
// skip the blocks of it that are all zero.
type Triangle int

const (
	Full  Triangle = iota // every entry counts
	Lower                 // op(A)[i][p] is zero for p > i
	Upper                 // op(A)[i][p] is zero for p < i
)

// GemmTri is Gemm for an op(A) that holds zeros above (Lower) or below
// (Upper) its diagonal, as the weights of causal attention and their
// transposes do: each row tile of C takes only the part of k in which its
// rows can have nonzero terms, so the zero blocks of op(A) cost nothing
// (those on the diagonal are still multiplied in). C is what Gemm gives,
// bit for bit wherever B is finite: an omitted term 0·b adds a zero (with
// b infinite or NaN it would have added NaN).
func GemmTri(tri Triangle, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	product(tri, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, nil, nil)
}

// An Epilogue finishes the block of C in rows [i0, i1) and columns
// [j0, j1): GemmEpilogue calls it once the block holds its final product
// (every pass over k, and the bias, added), while the block is still in
// cache. The blocks of one call cover C once, without overlap; they may be
// finished concurrently on several goroutines, so an Epilogue must touch
// only its own block (of C, and of any array laid out like C). If it
// panics, GemmEpilogue panics with the same value on the caller's
// goroutine once every goroutine has stopped, and C is then undefined.
type Epilogue func(i0, i1, j0, j1 int)

// GemmEpilogue is Gemm, with bias (n values, or nil) added to every row of
// C as GemmBias adds it, that then hands each finished block of C to epi:
// an elementwise function applied to the product, such as a layer's
// activation, runs on data still in cache instead of in a second pass over
// C. How C is cut into blocks depends on the shape and the thread count,
// so epi must give each element the same result whatever block it is in.
// It panics as GemmBias does.
func GemmEpilogue(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool, bias []float32, epi Epilogue) {
	if bias != nil {
		bias = checkBias(bias, n)
	}
	product(Full, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, epi)
}

// product is Gemm, GemmTri, GemmBias and GemmEpilogue: bias, if not nil,
// is added to C's rows, and then tri is Full (panel relies on this: every
// tile then has terms in every pass); epi, if not nil, is called on each
// finished block of C.
func product(tri Triangle, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool, bias []float32, epi Epilogue) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension in m, n, k = %d, %d, %d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	checkMatrix("c", c, m, n, ldc)
	if k == 0 {
		if !accumulate {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		finish(c, ldc, m, n, bias, epi)
		return
	}
	if transA {
		checkMatrix("a", a, k, m, lda)
	} else {
		checkMatrix("a", a, m, k, lda)
	}
	if transB {
		checkMatrix("b", b, n, k, ldb)
	} else {
		checkMatrix("b", b, k, n, ldb)
	}
	ker := active.Load()
	// Only the blocked path below skips a triangle's zero blocks.
	if tri == Full && shortcut(ker, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate) {
		finish(c, ldc, m, n, bias, epi)
		return
	}
	g := callPool.Get().(*call)
	g.problem = problem{
		transA: transA, transB: transB, m: m, n: n, k: k,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
		accumulate: accumulate, ker: ker, tri: tri, bias: bias, epi: epi,
	}
	g.kc = kcFor(k)
	// With a single row panel every B panel is used once: packing is waste.
	g.directB = !transB && (g.kc*n <= directBMax || m <= g.ker.mr)
	g.directA = n <= directAMaxN && lda%1024 != 0
	g.split()
	var panicked any // an epilogue's panic, from any part
	if g.parts == 1 {
		buf := bufPool.Get().(*buffers)
		g.run(0, m, 0, n, buf)
		bufPool.Put(buf)
	} else {
		panicked = dispatch(&g.team, g.parts)
	}
	g.problem = problem{} // drop the caller's slices; g.team stays for late workers
	callPool.Put(g)
	if panicked != nil {
		panic(panicked)
	}
}

// transposed computes a product with few columns and more rows as
// Cᵀ = op(B)ᵀ·op(A)ᵀ into a buffer, then transposes it into C. The kernels
// hold a tile's columns across vector lanes, so n = 3 (a layer with three
// outputs) would leave 29 of 32 lanes idle, while in Cᵀ the m rows fill
// them. Each element is the same sum of the same products in the same
// order, so C is bitwise what the direct product gives.
func transposed(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	buf := bufPool.Get().(*buffers)
	t := grow(buf.t, n*m)
	if accumulate {
		// Cᵀ starts from C, so that the passes over k add into it in the
		// kernel's order.
		for i := range m {
			for j, v := range c[i*ldc : i*ldc+n] {
				t[j*m+i] = v
			}
		}
	}
	Gemm(!transB, !transA, n, m, k, b, ldb, a, lda, t, m, accumulate)
	for i := range m {
		cr := c[i*ldc : i*ldc+n]
		for j := range cr {
			cr[j] = t[j*m+i]
		}
	}
	buf.t = t
	bufPool.Put(buf)
}

func checkMatrix(name string, x []float32, rows, cols, ld int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("gemm: ld%s = %d is less than its %d columns", name, ld, cols))
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		panic(fmt.Sprintf("gemm: len(%s) = %d, want at least %d for (%d, %d) with ld%s = %d", name, len(x), need, rows, cols, name, ld))
	}
}

// kcFor splits k into passes of at most kcMax, as even as possible. It
// depends on k alone, so every element of C is summed in the same order
// whatever the thread split.
func kcFor(k int) int {
	passes := (k + kcMax - 1) / kcMax
	return (k + passes - 1) / passes
}

// A call holds one Gemm call's operands and how its work is split. Calls
// are reused, as their team is.
type call struct {
	problem
	team
}

// A problem is one Gemm call's operands and plan.
type problem struct {
	transA, transB bool
	m, n, k        int
	a, b, c        []float32
	lda, ldb, ldc  int
	accumulate     bool
	tri            Triangle  // op(A)'s known zero triangle
	bias           []float32 // added to C's rows after the last pass, or nil
	epi            Epilogue  // called on each block of C after the last pass, or nil
	ker            *kernel
	kc             int
	directA        bool // kernels read full A panels in place
	directB        bool // kernels read full B panels in place

	parts     int  // pieces of C, each computed by one goroutine
	splitRows bool // parts split the rows (else the columns) of C
}

var callPool = sync.Pool{New: func() any {
	g := new(call)
	g.do = g.runPart
	return g
}}

// split decides how many goroutines share the call and along which side of
// C. Each part owns whole tiles, so only the last part meets an edge.
// Splitting the rows makes every part pack all of B (unless B is read in
// place); splitting the columns makes every part pack all of A; the
// cheaper duplicate wins. Tiny products use one part.
func (g *call) split() {
	g.parts = 1
	if g.m*g.n*g.k < parMNK {
		return // before Threads, which reads GOMAXPROCS under the scheduler's lock
	}
	threads := min(Threads(), maxParts)
	if threads < 2 {
		return
	}
	mt := (g.m + g.ker.mr - 1) / g.ker.mr
	nt := (g.n + g.ker.nr - 1) / g.ker.nr
	dupRows := 0 // floats of B each row part packs again
	if !g.directB {
		dupRows = g.k * g.n
		if g.transB {
			dupRows *= 4 // transposing costs more than copying
		}
	}
	dupCols := g.m * g.k * 4 // floats of A each column part packs again
	if g.directA || g.transA {
		// A read in place is not packed, but each column part still
		// reads all of it from L2 or L3, as costly as a copy: at two
		// threads, (2048, 64)·(64, 256)ᵀ ran at 145 GFLOP/s split by
		// columns and 200 by rows.
		dupCols = g.m * g.k
	}
	switch {
	case mt >= threads && (dupRows <= dupCols || nt < threads):
		g.splitRows = true
	case nt >= threads:
		g.splitRows = false
	default:
		g.splitRows = mt >= nt
	}
	if g.splitRows {
		g.parts = min(threads, mt)
	} else {
		g.parts = min(threads, nt)
	}
}

// runPart computes part w of parts.
func (g *call) runPart(w int, buf *buffers) {
	if g.splitRows {
		mt := (g.m + g.ker.mr - 1) / g.ker.mr
		i0 := w * mt / g.parts * g.ker.mr
		i1 := min((w+1)*mt/g.parts*g.ker.mr, g.m)
		g.run(i0, i1, 0, g.n, buf)
		return
	}
	nt := (g.n + g.ker.nr - 1) / g.ker.nr
	j0 := w * nt / g.parts * g.ker.nr
	j1 := min((w+1)*nt/g.parts*g.ker.nr, g.n)
	g.run(0, g.m, j0, j1, buf)
}

// shortcut computes C by one of the paths for small or narrow products,
// if one fits, and reports whether it did.
func shortcut(ker *kernel, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) bool {
	switch {
	case m*n*k <= tinyMNK:
		tiny(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
	case useDot && ker.dot != nil && !transA && transB && n <= 4 && n < m:
		dots(ker.dot, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
	case transposeNarrow && n < m && n <= ker.nr/4:
		transposed(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
	default:
		return false
	}
	return true
}

// finish adds bias (nil for none) to each of the m rows of C and hands all
// of C to epi (nil for none), for the paths that do not go through tiles.
func finish(c []float32, ldc, m, n int, bias []float32, epi Epilogue) {
	if bias != nil {
		addBiasGo(&c[0], ldc, &bias[0], m, len(bias))
	}
	if epi != nil {
		epi(0, m, 0, n)
	}
}
