//go:build amd64 && !purego

#include "textflag.h"
#include "vecmath_amd64.h"

// The AVX-512 kernel of GELUDeriv. It computes Φ and φ from one
// exponential, in the form of Abramowitz and Stegun 26.2.17 with a fit of
// its own: for a = |x|,
//
//	φ(a)  = e^(-a²/2)/√(2π)
//	Φ(-a) = φ(a)·t·P(t), t = 1/(1 + p·a)
//
// where t·P(t) fits the Mills ratio Φ(-a)/φ(a) for a in [0, 13.3] with a
// relative error of 3e-8 in float64 (P of degree 8, p = 0.35, the
// coefficients fitted by iteratively reweighted least squares). x² is
// carried as hi + lo (an FMA gives the rounding error of the square), and
// e^(-x²/2) = e^r·2^n with x² + 2n·ln2 = -2r: the reduction adds 2n·ln2hi
// to hi first, which is exact, so that e^(-x²/2) keeps its precision in
// the tail. e^r/√(2π) is a degree-6 polynomial fitted to 1.9e-9 on
// |r| <= ln2/2, evaluated in u = -2r (its coefficients scaled by
// (-1/2)^j), which saves multiplying x² by -1/2. φ flushes to 0 where
// x²/2 > -ln 2^-126 (|x| > 13.2), and with it Φ(-a); the flush also
// covers x² = +Inf and a NaN lo for |x| >= 2^64 and ±Inf, where t·P(t)
// still is finite.

// Constants, 4 bytes each, broadcast.
DATA gdc<>+0(SB)/4, $0x7fffffff // |x| mask
DATA gdc<>+4(SB)/4, $0x432eac50 // -2·ln 2^-126: the largest x² that is not flushed
DATA gdc<>+8(SB)/4, $0x3eb33333 // p = 0.35, of t = 1/(1 + p·a)
DATA gdc<>+12(SB)/4, $0x3f800000 // 1
DATA gdc<>+16(SB)/4, $0xbf38aa3b // -log2(e)/2
DATA gdc<>+20(SB)/4, $0x3fb18000 // 2·ln2 (high part, 1.38671875)
DATA gdc<>+24(SB)/4, $0xb9de8083 // 2·ln2 (low part, -4.2438888e-4)
DATA gdc<>+28(SB)/4, $0x3710b4b7 // k6 = 8.6251448e-06
DATA gdc<>+32(SB)/4, $0xb8daf5fb // k5 = -0.000104408675
DATA gdc<>+36(SB)/4, $0x3a882d6a // k4 = 0.0010389511
DATA gdc<>+40(SB)/4, $0xbc082b98 // k3 = -0.00831117481
DATA gdc<>+44(SB)/4, $0x3d4c4227 // k2 = 0.0498677753
DATA gdc<>+48(SB)/4, $0xbe4c422a // k1 = -0.199471146
DATA gdc<>+52(SB)/4, $0x3ecc422a // k0 = 0.398942292
DATA gdc<>+56(SB)/4, $0xbd9576d2 // c8 = -7.29805380e-2
DATA gdc<>+60(SB)/4, $0x3eb89360 // c7 = 3.60499382e-1
DATA gdc<>+64(SB)/4, $0xbf23e237 // c6 = -6.40170515e-1
DATA gdc<>+68(SB)/4, $0x3ecbcc74 // c5 = 3.98044229e-1
DATA gdc<>+72(SB)/4, $0xbd6a899a // c4 = -5.72601333e-2
DATA gdc<>+76(SB)/4, $0x3e874278 // c3 = 2.64178991e-1
DATA gdc<>+80(SB)/4, $0x3e99d4df // c2 = 3.00452203e-1
DATA gdc<>+84(SB)/4, $0x3eb37e08 // c1 = 3.50570917e-1
DATA gdc<>+88(SB)/4, $0x3eb33087 // c0 = 3.49979609e-1
GLOBL gdc<>(SB), RODATA|NOPTR, $92

#define G_ABS gdc<>+0(SB)
#define G_MAXS gdc<>+4(SB)
#define G_P gdc<>+8(SB)
#define G_ONE gdc<>+12(SB)
#define G_NHLOG2E gdc<>+16(SB)
#define G_LN2HI2 gdc<>+20(SB)
#define G_LN2LO2 gdc<>+24(SB)
#define G_K6 gdc<>+28(SB)
#define G_K5 gdc<>+32(SB)
#define G_K4 gdc<>+36(SB)
#define G_K3 gdc<>+40(SB)
#define G_K2 gdc<>+44(SB)
#define G_K1 gdc<>+48(SB)
#define G_K0 gdc<>+52(SB)
#define G_C8 gdc<>+56(SB)
#define G_C7 gdc<>+60(SB)
#define G_C6 gdc<>+64(SB)
#define G_C5 gdc<>+68(SB)
#define G_C4 gdc<>+72(SB)
#define G_C3 gdc<>+76(SB)
#define G_C2 gdc<>+80(SB)
#define G_C1 gdc<>+84(SB)
#define G_C0 gdc<>+88(SB)

// Constant registers, loaded by LOADGELUD.
// Z16 |x| mask     Z17 maxs      Z18 p       Z19 1
// Z20 -log2(e)/2   Z21 2·ln2hi   Z22 2·ln2lo
// Z23..Z29 k6..k0 (the polynomial of e^(-u/2)/√(2π) in u = -2r)
#define LOADGELUD \
	VBROADCASTSS G_ABS, Z16; \
	VBROADCASTSS G_MAXS, Z17; \
	VBROADCASTSS G_P, Z18; \
	VBROADCASTSS G_ONE, Z19; \
	VBROADCASTSS G_NHLOG2E, Z20; \
	VBROADCASTSS G_LN2HI2, Z21; \
	VBROADCASTSS G_LN2LO2, Z22; \
	VBROADCASTSS G_K6, Z23; \
	VBROADCASTSS G_K5, Z24; \
	VBROADCASTSS G_K4, Z25; \
	VBROADCASTSS G_K3, Z26; \
	VBROADCASTSS G_K2, Z27; \
	VBROADCASTSS G_K1, Z28; \
	VBROADCASTSS G_K0, Z29

// GELUD512 computes from x the lanes of out = x·Φ(x) in h and
// d = Φ(x) + x·φ(x) in l; a, n, e, t and q are scratch, kf and ks mask
// registers. Step by step:
//
//	VPANDD Z16, x, a                // a = |x|
//	VMULPS x, x, h                  // h = x² rounded
//	VMOVAPS h, l
//	VFMSUB231PS x, x, l             // l = x² - h, exact
//	VCMPPS $10, Z17, h, kf          // kf: lanes with h <= maxs, or NaN
//	VMULPS Z20, h, n
//	VRNDSCALEPS $0, n, n            // n = round(-h·log2(e)/2)
//	VFMADD231PS n, Z21, h           // h += 2n·ln2hi, exact
//	VFMADD231PS n, Z22, h           // h += 2n·ln2lo
//	VADDPS l, h, h                  // h = x² + 2n·ln2 = -2r
//	VMOVAPS Z23, e
//	VFMADD213PS Z24, h, e
//	VFMADD213PS Z25, h, e
//	VFMADD213PS Z26, h, e
//	VFMADD213PS Z27, h, e
//	VFMADD213PS Z28, h, e
//	VFMADD213PS Z29, h, e           // e = e^r/√(2π)
//	VSCALEFPS.Z n, e, kf, e         // e = φ(x), flushed
//	VMOVAPS Z19, t
//	VFMADD231PS a, Z18, t           // t = 1 + p·a
//	VDIVPS t, Z19, t                // t = 1/(1 + p·a)
//	VBROADCASTSS G_C8, q
//	VFMADD213PS.BCST G_C7, t, q
//	VFMADD213PS.BCST G_C6, t, q
//	VFMADD213PS.BCST G_C5, t, q
//	VFMADD213PS.BCST G_C4, t, q
//	VFMADD213PS.BCST G_C3, t, q
//	VFMADD213PS.BCST G_C2, t, q
//	VFMADD213PS.BCST G_C1, t, q
//	VFMADD213PS.BCST G_C0, t, q     // q = P(t)
//	VMULPS t, q, q                  // q = t·P(t) = Φ(-a)/φ(a)
//	VMULPS e, q, q                  // q = Φ(-a)
//	VSUBPS q, Z19, l                // l = 1 - Φ(-a) = Φ(a)
//	VPMOVD2M x, ks
//	VMOVAPS q, ks, l                // l = Φ(x)
//	VMULPS l, x, h                  // h = x·Φ(x)
//	VFMADD231PS x, e, l             // l = Φ(x) + x·φ(x)
#define GELUD512(x, a, h, l, n, e, t, q, kf, ks) \
	VPANDD Z16, x, a; \
	VMULPS x, x, h; \
	VMOVAPS h, l; \
	VFMSUB231PS x, x, l; \
	VCMPPS $10, Z17, h, kf; \
	VMULPS Z20, h, n; \
	VRNDSCALEPS $0, n, n; \
	VFMADD231PS n, Z21, h; \
	VFMADD231PS n, Z22, h; \
	VADDPS l, h, h; \
	VMOVAPS Z23, e; \
	VFMADD213PS Z24, h, e; \
	VFMADD213PS Z25, h, e; \
	VFMADD213PS Z26, h, e; \
	VFMADD213PS Z27, h, e; \
	VFMADD213PS Z28, h, e; \
	VFMADD213PS Z29, h, e; \
	VSCALEFPS.Z n, e, kf, e; \
	VMOVAPS Z19, t; \
	VFMADD231PS a, Z18, t; \
	VDIVPS t, Z19, t; \
	VBROADCASTSS G_C8, q; \
	VFMADD213PS.BCST G_C7, t, q; \
	VFMADD213PS.BCST G_C6, t, q; \
	VFMADD213PS.BCST G_C5, t, q; \
	VFMADD213PS.BCST G_C4, t, q; \
	VFMADD213PS.BCST G_C3, t, q; \
	VFMADD213PS.BCST G_C2, t, q; \
	VFMADD213PS.BCST G_C1, t, q; \
	VFMADD213PS.BCST G_C0, t, q; \
	VMULPS t, q, q; \
	VMULPS e, q, q; \
	VSUBPS q, Z19, l; \
	VPMOVD2M x, ks; \
	VMOVAPS q, ks, l; \
	VMULPS l, x, h; \
	VFMADD231PS x, e, l

// GELUD512X2 is GELUD512 for x in Z0 and in Z8, the instructions of the
// two interleaved so that two chains of dependent operations are in
// flight: out in Z2 and Z10, d in Z3 and Z11.
#define GELUD512X2 \
	VPANDD Z16, Z0, Z1; \
	VPANDD Z16, Z8, Z9; \
	VMULPS Z0, Z0, Z2; \
	VMULPS Z8, Z8, Z10; \
	VMOVAPS Z2, Z3; \
	VMOVAPS Z10, Z11; \
	VFMSUB231PS Z0, Z0, Z3; \
	VFMSUB231PS Z8, Z8, Z11; \
	VCMPPS $10, Z17, Z2, K2; \
	VCMPPS $10, Z17, Z10, K4; \
	VMULPS Z20, Z2, Z4; \
	VMULPS Z20, Z10, Z12; \
	VRNDSCALEPS $0, Z4, Z4; \
	VRNDSCALEPS $0, Z12, Z12; \
	VFMADD231PS Z4, Z21, Z2; \
	VFMADD231PS Z12, Z21, Z10; \
	VFMADD231PS Z4, Z22, Z2; \
	VFMADD231PS Z12, Z22, Z10; \
	VADDPS Z3, Z2, Z2; \
	VADDPS Z11, Z10, Z10; \
	VMOVAPS Z23, Z5; \
	VMOVAPS Z23, Z13; \
	VFMADD213PS Z24, Z2, Z5; \
	VFMADD213PS Z24, Z10, Z13; \
	VFMADD213PS Z25, Z2, Z5; \
	VFMADD213PS Z25, Z10, Z13; \
	VFMADD213PS Z26, Z2, Z5; \
	VFMADD213PS Z26, Z10, Z13; \
	VFMADD213PS Z27, Z2, Z5; \
	VFMADD213PS Z27, Z10, Z13; \
	VFMADD213PS Z28, Z2, Z5; \
	VFMADD213PS Z28, Z10, Z13; \
	VFMADD213PS Z29, Z2, Z5; \
	VFMADD213PS Z29, Z10, Z13; \
	VSCALEFPS.Z Z4, Z5, K2, Z5; \
	VSCALEFPS.Z Z12, Z13, K4, Z13; \
	VMOVAPS Z19, Z6; \
	VMOVAPS Z19, Z14; \
	VFMADD231PS Z1, Z18, Z6; \
	VFMADD231PS Z9, Z18, Z14; \
	VDIVPS Z6, Z19, Z6; \
	VDIVPS Z14, Z19, Z14; \
	VBROADCASTSS G_C8, Z7; \
	VBROADCASTSS G_C8, Z15; \
	VFMADD213PS.BCST G_C7, Z6, Z7; \
	VFMADD213PS.BCST G_C7, Z14, Z15; \
	VFMADD213PS.BCST G_C6, Z6, Z7; \
	VFMADD213PS.BCST G_C6, Z14, Z15; \
	VFMADD213PS.BCST G_C5, Z6, Z7; \
	VFMADD213PS.BCST G_C5, Z14, Z15; \
	VFMADD213PS.BCST G_C4, Z6, Z7; \
	VFMADD213PS.BCST G_C4, Z14, Z15; \
	VFMADD213PS.BCST G_C3, Z6, Z7; \
	VFMADD213PS.BCST G_C3, Z14, Z15; \
	VFMADD213PS.BCST G_C2, Z6, Z7; \
	VFMADD213PS.BCST G_C2, Z14, Z15; \
	VFMADD213PS.BCST G_C1, Z6, Z7; \
	VFMADD213PS.BCST G_C1, Z14, Z15; \
	VFMADD213PS.BCST G_C0, Z6, Z7; \
	VFMADD213PS.BCST G_C0, Z14, Z15; \
	VMULPS Z6, Z7, Z7; \
	VMULPS Z14, Z15, Z15; \
	VMULPS Z5, Z7, Z7; \
	VMULPS Z13, Z15, Z15; \
	VSUBPS Z7, Z19, Z3; \
	VSUBPS Z15, Z19, Z11; \
	VPMOVD2M Z0, K3; \
	VPMOVD2M Z8, K5; \
	VMOVAPS Z7, K3, Z3; \
	VMOVAPS Z15, K5, Z11; \
	VMULPS Z3, Z0, Z2; \
	VMULPS Z11, Z8, Z10; \
	VFMADD231PS Z0, Z5, Z3; \
	VFMADD231PS Z8, Z13, Z11

// func geluDerivAVX512(out, d, x *float32, n int)
TEXT ·geluDerivAVX512(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ d+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	LOADGELUD

gelud512loop2:
	CMPQ CX, $32
	JL   gelud512loop
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z8
	GELUD512X2
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, (DX)
	VMOVUPS Z10, 64(DI)
	VMOVUPS Z11, 64(DX)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  gelud512loop2

gelud512loop:
	CMPQ CX, $16
	JL   gelud512tail
	VMOVUPS (SI), Z0
	GELUD512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, K2, K3)
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, (DX)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  gelud512loop

gelud512tail:
	TESTQ CX, CX
	JZ    gelud512done
	TAILMASK1
	VMOVUPS.Z (SI), K1, Z0
	GELUD512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, K2, K3)
	VMOVUPS Z2, K1, (DI)
	VMOVUPS Z3, K1, (DX)

gelud512done:
	VZEROUPPER
	RET
