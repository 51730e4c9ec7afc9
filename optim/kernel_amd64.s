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
	MOVL 4(AX), R10          // l2's bits: ±0 skips the decay, as adamGo does
	ANDL $0x7fffffff, R10
	VBROADCASTSS 8(AX), Y9   // b1
	VBROADCASTSS 12(AX), Y10 // c1
	VBROADCASTSS 16(AX), Y11 // b2
	VBROADCASTSS 20(AX), Y12 // c2
	VBROADCASTSS 24(AX), Y13 // sq
	VBROADCASTSS 28(AX), Y14 // eps
	VBROADCASTSS 32(AX), Y15 // step
	SHRQ $3, CX

loop:
	TESTQ CX, CX
	JZ    done
	VMOVUPS (DI), Y0
	VMULPS  Y7, Y0, Y0  // pi = p·shrink
	VMOVUPS (SI), Y1    // gi = g
	TESTL   R10, R10
	JZ      nol2
	VFMADD231PS Y8, Y0, Y1 // gi = fma(pi, l2, g)

nol2:
	VMOVUPS (R8), Y2
	VMULPS  Y9, Y2, Y2      // b1·m
	VFMADD231PS Y10, Y1, Y2 // mi = fma(gi, c1, b1·m)
	VMOVUPS Y2, (R8)
	VMOVUPS (R9), Y3
	VMULPS  Y11, Y3, Y3     // b2·v
	VMULPS  Y12, Y1, Y4     // c2·gi
	VFMADD231PS Y1, Y4, Y3  // vi = fma(c2·gi, gi, b2·v)
	VMOVUPS Y3, (R9)
	VSQRTPS Y3, Y3          // √vi
	VDIVPS  Y13, Y3, Y3     // /sq
	VADDPS  Y14, Y3, Y3     // + eps
	VMULPS  Y15, Y2, Y2     // step·mi
	VDIVPS  Y3, Y2, Y2      // (step·mi)/denom
	VADDPS  Y2, Y0, Y0      // pi + (step·mi)/denom
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

// func sgdAVX(p, grad, b *float32, n int, c *sgdCoef)
// Eight elements per iteration, the operations of sgdGo in its order; the
// flags choose which run (the same for every iteration, so the branches
// are predicted).
TEXT ·sgdAVX(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ b+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	VBROADCASTSS 0(AX), Y7  // −lr
	VBROADCASTSS 4(AX), Y8  // λ
	VBROADCASTSS 8(AX), Y9  // μ
	VBROADCASTSS 12(AX), Y10 // 1 − dampening
	MOVL 16(AX), R10        // flags
	SHRQ $3, CX

sgdloop:
	TESTQ CX, CX
	JZ    sgddone
	VMOVUPS (DI), Y0 // p
	VMOVUPS (SI), Y1 // d = g
	TESTL $1, R10    // sgdDecay
	JZ    sgdnodecay
	VFMADD231PS Y8, Y0, Y1 // d = fma(p, λ, d)

sgdnodecay:
	TESTL $2, R10 // sgdMomentum
	JZ    sgdstep
	VMOVAPS Y1, Y2 // b = d on the first step
	TESTL $4, R10  // sgdFirst
	JNZ   sgdbuf
	VMOVUPS (R8), Y2
	VMULPS  Y9, Y2, Y2      // μ·b
	VFMADD231PS Y10, Y1, Y2 // b = fma(d, 1 − τ, μ·b)

sgdbuf:
	VMOVUPS Y2, (R8)
	ADDQ    $32, R8
	TESTL   $8, R10 // sgdNesterov
	JZ      sgdheavy
	VFMADD231PS Y9, Y2, Y1 // d = fma(b, μ, d)
	JMP     sgdstep

sgdheavy:
	VMOVAPS Y2, Y1 // d = b

sgdstep:
	VFMADD231PS Y7, Y1, Y0 // p = fma(d, −lr, p)
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JMP     sgdloop

sgddone:
	VZEROUPPER
	RET
