//go:build amd64 && !purego

#include "textflag.h"
#include "vecmath_amd64.h"

// SPLAT fills the 32 bytes at off in sym with v, an 8-byte value that
// holds two copies of a float32.
#define SPLAT(sym, off, v) \
	DATA sym+off(SB)/8, v; \
	DATA sym+off+8(SB)/8, v; \
	DATA sym+off+16(SB)/8, v; \
	DATA sym+off+24(SB)/8, v

// Constants, each repeated in 8 lanes (32 bytes) so that AVX2 code may
// use them as memory operands; AVX-512 code broadcasts the first lane.
// abs
SPLAT(vmc<>, 0, $0x7fffffff7fffffff)
// c16 = 16.0
SPLAT(vmc<>, 32, $0x4180000041800000)
// rsqrt2 = 0.7071067811865475
SPLAT(vmc<>, 64, $0x3f3504f33f3504f3)
// two = 2.0
SPLAT(vmc<>, 96, $0x4000000040000000)
// one = 1.0
SPLAT(vmc<>, 128, $0x3f8000003f800000)
// nhalf = -0.5
SPLAT(vmc<>, 160, $0xbf000000bf000000)
// log2e = 1.4426950408889634
SPLAT(vmc<>, 192, $0x3fb8aa3b3fb8aa3b)
// nln2hi = -0.693359375
SPLAT(vmc<>, 224, $0xbf318000bf318000)
// nln2lo = 0.00021219444
SPLAT(vmc<>, 256, $0x395e8083395e8083)
// minarg = -87.3365447505531
SPLAT(vmc<>, 288, $0xc2aeac50c2aeac50)
// e2 = 0.50000001201
SPLAT(vmc<>, 320, $0x3f0000003f000000)
// e3 = 0.16666665459
SPLAT(vmc<>, 352, $0x3e2aaaaa3e2aaaaa)
// e4 = 0.041665795894
SPLAT(vmc<>, 384, $0x3d2aa9c13d2aa9c1)
// e5 = 0.0083334519073
SPLAT(vmc<>, 416, $0x3c0889083c088908)
// e6 = 0.0013981999507
SPLAT(vmc<>, 448, $0x3ab743ce3ab743ce)
// e7 = 0.000198756915
SPLAT(vmc<>, 480, $0x3950696739506967)
// isq2pi = 0.3989422804014327
SPLAT(vmc<>, 512, $0x3ecc422a3ecc422a)
// bias
SPLAT(vmc<>, 544, $0x0000007f0000007f)
// q0 = -1.26551223
SPLAT(vmc<>, 576, $0xbfa1fc4ebfa1fc4e)
// q1 = 1.00002368
SPLAT(vmc<>, 608, $0x3f8000c73f8000c7)
// q2 = 0.37409196
SPLAT(vmc<>, 640, $0x3ebf88fb3ebf88fb)
// q3 = 0.09678418
SPLAT(vmc<>, 672, $0x3dc636c93dc636c9)
// q4 = -0.18628806
SPLAT(vmc<>, 704, $0xbe3ec24cbe3ec24c)
// q5 = 0.27886807
SPLAT(vmc<>, 736, $0x3e8ec7cc3e8ec7cc)
// q6 = -1.13520398
SPLAT(vmc<>, 768, $0xbf914e5dbf914e5d)
// q7 = 1.48851587
SPLAT(vmc<>, 800, $0x3fbe87b03fbe87b0)
// q8 = -0.82215223
SPLAT(vmc<>, 832, $0xbf527892bf527892)
// q9 = 0.17087277
SPLAT(vmc<>, 864, $0x3e2ef9453e2ef945)
// ga = 0.044715
SPLAT(vmc<>, 896, $0x3d3727133d372713)
// gc = 0.7978845608028654
SPLAT(vmc<>, 928, $0x3f4c422a3f4c422a)
// c9 = 9.0
SPLAT(vmc<>, 960, $0x4110000041100000)
// half = 0.5
SPLAT(vmc<>, 992, $0x3f0000003f000000)
// ga3 = 0.134145
SPLAT(vmc<>, 1024, $0x3e095d4f3e095d4f)
GLOBL vmc<>(SB), RODATA|NOPTR, $1056

#define C_ABS vmc<>+0(SB)
#define C_C16 vmc<>+32(SB)
#define C_RSQRT2 vmc<>+64(SB)
#define C_TWO vmc<>+96(SB)
#define C_ONE vmc<>+128(SB)
#define C_NHALF vmc<>+160(SB)
#define C_LOG2E vmc<>+192(SB)
#define C_NLN2HI vmc<>+224(SB)
#define C_NLN2LO vmc<>+256(SB)
#define C_MINARG vmc<>+288(SB)
#define C_E2 vmc<>+320(SB)
#define C_E3 vmc<>+352(SB)
#define C_E4 vmc<>+384(SB)
#define C_E5 vmc<>+416(SB)
#define C_E6 vmc<>+448(SB)
#define C_E7 vmc<>+480(SB)
#define C_ISQ2PI vmc<>+512(SB)
#define C_BIAS vmc<>+544(SB)
#define C_Q0 vmc<>+576(SB)
#define C_Q1 vmc<>+608(SB)
#define C_Q2 vmc<>+640(SB)
#define C_Q3 vmc<>+672(SB)
#define C_Q4 vmc<>+704(SB)
#define C_Q5 vmc<>+736(SB)
#define C_Q6 vmc<>+768(SB)
#define C_Q7 vmc<>+800(SB)
#define C_Q8 vmc<>+832(SB)
#define C_Q9 vmc<>+864(SB)
#define C_GA vmc<>+896(SB)
#define C_GC vmc<>+928(SB)
#define C_C9 vmc<>+960(SB)
#define C_HALF vmc<>+992(SB)
#define C_GA3 vmc<>+1024(SB)
// gch, the 0.5·√(2/π) of GELUTanhGrad, is 1/√(2π): the float32 of isq2pi.
#define C_GCH C_ISQ2PI

// The kernels below share one scheme (see vecmath.go for the algorithms):
// e^r = 1 + r + r²·(Cephes degree-7 tail) for |r| <= ln2/2 after the
// Cody-Waite reduction x = n·ln2 + r, scaled by 2^n, and lanes whose
// argument is below ln 2^-126 flushed to 0 as the scalar expf does. Each
// call handles at most a bounded chunk chosen by its Go caller.

// AVX-512 constant registers, loaded by LOAD512.
// Z16 |x| mask   Z19 2         Z20 1
// Z22 log2 e     Z23 -ln2hi    Z24 -ln2lo  Z25 ln 2^-126
// Z26..Z31 e2..e7 (the polynomial of e^r)
// Z17, Z18 and Z21 are not loaded: no AVX-512 kernel here needs them.
#define LOAD512 \
	VBROADCASTSS C_ABS, Z16; \
	VBROADCASTSS C_TWO, Z19; \
	VBROADCASTSS C_ONE, Z20; \
	VBROADCASTSS C_LOG2E, Z22; \
	VBROADCASTSS C_NLN2HI, Z23; \
	VBROADCASTSS C_NLN2LO, Z24; \
	VBROADCASTSS C_MINARG, Z25; \
	VBROADCASTSS C_E2, Z26; \
	VBROADCASTSS C_E3, Z27; \
	VBROADCASTSS C_E4, Z28; \
	VBROADCASTSS C_E5, Z29; \
	VBROADCASTSS C_E6, Z30; \
	VBROADCASTSS C_E7, Z31

// EXP512 sets p = e^r·2^n from the reduced argument r and integer-valued n;
// r2 is scratch.
#define EXP512(r, n, r2, p) \
	VMULPS r, r, r2; \
	VMOVAPS Z31, p; \
	VFMADD213PS Z30, r, p; \
	VFMADD213PS Z29, r, p; \
	VFMADD213PS Z28, r, p; \
	VFMADD213PS Z27, r, p; \
	VFMADD213PS Z26, r, p; \
	VFMADD213PS r, r2, p; \
	VADDPS Z20, p, p; \
	VSCALEFPS n, p, p

// EXPSUB512 computes from x and m in Z1 the lanes of e^(x - m) in p,
// unflushed, in k the lanes to keep (NaN included) and in ks those to sum
// (NaN left out, as the scalar code does); v, n and r2 are scratch.
#define EXPSUB512(x, v, n, r2, p, k, ks) \
	VSUBPS Z1, x, v; \
	VCMPPS $5, Z25, v, k; \
	VCMPPS $29, Z25, v, ks; \
	VMULPS Z22, v, n; \
	VRNDSCALEPS $0, n, n; \
	VFMADD231PS n, Z23, v; \
	VFMADD231PS n, Z24, v; \
	EXP512(v, n, r2, p)

// SUM512 adds the lanes of p selected by ks, widened to float64, to Z8 and
// Z9; lo and hi are scratch (ymm names of the same registers as their zmm).
#define SUM512(p, ks, lo, hiy, hiz) \
	VMOVAPS.Z p, ks, p; \
	VCVTPS2PD lo, Z2; \
	VADDPD Z2, Z8, Z8; \
	VEXTRACTF32X8 $1, p, hiy; \
	VCVTPS2PD hiy, hiz; \
	VADDPD hiz, Z9, Z9

// EXPSUB512X2 is EXPSUB512 for x in Z0 and in Z10, the instructions of
// the two interleaved so that two chains of dependent operations are in
// flight: e^(x - m) in Z6 and Z14, masks K2, K3 and K4, K5.
#define EXPSUB512X2 \
	VSUBPS Z1, Z0, Z3; \
	VSUBPS Z1, Z10, Z11; \
	VCMPPS $5, Z25, Z3, K2; \
	VCMPPS $5, Z25, Z11, K4; \
	VCMPPS $29, Z25, Z3, K3; \
	VCMPPS $29, Z25, Z11, K5; \
	VMULPS Z22, Z3, Z4; \
	VMULPS Z22, Z11, Z12; \
	VRNDSCALEPS $0, Z4, Z4; \
	VRNDSCALEPS $0, Z12, Z12; \
	VFMADD231PS Z4, Z23, Z3; \
	VFMADD231PS Z12, Z23, Z11; \
	VFMADD231PS Z4, Z24, Z3; \
	VFMADD231PS Z12, Z24, Z11; \
	VMULPS Z3, Z3, Z5; \
	VMULPS Z11, Z11, Z13; \
	VMOVAPS Z31, Z6; \
	VMOVAPS Z31, Z14; \
	VFMADD213PS Z30, Z3, Z6; \
	VFMADD213PS Z30, Z11, Z14; \
	VFMADD213PS Z29, Z3, Z6; \
	VFMADD213PS Z29, Z11, Z14; \
	VFMADD213PS Z28, Z3, Z6; \
	VFMADD213PS Z28, Z11, Z14; \
	VFMADD213PS Z27, Z3, Z6; \
	VFMADD213PS Z27, Z11, Z14; \
	VFMADD213PS Z26, Z3, Z6; \
	VFMADD213PS Z26, Z11, Z14; \
	VFMADD213PS Z3, Z5, Z6; \
	VFMADD213PS Z11, Z13, Z14; \
	VADDPS Z20, Z6, Z6; \
	VADDPS Z20, Z14, Z14; \
	VSCALEFPS Z4, Z6, Z6; \
	VSCALEFPS Z12, Z14, Z14

// func expSubAVX512(y, x *float32, n int, m float32) float64
TEXT ·expSubAVX512(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS m+24(FP), Z1
	LOAD512
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9

exp512loop2:
	CMPQ CX, $32
	JL   exp512loop
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z10
	EXPSUB512X2
	VMOVAPS.Z Z6, K2, Z6
	VMOVAPS.Z Z14, K4, Z14
	VMOVUPS Z6, (DI)
	VMOVUPS Z14, 64(DI)
	SUM512(Z6, K3, Y6, Y7, Z7)
	SUM512(Z14, K5, Y14, Y15, Z15)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  exp512loop2

exp512loop:
	CMPQ CX, $16
	JL   exp512tail
	VMOVUPS (SI), Z0
	EXPSUB512(Z0, Z3, Z4, Z5, Z6, K2, K3)
	VMOVAPS.Z Z6, K2, Z6
	VMOVUPS Z6, (DI)
	SUM512(Z6, K3, Y6, Y7, Z7)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  exp512loop

exp512tail:
	TESTQ CX, CX
	JZ    exp512done
	TAILMASK1
	VMOVUPS.Z (SI), K1, Z0
	EXPSUB512(Z0, Z3, Z4, Z5, Z6, K2, K3)
	KANDW K1, K2, K2
	KANDW K1, K3, K3
	VMOVAPS.Z Z6, K2, Z6
	VMOVUPS Z6, K1, (DI)
	SUM512(Z6, K3, Y6, Y7, Z7)

exp512done:
	VADDPD Z9, Z8, Z8
	HSUMPDR(Z8, Y8, X8, Y9, X9)
	VMOVSD X8, ret+32(FP)
	VZEROUPPER
	RET

// EXP256 is EXP512 for 8 lanes with the constants in memory; it builds
// 2^n in the exponent bits through the scratch register s (n >= -126 in
// every lane that is kept).
#define EXP256(r, n, r2, p, s) \
	VMULPS r, r, r2; \
	VMOVUPS C_E7, p; \
	VFMADD213PS C_E6, r, p; \
	VFMADD213PS C_E5, r, p; \
	VFMADD213PS C_E4, r, p; \
	VFMADD213PS C_E3, r, p; \
	VFMADD213PS C_E2, r, p; \
	VFMADD213PS r, r2, p; \
	VADDPS C_ONE, p, p; \
	VCVTPS2DQ n, s; \
	VPADDD C_BIAS, s, s; \
	VPSLLD $23, s, s; \
	VMULPS s, p, p

// GELU256 computes from x in Y0 the lanes of cdf = Φ(x) in Y13 and
// out = x·Φ(x) in Y14. Φ(-|x|) = 0.5·erfc(z) with z = |x|/√2 is
// u·e^(-z² + q(t)), where t = 2u = 1/(1 + z/2) and q is the Chebyshev fit
// of Numerical Recipes. -z² = -x²/2 is carried as hi + lo (an FMA gives
// the rounding error of x²), and the reduction subtracts n·ln2 from hi
// first, which is exact, so the argument keeps its precision in the tail.
// |x| is clamped to 16 (NaN kept), which keeps lo finite and still
// flushes the tail to 0. GELU runs this kernel on AVX-512 machines too,
// having none of its own there; package ops computes its GELU with
// GELUDeriv instead, whose AVX-512 kernel is in gelu_amd64.s.
#define GELU256 \
	VANDPS C_ABS, Y0, Y3; \
	VMOVUPS C_C16, Y15; \
	VMINPS Y3, Y15, Y3; \
	VMULPS Y3, Y3, Y4; \
	VMOVAPS Y4, Y5; \
	VFMSUB231PS Y3, Y3, Y5; \
	VMOVUPS C_TWO, Y6; \
	VFMADD231PS C_RSQRT2, Y3, Y6; \
	VMOVUPS C_ONE, Y15; \
	VDIVPS Y6, Y15, Y7; \
	VADDPS Y7, Y7, Y8; \
	VMOVUPS C_Q9, Y9; \
	VFMADD213PS C_Q8, Y8, Y9; \
	VFMADD213PS C_Q7, Y8, Y9; \
	VFMADD213PS C_Q6, Y8, Y9; \
	VFMADD213PS C_Q5, Y8, Y9; \
	VFMADD213PS C_Q4, Y8, Y9; \
	VFMADD213PS C_Q3, Y8, Y9; \
	VFMADD213PS C_Q2, Y8, Y9; \
	VFMADD213PS C_Q1, Y8, Y9; \
	VFMADD213PS C_Q0, Y8, Y9; \
	VMULPS C_NHALF, Y4, Y4; \
	VMULPS C_NHALF, Y5, Y5; \
	VADDPS Y9, Y4, Y10; \
	VCMPPS $5, C_MINARG, Y10, Y2; \
	VMULPS C_LOG2E, Y10, Y10; \
	VROUNDPS $0, Y10, Y10; \
	VFMADD231PS C_NLN2HI, Y10, Y4; \
	VFMADD231PS C_NLN2LO, Y10, Y4; \
	VADDPS Y9, Y4, Y4; \
	VADDPS Y5, Y4, Y4; \
	EXP256(Y4, Y10, Y11, Y12, Y1); \
	VMULPS Y7, Y12, Y12; \
	VANDPS Y2, Y12, Y12; \
	VMOVUPS C_ONE, Y13; \
	VSUBPS Y12, Y13, Y13; \
	VBLENDVPS Y0, Y12, Y13, Y13; \
	VMULPS Y13, Y0, Y14

// func geluAVX2(out, cdf, x *float32, n int)
// n is a multiple of 8.
TEXT ·geluAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ cdf+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX

gelu256loop:
	CMPQ CX, $8
	JL   gelu256done
	VMOVUPS (SI), Y0
	GELU256
	VMOVUPS Y13, (DX)
	VMOVUPS Y14, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  gelu256loop

gelu256done:
	VZEROUPPER
	RET

// GELUGRAD256 computes from x in Y0, g in Y1 and cdf in Y2 the lanes of
// dx = g·(cdf + x·φ(x)) in Y14, with φ(x) = e^(-x²/2)/√(2π) and -x²/2
// carried as hi + lo as in GELU256.
#define GELUGRAD256 \
	VANDPS C_ABS, Y0, Y3; \
	VMOVUPS C_C16, Y15; \
	VMINPS Y3, Y15, Y3; \
	VMULPS Y3, Y3, Y4; \
	VMOVAPS Y4, Y5; \
	VFMSUB231PS Y3, Y3, Y5; \
	VMULPS C_NHALF, Y4, Y4; \
	VMULPS C_NHALF, Y5, Y5; \
	VCMPPS $5, C_MINARG, Y4, Y6; \
	VMULPS C_LOG2E, Y4, Y10; \
	VROUNDPS $0, Y10, Y10; \
	VFMADD231PS C_NLN2HI, Y10, Y4; \
	VFMADD231PS C_NLN2LO, Y10, Y4; \
	VADDPS Y5, Y4, Y4; \
	EXP256(Y4, Y10, Y11, Y12, Y15); \
	VMULPS C_ISQ2PI, Y12, Y12; \
	VANDPS Y6, Y12, Y12; \
	VFMADD213PS Y2, Y0, Y12; \
	VMULPS Y12, Y1, Y14

// func geluGradAVX2(dx, grad, cdf, x *float32, n int)
// n is a multiple of 8.
TEXT ·geluGradAVX2(SB), NOSPLIT, $0-40
	MOVQ dx+0(FP), DI
	MOVQ grad+8(FP), R8
	MOVQ cdf+16(FP), DX
	MOVQ x+24(FP), SI
	MOVQ n+32(FP), CX

grad256loop:
	CMPQ CX, $8
	JL   grad256done
	VMOVUPS (SI), Y0
	VMOVUPS (R8), Y1
	VMOVUPS (DX), Y2
	GELUGRAD256
	VMOVUPS Y14, (DI)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  grad256loop

grad256done:
	VZEROUPPER
	RET

// func expSubAVX2(y, x *float32, n int, m float32) float64
// n is a multiple of 8.
TEXT ·expSubAVX2(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS m+24(FP), Y1
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9

exp256loop:
	CMPQ CX, $8
	JL   exp256done
	VMOVUPS (SI), Y0
	VSUBPS Y1, Y0, Y4
	VCMPPS $5, C_MINARG, Y4, Y6
	VCMPPS $29, C_MINARG, Y4, Y7
	VMULPS C_LOG2E, Y4, Y10
	VROUNDPS $0, Y10, Y10
	VFMADD231PS C_NLN2HI, Y10, Y4
	VFMADD231PS C_NLN2LO, Y10, Y4
	EXP256(Y4, Y10, Y11, Y12, Y15)
	VANDPS Y6, Y12, Y12
	VMOVUPS Y12, (DI)
	VANDPS Y7, Y12, Y12
	VCVTPS2PD X12, Y13
	VADDPD Y13, Y8, Y8
	VEXTRACTF128 $1, Y12, X14
	VCVTPS2PD X14, Y14
	VADDPD Y14, Y9, Y9
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  exp256loop

exp256done:
	VADDPD Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD X9, X8, X8
	VPERMILPD $1, X8, X9
	VADDSD X9, X8, X8
	VMOVSD X8, ret+32(FP)
	VZEROUPPER
	RET

// GELUTANH512 computes from x in Z0 the lanes of th = tanh(u) in Z13 and
// out = 0.5·x·(1 + th) in Z14, with u = √(2/π)·(x + 0.044715·x³), as
// tanh(|u|) = (1 - e)/(1 + e) with e = e^(-2|u|) <= 1 and the sign of u;
// |u| is clamped to 9 (NaN kept), where tanh rounds to 1.
#define GELUTANH512 \
	VMULPS Z0, Z0, Z3; \
	VBROADCASTSS C_GA, Z4; \
	VFMADD213PS Z20, Z3, Z4; \
	VMULPS Z0, Z4, Z4; \
	VMULPS.BCST C_GC, Z4, Z4; \
	VPANDD Z16, Z4, Z5; \
	VBROADCASTSS C_C9, Z6; \
	VMINPS Z5, Z6, Z5; \
	VMULPS Z19, Z5, Z5; \
	VXORPS Z7, Z7, Z7; \
	VSUBPS Z5, Z7, Z5; \
	VMULPS Z22, Z5, Z10; \
	VRNDSCALEPS $0, Z10, Z10; \
	VFMADD231PS Z10, Z23, Z5; \
	VFMADD231PS Z10, Z24, Z5; \
	EXP512(Z5, Z10, Z11, Z12); \
	VSUBPS Z12, Z20, Z8; \
	VADDPS Z12, Z20, Z9; \
	VDIVPS Z9, Z8, Z8; \
	VPANDND Z4, Z16, Z9; \
	VPORD Z9, Z8, Z13; \
	VBROADCASTSS C_HALF, Z9; \
	VMOVAPS Z9, Z14; \
	VFMADD231PS Z13, Z9, Z14; \
	VMULPS Z14, Z0, Z14

// func geluTanhAVX512(out, th, x *float32, n int)
TEXT ·geluTanhAVX512(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ th+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	LOAD512

gtanh512loop:
	CMPQ CX, $16
	JL   gtanh512tail
	VMOVUPS (SI), Z0
	GELUTANH512
	VMOVUPS Z13, (DX)
	VMOVUPS Z14, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  gtanh512loop

gtanh512tail:
	TESTQ CX, CX
	JZ    gtanh512done
	TAILMASK1
	VMOVUPS.Z (SI), K1, Z0
	GELUTANH512
	VMOVUPS Z13, K1, (DX)
	VMOVUPS Z14, K1, (DI)

gtanh512done:
	VZEROUPPER
	RET

// GELUTANHGRAD512 computes from x in Z0, g in Z1 and th in Z2 the lanes of
// dx = g·(0.5·(1 + th) + 0.5·x·(1 - th²)·√(2/π)·(1 + 3·0.044715·x²))
// in Z14.
#define GELUTANHGRAD512 \
	VMULPS Z0, Z0, Z3; \
	VBROADCASTSS C_GA3, Z4; \
	VFMADD213PS Z20, Z3, Z4; \
	VMOVAPS Z20, Z5; \
	VFNMADD231PS Z2, Z2, Z5; \
	VMULPS Z5, Z0, Z5; \
	VMULPS Z4, Z5, Z5; \
	VMULPS.BCST C_GCH, Z5, Z5; \
	VBROADCASTSS C_HALF, Z6; \
	VMOVAPS Z6, Z7; \
	VFMADD231PS Z2, Z6, Z7; \
	VADDPS Z5, Z7, Z7; \
	VMULPS Z7, Z1, Z14

// func geluTanhGradAVX512(dx, grad, th, x *float32, n int)
TEXT ·geluTanhGradAVX512(SB), NOSPLIT, $0-40
	MOVQ dx+0(FP), DI
	MOVQ grad+8(FP), R8
	MOVQ th+16(FP), DX
	MOVQ x+24(FP), SI
	MOVQ n+32(FP), CX
	VBROADCASTSS C_ONE, Z20

gtgrad512loop:
	CMPQ CX, $16
	JL   gtgrad512tail
	VMOVUPS (SI), Z0
	VMOVUPS (R8), Z1
	VMOVUPS (DX), Z2
	GELUTANHGRAD512
	VMOVUPS Z14, (DI)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  gtgrad512loop

gtgrad512tail:
	TESTQ CX, CX
	JZ    gtgrad512done
	TAILMASK1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (R8), K1, Z1
	VMOVUPS.Z (DX), K1, Z2
	GELUTANHGRAD512
	VMOVUPS Z14, K1, (DI)

gtgrad512done:
	VZEROUPPER
	RET

// GELUTANH256 is GELUTANH512 for 8 lanes: x in Y0, th in Y13, out in Y14.
#define GELUTANH256 \
	VMULPS Y0, Y0, Y3; \
	VMOVUPS C_GA, Y4; \
	VFMADD213PS C_ONE, Y3, Y4; \
	VMULPS Y0, Y4, Y4; \
	VMULPS C_GC, Y4, Y4; \
	VANDPS C_ABS, Y4, Y5; \
	VMOVUPS C_C9, Y6; \
	VMINPS Y5, Y6, Y5; \
	VMULPS C_TWO, Y5, Y5; \
	VXORPS Y7, Y7, Y7; \
	VSUBPS Y5, Y7, Y5; \
	VMULPS C_LOG2E, Y5, Y10; \
	VROUNDPS $0, Y10, Y10; \
	VFMADD231PS C_NLN2HI, Y10, Y5; \
	VFMADD231PS C_NLN2LO, Y10, Y5; \
	EXP256(Y5, Y10, Y11, Y12, Y1); \
	VMOVUPS C_ONE, Y9; \
	VSUBPS Y12, Y9, Y8; \
	VADDPS Y12, Y9, Y9; \
	VDIVPS Y9, Y8, Y8; \
	VMOVUPS C_ABS, Y9; \
	VANDNPS Y4, Y9, Y9; \
	VORPS Y9, Y8, Y13; \
	VMOVUPS C_HALF, Y9; \
	VMOVAPS Y9, Y14; \
	VFMADD231PS Y13, Y9, Y14; \
	VMULPS Y14, Y0, Y14

// func geluTanhAVX2(out, th, x *float32, n int)
// n is a multiple of 8.
TEXT ·geluTanhAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ th+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX

gtanh256loop:
	CMPQ CX, $8
	JL   gtanh256done
	VMOVUPS (SI), Y0
	GELUTANH256
	VMOVUPS Y13, (DX)
	VMOVUPS Y14, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  gtanh256loop

gtanh256done:
	VZEROUPPER
	RET

// func softmaxAVX512(y, x *float32, n int, scale float32) (m float32, sum float64)
// n >= 1. y = scale·x and m = max(y) (NaN if y holds one); then, if m is
// finite, y = e^(y - m) / sum with sum = Σ e^(y - m) in float64, in one
// call for the short rows of attention. If m is not finite, y stays
// scale·x and sum is 0.
TEXT ·softmaxAVX512(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), BX
	VBROADCASTSS scale+24(FP), Z1
	LOAD512
	MOVL $0xff800000, AX // -Inf
	VPBROADCASTD AX, Z2   // the running maximum
	KXORW K4, K4, K4      // lanes that met a NaN
	MOVQ BX, CX
	MOVQ DI, R8

	// Pass 1: y = scale·x, and its maximum.
smscale16:
	CMPQ CX, $16
	JL   smscaletail
	VMULPS (SI), Z1, Z0
	VMOVUPS Z0, (R8)
	VCMPPS $3, Z0, Z0, K2
	KORW K2, K4, K4
	VMAXPS Z0, Z2, Z2
	ADDQ $64, SI
	ADDQ $64, R8
	SUBQ $16, CX
	JMP  smscale16

smscaletail:
	TESTQ CX, CX
	JZ    smscaledone
	TAILMASK1
	VMOVUPS.Z (SI), K1, Z0
	VMULPS Z0, Z1, Z0
	VMOVUPS Z0, K1, (R8)
	VCMPPS $3, Z0, Z0, K2
	KANDW K1, K2, K2
	KORW K2, K4, K4
	MOVL $0xff800000, AX
	VPBROADCASTD AX, Z5
	VMOVAPS Z0, K1, Z5
	VMAXPS Z5, Z2, Z2

smscaledone:
	HREDUCE512(VMAXPS, Z2, Z3, Z2) // X2 is the maximum (lane 0)
	KORTESTW K4, K4
	JZ   smhavemax
	MOVL $0x7fc00000, AX // NaN
	VMOVD AX, X2

smhavemax:
	VMOVSS X2, m+32(FP)
	VMOVD X2, AX
	ANDL  $0x7fffffff, AX
	CMPL  AX, $0x7f800000
	JAE   smnotfinite
	VBROADCASTSS X2, Z1

	// Pass 2: y = e^(y - m), summed in float64 (Z8, Z9).
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	MOVQ   BX, CX
	MOVQ   DI, R8

smexp16:
	CMPQ CX, $16
	JL   smexptail
	VMOVUPS (R8), Z0
	EXPSUB512(Z0, Z3, Z4, Z5, Z6, K2, K3)
	VMOVAPS.Z Z6, K2, Z6
	VMOVUPS Z6, (R8)
	SUM512(Z6, K3, Y6, Y7, Z7)
	ADDQ $64, R8
	SUBQ $16, CX
	JMP  smexp16

smexptail:
	TESTQ CX, CX
	JZ    smexpdone
	VMOVUPS.Z (R8), K1, Z0
	EXPSUB512(Z0, Z3, Z4, Z5, Z6, K2, K3)
	KANDW K1, K2, K2
	KANDW K1, K3, K3
	VMOVAPS.Z Z6, K2, Z6
	VMOVUPS Z6, K1, (R8)
	SUM512(Z6, K3, Y6, Y7, Z7)

smexpdone:
	VADDPD Z9, Z8, Z8
	HSUMPDR(Z8, Y8, X8, Y9, X9)
	VMOVSD X8, sum+40(FP)
	MOVQ $0x3ff0000000000000, AX // 1.0
	VMOVQ AX, X9
	VDIVSD X8, X9, X9
	VCVTSD2SS X9, X9, X9
	VBROADCASTSS X9, Z1 // float32(1/sum)

	// Pass 3: y = y·(1/sum).
	MOVQ BX, CX
	MOVQ DI, R8

smnorm16:
	CMPQ CX, $16
	JL   smnormtail
	VMULPS (R8), Z1, Z0
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	SUBQ $16, CX
	JMP  smnorm16

smnormtail:
	TESTQ CX, CX
	JZ    smdone
	VMOVUPS.Z (R8), K1, Z0
	VMULPS Z0, Z1, Z0
	VMOVUPS Z0, K1, (R8)

smdone:
	VZEROUPPER
	RET

smnotfinite:
	MOVQ $0, sum+40(FP)
	VZEROUPPER
	RET

// iota holds the lane numbers 0..15 as int32.
DATA iota<>+0(SB)/8, $0x0000000100000000
DATA iota<>+8(SB)/8, $0x0000000300000002
DATA iota<>+16(SB)/8, $0x0000000500000004
DATA iota<>+24(SB)/8, $0x0000000700000006
DATA iota<>+32(SB)/8, $0x0000000900000008
DATA iota<>+40(SB)/8, $0x0000000b0000000a
DATA iota<>+48(SB)/8, $0x0000000d0000000c
DATA iota<>+56(SB)/8, $0x0000000f0000000e
GLOBL iota<>(SB), RODATA|NOPTR, $64

// func softmaxRowsAVX512(y, x *float32, rows, n, first int, scale float32) int
//
// Rows of n <= 32 elements, n apart, each in two vectors held in
// registers from load to store: row r keeps its first k = min(n, first+r)
// elements (masks K1, K2 from the lane numbers in Z12, Z13), gets
// e^(scale·x - m)/sum there and 0 in the rest. It stops before a row with
// a NaN among its kept scores or a maximum m that is not finite, leaving
// scale·x in that row's kept elements, and returns the rows done.
TEXT ·softmaxRowsAVX512(SB), NOSPLIT, $0-56
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ rows+16(FP), BX
	MOVQ n+24(FP), R9
	MOVQ first+32(FP), R10
	VBROADCASTSS scale+40(FP), Z15
	LOAD512
	VMOVDQU32 iota<>(SB), Z12
	MOVL $16, AX
	VPBROADCASTD AX, Z13
	VPADDD Z12, Z13, Z13         // lanes 16..31
	MOVL $0xff800000, AX
	VPBROADCASTD AX, Z14         // -Inf
	VPBROADCASTD R9, Z0
	VPCMPD $1, Z0, Z12, K1
	VPCMPD $1, Z0, Z13, K2
	KMOVW K1, R12                // the store masks of a whole row
	KMOVW K2, R13
	MOVQ R9, R14
	SHLQ $2, R14                 // bytes a row
	XORQ R11, R11

smrow:
	CMPQ R11, BX
	JGE  smrdone
	MOVQ R10, AX
	CMPQ AX, R9
	CMOVQGT R9, AX               // k
	VPBROADCASTD AX, Z0
	VPCMPD $1, Z0, Z12, K1
	VPCMPD $1, Z0, Z13, K2
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z10
	VMULPS Z15, Z0, Z0
	VMULPS Z15, Z10, Z10
	VCMPPS $3, Z0, Z0, K3        // NaN lanes (dropped lanes hold 0)
	VCMPPS $3, Z10, Z10, K4
	KORTESTW K3, K4
	JNZ  smrstop
	VMOVAPS Z14, Z2
	VMOVAPS Z14, Z3
	VMOVAPS Z0, K1, Z2
	VMOVAPS Z10, K2, Z3
	VMAXPS Z3, Z2, Z2
	HREDUCE512(VMAXPS, Z2, Z3, Z1)
	VMOVD X1, AX
	ANDL $0x7fffffff, AX
	CMPL AX, $0x7f800000
	JAE  smrstop                 // ±Inf, or -Inf for no kept element
	EXPSUB512(Z0, Z3, Z4, Z5, Z6, K3, K4)
	EXPSUB512(Z10, Z7, Z8, Z9, Z11, K5, K6)
	KANDW K1, K3, K3
	KANDW K2, K5, K5
	VMOVAPS.Z Z6, K3, Z6
	VMOVAPS.Z Z11, K5, Z11
	VADDPS Z11, Z6, Z2
	HREDUCE512(VADDPS, Z2, Z3, Z2)
	VDIVPS Z2, Z20, Z2           // 1/sum
	VMULPS Z2, Z6, Z6
	VMULPS Z2, Z11, Z11
	KMOVW R12, K3
	KMOVW R13, K4
	VMOVUPS Z6, K3, (DI)
	VMOVUPS Z11, K4, 64(DI)
	ADDQ R14, SI
	ADDQ R14, DI
	INCQ R10
	INCQ R11
	JMP  smrow

smrstop:
	VMOVUPS Z0, K1, (DI)
	VMOVUPS Z10, K2, 64(DI)

smrdone:
	MOVQ R11, ret+48(FP)
	VZEROUPPER
	RET

// func softmaxGradRowsAVX512(d, grad, y *float32, rows, n int, scale float32)
//
// Rows of n <= 32 elements, n apart, each in two vectors:
// d = scale·y·(g - Σ y·g). d may be g.
TEXT ·softmaxGradRowsAVX512(SB), NOSPLIT, $0-44
	MOVQ d+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ rows+24(FP), BX
	MOVQ n+32(FP), R9
	VBROADCASTSS scale+40(FP), Z15
	VMOVDQU32 iota<>(SB), Z12
	MOVL $16, AX
	VPBROADCASTD AX, Z13
	VPADDD Z12, Z13, Z13
	VPBROADCASTD R9, Z0
	VPCMPD $1, Z0, Z12, K1
	VPCMPD $1, Z0, Z13, K2
	MOVQ R9, R14
	SHLQ $2, R14
	TESTQ BX, BX
	JZ   sgrdone

sgrrow:
	VMOVUPS.Z (DX), K1, Z0
	VMOVUPS.Z 64(DX), K2, Z1
	VMOVUPS.Z (SI), K1, Z2
	VMOVUPS.Z 64(SI), K2, Z3
	VMULPS Z2, Z0, Z4
	VFMADD231PS Z3, Z1, Z4
	HREDUCE512(VADDPS, Z4, Z5, Z4) // Σ y·g in every lane
	VSUBPS Z4, Z2, Z2
	VSUBPS Z4, Z3, Z3
	VMULPS Z15, Z0, Z0
	VMULPS Z15, Z1, Z1
	VMULPS Z2, Z0, Z0
	VMULPS Z3, Z1, Z1
	VMOVUPS Z0, K1, (DI)
	VMOVUPS Z1, K2, 64(DI)
	ADDQ R14, DI
	ADDQ R14, SI
	ADDQ R14, DX
	DECQ BX
	JNZ  sgrrow

sgrdone:
	VZEROUPPER
	RET

// func prefetchAsm(p *float32, n int)
// PREFETCHT0 of every 64-byte line of the n floats at p.
TEXT ·prefetchAsm(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	LEAQ (SI)(CX*4), CX
	ANDQ $-64, SI // the line of the first float

pfloop:
	CMPQ SI, CX
	JAE  pfdone
	PREFETCHT0 (SI)
	ADDQ $64, SI
	JMP  pfloop

pfdone:
	RET
