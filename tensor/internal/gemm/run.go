package gemm

import "sync"

// buffers are one goroutine's packing space, reused between calls.
type buffers struct {
	a    []float32 // packed A block: mb×kc in mr-row micro-panels
	b    []float32 // packed B block: kc×nb in nr-column micro-panels
	t    []float32 // Cᵀ of a product computed transposed
	tile [maxMR * maxNR]float32
}

var bufPool = sync.Pool{New: func() any { return new(buffers) }}

// grow returns x resized to n floats, reallocating only when it must.
func grow(x []float32, n int) []float32 {
	if cap(x) < n {
		return make([]float32, n)
	}
	return x[:n]
}

// run computes the block [i0, i1)×[j0, j1) of C, the BLIS loops around the
// kernel: k passes (pc) outermost, so that every element of C gets its
// passes added in order; then row blocks of A (ib, packed once per pass),
// column blocks of B (jb, packed into L2), A micro-panels (ir, in L1), and
// B micro-panels (jr), each pair one kernel call. i0 and j0 are multiples
// of the kernel's mr and nr.
func (g *call) run(i0, i1, j0, j1 int, buf *buffers) {
	mr, nr := g.ker.mr, g.ker.nr
	rows := (min(mb, i1-i0) + mr - 1) / mr * mr
	if g.directA {
		rows = mr // at most the last panel is packed
	}
	buf.a = grow(buf.a, rows*g.kc)
	cols := (min(nb, j1-j0) + nr - 1) / nr * nr
	if g.directB {
		cols = nr
	}
	buf.b = grow(buf.b, cols*g.kc)
	for pc := 0; pc < g.k; pc += g.kc {
		kb := min(g.kc, g.k-pc)
		acc := 0
		if pc > 0 || g.accumulate {
			acc = 1
		}
		for ib := i0; ib < i1; ib += mb {
			ie := min(ib+mb, i1)
			if !g.directA {
				packA(buf.a, g.a, g.lda, g.transA, ib, ie-ib, pc, kb, mr)
			} else if h := (ie - ib) % mr; h != 0 && g.ker.rows == nil {
				// Only the last, partial panel is packed and padded, for
				// kernels that always read mr rows.
				packA(buf.a, g.a, g.lda, g.transA, ie-h, h, pc, kb, mr)
			}
			for jb := j0; jb < j1; jb += nb {
				je := min(jb+nb, j1)
				if !g.directB {
					packB(buf.b, g.b, g.ldb, g.transB, jb, je-jb, pc, kb, nr)
				} else if w := (je - jb) % nr; w != 0 && g.ker.masked[0] == nil {
					// The last, partial panel is packed and padded so the
					// kernel never reads past B's columns; masked kernels
					// read it in place under their mask.
					packB(buf.b, g.b, g.ldb, false, je-w, w, pc, kb, nr)
				}
				g.macro(ib, ie, jb, je, pc, kb, acc, buf)
			}
		}
	}
}

// macro runs the kernel over the packed A block [ib, ie) and the B block
// [jb, je) for the pass at pc of length kb.
func (g *call) macro(ib, ie, jb, je, pc, kb, acc int, buf *buffers) {
	mr := g.ker.mr
	last := pc+kb == g.k
	bias := g.bias != nil && last // the last pass adds the bias to each tile
	for ir := ib; ir < ie; ir += mr {
		h := min(mr, ie-ir)
		g.panel(ir, h, ib, jb, je, pc, kb, acc, bias, buf)
		if last && g.epi != nil {
			g.epi(ir, ir+h, jb, je) // the row panel, just written, is still in L1
		}
	}
}

// panel runs the kernel over the row panel [ir, ir+h) of the packed A block
// that starts at row ib, against the B block [jb, je), for the pass at pc of
// length kb, and adds the bias to each tile if bias is set.
func (g *call) panel(ir, h, ib, jb, je, pc, kb, acc int, bias bool, buf *buffers) {
	ker := g.ker
	mr, nr := ker.mr, ker.nr
	// k0, k1: the part of the pass in which this tile's rows of op(A)
	// can be nonzero (all of it unless op(A) is triangular).
	k0, k1 := 0, kb
	switch g.tri {
	case Lower:
		k1 = min(kb, ir+h-pc)
	case Upper:
		k0 = max(0, ir-pc)
	}
	if k1 <= k0 { // no term in this pass: the first leaves zeros
		if acc == 0 {
			for r := ir; r < ir+h; r++ {
				clear(g.c[r*g.ldc+jb : r*g.ldc+je])
			}
		}
		return // no bias here: it comes only with Full, where k1 > k0
	}
	kk := k1 - k0
	fn := ker.fn
	if h < mr && ker.rows != nil {
		fn = ker.rows[h] // reads and writes only h rows
	}
	ap, rsa, csa := &buf.a[k0*mr], 1, mr
	switch {
	case !g.directA:
		ap = &buf.a[(ir-ib)*kb+k0*mr]
	case h < mr && ker.rows == nil:
		// the packed last panel
	case g.transA:
		ap, rsa, csa = &g.a[(pc+k0)*g.lda+ir], 1, g.lda
	default:
		ap, rsa, csa = &g.a[ir*g.lda+pc+k0], g.lda, 1
	}
	for jr := jb; jr < je; jr += nr {
		w := min(nr, je-jr)
		bp, ldb := &buf.b[k0*nr], nr
		switch {
		case !g.directB:
			bp = &buf.b[(jr-jb)*kb+k0*nr]
		case w == nr || ker.masked[0] != nil:
			bp, ldb = &g.b[(pc+k0)*g.ldb+jr], g.ldb
		}
		switch {
		case bias && w == nr && h == mr && ker.biased != nil:
			ker.biased(kk, ap, rsa, csa, bp, ldb, &g.c[ir*g.ldc+jr], g.ldc, acc, &g.bias[jr])
			continue // the bias is in
		case w == nr && (h == mr || ker.rows != nil):
			fn(kk, ap, rsa, csa, bp, ldb, &g.c[ir*g.ldc+jr], g.ldc, acc)
		case ker.masked[0] != nil:
			v := (w - 1) / 16 // the last vector, masked to w-16·v lanes
			ker.masked[v][h](kk, ap, rsa, csa, bp, ldb, &g.c[ir*g.ldc+jr], g.ldc, acc, 1<<(w-16*v)-1)
		default:
			// An edge tile goes through buf.tile; adding it to C
			// rounds exactly as the kernel's own C += T does.
			fn(kk, ap, rsa, csa, bp, ldb, &buf.tile[0], nr, 0)
			for r := range h {
				t := buf.tile[r*nr : r*nr+w]
				cr := g.c[(ir+r)*g.ldc+jr : (ir+r)*g.ldc+jr+w]
				if acc != 0 {
					for j, v := range t {
						cr[j] += v
					}
				} else {
					copy(cr, t)
				}
			}
		}
		if bias {
			ker.bias(&g.c[ir*g.ldc+jr], g.ldc, &g.bias[jr], h, w)
		}
	}
}

// tiny computes a product too small to pack: C = op(A)·op(B) or C +=, with
// a float32 sum in p order per element.
func tiny(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	for i := range m {
		for j := range n {
			var s float32
			for p := range k {
				ia, ib := i*lda+p, p*ldb+j
				if transA {
					ia = p*lda + i
				}
				if transB {
					ib = j*ldb + p
				}
				av, bv := a[ia], b[ib]
				s += av * bv
			}
			if accumulate {
				c[i*ldc+j] += s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}
