//go:build amd64 && !purego

#include "textflag.h"
#include "vecmath_amd64.h"

// Row kernels of LayerNorm, AVX-512 only: float64 sums of float32 rows and
// elementwise products, 16 lanes at a time with a masked last vector.

// TAILMASK sets K1 to the low CX bits (CX < 16) and K2, K3 to its low and
// high bytes, the masks of the two float64 halves of a vector.
#define TAILMASK \
	TAILMASK1; \
	KMOVW AX, K2; \
	SHRL $8, AX; \
	KMOVW AX, K3

// HSUMPD sets the low lane of X0 to the sum of the 8 lanes of Z0; Y1 is
// scratch.
#define HSUMPD HSUMPDR(Z0, Y0, X0, Y1, X1)

// WIDEN sets lo and hi to the low and high 8 lanes of the float32 vector
// v (whose ymm name is vy), as float64.
#define WIDEN(v, vy, lo, hi, hiy) \
	VCVTPS2PD vy, lo; \
	VEXTRACTF32X8 $1, v, hiy; \
	VCVTPS2PD hiy, hi

// func normRowsAVX512(h, x, rstd *float32, rows, n int, eps float32)
// For each of the rows of n >= 1 elements: rstd = 1/√(var + eps) and
// h = (x - mean)·rstd. One call walks many rows, so that the processor
// overlaps the chains of one row's sums with the next row's loads.
TEXT ·normRowsAVX512(SB), NOSPLIT, $0-44
	MOVQ h+0(FP), R13
	MOVQ x+8(FP), SI
	MOVQ rstd+16(FP), R11
	MOVQ rows+24(FP), R10
	MOVQ n+32(FP), BX
	MOVQ BX, CX
	ANDQ $15, CX
	TAILMASK // the masks of every row's last partial vector
	MOVQ BX, R12
	SHLQ $2, R12 // bytes a row

normrow:
	TESTQ R10, R10
	JZ    normrowsdone

	// mean = Σ x / n in float64: Z0 and Z4 sum the two halves.
	VPXORQ Z0, Z0, Z0
	VPXORQ Z4, Z4, Z4
	MOVQ   SI, R8
	MOVQ   BX, CX

mean16:
	CMPQ CX, $16
	JL   meantail
	VMOVUPS (R8), Z2
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	VADDPD Z3, Z0, Z0
	VADDPD Z5, Z4, Z4
	ADDQ $64, R8
	SUBQ $16, CX
	JMP  mean16

meantail:
	TESTQ CX, CX
	JZ    meandone
	VMOVUPS.Z (R8), K1, Z2
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	VADDPD Z3, Z0, Z0
	VADDPD Z5, Z4, Z4

meandone:
	VADDPD Z4, Z0, Z0
	HSUMPD
	VCVTSI2SDQ BX, X7, X7
	VDIVSD X7, X0, X0
	VBROADCASTSD X0, Z6 // mean

	// var = Σ (x - mean)² / n in float64.
	VPXORQ Z0, Z0, Z0
	VPXORQ Z4, Z4, Z4
	MOVQ   SI, R8
	MOVQ   BX, CX

var16:
	CMPQ CX, $16
	JL   vartail
	VMOVUPS (R8), Z2
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	VSUBPD Z6, Z3, Z3
	VSUBPD Z6, Z5, Z5
	VFMADD231PD Z3, Z3, Z0
	VFMADD231PD Z5, Z5, Z4
	ADDQ $64, R8
	SUBQ $16, CX
	JMP  var16

vartail:
	TESTQ CX, CX
	JZ    vardone
	VMOVUPS.Z (R8), K1, Z2
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	VSUBPD.Z Z6, Z3, K2, Z3
	VSUBPD.Z Z6, Z5, K3, Z5
	VFMADD231PD Z3, Z3, Z0
	VFMADD231PD Z5, Z5, Z4

vardone:
	VADDPD Z4, Z0, Z0
	HSUMPD
	VDIVSD X7, X0, X0
	VCVTSS2SD eps+40(FP), X1, X1
	VADDSD X1, X0, X0
	VSQRTSD X0, X0, X0
	MOVQ $0x3ff0000000000000, AX // 1.0
	VMOVQ AX, X1
	VDIVSD X0, X1, X0
	VBROADCASTSD X0, Z7 // rstd
	VCVTSD2SS X0, X0, X0
	VMOVSS X0, (R11)

	// h = float32((x - mean)·rstd).
	MOVQ R13, DI
	MOVQ SI, R8
	MOVQ BX, CX

h16:
	CMPQ CX, $16
	JL   htail
	VMOVUPS (R8), Z2
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	VSUBPD Z6, Z3, Z3
	VSUBPD Z6, Z5, Z5
	VMULPD Z7, Z3, Z3
	VMULPD Z7, Z5, Z5
	VCVTPD2PS Z3, Y3
	VCVTPD2PS Z5, Y5
	VINSERTF32X8 $1, Y5, Z3, Z3
	VMOVUPS Z3, (DI)
	ADDQ $64, R8
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  h16

htail:
	TESTQ CX, CX
	JZ    hdone
	VMOVUPS.Z (R8), K1, Z2
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	VSUBPD Z6, Z3, Z3
	VSUBPD Z6, Z5, Z5
	VMULPD Z7, Z3, Z3
	VMULPD Z7, Z5, Z5
	VCVTPD2PS Z3, Y3
	VCVTPD2PS Z5, Y5
	VINSERTF32X8 $1, Y5, Z3, Z3
	VMOVUPS Z3, K1, (DI)

hdone:
	ADDQ R12, SI
	ADDQ R12, R13
	ADDQ $4, R11
	DECQ R10
	JMP  normrow

normrowsdone:
	VZEROUPPER
	RET

// WIDEN4 loads 16 floats at R8 of each of the rows A, B, C and D and
// widens them to float64: the first 8 in Z3, Z10, Z17 and Z24, the next 8
// in Z4, Z11, Z18 and Z25. WIDEN4TAIL does the same for a row's last
// partial vector, under the masks K2 and K3, zeroing the lanes past it.
#define WIDEN4 \
	VCVTPS2PD (SI)(R8*1), Z3; \
	VCVTPS2PD (DX)(R8*1), Z10; \
	VCVTPS2PD (R9)(R8*1), Z17; \
	VCVTPS2PD (AX)(R8*1), Z24; \
	VCVTPS2PD 32(SI)(R8*1), Z4; \
	VCVTPS2PD 32(DX)(R8*1), Z11; \
	VCVTPS2PD 32(R9)(R8*1), Z18; \
	VCVTPS2PD 32(AX)(R8*1), Z25

#define WIDEN4TAIL \
	VCVTPS2PD.Z (SI)(R8*1), K2, Z3; \
	VCVTPS2PD.Z (DX)(R8*1), K2, Z10; \
	VCVTPS2PD.Z (R9)(R8*1), K2, Z17; \
	VCVTPS2PD.Z (AX)(R8*1), K2, Z24; \
	VCVTPS2PD.Z 32(SI)(R8*1), K3, Z4; \
	VCVTPS2PD.Z 32(DX)(R8*1), K3, Z11; \
	VCVTPS2PD.Z 32(R9)(R8*1), K3, Z18; \
	VCVTPS2PD.Z 32(AX)(R8*1), K3, Z25

// ZERO4 clears the two float64 sums of each of the four rows; SUMDIV4
// adds each row's two into one, sums its lanes, and divides by n (X28),
// leaving the results in X0, X7, X14 and X21.
#define ZERO4 \
	VPXORQ Z0, Z0, Z0; \
	VPXORQ Z7, Z7, Z7; \
	VPXORQ Z14, Z14, Z14; \
	VPXORQ Z21, Z21, Z21; \
	VPXORQ Z1, Z1, Z1; \
	VPXORQ Z8, Z8, Z8; \
	VPXORQ Z15, Z15, Z15; \
	VPXORQ Z22, Z22, Z22

#define SUMDIV4 \
	VADDPD Z1, Z0, Z0; \
	VADDPD Z8, Z7, Z7; \
	VADDPD Z15, Z14, Z14; \
	VADDPD Z22, Z21, Z21; \
	HSUMPDR(Z0, Y0, X0, Y2, X2); \
	HSUMPDR(Z7, Y7, X7, Y9, X9); \
	HSUMPDR(Z14, Y14, X14, Y16, X16); \
	HSUMPDR(Z21, Y21, X21, Y23, X23); \
	VDIVSD X28, X0, X0; \
	VDIVSD X28, X7, X7; \
	VDIVSD X28, X14, X14; \
	VDIVSD X28, X21, X21

// func normAffineRowsAVX512(out, h, x, rstd, w, b *float32, rows, n int, eps float32)
// For each of the rows of n >= 1 elements it does what normRowsAVX512
// does, in the same order of operations, so h and rstd are the same to
// the bit, and sets out = h·w + b (one rounding) in the pass that writes
// h. The statistics of four rows A, B, C and D are computed together, so
// that the chains of float64 additions, the divisions and the square
// roots of the four overlap: a row of d_model = 64 is too short for the
// processor to overlap one row's with the next on its own. A group of
// fewer than four rows at the end repeats its first row.
//
//	row   sums      scratch        mean  rstd  address
//	A     Z0, Z1    Z2, Z3, Z4     Z5    Z6    SI
//	B     Z7, Z8    Z9, Z10, Z11   Z12   Z13   DX
//	C     Z14, Z15  Z16, Z17, Z18  Z19   Z20   R9
//	D     Z21, Z22  Z23, Z24, Z25  Z26   Z27   AX
//
// X28 holds n, X29 eps and X30 1.0 as float64; the pass over h and out
// takes its row's mean and rstd from Z5 and Z6 and w in Z31. Each vector
// of 16 floats is widened by two converting loads of 8 (masked, with the
// faults of the masked lanes suppressed, in a row's last partial vector),
// which spares a shuffle: the conversions bound this kernel.
TEXT ·normAffineRowsAVX512(SB), NOSPLIT, $0-68
	MOVQ out+0(FP), DI
	MOVQ h+8(FP), R13
	MOVQ x+16(FP), SI
	MOVQ rstd+24(FP), R11
	MOVQ rows+48(FP), R10
	MOVQ n+56(FP), BX
	MOVQ BX, CX
	ANDQ $15, CX
	TAILMASK // the masks of every row's last partial vector
	MOVQ BX, R12
	SHLQ $2, R12 // bytes a row
	VCVTSI2SDQ BX, X28, X28 // n
	VCVTSS2SD eps+64(FP), X29, X29
	MOVQ $0x3ff0000000000000, AX // 1.0
	VMOVQ AX, X30

nargroup:
	TESTQ R10, R10
	JZ    nardone
	MOVQ  SI, DX
	MOVQ  SI, R9
	MOVQ  SI, AX
	CMPQ  R10, $2
	JL    narmean
	LEAQ  (SI)(R12*1), DX
	CMPQ  R10, $3
	JL    narmean
	LEAQ  (DX)(R12*1), R9
	CMPQ  R10, $4
	JL    narmean
	LEAQ  (R9)(R12*1), AX

narmean:
	// mean = Σ x / n in float64.
	ZERO4
	XORQ   R8, R8
	MOVQ   BX, CX

narmean16:
	CMPQ CX, $16
	JL   narmeantail
	WIDEN4
	VADDPD Z3, Z0, Z0
	VADDPD Z10, Z7, Z7
	VADDPD Z17, Z14, Z14
	VADDPD Z24, Z21, Z21
	VADDPD Z4, Z1, Z1
	VADDPD Z11, Z8, Z8
	VADDPD Z18, Z15, Z15
	VADDPD Z25, Z22, Z22
	ADDQ $64, R8
	SUBQ $16, CX
	JMP  narmean16

narmeantail:
	TESTQ CX, CX
	JZ    narmeandone
	WIDEN4TAIL
	VADDPD Z3, Z0, Z0
	VADDPD Z10, Z7, Z7
	VADDPD Z17, Z14, Z14
	VADDPD Z24, Z21, Z21
	VADDPD Z4, Z1, Z1
	VADDPD Z11, Z8, Z8
	VADDPD Z18, Z15, Z15
	VADDPD Z25, Z22, Z22

narmeandone:
	SUMDIV4
	VBROADCASTSD X0, Z5
	VBROADCASTSD X7, Z12
	VBROADCASTSD X14, Z19
	VBROADCASTSD X21, Z26

	// var = Σ (x - mean)² / n in float64.
	ZERO4
	XORQ   R8, R8
	MOVQ   BX, CX

narvar16:
	CMPQ CX, $16
	JL   narvartail
	WIDEN4
	VSUBPD Z5, Z3, Z3
	VSUBPD Z12, Z10, Z10
	VSUBPD Z19, Z17, Z17
	VSUBPD Z26, Z24, Z24
	VSUBPD Z5, Z4, Z4
	VSUBPD Z12, Z11, Z11
	VSUBPD Z19, Z18, Z18
	VSUBPD Z26, Z25, Z25
	VFMADD231PD Z3, Z3, Z0
	VFMADD231PD Z10, Z10, Z7
	VFMADD231PD Z17, Z17, Z14
	VFMADD231PD Z24, Z24, Z21
	VFMADD231PD Z4, Z4, Z1
	VFMADD231PD Z11, Z11, Z8
	VFMADD231PD Z18, Z18, Z15
	VFMADD231PD Z25, Z25, Z22
	ADDQ $64, R8
	SUBQ $16, CX
	JMP  narvar16

narvartail:
	TESTQ CX, CX
	JZ    narvardone
	WIDEN4TAIL
	VSUBPD.Z Z5, Z3, K2, Z3
	VSUBPD.Z Z12, Z10, K2, Z10
	VSUBPD.Z Z19, Z17, K2, Z17
	VSUBPD.Z Z26, Z24, K2, Z24
	VSUBPD.Z Z5, Z4, K3, Z4
	VSUBPD.Z Z12, Z11, K3, Z11
	VSUBPD.Z Z19, Z18, K3, Z18
	VSUBPD.Z Z26, Z25, K3, Z25
	VFMADD231PD Z3, Z3, Z0
	VFMADD231PD Z10, Z10, Z7
	VFMADD231PD Z17, Z17, Z14
	VFMADD231PD Z24, Z24, Z21
	VFMADD231PD Z4, Z4, Z1
	VFMADD231PD Z11, Z11, Z8
	VFMADD231PD Z18, Z18, Z15
	VFMADD231PD Z25, Z25, Z22

narvardone:
	SUMDIV4
	VADDSD X29, X0, X0
	VADDSD X29, X7, X7
	VADDSD X29, X14, X14
	VADDSD X29, X21, X21
	VSQRTSD X0, X0, X0
	VSQRTSD X7, X7, X7
	VSQRTSD X14, X14, X14
	VSQRTSD X21, X21, X21
	VDIVSD X0, X30, X0
	VDIVSD X7, X30, X7
	VDIVSD X14, X30, X14
	VDIVSD X21, X30, X21
	VBROADCASTSD X0, Z6
	VBROADCASTSD X7, Z13
	VBROADCASTSD X14, Z20
	VBROADCASTSD X21, Z27

	// The rows of the group one after the other: DX counts them.
	MOVQ R10, DX
	CMPQ DX, $4
	JLE  narhrows
	MOVQ $4, DX

narhrows:
	MOVQ w+32(FP), R9
	MOVQ b+40(FP), AX

narh:
	// rstd, then h = float32((x - mean)·rstd) and out = h·w + b, for the
	// row at SI with its mean in Z5 and rstd in Z6.
	VCVTSD2SS X6, X2, X2
	VMOVSS X2, (R11)
	XORQ   R8, R8
	MOVQ   BX, CX

narh16:
	CMPQ CX, $16
	JL   narhtail
	VCVTPS2PD (SI)(R8*1), Z3
	VCVTPS2PD 32(SI)(R8*1), Z4
	VSUBPD Z5, Z3, Z3
	VSUBPD Z5, Z4, Z4
	VMULPD Z6, Z3, Z3
	VMULPD Z6, Z4, Z4
	VCVTPD2PS Z3, Y3
	VCVTPD2PS Z4, Y4
	VINSERTF32X8 $1, Y4, Z3, Z3
	VMOVUPS Z3, (R13)(R8*1)
	VMOVUPS (R9)(R8*1), Z31
	VFMADD213PS (AX)(R8*1), Z31, Z3
	VMOVUPS Z3, (DI)(R8*1)
	ADDQ $64, R8
	SUBQ $16, CX
	JMP  narh16

narhtail:
	TESTQ CX, CX
	JZ    narhdone
	VCVTPS2PD.Z (SI)(R8*1), K2, Z3
	VCVTPS2PD.Z 32(SI)(R8*1), K3, Z4
	VSUBPD Z5, Z3, Z3
	VSUBPD Z5, Z4, Z4
	VMULPD Z6, Z3, Z3
	VMULPD Z6, Z4, Z4
	VCVTPD2PS Z3, Y3
	VCVTPD2PS Z4, Y4
	VINSERTF32X8 $1, Y4, Z3, Z3
	VMOVUPS Z3, K1, (R13)(R8*1)
	VMOVUPS.Z (R9)(R8*1), K1, Z31
	VMOVUPS.Z (AX)(R8*1), K1, Z2
	VFMADD213PS Z2, Z31, Z3
	VMOVUPS Z3, K1, (DI)(R8*1)

narhdone:
	ADDQ R12, SI
	ADDQ R12, R13
	ADDQ R12, DI
	ADDQ $4, R11
	DECQ R10
	DECQ DX
	JZ   nargroup
	VMOVAPD Z12, Z5 // the next row's mean and rstd
	VMOVAPD Z13, Z6
	VMOVAPD Z19, Z12
	VMOVAPD Z20, Z13
	VMOVAPD Z26, Z19
	VMOVAPD Z27, Z20
	JMP     narh

nardone:
	VZEROUPPER
	RET

// func normGradRowAVX512(dx, dh, h *float32, n int, r float32)
// n >= 1.
TEXT ·normGradRowAVX512(SB), NOSPLIT, $0-36
	MOVQ dh+8(FP), SI
	MOVQ h+16(FP), DX
	MOVQ n+24(FP), BX
	MOVQ BX, CX
	ANDQ $15, CX
	TAILMASK // the masks of the last partial vector, for both passes

	// m1 = Σ dh and m2 = Σ dh·h in float64: Z0, Z4 and Z8, Z9.
	VPXORQ Z0, Z0, Z0
	VPXORQ Z4, Z4, Z4
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	MOVQ   SI, R8
	MOVQ   DX, R9
	MOVQ   BX, CX

sums16:
	CMPQ CX, $16
	JL   sumstail
	VMOVUPS (R8), Z2
	VMOVUPS (R9), Z10
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	WIDEN(Z10, Y10, Z11, Z12, Y12)
	VADDPD Z3, Z0, Z0
	VADDPD Z5, Z4, Z4
	VFMADD231PD Z3, Z11, Z8
	VFMADD231PD Z5, Z12, Z9
	ADDQ $64, R8
	ADDQ $64, R9
	SUBQ $16, CX
	JMP  sums16

sumstail:
	TESTQ CX, CX
	JZ    sumsdone
	VMOVUPS.Z (R8), K1, Z2
	VMOVUPS.Z (R9), K1, Z10
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	WIDEN(Z10, Y10, Z11, Z12, Y12)
	VADDPD Z3, Z0, Z0
	VADDPD Z5, Z4, Z4
	VFMADD231PD Z3, Z11, Z8
	VFMADD231PD Z5, Z12, Z9

sumsdone:
	VCVTSI2SDQ BX, X7, X7
	VADDPD Z4, Z0, Z0
	HSUMPD
	VDIVSD X7, X0, X0
	VCVTSD2SS X0, X0, X0
	VBROADCASTSS X0, Z13 // a = float32(m1/n)
	VADDPD Z9, Z8, Z0
	HSUMPD
	VDIVSD X7, X0, X0
	VCVTSD2SS X0, X0, X0
	VBROADCASTSS X0, Z14 // c = float32(m2/n)
	VBROADCASTSS r+32(FP), Z15

	// dx = r·(dh - a - h·c).
	MOVQ dx+0(FP), DI
	MOVQ BX, CX

dx16:
	CMPQ CX, $16
	JL   dxtail
	VMOVUPS (SI), Z2
	VMOVUPS (DX), Z10
	VSUBPS Z13, Z2, Z2
	VFNMADD231PS Z14, Z10, Z2
	VMULPS Z15, Z2, Z2
	VMOVUPS Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  dx16

dxtail:
	TESTQ CX, CX
	JZ    dxdone
	VMOVUPS.Z (SI), K1, Z2
	VMOVUPS.Z (DX), K1, Z10
	VSUBPS Z13, Z2, Z2
	VFNMADD231PS Z14, Z10, Z2
	VMULPS Z15, Z2, Z2
	VMOVUPS Z2, K1, (DI)

dxdone:
	VZEROUPPER
	RET

// func mulAddAVX512(d, a, b, c *float32, n int)
// d = a·b + c, fused.
TEXT ·mulAddAVX512(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), R8
	MOVQ n+32(FP), CX

muladd16:
	CMPQ CX, $16
	JL   muladdtail
	VMOVUPS (SI), Z0
	VMOVUPS (R8), Z1
	VFMADD231PS (DX), Z0, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, R8
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  muladd16

muladdtail:
	TESTQ CX, CX
	JZ    muladddone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z2
	VMOVUPS.Z (R8), K1, Z1
	VFMADD231PS Z2, Z0, Z1
	VMOVUPS Z1, K1, (DI)

muladddone:
	VZEROUPPER
	RET

// BINARY16 is the body of mulAVX512 and addAVX512: d = a OP b (VMULPS,
// VADDPS) for the n elements, n in CX, at SI (a), DX (b) and DI (d), with
// the labels loop, tail and done. The callers load their arguments, which
// stay outside the macro so that go vet checks their frame offsets.
#define BINARY16(OP, loop, tail, done) \
loop: \
	CMPQ CX, $16; \
	JL   tail; \
	VMOVUPS (SI), Z0; \
	OP (DX), Z0, Z1; \
	VMOVUPS Z1, (DI); \
	ADDQ $64, SI; \
	ADDQ $64, DX; \
	ADDQ $64, DI; \
	SUBQ $16, CX; \
	JMP  loop; \
tail: \
	TESTQ CX, CX; \
	JZ    done; \
	TAILMASK1; \
	VMOVUPS.Z (SI), K1, Z0; \
	VMOVUPS.Z (DX), K1, Z2; \
	OP Z2, Z0, Z1; \
	VMOVUPS Z1, K1, (DI); \
done: \
	VZEROUPPER; \
	RET

// func mulAVX512(d, a, b *float32, n int)
// d = a·b.
TEXT ·mulAVX512(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	BINARY16(VMULPS, mul16, multail, muldone)

// func addAVX512(d, a, b *float32, n int)
// d = a + b.
TEXT ·addAVX512(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	BINARY16(VADDPS, add16, addtail, adddone)

// func maxAVX512(x *float32, n int) float32
// The largest of x (-Inf for n = 0), or NaN if x holds a NaN.
TEXT ·maxAVX512(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVL $0xff800000, AX // -Inf
	VPBROADCASTD AX, Z3
	VMOVAPS Z3, Z0
	VMOVAPS Z3, Z4
	KXORW K4, K4, K4 // lanes that met a NaN

max32:
	CMPQ CX, $32
	JL   max16
	VMOVUPS (SI), Z1
	VMOVUPS 64(SI), Z5
	VCMPPS $3, Z1, Z1, K2
	VCMPPS $3, Z5, Z5, K3
	KORW K2, K4, K4
	KORW K3, K4, K4
	VMAXPS Z1, Z0, Z0
	VMAXPS Z5, Z4, Z4
	ADDQ $128, SI
	SUBQ $32, CX
	JMP  max32

max16:
	CMPQ CX, $16
	JL   maxtail
	VMOVUPS (SI), Z1
	VCMPPS $3, Z1, Z1, K2
	KORW K2, K4, K4
	VMAXPS Z1, Z0, Z0
	ADDQ $64, SI
	SUBQ $16, CX

maxtail:
	TESTQ CX, CX
	JZ    maxdone
	TAILMASK
	VMOVAPS Z3, Z1
	VMOVUPS (SI), K1, Z1
	VCMPPS $3, Z1, Z1, K2
	KORW K2, K4, K4
	VMAXPS Z1, Z0, Z0

maxdone:
	VMAXPS Z4, Z0, Z0
	HREDUCE512(VMAXPS, Z0, Z1, Z0)
	KORTESTW K4, K4
	JZ   maxret
	MOVL $0x7fc00000, AX // NaN
	VMOVD AX, X0

maxret:
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func scaleAVX512(y *float32, n int, s float32)
// y = y·s.
TEXT ·scaleAVX512(SB), NOSPLIT, $0-20
	MOVQ y+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS s+16(FP), Z3

scale16:
	CMPQ CX, $16
	JL   scaletail
	VMULPS (DI), Z3, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  scale16

scaletail:
	TESTQ CX, CX
	JZ    scaledone
	TAILMASK
	VMOVUPS.Z (DI), K1, Z0
	VMULPS Z0, Z3, Z0
	VMOVUPS Z0, K1, (DI)

scaledone:
	VZEROUPPER
	RET

// func reluMaskAVX512(d, src, x *float32, n int)
// d = src where x > 0 or x is NaN, and +0 elsewhere.
TEXT ·reluMaskAVX512(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ src+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	VPXORD Z3, Z3, Z3

relu16:
	CMPQ CX, $16
	JL   relutail
	VCMPPS $9, (SI), Z3, K2 // !(0 >= x): x > 0 or NaN
	VMOVUPS.Z (DX), K2, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  relu16

relutail:
	TESTQ CX, CX
	JZ    reludone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z1
	VCMPPS $6, Z3, Z1, K2
	KANDW K1, K2, K2
	VMOVUPS.Z (DX), K2, Z0
	VMOVUPS Z0, K1, (DI)

reludone:
	VZEROUPPER
	RET

// func leakyScaleAVX512(d, src, x *float32, n int, slope float32)
// d = src where x > 0 or x is NaN, and slope·src elsewhere.
TEXT ·leakyScaleAVX512(SB), NOSPLIT, $0-36
	MOVQ d+0(FP), DI
	MOVQ src+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	VBROADCASTSS slope+32(FP), Z4
	VPXORD Z3, Z3, Z3

leaky16:
	CMPQ CX, $16
	JL   leakytail
	VCMPPS $9, (SI), Z3, K2
	VMOVUPS (DX), Z0
	VMULPS Z4, Z0, Z1
	VMOVAPS Z0, K2, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  leaky16

leakytail:
	TESTQ CX, CX
	JZ    leakydone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z5
	VCMPPS $6, Z3, Z5, K2
	VMOVUPS.Z (DX), K1, Z0
	VMULPS Z4, Z0, Z1
	VMOVAPS Z0, K2, Z1
	VMOVUPS Z1, K1, (DI)

leakydone:
	VZEROUPPER
	RET

// func softmaxGradAVX512(d, grad, y *float32, n int, scale float32)
// d = scale·y·(grad - Σ grad·y); n >= 1.
TEXT ·softmaxGradAVX512(SB), NOSPLIT, $0-36
	MOVQ d+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), BX
	VPXORD Z0, Z0, Z0
	MOVQ   SI, R8
	MOVQ   DX, R9
	MOVQ   BX, CX
	ANDQ   $15, CX
	TAILMASK
	MOVQ   BX, CX

sgdot16:
	CMPQ CX, $16
	JL   sgdottail
	VMOVUPS (R8), Z1
	VFMADD231PS (R9), Z1, Z0
	ADDQ $64, R8
	ADDQ $64, R9
	SUBQ $16, CX
	JMP  sgdot16

sgdottail:
	TESTQ CX, CX
	JZ    sgdotdone
	VMOVUPS.Z (R8), K1, Z1
	VMOVUPS.Z (R9), K1, Z2
	VFMADD231PS Z2, Z1, Z0

sgdotdone:
	HREDUCE512(VADDPS, Z0, Z1, Z0)
	VBROADCASTSS X0, Z3 // dot: lane 0, whose NaN is the sum's own
	VBROADCASTSS scale+32(FP), Z4
	MOVQ BX, CX

sgd16:
	CMPQ CX, $16
	JL   sgdtail
	VMOVUPS (SI), Z1
	VSUBPS Z3, Z1, Z1
	VMULPS (DX), Z4, Z2
	VMULPS Z1, Z2, Z2
	VMOVUPS Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  sgd16

sgdtail:
	TESTQ CX, CX
	JZ    sgdone
	VMOVUPS.Z (SI), K1, Z1
	VMOVUPS.Z (DX), K1, Z5
	VSUBPS Z3, Z1, Z1
	VMULPS Z5, Z4, Z2
	VMULPS Z1, Z2, Z2
	VMOVUPS Z2, K1, (DI)

sgdone:
	VZEROUPPER
	RET

// func layerNormGradAVX512(dx, grad, h, rstd, w, dw, db *float32, rows, n int)
// For each of the rows of n >= 1 elements, with dh = grad·w:
// dw += grad·h, db += grad, and dx = rstd·(dh - mean(dh) - h·mean(dh·h)),
// the means summed in float64 as NormGradRow does; dx holds dh between
// the two passes over a row. R13 is the byte offset within a row.
TEXT ·layerNormGradAVX512(SB), NOSPLIT, $0-72
	MOVQ dx+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ h+16(FP), DX
	MOVQ rstd+24(FP), R11
	MOVQ rows+56(FP), R10
	MOVQ n+64(FP), BX
	MOVQ BX, CX
	ANDQ $15, CX
	TAILMASK
	MOVQ w+32(FP), R8
	MOVQ dw+40(FP), R9
	MOVQ db+48(FP), AX
	VCVTSI2SDQ BX, X15, X15 // n
	MOVQ BX, R12
	SHLQ $2, R12 // bytes a row

lngrow:
	TESTQ R10, R10
	JZ    lngdone
	VPXORQ Z0, Z0, Z0
	VPXORQ Z4, Z4, Z4
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	XORQ  R13, R13
	MOVQ  BX, CX

lnga16:
	CMPQ CX, $16
	JL   lngatail
	VMOVUPS (SI)(R13*1), Z1  // grad
	VMOVUPS (DX)(R13*1), Z10 // h
	VMULPS (R8)(R13*1), Z1, Z2 // dh
	VMOVUPS Z2, (DI)(R13*1)
	VMOVUPS (R9)(R13*1), Z3
	VFMADD231PS Z10, Z1, Z3
	VMOVUPS Z3, (R9)(R13*1)
	VADDPS (AX)(R13*1), Z1, Z3
	VMOVUPS Z3, (AX)(R13*1)
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	WIDEN(Z10, Y10, Z11, Z12, Y12)
	VADDPD Z3, Z0, Z0
	VADDPD Z5, Z4, Z4
	VFMADD231PD Z3, Z11, Z8
	VFMADD231PD Z5, Z12, Z9
	ADDQ $64, R13
	SUBQ $16, CX
	JMP  lnga16

lngatail:
	TESTQ CX, CX
	JZ    lngadone
	VMOVUPS.Z (SI)(R13*1), K1, Z1
	VMOVUPS.Z (DX)(R13*1), K1, Z10
	VMOVUPS.Z (R8)(R13*1), K1, Z2
	VMULPS Z2, Z1, Z2
	VMOVUPS Z2, K1, (DI)(R13*1)
	VMOVUPS.Z (R9)(R13*1), K1, Z3
	VFMADD231PS Z10, Z1, Z3
	VMOVUPS Z3, K1, (R9)(R13*1)
	VMOVUPS.Z (AX)(R13*1), K1, Z3
	VADDPS Z3, Z1, Z3
	VMOVUPS Z3, K1, (AX)(R13*1)
	WIDEN(Z2, Y2, Z3, Z5, Y5)
	WIDEN(Z10, Y10, Z11, Z12, Y12)
	VADDPD Z3, Z0, Z0
	VADDPD Z5, Z4, Z4
	VFMADD231PD Z3, Z11, Z8
	VFMADD231PD Z5, Z12, Z9

lngadone:
	VADDPD Z4, Z0, Z0
	HSUMPD
	VDIVSD X15, X0, X0
	VCVTSD2SS X0, X0, X0
	VBROADCASTSS X0, Z13 // a = float32(m1/n)
	VADDPD Z9, Z8, Z0
	HSUMPD
	VDIVSD X15, X0, X0
	VCVTSD2SS X0, X0, X0
	VBROADCASTSS X0, Z14 // c = float32(m2/n)
	VBROADCASTSS (R11), Z6 // r

	// dx = r·(dh - a - h·c), dh read back from dx.
	XORQ R13, R13
	MOVQ BX, CX

lngb16:
	CMPQ CX, $16
	JL   lngbtail
	VMOVUPS (DI)(R13*1), Z2
	VMOVUPS (DX)(R13*1), Z10
	VSUBPS Z13, Z2, Z2
	VFNMADD231PS Z14, Z10, Z2
	VMULPS Z6, Z2, Z2
	VMOVUPS Z2, (DI)(R13*1)
	ADDQ $64, R13
	SUBQ $16, CX
	JMP  lngb16

lngbtail:
	TESTQ CX, CX
	JZ    lngnext
	VMOVUPS.Z (DI)(R13*1), K1, Z2
	VMOVUPS.Z (DX)(R13*1), K1, Z10
	VSUBPS Z13, Z2, Z2
	VFNMADD231PS Z14, Z10, Z2
	VMULPS Z6, Z2, Z2
	VMOVUPS Z2, K1, (DI)(R13*1)

lngnext:
	ADDQ R12, DI
	ADDQ R12, SI
	ADDQ R12, DX
	ADDQ $4, R11
	DECQ R10
	JMP  lngrow

lngdone:
	VZEROUPPER
	RET
