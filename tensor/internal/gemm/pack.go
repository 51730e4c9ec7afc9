package gemm

// packA copies rows [i0, i0+rows) and columns [p0, p0+kb) of op(A) into dst
// as mr-row micro-panels: panel q holds element (i0+q*mr+r, p0+p) at
// dst[q*mr*kb + p*mr + r]. Rows past the end are zero.
func packA(dst, a []float32, lda int, transA bool, i0, rows, p0, kb, mr int) {
	if transA {
		// op(A)(i, p) = a[p*lda+i]: op(A)'s mr-row panels are the
		// mr-column panels of the (k, m) matrix a, which packB lays out.
		packB(dst, a, lda, false, i0, rows, p0, kb, mr)
		return
	}
	for q := 0; q*mr < rows; q++ {
		ir := i0 + q*mr
		h := min(mr, rows-q*mr)
		d := dst[q*mr*kb : (q+1)*mr*kb]
		if h == mr && mr == 12 {
			packA12(d, a, lda, ir, p0, kb)
			continue
		}
		for r := range h {
			src := a[(ir+r)*lda+p0 : (ir+r)*lda+p0+kb]
			for p, v := range src {
				d[p*mr+r] = v
			}
		}
		if h < mr {
			for p := range kb {
				clear(d[p*mr+h : p*mr+mr])
			}
		}
	}
}

// packA12 packs one full 12-row micro-panel of a non-transposed A, reading
// the twelve rows side by side so that each store is a contiguous run.
func packA12(d, a []float32, lda, ir, p0, kb int) {
	if t12 := fastTranspose12; t12 != nil {
		// 16 k steps at a time in registers, the rest below.
		pt := kb / 16 * 16
		_ = a[(ir+11)*lda+p0+kb-1] // the last element read
		_ = d[12*kb-1]
		for p := 0; p < pt; p += 16 {
			t12(&d[p*12], &a[ir*lda+p0+p], lda)
		}
		d, p0, kb = d[pt*12:], p0+pt, kb-pt
		if kb == 0 {
			return
		}
	}
	var rs [12][]float32
	for r := range rs {
		rs[r] = a[(ir+r)*lda+p0 : (ir+r)*lda+p0+kb]
	}
	r0, r1, r2, r3, r4, r5 := rs[0], rs[1][:len(rs[0])], rs[2][:len(rs[0])], rs[3][:len(rs[0])], rs[4][:len(rs[0])], rs[5][:len(rs[0])]
	r6, r7, r8, r9, r10, r11 := rs[6][:len(r0)], rs[7][:len(r0)], rs[8][:len(r0)], rs[9][:len(r0)], rs[10][:len(r0)], rs[11][:len(r0)]
	d = d[:12*len(r0)]
	for p := range r0 {
		dp := d[p*12 : p*12+12 : p*12+12]
		dp[0], dp[1], dp[2], dp[3] = r0[p], r1[p], r2[p], r3[p]
		dp[4], dp[5], dp[6], dp[7] = r4[p], r5[p], r6[p], r7[p]
		dp[8], dp[9], dp[10], dp[11] = r8[p], r9[p], r10[p], r11[p]
	}
}

// packB copies rows [p0, p0+kb) and columns [j0, j0+cols) of op(B) into dst
// as nr-column micro-panels: panel q holds element (p0+p, j0+q*nr+c) at
// dst[q*nr*kb + p*nr + c]. Columns past the end are zero.
func packB(dst, b []float32, ldb int, transB bool, j0, cols, p0, kb, nr int) {
	if !transB {
		// Row by row across all panels, so that B is read sequentially.
		full := cols / nr
		for p := range kb {
			src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+cols]
			for q := range full {
				copy(dst[q*nr*kb+p*nr:q*nr*kb+p*nr+nr], src[q*nr:q*nr+nr])
			}
		}
		if w := cols - full*nr; w > 0 {
			// The last, partial panel: zeros in one pass, then each row's
			// w columns by a loop, since a copy and a clear call per row
			// cost more than they move when w is a few columns (the
			// whole of B for n = 3).
			d := dst[full*nr*kb : (full+1)*nr*kb]
			clear(d)
			for p := range kb {
				src := b[(p0+p)*ldb+j0+full*nr : (p0+p)*ldb+j0+cols]
				dp := d[p*nr : p*nr+len(src)]
				//lint:ignore S1001 a memmove call per row costs more than moving w < 32 floats
				for c, v := range src {
					dp[c] = v
				}
			}
		}
		return
	}
	for q := 0; q*nr < cols; q++ {
		jr := j0 + q*nr
		w := min(nr, cols-q*nr)
		d := dst[q*nr*kb : (q+1)*nr*kb]
		// op(B)(p, j) = b[j*ldb+p]: each column of the panel is a
		// contiguous run of B's row j. Whole 16×16 blocks are transposed
		// in registers where the CPU can.
		c0 := 0
		if t16 := fastTranspose16; t16 != nil {
			pt := kb / 16 * 16
			for ; c0+16 <= w; c0 += 16 {
				for p := 0; p < pt; p += 16 {
					t16(&d[p*nr+c0], nr, &b[(jr+c0)*ldb+p0+p], ldb)
				}
				for c := c0; c < c0+16; c++ {
					for p := pt; p < kb; p++ {
						d[p*nr+c] = b[(jr+c)*ldb+p0+p]
					}
				}
			}
		}
		for c := c0; c < w; c++ {
			src := b[(jr+c)*ldb+p0 : (jr+c)*ldb+p0+kb]
			for p, v := range src {
				d[p*nr+c] = v
			}
		}
		if w < nr {
			for p := range kb {
				clear(d[p*nr+w : p*nr+nr])
			}
		}
	}
}

// fastTranspose16 and fastTranspose12 are transpose16 and transpose12
// where the CPU has them, else nil.
var (
	fastTranspose16 = archTranspose16()
	fastTranspose12 = archTranspose12()
)
