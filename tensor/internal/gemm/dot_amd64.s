//go:build amd64 && !purego

#include "textflag.h"

// HSUM leaves the sum of the 16 lanes of Z in the low lane of X. Y and X
// are Z's 256- and 128-bit names; YT and XT are the 256- and 128-bit names
// of a scratch register, which it overwrites.
#define HSUM(Z, Y, X, YT, XT) \
	VEXTRACTF64X4 $1, Z, YT; \
	VADDPS        YT, Y, Y; \
	VEXTRACTF128  $1, Y, XT; \
	VADDPS        XT, X, X; \
	VMOVHLPS      X, XT, XT; \
	VADDPS        XT, X, X; \
	VMOVSHDUP     X, XT; \
	VADDSS        XT, X, X

// func dotAVX512(k int, a0, a1, b0, b1, b2, b3, out *float32)
// out[r*4+j] = Σ_p ar[p]·bj[p] for r < 2 and j < 4: eight dot products of
// length k, with one zmm accumulator each, the last 15 or fewer steps
// masked. The caller points unused rows at used ones.
TEXT ·dotAVX512(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a0+8(FP), SI
	MOVQ a1+16(FP), DX
	MOVQ b0+24(FP), R11
	MOVQ b1+32(FP), R12
	MOVQ b2+40(FP), R13
	MOVQ b3+48(FP), R14
	MOVQ out+56(FP), R10
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	XORQ AX, AX

dotloop:
	CMPQ CX, $16
	JLT  dottail
	VMOVUPS     (SI)(AX*1), Z8
	VMOVUPS     (DX)(AX*1), Z9
	VMOVUPS     (R11)(AX*1), Z10
	VMOVUPS     (R12)(AX*1), Z11
	VMOVUPS     (R13)(AX*1), Z12
	VMOVUPS     (R14)(AX*1), Z13
	VFMADD231PS Z10, Z8, Z0
	VFMADD231PS Z11, Z8, Z1
	VFMADD231PS Z12, Z8, Z2
	VFMADD231PS Z13, Z8, Z3
	VFMADD231PS Z10, Z9, Z4
	VFMADD231PS Z11, Z9, Z5
	VFMADD231PS Z12, Z9, Z6
	VFMADD231PS Z13, Z9, Z7
	ADDQ        $64, AX
	SUBQ        $16, CX
	JMP         dotloop

dottail:
	TESTQ CX, CX
	JZ    dotsum
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
	KMOVW BX, K1
	VMOVUPS.Z   (SI)(AX*1), K1, Z8
	VMOVUPS.Z   (DX)(AX*1), K1, Z9
	VMOVUPS.Z   (R11)(AX*1), K1, Z10
	VMOVUPS.Z   (R12)(AX*1), K1, Z11
	VMOVUPS.Z   (R13)(AX*1), K1, Z12
	VMOVUPS.Z   (R14)(AX*1), K1, Z13
	VFMADD231PS Z10, Z8, Z0
	VFMADD231PS Z11, Z8, Z1
	VFMADD231PS Z12, Z8, Z2
	VFMADD231PS Z13, Z8, Z3
	VFMADD231PS Z10, Z9, Z4
	VFMADD231PS Z11, Z9, Z5
	VFMADD231PS Z12, Z9, Z6
	VFMADD231PS Z13, Z9, Z7

dotsum:
	HSUM(Z0, Y0, X0, Y8, X8)
	HSUM(Z1, Y1, X1, Y9, X9)
	HSUM(Z2, Y2, X2, Y10, X10)
	HSUM(Z3, Y3, X3, Y11, X11)
	HSUM(Z4, Y4, X4, Y12, X12)
	HSUM(Z5, Y5, X5, Y13, X13)
	HSUM(Z6, Y6, X6, Y14, X14)
	HSUM(Z7, Y7, X7, Y15, X15)
	VMOVSS X0, 0(R10)
	VMOVSS X1, 4(R10)
	VMOVSS X2, 8(R10)
	VMOVSS X3, 12(R10)
	VMOVSS X4, 16(R10)
	VMOVSS X5, 20(R10)
	VMOVSS X6, 24(R10)
	VMOVSS X7, 28(R10)
	VZEROUPPER
	RET
