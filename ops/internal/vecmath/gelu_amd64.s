//go:build amd64 && !purego

#include "textflag.h"

// The AVX-512 kernel of GELUDeriv. It computes Φ and φ from one
// exponential, in the form of Abramowitz and Stegun 26.2.17 with a fit of
// its own: for a = |x|,
//
//	φ(a)  = e^(-a²/2)/√(2π)
//	Φ(-a) = φ(a)·t·P(t), t = 1/(1 + p·a)
//
// where t·P(t) fits the Mills ratio Φ(-a)/φ(a) for a in [0, 13.3] with a
// relative error of 3e-8 in float64 (P of degree 8, p = 0.35, the
// coefficients fitted by iteratively reweighted least squares). -a²/2 is
// carried as hi + lo (an FMA gives the rounding error of the square) and
// the reduction subtracts n·ln2 from hi first, which is exact, so that
// e^(-a²/2) keeps its precision in the tail; e^r·(1/√(2π)) is a degree-6
// polynomial fitted to 1.9e-9 on |r| <= ln2/2. φ flushes to 0 where
// e^(-a²/2) < 2^-126 (a > 13.2), and with it Φ(-a). |x| is clamped to 16
// (NaN kept), which keeps lo finite.

// Constants, 4 bytes each, broadcast.
DATA gdc<>+0(SB)/4, $0x7fffffff // |x| mask
DATA gdc<>+4(SB)/4, $0x41800000 // 16
DATA gdc<>+8(SB)/4, $0x3eb33333 // p = 0.35, of t = 1/(1 + p·a)
DATA gdc<>+12(SB)/4, $0x3f800000 // 1
DATA gdc<>+16(SB)/4, $0xbf000000 // -1/2
DATA gdc<>+20(SB)/4, $0x3fb8aa3b // log2 e
DATA gdc<>+24(SB)/4, $0xbf318000 // -ln2 (high part, -0.693359375)
DATA gdc<>+28(SB)/4, $0x395e8083 // -ln2 (low part, 2.1219444e-4)
DATA gdc<>+32(SB)/4, $0xc2aeac50 // ln 2^-126
DATA gdc<>+36(SB)/4, $0x3a10b4b7 // 5.52009267e-4
DATA gdc<>+40(SB)/4, $0x3b5af5fb // 3.34107759e-3
DATA gdc<>+44(SB)/4, $0x3c882d6a // 1.66232176e-2
DATA gdc<>+48(SB)/4, $0x3d882b98 // 6.64893985e-2
DATA gdc<>+52(SB)/4, $0x3e4c4227 // 1.99471101e-1
DATA gdc<>+56(SB)/4, $0x3ecc422a // 3.98942292e-1
DATA gdc<>+60(SB)/4, $0x3ecc422a // 3.98942292e-1 = 1/√(2π)
DATA gdc<>+64(SB)/4, $0xbd9576d2 // -7.29805380e-2
DATA gdc<>+68(SB)/4, $0x3eb89360 // 3.60499382e-1
DATA gdc<>+72(SB)/4, $0xbf23e237 // -6.40170515e-1
DATA gdc<>+76(SB)/4, $0x3ecbcc74 // 3.98044229e-1
DATA gdc<>+80(SB)/4, $0xbd6a899a // -5.72601333e-2
DATA gdc<>+84(SB)/4, $0x3e874278 // 2.64178991e-1
DATA gdc<>+88(SB)/4, $0x3e99d4df // 3.00452203e-1
DATA gdc<>+92(SB)/4, $0x3eb37e08 // 3.50570917e-1
DATA gdc<>+96(SB)/4, $0x3eb33087 // 3.49979609e-1
GLOBL gdc<>(SB), RODATA|NOPTR, $100

#define G_ABS gdc<>+0(SB)
#define G_C16 gdc<>+4(SB)
#define G_P gdc<>+8(SB)
#define G_ONE gdc<>+12(SB)
#define G_NHALF gdc<>+16(SB)
#define G_LOG2E gdc<>+20(SB)
#define G_NLN2HI gdc<>+24(SB)
#define G_NLN2LO gdc<>+28(SB)
#define G_MINARG gdc<>+32(SB)
#define G_K6 gdc<>+36(SB)
#define G_K5 gdc<>+40(SB)
#define G_K4 gdc<>+44(SB)
#define G_K3 gdc<>+48(SB)
#define G_K2 gdc<>+52(SB)
#define G_K1 gdc<>+56(SB)
#define G_K0 gdc<>+60(SB)
#define G_C8 gdc<>+64(SB)
#define G_C7 gdc<>+68(SB)
#define G_C6 gdc<>+72(SB)
#define G_C5 gdc<>+76(SB)
#define G_C4 gdc<>+80(SB)
#define G_C3 gdc<>+84(SB)
#define G_C2 gdc<>+88(SB)
#define G_C1 gdc<>+92(SB)
#define G_C0 gdc<>+96(SB)

// Constant registers, loaded by LOADGELUD.
// Z16 |x| mask  Z17 16      Z18 p         Z19 1        Z20 -1/2
// Z21 log2 e    Z22 -ln2hi  Z23 -ln2lo    Z24 ln 2^-126
// Z25..Z31 k6..k0 (the polynomial of e^r/√(2π))
#define LOADGELUD \
	VBROADCASTSS G_ABS, Z16; \
	VBROADCASTSS G_C16, Z17; \
	VBROADCASTSS G_P, Z18; \
	VBROADCASTSS G_ONE, Z19; \
	VBROADCASTSS G_NHALF, Z20; \
	VBROADCASTSS G_LOG2E, Z21; \
	VBROADCASTSS G_NLN2HI, Z22; \
	VBROADCASTSS G_NLN2LO, Z23; \
	VBROADCASTSS G_MINARG, Z24; \
	VBROADCASTSS G_K6, Z25; \
	VBROADCASTSS G_K5, Z26; \
	VBROADCASTSS G_K4, Z27; \
	VBROADCASTSS G_K3, Z28; \
	VBROADCASTSS G_K2, Z29; \
	VBROADCASTSS G_K1, Z30; \
	VBROADCASTSS G_K0, Z31

// GELUD512 computes from x the lanes of out = x·Φ(x) in h and
// d = Φ(x) + x·φ(x) in l; a, n, e, t and q are scratch, kf and ks mask
// registers. Step by step:
//
//	VPANDD Z16, x, a                // a = |x|
//	VMINPS a, Z17, a                // a = min(a, 16), NaN kept
//	VMULPS Z20, a, t                // t = -a/2, exact
//	VMULPS t, a, h                  // h = -a²/2 rounded
//	VMOVAPS h, l
//	VFMSUB231PS t, a, l             // l = -a²/2 - h, exact
//	VCMPPS $5, Z24, h, kf           // kf: lanes with h >= ln 2^-126, or NaN
//	VMULPS Z21, h, n
//	VRNDSCALEPS $0, n, n            // n = round(h·log2 e)
//	VFMADD231PS n, Z22, h           // h -= n·ln2hi, exact
//	VFMADD231PS n, Z23, h           // h -= n·ln2lo
//	VADDPS l, h, h                  // r = h + l
//	VMOVAPS Z25, e
//	VFMADD213PS Z26, h, e
//	VFMADD213PS Z27, h, e
//	VFMADD213PS Z28, h, e
//	VFMADD213PS Z29, h, e
//	VFMADD213PS Z30, h, e
//	VFMADD213PS Z31, h, e           // e = e^r/√(2π)
//	VSCALEFPS n, e, e               // e = φ(a)
//	VMOVAPS.Z e, kf, e              // flushed
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
	VMINPS a, Z17, a; \
	VMULPS Z20, a, t; \
	VMULPS t, a, h; \
	VMOVAPS h, l; \
	VFMSUB231PS t, a, l; \
	VCMPPS $5, Z24, h, kf; \
	VMULPS Z21, h, n; \
	VRNDSCALEPS $0, n, n; \
	VFMADD231PS n, Z22, h; \
	VFMADD231PS n, Z23, h; \
	VADDPS l, h, h; \
	VMOVAPS Z25, e; \
	VFMADD213PS Z26, h, e; \
	VFMADD213PS Z27, h, e; \
	VFMADD213PS Z28, h, e; \
	VFMADD213PS Z29, h, e; \
	VFMADD213PS Z30, h, e; \
	VFMADD213PS Z31, h, e; \
	VSCALEFPS n, e, e; \
	VMOVAPS.Z e, kf, e; \
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
	VMINPS Z1, Z17, Z1; \
	VMINPS Z9, Z17, Z9; \
	VMULPS Z20, Z1, Z6; \
	VMULPS Z20, Z9, Z14; \
	VMULPS Z6, Z1, Z2; \
	VMULPS Z14, Z9, Z10; \
	VMOVAPS Z2, Z3; \
	VMOVAPS Z10, Z11; \
	VFMSUB231PS Z6, Z1, Z3; \
	VFMSUB231PS Z14, Z9, Z11; \
	VCMPPS $5, Z24, Z2, K2; \
	VCMPPS $5, Z24, Z10, K4; \
	VMULPS Z21, Z2, Z4; \
	VMULPS Z21, Z10, Z12; \
	VRNDSCALEPS $0, Z4, Z4; \
	VRNDSCALEPS $0, Z12, Z12; \
	VFMADD231PS Z4, Z22, Z2; \
	VFMADD231PS Z12, Z22, Z10; \
	VFMADD231PS Z4, Z23, Z2; \
	VFMADD231PS Z12, Z23, Z10; \
	VADDPS Z3, Z2, Z2; \
	VADDPS Z11, Z10, Z10; \
	VMOVAPS Z25, Z5; \
	VMOVAPS Z25, Z13; \
	VFMADD213PS Z26, Z2, Z5; \
	VFMADD213PS Z26, Z10, Z13; \
	VFMADD213PS Z27, Z2, Z5; \
	VFMADD213PS Z27, Z10, Z13; \
	VFMADD213PS Z28, Z2, Z5; \
	VFMADD213PS Z28, Z10, Z13; \
	VFMADD213PS Z29, Z2, Z5; \
	VFMADD213PS Z29, Z10, Z13; \
	VFMADD213PS Z30, Z2, Z5; \
	VFMADD213PS Z30, Z10, Z13; \
	VFMADD213PS Z31, Z2, Z5; \
	VFMADD213PS Z31, Z10, Z13; \
	VSCALEFPS Z4, Z5, Z5; \
	VSCALEFPS Z12, Z13, Z13; \
	VMOVAPS.Z Z5, K2, Z5; \
	VMOVAPS.Z Z13, K4, Z13; \
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
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	GELUD512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, K2, K3)
	VMOVUPS Z2, K1, (DI)
	VMOVUPS Z3, K1, (DX)

gelud512done:
	VZEROUPPER
	RET
