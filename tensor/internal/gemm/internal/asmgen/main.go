//go:build ignore

// Asmgen writes kernel_amd64.s, the AVX-512 and AVX2+FMA microkernels of
// package gemm. Run it from the gemm directory with `go generate`.
//
// Each kernel computes one register tile T = Σ_p a[p]·b[p] over a k-long
// pass, where element (r, p) of A is a[r*rsa+p*csa] (a packed micro-panel,
// or the caller's A read in place) and b holds nr columns per k step, ldb
// floats apart (b[p*ldb+c]). It then stores C = T (acc == 0) or C += T
// (acc != 0), row r at c[r*ldc:].
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
)

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }
func label(s string)               { fmt.Fprintf(&out, "%s:\n", s) }

// kernel emits one microkernel: mr rows by nv vectors of width lanes.
// reg is the register prefix (Z or Y), vb the vector size in bytes.
// The accumulators are reg0..reg(mr*nv-1); B vectors follow, then nbc
// broadcast temporaries used in rotation.
//
// Row r of A is read at a + r*rsa floats, stepping csa floats per k. The
// rows are addressed from four bases (rows 0, 3, 6 and 9) plus 0, 1 or 2
// times rsa, so every row costs no extra register.
//
// A masked kernel (AVX-512 only) takes one more argument, mask, and reads
// and writes only the lanes of the last vector of B and of each row of C
// that are set in it: the right edge, where the tile is narrower than nr.
//
// A biased kernel takes one more argument, bias, and adds bias[c] to
// column c of every row after adding C, (C + T) + bias, the order in which
// GemmBias's separate pass adds it: the bias costs one add per
// accumulator instead of a second load and store of the tile.
func kernel(name, reg string, mr, nv, vb, nbc int, masked, biased bool) {
	acc := func(r, v int) string { return fmt.Sprintf("%s%d", reg, r*nv+v) }
	bv := func(v int) string { return fmt.Sprintf("%s%d", reg, mr*nv+v) }
	bc := func(i int) string { return fmt.Sprintf("%s%d", reg, mr*nv+nv+i%nbc) }
	bases := []string{"AX", "SI", "DX", "R10"}[:(mr+2)/3]
	arow := func(r int) string {
		switch r % 3 {
		case 0:
			return fmt.Sprintf("(%s)", bases[r/3])
		case 1:
			return fmt.Sprintf("(%s)(R8*1)", bases[r/3])
		}
		return fmt.Sprintf("(%s)(R8*2)", bases[r/3])
	}
	frame, extra := 72, ""
	switch {
	case masked:
		frame, extra = 80, ", mask int"
	case biased:
		frame, extra = 80, ", bias *float32"
	}
	fmt.Fprintf(&out, "// func %s(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int%s)\n", name, extra)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, frame)
	p("MOVQ k+0(FP), CX")
	p("MOVQ a+8(FP), AX")
	p("MOVQ rsa+16(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ csa+24(FP), R12")
	p("SHLQ $2, R12")
	p("MOVQ b+32(FP), BX")
	p("MOVQ ldb+40(FP), R9")
	p("SHLQ $2, R9")
	// Prefetch the C tile now so that its loads at the end do not stall:
	// C is touched once per pass and is usually out of L1.
	p("MOVQ c+48(FP), DI")
	p("MOVQ ldc+56(FP), R13")
	p("SHLQ $2, R13")
	for r := range mr {
		p("PREFETCHT0 (DI)")
		p("PREFETCHT0 %d(DI)", nv*vb-1)
		if r < mr-1 {
			p("ADDQ R13, DI")
		}
	}
	p("LEAQ (R8)(R8*2), R11") // 3 rows
	for i := 1; i < len(bases); i++ {
		p("LEAQ (%s)(R11*1), %s", bases[i-1], bases[i])
	}
	for r := range mr {
		for v := range nv {
			p("VXORPS %s, %s, %s", acc(r, v), acc(r, v), acc(r, v))
		}
	}
	if masked {
		// The last vector of B is loaded under the mask too, so that B
		// may be read in place up to its last column.
		p("MOVQ mask+72(FP), R11")
		p("KMOVW R11, K1")
	}
	label(name + "_loop")
	for v := range nv {
		if masked && v == nv-1 {
			p("VMOVUPS.Z %d(BX), K1, %s", v*vb, bv(v))
			continue
		}
		p("VMOVUPS %d(BX), %s", v*vb, bv(v))
	}
	for r := range mr {
		if nv == 1 && reg == "Z" { // embedded broadcast is EVEX, AVX-512 only
			// A broadcast used once: the FMA's embedded broadcast saves
			// the separate broadcast, which on Zen 4 caps a one-vector
			// kernel at about 70% of the FMA peak.
			p("VFMADD231PS.BCST %s, %s, %s", arow(r), bv(0), acc(r, 0))
			continue
		}
		p("VBROADCASTSS %s, %s", arow(r), bc(r))
		for v := range nv {
			p("VFMADD231PS %s, %s, %s", bv(v), bc(r), acc(r, v))
		}
	}
	for _, b := range bases {
		p("ADDQ R12, %s", b)
	}
	p("ADDQ R9, BX")
	p("DECQ CX")
	p("JNZ %s_loop", name)

	p("MOVQ c+48(FP), DI")
	p("MOVQ ldc+56(FP), R10")
	p("SHLQ $2, R10")
	// kmask is the mask operand for vector v: K1 on a masked kernel's last
	// vector, whose lanes past the edge are neither loaded nor stored.
	kmask := func(v int) string {
		if masked && v == nv-1 {
			return "K1, "
		}
		return ""
	}
	if biased {
		// The B vectors are free now: they hold the bias.
		p("MOVQ bias+72(FP), R11")
		for v := range nv {
			p("VMOVUPS %d(R11), %s", v*vb, bv(v))
		}
	}
	// addBias adds the bias to accumulator (r, v), if the kernel has one.
	addBias := func(r, v int) {
		if biased {
			p("VADDPS %s, %s, %s", bv(v), acc(r, v), acc(r, v))
		}
	}
	p("MOVQ acc+64(FP), DX")
	p("TESTQ DX, DX")
	p("JZ %s_store", name)
	for r := range mr {
		for v := range nv {
			p("VADDPS %d(DI), %s, %s%s", v*vb, acc(r, v), kmask(v), acc(r, v))
			addBias(r, v)
			p("VMOVUPS %s, %s%d(DI)", acc(r, v), kmask(v), v*vb)
		}
		if r < mr-1 {
			p("ADDQ R10, DI")
		}
	}
	p("VZEROUPPER")
	p("RET")
	label(name + "_store")
	for r := range mr {
		for v := range nv {
			addBias(r, v)
			p("VMOVUPS %s, %s%d(DI)", acc(r, v), kmask(v), v*vb)
		}
		if r < mr-1 {
			p("ADDQ R10, DI")
		}
	}
	p("VZEROUPPER")
	p("RET")
	out.WriteString("\n")
}

// transpose emits transpose16(dst *float32, ldd int, src *float32, lds int),
// which writes the transpose of the 16×16 block at src (rows lds floats
// apart) to dst (rows ldd floats apart): dst[i*ldd+j] = src[j*lds+i], and
// transpose12(dst *float32, src *float32, lds int), the same network on 12
// rows and 4 zero rows, which packs 16 k steps of a 12-row A micro-panel:
// dst[p*12+r] = src[r*lds+p]. The shuffle network is simulated here to
// find which register ends up holding which column, so the stores cannot
// be misrouted.
func transpose() {
	type vec [16]int // element labels row*16+col
	var z [32]vec
	for r := range 16 {
		for c := range 16 {
			z[r][c] = r*16 + c
		}
	}
	var ops []string
	op3 := func(name string, f func(a, b vec) vec, dst, a, b int) {
		z[dst] = f(z[a], z[b])
		ops = append(ops, fmt.Sprintf("%s Z%d, Z%d, Z%d", name, b, a, dst))
	}
	unpck := func(wide, hi int) func(a, b vec) vec {
		return func(a, b vec) vec {
			var d vec
			for l := range 4 {
				for i := range 4 {
					src := a
					if (i/wide)%2 == 1 {
						src = b
					}
					d[l*4+i] = src[l*4+hi*2+(i/(2*wide))*wide+i%wide]
				}
			}
			return d
		}
	}
	shuf := func(imm int) func(a, b vec) vec {
		return func(a, b vec) vec {
			var d vec
			for l := range 4 {
				src := a
				if l >= 2 {
					src = b
				}
				sel := (imm >> (2 * l)) & 3
				copy(d[l*4:l*4+4], src[sel*4:sel*4+4])
			}
			return d
		}
	}
	shufOp := func(imm, dst, a, b int) {
		z[dst] = shuf(imm)(z[a], z[b])
		ops = append(ops, fmt.Sprintf("VSHUFF32X4 $0x%x, Z%d, Z%d, Z%d", imm, b, a, dst))
	}
	// Stage 1: rows 0..15 in Z0..Z15 → Z16..Z31, 32-bit interleave.
	for i := range 8 {
		op3("VUNPCKLPS", unpck(1, 0), 16+2*i, 2*i, 2*i+1)
		op3("VUNPCKHPS", unpck(1, 1), 16+2*i+1, 2*i, 2*i+1)
	}
	// Stage 2: 64-bit interleave → Z0..Z15.
	for g := range 4 {
		t := 16 + 4*g
		op3("VUNPCKLPD", unpck(2, 0), 4*g+0, t+0, t+2)
		op3("VUNPCKHPD", unpck(2, 1), 4*g+1, t+0, t+2)
		op3("VUNPCKLPD", unpck(2, 0), 4*g+2, t+1, t+3)
		op3("VUNPCKHPD", unpck(2, 1), 4*g+3, t+1, t+3)
	}
	// Stage 3: 128-bit lanes between row groups 0-3/4-7 and 8-11/12-15 → Z16..Z31.
	for h := range 2 {
		for i := range 4 {
			shufOp(0x88, 16+8*h+i, 8*h+i, 8*h+4+i)
			shufOp(0xdd, 16+8*h+4+i, 8*h+i, 8*h+4+i)
		}
	}
	// Stage 4 → Z0..Z15.
	for i := range 8 {
		shufOp(0x88, i, 16+i, 24+i)
		shufOp(0xdd, 8+i, 16+i, 24+i)
	}
	// Each of Z0..Z15 must now hold one column in row order.
	col := make(map[int]int)
	for r := range 16 {
		c := z[r][0] % 16
		for i := range 16 {
			if z[r][i] != i*16+c {
				panic(fmt.Sprintf("transpose: Z%d = %v is not a column", r, z[r]))
			}
		}
		col[c] = r
	}
	out.WriteString("// func transpose16(dst *float32, ldd int, src *float32, lds int)\n")
	out.WriteString("TEXT ·transpose16(SB), NOSPLIT, $0-32\n")
	p("MOVQ dst+0(FP), DI")
	p("MOVQ ldd+8(FP), DX")
	p("SHLQ $2, DX")
	p("MOVQ src+16(FP), SI")
	p("MOVQ lds+24(FP), CX")
	p("SHLQ $2, CX")
	for r := range 16 {
		p("VMOVUPS (SI), Z%d", r)
		if r < 15 {
			p("ADDQ CX, SI")
		}
	}
	for _, o := range ops {
		p("%s", o)
	}
	for c := range 16 {
		p("VMOVUPS Z%d, (DI)", col[c])
		if c < 15 {
			p("ADDQ DX, DI")
		}
	}
	p("VZEROUPPER")
	p("RET")
	out.WriteString("\n")

	// transpose12 packs 16 k steps of a 12-row A micro-panel: the same
	// network on 12 rows and 4 zero rows, each column stored as 12 floats.
	out.WriteString("// func transpose12(dst *float32, src *float32, lds int)\n")
	out.WriteString("TEXT ·transpose12(SB), NOSPLIT, $0-24\n")
	p("MOVQ dst+0(FP), DI")
	p("MOVQ src+8(FP), SI")
	p("MOVQ lds+16(FP), CX")
	p("SHLQ $2, CX")
	for r := range 12 {
		p("VMOVUPS (SI), Z%d", r)
		if r < 11 {
			p("ADDQ CX, SI")
		}
	}
	for r := 12; r < 16; r++ {
		p("VXORPS Z%d, Z%d, Z%d", r, r, r)
	}
	for _, o := range ops {
		p("%s", o)
	}
	p("MOVQ $0xfff, AX")
	p("KMOVW AX, K1")
	for c := range 16 {
		p("VMOVUPS Z%d, K1, %d(DI)", col[c], 48*c)
	}
	p("VZEROUPPER")
	p("RET")
}

func main() {
	out.WriteString("// Code generated by internal/asmgen/main.go; DO NOT EDIT.\n\n")
	out.WriteString("//go:build amd64 && !purego\n\n#include \"textflag.h\"\n\n")
	// 12×32: 24 zmm accumulators, 2 B vectors, 6 rotating broadcasts.
	kernel("kernAVX512", "Z", 12, 2, 64, 6, false, false)
	kernel("kernAVX512Bias", "Z", 12, 2, 64, 6, false, true)
	// 6×16: 12 ymm accumulators, 2 B vectors, 2 rotating broadcasts.
	kernel("kernAVX2", "Y", 6, 2, 32, 2, false, false)
	kernel("kernAVX2Bias", "Y", 6, 2, 32, 2, false, true)
	// Kernels for the last rows of C when m is not a multiple of mr.
	var decl bytes.Buffer
	decl.WriteString("// Code generated by internal/asmgen/main.go; DO NOT EDIT.\n\n")
	decl.WriteString("//go:build amd64 && !purego\n\npackage gemm\n\n")
	table := func(name, base, reg string, mr, vb, nbc int) {
		fmt.Fprintf(&decl, "// %s[h] computes only the first h rows of a %s tile.\nvar %s = [...]kernelFunc{", name, base, name)
		for h := 1; h < mr; h++ {
			fn := fmt.Sprintf("%sx%d", base, h)
			kernel(fn, reg, h, 2, vb, nbc, false, false)
			fmt.Fprintf(&decl, "%d: %s, ", h, fn)
		}
		fmt.Fprintf(&decl, "%d: %s}\n\n", mr, base)
		for h := 1; h < mr; h++ {
			fmt.Fprintf(&decl, "//go:noescape\nfunc %sx%d(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int)\n\n", base, h)
		}
	}
	table("edgeAVX512", "kernAVX512", "Z", 12, 64, 6)
	table("edgeAVX2", "kernAVX2", "Y", 6, 32, 2)
	// Masked AVX-512 kernels for the right edge: [nv-1][h] for a tile of
	// h rows and 16·(nv-1) < w ≤ 16·nv columns.
	decl.WriteString("// maskedAVX512[v][h] computes h rows and at most 16·(v+1) columns of a\n// kernAVX512 tile, reading B and writing C in the last 16 columns under a\n// lane mask.\n")
	decl.WriteString("var maskedAVX512 = [2][]maskedFunc{\n")
	for nv := 1; nv <= 2; nv++ {
		decl.WriteString("{")
		for h := 1; h <= 12; h++ {
			fn := fmt.Sprintf("kernAVX512m%dx%d", nv, h)
			kernel(fn, "Z", h, nv, 64, 6, true, false)
			fmt.Fprintf(&decl, "%d: %s, ", h, fn)
		}
		decl.WriteString("},\n")
	}
	decl.WriteString("}\n\n")
	for nv := 1; nv <= 2; nv++ {
		for h := 1; h <= 12; h++ {
			fmt.Fprintf(&decl, "//go:noescape\nfunc kernAVX512m%dx%d(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, acc int, mask int)\n\n", nv, h)
		}
	}
	transpose()
	write("kernel_amd64.s", out.Bytes())
	src, err := format.Source(decl.Bytes())
	if err != nil {
		panic(err)
	}
	write("kernel_edge_amd64.go", src)
}

func write(name string, b []byte) {
	if err := os.WriteFile(name, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
