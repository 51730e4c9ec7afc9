//go:build !purego

#include "textflag.h"

// func adamAVX(p, grad, m, v *float32, n int, c *adamCoef)
// Eight elements per iteration, the expressions of adamGo in its order.
TEXT ·adamAVX(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSS 0(AX), Y7   // shrink
	VBROADCASTSS 4(AX), Y8   // l2
	VBROADCASTSS 8(AX), Y9   // b1
	VBROADCASTSS 12(AX), Y10 // c1
	VBROADCASTSS 16(AX), Y11 // b2
	VBROADCASTSS 20(AX), Y12 // c2
	VBROADCASTSS 24(AX), Y13 // inv
	VBROADCASTSS 28(AX), Y14 // eps
	VBROADCASTSS 32(AX), Y15 // step
	SHRQ $3, CX

loop:
	TESTQ CX, CX
	JZ    done
	VMOVUPS (DI), Y0
	VMULPS  Y7, Y0, Y0  // pi = p·shrink
	VMOVUPS (SI), Y1
	VMULPS  Y8, Y0, Y2  // l2·pi
	VADDPS  Y2, Y1, Y1  // gi = g + l2·pi
	VMOVUPS (R8), Y2
	VMULPS  Y9, Y2, Y2  // b1·m
	VMULPS  Y10, Y1, Y3 // c1·gi
	VADDPS  Y3, Y2, Y2  // mi
	VMOVUPS Y2, (R8)
	VMOVUPS (R9), Y3
	VMULPS  Y11, Y3, Y3 // b2·v
	VMULPS  Y12, Y1, Y4 // c2·gi
	VMULPS  Y1, Y4, Y4  // (c2·gi)·gi
	VADDPS  Y4, Y3, Y3  // vi
	VMOVUPS Y3, (R9)
	VSQRTPS Y3, Y3      // √vi
	VMULPS  Y13, Y3, Y3 // ·inv
	VADDPS  Y14, Y3, Y3 // + eps
	VDIVPS  Y3, Y2, Y2  // mi/denom
	VMULPS  Y15, Y2, Y2 // step·(mi/denom)
	VADDPS  Y2, Y0, Y0  // pi + step·(mi/denom)
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JMP     loop

done:
	VZEROUPPER
	RET
